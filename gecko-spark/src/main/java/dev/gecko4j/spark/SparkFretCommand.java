package dev.gecko4j.spark;

import dev.gecko4j.onnx.ModelSource;
import static org.apache.spark.sql.functions.col;

import dev.gecko4j.core.fret.FretOptions;
import dev.gecko4j.core.internal.GeckoJson;
import dev.gecko4j.fret.retrieve.AnnPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * {@code gecko spark fret}: {@link GeckoFret} over a BEIR corpus in a Spark session (default
 * {@code local[2,2]}: two cores, a failed task retried once). Relabel mode with {@code --queries}
 * and {@code --qrels} (the qrels with a positive score become (query, positive) pairs), generation
 * mode without.
 *
 * <p>Options: {@code --corpus FILE} (BEIR {@code corpus.jsonl}), {@code --queries FILE}, {@code
 * --qrels FILE}, {@code --llm onnx:<dir>|openai:<url>[?model=..]}, {@code --out PATH} (Parquet),
 * {@code --model NAME|FOLDER} (default bge-small-en-v1.5), {@code --max-length N}, {@code
 * --batch-size N}, {@code --master URL}, {@code --partitions N} (seeds and corpus, default 8),
 * {@code --neighbours N} (20), {@code --ann-threshold N} (200000), {@code --seed N}, {@code
 * --limit N} (the first N seeds by id), {@code --work-dir DIR}, {@code --export-jsonl FILE},
 * {@code --overwrite}, {@code --fail-task-once} (the first attempt of seed partition 0 fails after
 * 3 seeds: a fault-tolerance drill).
 *
 * <p>Progress goes to stderr; the last stdout line is one JSON object: the job's {@link
 * GeckoFret.Result} and its cost per row.
 */
public final class SparkFretCommand {

  private static final List<String> OPTIONS = List.of("corpus", "queries", "qrels", "llm", "out",
      "model", "max-length", "batch-size", "master", "partitions", "neighbours", "ann-threshold",
      "seed", "limit", "work-dir", "export-jsonl", "overwrite", "fail-task-once");

  private SparkFretCommand() {
  }

  /**
   * Runs the command.
   *
   * @param args the options above
   * @throws Exception if the job fails
   */
  public static void main(String[] args) throws Exception {
    SparkOptions.run("spark fret", args, OPTIONS, Set.of("overwrite", "fail-task-once"),
        SparkFretCommand::run);
  }

  private static void run(SparkOptions opt) throws Exception {
    Path corpusFile = existing(opt.required("corpus"), "--corpus");
    String queries = opt.get("queries", null);
    String qrels = opt.get("qrels", null);
    if ((queries == null) != (qrels == null)) {
      throw new IllegalArgumentException("--queries and --qrels go together (relabel mode), but got"
          + " --queries " + queries + " and --qrels " + qrels);
    }
    LanguageModelSource llm = LanguageModelSource.parse(opt.required("llm"));
    String out = opt.required("out");
    int partitions = opt.integer("partitions", 8, 1, 100_000);
    int limit = opt.integer("limit", 0, 0, Integer.MAX_VALUE);
    String model = opt.get("model", GeckoEmbeddings.DEFAULT_MODEL);
    GeckoEmbeddings embed = new GeckoEmbeddings()
        .setMaxLength(opt.integer("max-length", 0, 0, 8192))
        .setBatchSize(opt.integer("batch-size", 64, 1, 1 << 16));
    ModelSource source = ModelSource.of(model);
    embed = source.isBundled() ? embed.setModel(model) : embed.setModelFolder(model);
    FretOptions options = FretOptions.defaults()
        .withNeighbours(opt.integer("neighbours", 20, 2, 1000))
        .withSeed(opt.integer("seed", 42, Integer.MIN_VALUE, Integer.MAX_VALUE));
    GeckoFret.Builder job = GeckoFret.builder().embeddings(embed).languageModel(llm)
        .options(options)
        .annThreshold(opt.integer("ann-threshold", AnnPolicy.DEFAULT_THRESHOLD, 2,
            Integer.MAX_VALUE))
        .overwrite(opt.flag("overwrite"));
    if (opt.get("work-dir", null) != null) {
      job.workDir(Path.of(opt.get("work-dir", null)));
    }
    if (opt.flag("fail-task-once")) {
      job.failureDrill(0, 3);
    }
    String master = opt.get("master", "local[2,2]");
    try {
      mine(opt, job, master, corpusFile, queries, qrels, llm, out, partitions, limit, model, embed);
    } catch (IllegalArgumentException e) {
      // the options were valid: what fails now is the job (its data, Spark), not the command line
      throw new IllegalStateException("gecko spark fret failed: " + e.getMessage(), e);
    }
  }

