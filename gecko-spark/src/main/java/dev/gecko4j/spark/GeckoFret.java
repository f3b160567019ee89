package dev.gecko4j.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.gecko4j.core.fret.FretExample;
import dev.gecko4j.core.fret.FretOptions;
import dev.gecko4j.core.internal.Args;
import dev.gecko4j.core.internal.GeckoJson;
import dev.gecko4j.fret.retrieve.AnnPolicy;
import dev.gecko4j.fret.internal.JsonlAppender;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.storage.StorageLevel;

/**
 * FRet mining as a Spark job: Gecko's two LLM steps run inside the executors, over a corpus
 * {@link Dataset} of {@code (id, title, text)} rows, and the rows are written as Parquet through
 * Spark's commit protocol.
 *
 * <ol>
 *   <li>The corpus is embedded on the executors (in batches, with the embedder of {@link
 *       Builder#embeddings}, exactly as the single-JVM miner embeds it) and snapshotted on the
 *       driver: passages, vectors, and for a corpus of at least {@link Builder#annThreshold}
 *       passages a JVector graph index over them. The snapshot reaches every executor once.
 *   <li>Per partition of seeds, each executor's shared {@link dev.gecko4j.fret.FretPipeline}
 *       generates a (task, query) for the seed passage (generation mode; skipped in relabel mode),
 *       retrieves its neighbours from the snapshot, has the LLM score them (query likelihood and
 *       relevance classification, fused by reciprocal rank) and picks the positive and hard
 *       negative. LLMs: {@link LanguageModelSource}.
 *   <li>Mined rows go to {@code output} (Parquet, the JSONL rows' fields; {@link #exportJsonl}
 *       writes the JSONL that {@code FretExporters} and the trainer read), drops with their reason
 *       to {@code output + "-drops"}. In generation mode a query generated for several seeds is
 *       kept once (for the smallest seed id) and the rest dropped as {@code "duplicate"}, whichever
 *       executor mined them.
 * </ol>
 *
 * <p>Every output file is written through Spark's commit protocol: a failed or retried task's
 * files are discarded, so each (query, seed) is in the output exactly once, and a re-run with
 * {@link Builder#overwrite} replaces the output as a whole. Costs {@code <= 3} LLM requests per
 * seed without retries (2 in relabel mode), as the single-JVM miner.
 *
 * <pre>{@code
 * GeckoFret fret = GeckoFret.builder()
 *     .languageModel(LanguageModelSource.openAi("http://llm:8000/v1", "mistral-7b-instruct"))
 *     .build();
 * GeckoFret.Result r = fret.generate(spark.read().json("corpus.jsonl")
 *     .withColumnRenamed("_id", "id"), "s3a://bucket/fret-rows");
 * }</pre>
 */
public final class GeckoFret {

  private static final System.Logger LOG = System.getLogger(GeckoFret.class.getName());

  /** What {@link Builder} collected. */
  private record Settings(GeckoEmbeddings embeddings, LanguageModelSource llm, FretOptions options,
      int annThreshold, Path workDir, boolean sharedWorkDir, boolean overwrite,
      MinePartition.FailureDrill drill) {}

  private final Settings settings;

  private GeckoFret(Settings settings) {
    this.settings = settings;
  }

