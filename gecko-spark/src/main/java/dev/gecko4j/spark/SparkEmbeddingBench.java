package dev.gecko4j.spark;

import dev.gecko4j.core.Embedding;
import dev.gecko4j.core.TaskPrompt;
import dev.gecko4j.core.eval.BeirDataset;
import dev.gecko4j.core.eval.BeirDocument;
import dev.gecko4j.onnx.Models;
import dev.gecko4j.onnx.OnnxEmbedder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * {@code gecko bench spark}: embeds the SciFact corpus (or its first {@code --limit} documents)
 * with {@link GeckoEmbeddings} in Spark {@code local[cores]} and with one {@link OnnxEmbedder} in
 * this JVM on the same thread budget ({@code cores} tasks of one ONNX Runtime thread each, against
 * {@code intraOpThreads(1).concurrentBatches(cores)}), in one run, and compares throughput and
 * vectors. Both embedders are warmed up first (model loaded, one small batch run).
 *
 * <p>Options: {@code --data DIR} (BEIR SciFact folder, default
 * {@code ${gecko.shared.data}/beir/scifact} or {@code ../shared/data/beir/scifact}),
 * {@code --limit N} (0 = all 5,183), {@code --cores N} (default 2), {@code --partitions N}
 * (default 4 x cores), {@code --batch-size N} (texts per embedder call in a task, default 256),
 * {@code --model NAME} (default bge-small-en-v1.5), {@code --rounds N} (each round times both,
 * in alternating order; the best round of each counts).
 *
 * <p>Progress goes to stderr; the last stdout line is one JSON object with
 * {@code spark_texts_per_s}, {@code single_jvm_texts_per_s}, {@code vs_single_jvm},
 * {@code max_abs_diff}, and where Spark's time went: {@code spark_in_embedder_s} (time inside
 * {@code embedAll} summed over tasks, divided by cores), {@code spark_outside_embedder_s} (wall
 * minus that: scheduling, row conversion, collect, idle task slots), {@code tokenize_s} (the
 * corpus tokenised once on one thread, part of both systems' time) and
 * {@code spark_outside_ort_s} (outside-embedder time plus tokenising, per core).
 */
public final class SparkEmbeddingBench {

  private SparkEmbeddingBench() {
  }

  /**
   * Runs the benchmark.
   *
   * @param args the options above
   * @throws Exception if the data cannot be read or a job fails
   */
  public static void main(String[] args) throws Exception {
    SparkOptions.run("bench spark", args, List.of("data", "limit", "cores", "partitions",
        "batch-size", "model", "rounds"), Set.of(), SparkEmbeddingBench::run);
  }

  private static void run(SparkOptions opt) throws Exception {
    Path data = Path.of(opt.get("data", Path.of(System.getProperty("gecko.shared.data",
        "../shared/data"), "beir", "scifact").toString()));
    if (!Files.isRegularFile(data.resolve("corpus.jsonl"))) {
      throw new IllegalArgumentException("--data must be a BEIR folder with corpus.jsonl, but "
          + data.resolve("corpus.jsonl") + " does not exist (SciFact lives in ../shared/data/beir/"
          + "scifact beside the repo)");
    }
    int limit = opt.integer("limit", 0, 0, Integer.MAX_VALUE);
    int cores = opt.integer("cores", 2, 1, 256);
    int partitions = opt.integer("partitions", 4 * cores, 1, 100_000);
    int batchSize = opt.integer("batch-size", 256, 1, 1 << 16);
    int rounds = opt.integer("rounds", 1, 1, 100);
    Models model = Models.byName(opt.get("model", GeckoEmbeddings.DEFAULT_MODEL));

    List<BeirDocument> docs = BeirDataset.open(data).loadDocuments();
    if (limit > 0 && limit < docs.size()) {
      docs = docs.subList(0, limit);
    }
    int n = docs.size();
    List<String> texts = new ArrayList<>(n);
    List<TaskPrompt> prompts = new ArrayList<>(n);
    List<Row> rows = new ArrayList<>(n);
    for (BeirDocument d : docs) {
      texts.add(d.text());
      prompts.add(TaskPrompt.document(d.title()));
      rows.add(RowFactory.create(d.id(), d.title(), d.text()));
    }
    log("bench spark: %d SciFact documents from %s, %s, local[%d], %d partitions, batch %d",
        n, data, model.modelName(), cores, partitions, batchSize);

    SparkSession spark = SparkSession.builder().master("local[" + cores + "]")
        .appName("gecko-bench-spark").config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", String.valueOf(partitions)).getOrCreate();
    try (OnnxEmbedder single = OnnxEmbedder.builder().model(model).intraOpThreads(1)
        .concurrentBatches(cores).build()) {
      StructType schema = new StructType().add("id", DataTypes.StringType)
          .add("title", DataTypes.StringType).add("text", DataTypes.StringType);
      Dataset<Row> corpus = spark.createDataFrame(rows, schema).repartition(partitions).cache();
      corpus.count();
      GeckoEmbeddings embed = new GeckoEmbeddings().setInputCol("text").setTitleCol("title")
          .setModel(model.modelName()).setIntraOpThreads(1).setBatchSize(batchSize);

      // warm-up: both embedders loaded and run once
      single.embedAll(texts.subList(0, Math.min(64, n)), prompts.subList(0, Math.min(64, n)));
      embed.transform(corpus.limit(64)).count();
      log("warm-up done");

      long tok0 = System.nanoTime();
      single.tokenize(texts, prompts);
      double tokenizeS = (System.nanoTime() - tok0) / 1e9;

      double bestSpark = Double.MAX_VALUE;
      double bestSingle = Double.MAX_VALUE;
      double inEmbedderS = 0;
      Map<String, float[]> sparkVectors = null;
      List<Embedding> singleVectors = null;
      for (int r = 0; r < rounds; r++) {
        boolean sparkFirst = r % 2 == 1;
        for (int k = 0; k < 2; k++) {
          if ((k == 0) == sparkFirst) {
            long e0 = ExecutorEmbedders.EMBED_NANOS.sum();
            long t0 = System.nanoTime();
            List<Row> out = embed.transform(corpus).select("id", "embedding").collectAsList();
            double s = (System.nanoTime() - t0) / 1e9;
            double in = (ExecutorEmbedders.EMBED_NANOS.sum() - e0) / 1e9 / cores;
            log("round %d spark: %.1f s (%.1f texts/s), in embedder %.1f s per core", r + 1, s,
                n / s, in);
            if (s < bestSpark) {
              bestSpark = s;
              inEmbedderS = in;
            }
            sparkVectors = new HashMap<>(n * 2);
            for (Row row : out) {
              List<Float> v = row.getList(1);
              float[] a = new float[v.size()];
              for (int i = 0; i < a.length; i++) {
                a[i] = v.get(i);
              }
              sparkVectors.put(row.getString(0), a);
            }
          } else {
            long t0 = System.nanoTime();
            singleVectors = single.embedAll(texts, prompts);
            double s = (System.nanoTime() - t0) / 1e9;
            log("round %d single JVM: %.1f s (%.1f texts/s)", r + 1, s, n / s);
            bestSingle = Math.min(bestSingle, s);
          }
        }
      }
      double maxDiff = 0;
      for (int i = 0; i < n; i++) {
        float[] a = sparkVectors.get(docs.get(i).id());
        float[] b = singleVectors.get(i).toArray();
        if (a == null || a.length != b.length) {
          throw new IllegalStateException("document " + docs.get(i).id() + " has no Spark vector "
              + "of dimension " + b.length);
        }
        for (int d = 0; d < b.length; d++) {
          maxDiff = Math.max(maxDiff, Math.abs(a[d] - b[d]));
        }
      }
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("bench", "spark");
      json.put("model", model.modelName());
      json.put("texts", n);
      json.put("master", "local[" + cores + "]");
      json.put("partitions", partitions);
      json.put("batch_size", batchSize);
      json.put("rounds", rounds);
      json.put("spark_s", round(bestSpark));
      json.put("single_jvm_s", round(bestSingle));
      json.put("spark_texts_per_s", round(n / bestSpark));
      json.put("single_jvm_texts_per_s", round(n / bestSingle));
      json.put("vs_single_jvm", round(bestSingle / bestSpark));
      json.put("max_abs_diff", maxDiff);
      json.put("spark_in_embedder_s", round(inEmbedderS));
      json.put("spark_outside_embedder_s", round(bestSpark - inEmbedderS));
      json.put("tokenize_s", round(tokenizeS));
      json.put("spark_outside_ort_s", round(bestSpark - inEmbedderS + tokenizeS / cores));
      json.put("java", System.getProperty("java.version"));
      json.put("spark", spark.version());
      System.out.println(dev.gecko4j.core.internal.GeckoJson.mapper().writeValueAsString(json));
    } finally {
      spark.stop();
    }
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  private static void log(String format, Object... args) {
    System.err.println(String.format(Locale.ROOT, format, args));
  }
}