  private static void mine(SparkOptions opt, GeckoFret.Builder job, String master, Path corpusFile,
      String queries, String qrels, LanguageModelSource llm, String out, int partitions, int limit,
      String model, GeckoEmbeddings embed) throws Exception {
    SparkSession spark = SparkSession.builder().master(master).appName("gecko-spark-fret")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", String.valueOf(partitions)).getOrCreate();
    try {
      long t0 = System.nanoTime();
      Dataset<Row> corpus = spark.read().json(corpusFile.toString())
          .select(col("_id").as("id"), col("title"), col("text")).repartition(partitions);
      GeckoFret fret = job.build();
      GeckoFret.Result r;
      if (queries == null) {
        Dataset<Row> seeds = corpus;
        if (limit > 0) {
          seeds = corpus.orderBy("id").limit(limit).repartition(partitions);
        }
        System.err.println("gecko spark fret: generation mode over " + corpusFile + " on " + master);
        r = fret.generate(corpus, seeds, out);
      } else {
        Dataset<Row> pairs = pairs(spark, existing(queries, "--queries"),
            existing(qrels, "--qrels"));
        if (limit > 0) {
          pairs = pairs.orderBy("query_id", "positive_id").limit(limit);
        }
        pairs = pairs.repartition(partitions);
        System.err.println("gecko spark fret: relabel mode over " + qrels + " on " + master);
        r = fret.relabel(corpus, pairs, out);
      }
      Map<String, Object> json = new LinkedHashMap<>();
      json.putAll(GeckoJson.mapper().convertValue(r,
          new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() { }));
      json.put("master", master);
      json.put("llm", llm.toString());
      json.put("embedder", model + (embed.getMaxLength() > 0 ? "@" + embed.getMaxLength() : ""));
      json.put("rows_per_s", round(r.rows() / Math.max(1e-9, r.mineSeconds())));
      json.put("mine_s_per_seed", round(r.mineSeconds() / Math.max(1, r.seeds())));
      json.put("llm_requests_per_row", round((double) r.llmRequests() / Math.max(1, r.rows())));
      if (opt.get("export-jsonl", null) != null) {
        Path jsonl = Path.of(opt.get("export-jsonl", null));
        json.put("jsonl_rows", GeckoFret.exportJsonl(spark, out, jsonl));
        json.put("jsonl", jsonl.toString());
      }
      json.put("wall_s", round((System.nanoTime() - t0) / 1e9));
      System.err.printf(Locale.ROOT, "gecko spark fret: %d rows, %d dropped %s, %d failed task"
          + " attempts retried; %s%n", r.rows(), r.seeds() - r.rows(), r.drops(), r.taskFailures(),
          out);
      System.out.println(GeckoJson.mapper().writeValueAsString(json));
    } finally {
      spark.stop();
    }
  }

  /** The qrels of positive score joined to their queries: {@code (query_id, query, positive_id)}. */
  private static Dataset<Row> pairs(SparkSession spark, Path queries, Path qrels) {
    Dataset<Row> q = spark.read().json(queries.toString())
        .select(col("_id").as("query_id"), col("text").as("query"));
    Dataset<Row> rel = spark.read().option("sep", "\t").csv(qrels.toString())
        // try_cast: a header line (or any non-numeric score) gives null and is dropped, as are
        // non-positive labels
        .where(org.apache.spark.sql.functions.expr("try_cast(_c2 AS DOUBLE)").gt(0))
        .select(col("_c0").as("query_id"), col("_c1").as("positive_id"));
    return rel.join(q, "query_id").select("query_id", "query", "positive_id");
  }

  private static Path existing(String file, String option) {
    Path p = Path.of(file);
    if (!Files.isRegularFile(p)) {
      throw new IllegalArgumentException(option + " must name an existing file, but " + p
          + " does not exist");
    }
    return p;
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}
