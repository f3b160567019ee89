package dev.gecko4j.spark;

import org.apache.spark.launcher.JavaModuleOptions;

/**
 * Prints the JVM flags Spark needs on JDK 17+ (its module opens and Netty settings, from
 * {@link JavaModuleOptions#defaultModuleOptions()} of the Spark on the classpath) on one line, for
 * scripts that start a driver JVM themselves ({@code bin/gecko bench spark}).
 */
public final class SparkJvmFlags {

  private SparkJvmFlags() {
  }

  /**
   * Prints the flags.
   *
   * @param args none
   */
  public static void main(String[] args) {
    System.out.println(JavaModuleOptions.defaultModuleOptions());
  }
}
