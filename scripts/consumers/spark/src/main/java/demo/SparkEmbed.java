package demo;

import static org.apache.spark.sql.functions.col;

import dev.gecko4j.core.Embedding;
import dev.gecko4j.core.TaskPrompt;
import dev.gecko4j.onnx.Models;
import dev.gecko4j.onnx.OnnxEmbedder;
import dev.gecko4j.spark.GeckoEmbeddings;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The README's Spark example on SciFact passages in local[2], against OnnxEmbedder in this JVM.
 * Args: corpus.jsonl, number of passages. Last stdout line: one JSON object.
 */
public class SparkEmbed {
  public static void main(String[] args) throws Exception {
    int limit = Integer.parseInt(args[1]);
    SparkSession spark = SparkSession.builder().master("local[2]").appName("gecko4j-consumer")
        .config("spark.ui.enabled", "false").getOrCreate();
    try {
      Dataset<Row> corpus = spark.read().json(args[0]).limit(limit)
          .select(col("_id").as("id"), col("title"), col("text")).repartition(4);
      GeckoEmbeddings embed = new GeckoEmbeddings()
          .setInputCol("text").setTitleCol("title").setOutputCol("embedding")
          .setModel("bge-small-en-v1.5").setPrompt("document");
      long t0 = System.nanoTime();
      List<Row> rows = embed.transform(corpus).select("id", "title", "text", "embedding").collectAsList();
      double sparkSeconds = (System.nanoTime() - t0) / 1e9;

      List<String> texts = new ArrayList<>();
      List<TaskPrompt> prompts = new ArrayList<>();
      for (Row r : rows) {
        texts.add(r.getString(2));
        prompts.add(TaskPrompt.document(r.getString(1)));
      }
      double maxDiff = 0;
      try (OnnxEmbedder onnx = OnnxEmbedder.builder().model(Models.BGE_SMALL_EN_V15).build()) {
        List<Embedding> own = onnx.embedAll(texts, prompts);
        for (int i = 0; i < rows.size(); i++) {
          List<Float> v = rows.get(i).getList(3);
          float[] w = own.get(i).toArray();
          if (v.size() != w.length) {
            throw new IllegalStateException("row " + i + ": " + v.size() + " values, expected " + w.length);
          }
          for (int d = 0; d < w.length; d++) {
            maxDiff = Math.max(maxDiff, Math.abs(v.get(d) - w[d]));
          }
        }
      }
      System.out.printf("{\"java\":\"%s\",\"spark\":\"%s\",\"rows\":%d,\"max_abs_diff\":%.3g,\"spark_seconds\":%.1f}%n",
          System.getProperty("java.version"), spark.version(), rows.size(), maxDiff, sparkSeconds);
    } finally {
      spark.stop();
    }
  }
}
