package dev.gecko4j.spark;

import org.apache.spark.sql.SparkSession;

/** The tests' Spark session: {@code local} mode, no UI, two shuffle partitions. */
final class LocalSpark {

  private LocalSpark() {
  }

  /**
   * Starts (or joins) the session.
   *
   * @param master {@code local[N]}, or {@code local[N,F]} for F attempts per task
   * @param app the application name
   * @return the session
   */
  static SparkSession start(String master, String app) {
    return SparkSession.builder().master(master).appName(app)
        .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
        .getOrCreate();
  }

  /** Stops {@code spark} when it was started, and closes this JVM's embedders and FRet state. */
  static void stop(SparkSession spark) {
    if (spark != null) {
      spark.stop();
    }
    ExecutorMining.closeAll();
    ExecutorEmbedders.closeAll();
  }
}