  /** {@return a builder} */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link GeckoFret}; only {@link #languageModel} is required. */
  public static final class Builder {
    private GeckoEmbeddings embeddings = new GeckoEmbeddings();
    private LanguageModelSource llm;
    private FretOptions options = FretOptions.defaults();
    private int annThreshold = AnnPolicy.DEFAULT_THRESHOLD;
    private Path workDir;
    private boolean sharedWorkDir;
    private boolean overwrite;
    private MinePartition.FailureDrill drill;

    private Builder() {
    }

    /**
     * Sets the embedder: the model settings of a {@link GeckoEmbeddings} ({@code model} or {@code
     * modelFolder}, {@code dimension}, {@code maxLength}, {@code tokenBudget}, {@code
     * intraOpThreads}, {@code batchSize}); its columns and prompt are not used (passages are
     * embedded as documents, queries as queries of their task). Default: {@code new
     * GeckoEmbeddings()}.
     *
     * @param e the settings; not null
     * @return this builder
     */
    public Builder embeddings(GeckoEmbeddings e) {
      this.embeddings = Args.notNull(e, "embeddings");
      return this;
    }

    /**
     * Sets the language model the executors open (required).
     *
     * @param s the source; not null
     * @return this builder
     */
    public Builder languageModel(LanguageModelSource s) {
      this.llm = Args.notNull(s, "languageModel");
      return this;
    }

    /**
     * Sets the miner options (default {@link FretOptions#defaults()}).
     *
     * @param o the options; not null
     * @return this builder
     */
    public Builder options(FretOptions o) {
      this.options = Args.notNull(o, "options");
      return this;
    }

    /**
     * Sets the corpus size from which neighbours come from a JVector graph index instead of an
     * exact scan (default {@link AnnPolicy#DEFAULT_THRESHOLD}).
     *
     * @param n {@code >= 2}
     * @return this builder
     */
    public Builder annThreshold(int n) {
      this.annThreshold = Args.atLeast(n, 2, "annThreshold");
      return this;
    }

    /**
     * Sets the driver's folder for the corpus snapshot (default: a new temporary folder).
     *
     * @param dir the folder; not null
     * @return this builder
     */
    public Builder workDir(Path dir) {
      this.workDir = Args.notNull(dir, "workDir");
      return this;
    }

    /**
     * Says that {@link #workDir} is mounted at the same path on every executor (NFS, a cluster
     * file system), so executors read the snapshot there instead of receiving a copy through
     * {@code SparkContext.addFile} (default false). Use it for corpora of millions of passages.
     *
     * @param shared whether the work folder is shared
     * @return this builder
     */
    public Builder sharedWorkDir(boolean shared) {
      this.sharedWorkDir = shared;
      return this;
    }

    /**
     * Sets whether an existing output is replaced (default false: an existing output is an error,
     * raised before any work).
     *
     * @param on whether to overwrite
     * @return this builder
     */
    public Builder overwrite(boolean on) {
      this.overwrite = on;
      return this;
    }

    /**
     * Forces a task failure, to drill fault tolerance: the first attempt of mining task {@code
     * partition} throws after {@code afterSeeds} seeds; Spark retries it, and the output must hold
     * each row once. Needs task retries ({@code spark.task.maxFailures >= 2}; in local mode a
     * master {@code local[N,F]} with {@code F >= 2}).
     *
     * @param partition the mining task's partition, {@code >= 0}
     * @param afterSeeds seeds mined before the failure, {@code >= 0}
     * @return this builder
     */
    public Builder failureDrill(int partition, int afterSeeds) {
      this.drill = new MinePartition.FailureDrill(Args.atLeast(partition, 0, "partition"),
          Args.atLeast(afterSeeds, 0, "afterSeeds"));
      return this;
    }

    /**
     * Builds the job.
     *
     * @return the job
     * @throws IllegalStateException if no language model was set
     */
    public GeckoFret build() {
      if (llm == null) {
        throw new IllegalStateException("languageModel is required: LanguageModelSource.onnx(dir)"
            + " or LanguageModelSource.openAi(url, model)");
      }
      return new GeckoFret(new Settings(embeddings.copy(new org.apache.spark.ml.param.ParamMap()),
          llm, options, annThreshold, workDir, sharedWorkDir, overwrite, drill));
    }
  }

  /**
   * What a job did.
   *
   * @param output the rows' Parquet path
   * @param dropsOutput the drops' Parquet path ({@code query_id, seed_id, reason, detail,
   *     llm_requests})
   * @param mode {@code "relabel"} or {@code "generation"}
   * @param passages the corpus passages
   * @param graphIndex whether neighbours came from a graph index
   * @param seeds the seeds mined
   * @param rows the rows written
   * @param drops dropped seeds per reason
   * @param llmRequests LLM requests of the rows and drops written
   * @param taskFailures failed task attempts Spark retried during mining
   * @param snapshotSeconds seconds to embed and snapshot the corpus
   * @param mineSeconds seconds to mine and write
   */
  public record Result(String output, String dropsOutput, String mode, int passages,
      boolean graphIndex, long seeds, long rows, Map<String, Long> drops, long llmRequests,
      int taskFailures, double snapshotSeconds, double mineSeconds) {}

  /**
   * Relabel mode: mines the given (query, positive) pairs, such as BEIR qrels or click logs; the
   * LLM only scores (no generation).
   *
   * @param corpus columns {@code id} and {@code text} (strings), optional {@code title}
   * @param pairs columns {@code query_id}, {@code query} and {@code positive_id} (strings),
   *     optional {@code task} (else {@link FretOptions#relabelTask()}); a repeated {@code
   *     (query_id, positive_id)} is mined once
   * @param output the rows' Parquet path (any Hadoop file system)
   * @return what the job did
   * @throws IllegalArgumentException if a column is missing or of another type, or the output
   *     exists and {@link Builder#overwrite} is off
   */
  public Result relabel(Dataset<Row> corpus, Dataset<Row> pairs, String output) {
    Args.notNull(corpus, "corpus");
    Args.notNull(pairs, "pairs");
    requireColumns(pairs, "pairs", "query_id", "query", "positive_id");
    Dataset<Row> seeds = pairs.select(col("query_id"), col("query"), col("positive_id"),
        has(pairs, "task") ? col("task") : lit(null).cast(DataTypes.StringType).as("task"))
        .dropDuplicates("query_id", "positive_id");
    return run(corpus, seeds, true, output);
  }

  /**
   * Generation mode: one seed per corpus passage; the LLM writes a (task, query) for each, then
   * scores its neighbours.
   *
   * @param corpus columns {@code id} and {@code text} (strings), optional {@code title}
   * @param output the rows' Parquet path (any Hadoop file system)
   * @return what the job did
   * @throws IllegalArgumentException if a column is missing or of another type, or the output
   *     exists and {@link Builder#overwrite} is off
   */
  public Result generate(Dataset<Row> corpus, String output) {
    return generate(corpus, corpus, output);
  }

  /**
   * Generation mode for some passages of the corpus: one seed per id of {@code seeds} (all
   * passages stay candidates for neighbours).
   *
   * @param corpus columns {@code id} and {@code text} (strings), optional {@code title}
   * @param seeds column {@code id}: the seed passages' ids (an id not in the corpus is dropped as
   *     {@code "unknown_passage"}; a repeated id is mined once)
   * @param output the rows' Parquet path (any Hadoop file system)
   * @return what the job did
   * @throws IllegalArgumentException if a column is missing or of another type, or the output
   *     exists and {@link Builder#overwrite} is off
   */
  public Result generate(Dataset<Row> corpus, Dataset<Row> seeds, String output) {
    Args.notNull(corpus, "corpus");
    Args.notNull(seeds, "seeds");
    requireColumns(corpus, "corpus", "id", "text");
    requireColumns(seeds, "seeds", "id");
    return run(corpus, seeds.select(col("id")).dropDuplicates("id"), false, output);
  }

  private Result run(Dataset<Row> corpus, Dataset<Row> seeds, boolean relabel, String output) {
    Args.notBlank(output, "output");
    requireColumns(corpus, "corpus", "id", "text");
    if (has(corpus, "title")) {
      requireColumns(corpus, "corpus", "title");
    }
    SparkSession spark = corpus.sparkSession();
    String drops = output.replaceAll("/+$", "") + "-drops";
    checkOutput(spark, output);
    checkOutput(spark, drops);
    checkRetries(spark);
    long t0 = System.nanoTime();
    Dataset<Row> passages = corpus.select(col("id"), has(corpus, "title") ? col("title")
        : lit(null).cast(DataTypes.StringType).as("title"), col("text"));
    Path dir = settings.workDir();
    try {
      dir = dir != null ? dir : Files.createTempDirectory("gecko-fret-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a work folder for the corpus snapshot", e);
    }
    GeckoEmbeddings embed = settings.embeddings();
    CorpusSnapshot snapshot = CorpusSnapshot.build(spark, passages, embed.settings(),
        embed.getBatchSize(), dir, settings.annThreshold(), !settings.sharedWorkDir());
    double snapshotS = (System.nanoTime() - t0) / 1e9;
    ExecutorMining.Job job;
    try {
      job = new ExecutorMining.Job(snapshot, embed.settings(), settings.llm(),
          GeckoJson.mapper().writeValueAsString(settings.options()));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the FRet options as JSON", e);
    }
    LOG.log(System.Logger.Level.INFO, "gecko-spark fret: {0} mode, snapshot {1} ({2} passages,"
        + " {3}), LLM {4}", relabel ? "relabel" : "generation", snapshot.id(), snapshot.size(),
        snapshot.indexFile() == null ? "exact neighbours" : "graph index", settings.llm());
    FailedTasks failed = new FailedTasks();
    spark.sparkContext().addSparkListener(failed);
    long t1 = System.nanoTime();
    Dataset<Row> outcomes = seeds.mapPartitions(new MinePartition(job, relabel, settings.drill()),
        Encoders.row(MinePartition.OUTCOME)).persist(StorageLevel.MEMORY_AND_DISK());
    try {
      Dataset<Row> mined = outcomes.where(col("status").equalTo("mined"));
      Dataset<Row> dropped = outcomes.where(col("status").equalTo("dropped"))
          .select("query_id", "seed_id", "reason", "detail", "llm_requests");
      Dataset<Row> rows = mined;
      if (!relabel) {
        Dataset<Row> ranked = mined.withColumn("_rank", row_number().over(
            Window.partitionBy("query_key").orderBy("seed_id")));
        rows = ranked.where(col("_rank").equalTo(1));
        dropped = dropped.unionByName(ranked.where(col("_rank").gt(1)).select(col("query_id"),
            col("seed_id"), lit("duplicate").as("reason"), col("row.query").as("detail"),
            col("llm_requests")));
      }
      SaveMode mode = settings.overwrite() ? SaveMode.Overwrite : SaveMode.ErrorIfExists;
      rows.select("row.*").write().mode(mode).parquet(output);
      dropped.write().mode(mode).parquet(drops);
      try {
        spark.sparkContext().listenerBus().waitUntilEmpty(); // the failure counts are in
      } catch (java.util.concurrent.TimeoutException e) {
        LOG.log(System.Logger.Level.WARNING,
            "gecko-spark fret: Spark's listener bus is slow; task failures may be undercounted");
      }
      Dataset<Row> written = spark.read().parquet(output);
      long rowCount = written.count();
      Map<String, Long> byReason = new TreeMap<>();
      long requests = 0;
      for (Row r : spark.read().parquet(drops).groupBy("reason").agg(
          org.apache.spark.sql.functions.count(lit(1)), org.apache.spark.sql.functions.sum(
              "llm_requests")).collectAsList()) {
        byReason.put(r.getString(0), r.getLong(1));
        requests += r.isNullAt(2) ? 0 : r.getLong(2);
      }
      Row sum = written.agg(org.apache.spark.sql.functions.sum("llm_requests")).first();
      requests += sum.isNullAt(0) ? 0 : sum.getLong(0);
      long seedCount = rowCount + byReason.values().stream().mapToLong(Long::longValue).sum();
      return new Result(output, drops, relabel ? "relabel" : "generation", snapshot.size(),
          snapshot.indexFile() != null, seedCount, rowCount, byReason, requests, failed.count(),
          snapshotS, (System.nanoTime() - t1) / 1e9);
    } finally {
      outcomes.unpersist();
      spark.sparkContext().removeSparkListener(failed);
    }
  }

  /**
   * Writes the rows of a {@link GeckoFret} output as the single-JVM miner's JSONL (one {@link
   * FretExample} per line, the same JSON), which {@code FretExporters} and the trainer read.
   *
   * @param spark the session; not null
   * @param parquet the rows' Parquet path; not blank
   * @param jsonl the JSONL file to write (replaced); not null
   * @return the rows written
   * @throws IllegalArgumentException if an argument is invalid or a row is not a valid FRet row
   */
  public static long exportJsonl(SparkSession spark, String parquet, Path jsonl) {
    Args.notNull(spark, "spark");
    Args.notBlank(parquet, "parquet");
    Args.notNull(jsonl, "jsonl");
    try {
      Files.deleteIfExists(jsonl);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot replace " + jsonl, e);
    }
    long n = 0;
    try (JsonlAppender out = new JsonlAppender(jsonl, 1000)) {
      Iterator<Row> it = spark.read().parquet(parquet).orderBy("query_id", "seed_id")
          .toLocalIterator();
      while (it.hasNext()) {
        FretExample e = FretRowSchema.fromRow(it.next());
        out.append(GeckoJson.mapper().writeValueAsString(e));
        n++;
      }
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a FRet row as JSON", e);
    }
    return n;
  }

  private static boolean has(Dataset<Row> d, String column) {
    return Arrays.asList(d.schema().fieldNames()).contains(column);
  }

  private static void requireColumns(Dataset<Row> d, String what, String... columns) {
    List<String> names = Arrays.asList(d.schema().fieldNames());
    for (String c : columns) {
      if (!names.contains(c)) {
        throw new IllegalArgumentException(what + " must have a string column '" + c
            + "', but its columns are " + names);
      }
      if (!d.schema().apply(c).dataType().equals(DataTypes.StringType)) {
        throw new IllegalArgumentException(what + " column '" + c + "' must be a string, but is "
            + d.schema().apply(c).dataType().simpleString());
      }
    }
  }

  private void checkOutput(SparkSession spark, String path) {
    if (settings.overwrite()) {
      return;
    }
    try {
      org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
      if (p.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(p)) {
        throw new IllegalArgumentException("output " + path + " exists; remove it or set"
            + " overwrite(true)");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check output " + path, e);
    }
  }

  private void checkRetries(SparkSession spark) {
    if (settings.drill() == null) {
      return;
    }
    String master = spark.sparkContext().master();
    boolean local = master.startsWith("local");
    boolean retries = local ? master.matches("local\\[[^,\\]]+,\\s*([2-9]|\\d{2,})\\s*]")
        : spark.sparkContext().getConf().getInt("spark.task.maxFailures", 4) >= 2;
    if (!retries) {
      throw new IllegalArgumentException("failureDrill needs task retries, but master '" + master
          + "' retries no task; use local[N,F] with F >= 2 (or spark.task.maxFailures >= 2)");
    }
  }

  /** Counts failed task attempts (retried by Spark). */
  private static final class FailedTasks extends SparkListener {
    private final AtomicInteger failed = new AtomicInteger();

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
      if (end.taskInfo() != null && end.taskInfo().failed()) {
        failed.incrementAndGet();
      }
    }

    int count() {
      return failed.get();
    }
  }
}
