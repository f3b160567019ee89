package dev.gecko4j.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gecko4j.core.Embedding;
import dev.gecko4j.core.ProgressListener;
import dev.gecko4j.core.eval.BeirDataset;
import dev.gecko4j.core.fret.FretExample;
import dev.gecko4j.core.fret.FretOptions;
import dev.gecko4j.core.internal.GeckoJson;
import dev.gecko4j.core.testing.SharedData;
import dev.gecko4j.fret.FretMine;
import dev.gecko4j.fret.export.FretExporters;
import dev.gecko4j.fret.retrieve.CorpusStore;
import dev.gecko4j.fret.retrieve.EmbeddingCache;
import dev.gecko4j.fret.retrieve.MappedVectors;
import dev.gecko4j.fret.retrieve.Passage;
import dev.gecko4j.fret.run.FretRows;
import dev.gecko4j.fret.run.MiningListener;
import dev.gecko4j.onnx.Models;
import dev.gecko4j.onnx.OnnxEmbedder;
import dev.gecko4j.onnx.lm.OnnxCausalLanguageModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Tag;

/**
 * {@link GeckoFret} in Spark {@code local[2,2]} (two cores, a failed task retried once) on a slice
 * of SciFact train, with the real stories260K LM in every executor and bge-small as the embedder:
 * relabel rows equal the single-JVM miner's, a task killed mid-partition leaves every (query, seed)
 * in the output once, the graph index path works, and bad input fails before any work.
 */
@Tag("jdk-independent") // JDK 17 only: see the root pom's jdk25 execution
class GeckoFretTest {

  private static final int QRELS = 16;
  private static final int OTHER_PASSAGES = 60;
  private static final int MAX_LENGTH = 128;
  /** 8 neighbours a seed (the paper's 20 would only multiply the LM calls of the same checks). */
  private static final FretOptions OPTIONS = FretOptions.defaults().withNeighbours(8);

  private static SparkSession spark;

  @TempDir
  static Path dir;

  private static Path corpusFile;
  private static Path queriesFile;
  private static Path qrelsFile;

  @BeforeAll
  static void startSpark() {
    spark = LocalSpark.start("local[2,2]", "gecko-fret-test");
  }

  @AfterAll
  static void stopSpark() {
    LocalSpark.stop(spark);
  }

  /** Writes the slice once: the first train qrels' passages and more, abstracts cut at 300 chars. */
  private static synchronized void slice() throws IOException {
    if (corpusFile != null) {
      return;
    }
    Path scifact = SharedData.require("beir", "scifact");
    Path stories = SharedData.require("models", "stories260K", "model.onnx");
    assertThat(stories).exists();
    List<String> qrels = Files.readAllLines(scifact.resolve("qrels/train.tsv"))
        .subList(0, QRELS + 1);
    Set<String> wanted = new LinkedHashSet<>();
    for (String l : qrels.subList(1, qrels.size())) {
      wanted.add(l.split("\t")[1]);
    }
    List<String> lines = new ArrayList<>();
    int extra = 0;
    for (var d : BeirDataset.open(scifact).loadDocuments()) {
      if (wanted.contains(d.id()) || extra++ < OTHER_PASSAGES) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("_id", d.id());
        m.put("title", d.title());
        m.put("text", d.text().substring(0, Math.min(300, d.text().length())));
        lines.add(GeckoJson.mapper().writeValueAsString(m));
      }
    }
    corpusFile = Files.write(dir.resolve("corpus.jsonl"), lines);
    qrelsFile = Files.write(dir.resolve("train.tsv"), qrels);
    queriesFile = scifact.resolve("queries.jsonl");
  }

  private static Dataset<Row> corpus() {
    return spark.read().json(corpusFile.toString()).withColumnRenamed("_id", "id")
        .repartition(2);
  }

  private static Dataset<Row> pairs() throws IOException {
    Map<String, String> queries = BeirDataset.readQueries(queriesFile);
    List<Row> rows = new ArrayList<>();
    for (String l : Files.readAllLines(qrelsFile).subList(1, QRELS + 1)) {
      String[] f = l.split("\t");
      rows.add(RowFactory.create(f[0], queries.get(f[0]), f[1]));
    }
    StructType schema = new StructType().add("query_id", DataTypes.StringType)
        .add("query", DataTypes.StringType).add("positive_id", DataTypes.StringType);
    return spark.createDataFrame(rows, schema).repartition(2);
  }

  private static GeckoFret.Builder job(String work) {
    return GeckoFret.builder()
        .embeddings(new GeckoEmbeddings().setModel(Models.BGE_SMALL_EN_V15.modelName())
            .setMaxLength(MAX_LENGTH).setBatchSize(32))
        .languageModel(LanguageModelSource.onnx(
            SharedData.require("models", "stories260K").toString()))
        .options(OPTIONS)
        .workDir(dir.resolve(work));
  }

  private static Set<String> keys(List<FretExample> rows) {
    Set<String> k = new TreeSet<>();
    for (FretExample e : rows) {
      k.add(e.queryId() + "|" + e.seedId() + "|" + e.positiveId() + "|" + e.negativeId());
    }
    return k;
  }

  @Test
  void aTaskKilledMidPartitionAndRetriedLeavesEachRelabelRowOnceAsTheSingleJvmMinerMinesIt()
      throws Exception {
    slice();
    String out = dir.resolve("relabel").toString();
    GeckoFret.Result r = job("relabel-work").failureDrill(0, 3).build()
        .relabel(corpus(), pairs(), out);
    System.err.println("GeckoFretTest relabel: " + r);

    assertThat(r.taskFailures()).as("the forced failure happened and was retried").isEqualTo(1);
    assertThat(r.mode()).isEqualTo("relabel");
    assertThat(r.graphIndex()).isFalse();
    assertThat(r.seeds()).isEqualTo(QRELS);
    List<Row> written = spark.read().parquet(out).collectAsList();
    List<FretExample> rows = new ArrayList<>();
    for (Row row : written) {
      rows.add(FretRowSchema.fromRow(row)); // every row is a valid FRet row
    }
    assertThat(rows).hasSize((int) r.rows());
    assertThat(rows.stream().map(e -> e.queryId() + "|" + e.seedId()).distinct().count())
        .as("each (query, seed) once").isEqualTo(rows.size());
    assertThat(r.rows() + r.drops().values().stream().mapToLong(Long::longValue).sum())
        .isEqualTo(QRELS);
    assertThat(r.rows()).isGreaterThan(QRELS / 2);

    Path jsonl = dir.resolve("relabel.jsonl");
    assertThat(GeckoFret.exportJsonl(spark, out, jsonl)).isEqualTo(r.rows());
    List<FretExample> exported = FretRows.readAll(jsonl);
    assertThat(keys(exported)).isEqualTo(keys(rows));
    assertThat(FretExporters.toFlagEmbedding(jsonl, dir.resolve("flag.jsonl"))).isEqualTo(r.rows());

    // the snapshot's vectors are the single-JVM embedder's (within 1e-5), and the single-JVM
    // miner over the snapshot (its corpus file; its vectors reused as the embeddings cache, not
    // recomputed) mines the same rows
    Path work = dir.resolve("relabel-work");
    Path snapshotCorpus = only(work, "fret-", "-corpus.jsonl");
    Path vectors = only(work, "embeddings-", ".bin");
    long written0 = Files.getLastModifiedTime(vectors).toMillis();
    Path single = dir.resolve("single.jsonl");
    try (OnnxEmbedder e = OnnxEmbedder.builder().model(Models.BGE_SMALL_EN_V15)
            .maxLength(MAX_LENGTH).intraOpThreads(1).build();
        OnnxCausalLanguageModel lm = OnnxCausalLanguageModel.builder(
            SharedData.require("models", "stories260K")).intraOpThreads(1).build();
        CorpusStore store = CorpusStore.open(snapshotCorpus);
        MappedVectors mapped = MappedVectors.open(vectors)) {
      List<Passage> passages = new ArrayList<>();
      for (int i = 0; i < store.size(); i++) {
        passages.add(store.passage(i));
      }
      List<Embedding> expected = EmbeddingCache.embedPassages(e, passages);
      float maxDiff = 0;
      for (int i = 0; i < store.size(); i++) {
        float[] want = expected.get(i).normalize().toArray();
        float[] got = mapped.vector(i);
        for (int j = 0; j < want.length; j++) {
          maxDiff = Math.max(maxDiff, Math.abs(want[j] - got[j]));
        }
      }
      assertThat(maxDiff).as("snapshot vectors vs OnnxEmbedder").isLessThanOrEqualTo(1e-5f);

      new FretMine(snapshotCorpus, queriesFile, qrelsFile, work, single,
          Long.MAX_VALUE, Long.MAX_VALUE, OPTIONS)
          .run(e, lm, ProgressListener.NONE, MiningListener.NONE);
    }
    assertThat(Files.getLastModifiedTime(vectors).toMillis()).as("cache reused").isEqualTo(written0);
    assertThat(keys(exported)).as("same positives and hard negatives as one JVM")
        .isEqualTo(keys(FretRows.readAll(single)));
  }

  private static Path only(Path folder, String prefix, String suffix) throws IOException {
    try (var files = Files.list(folder)) {
      List<Path> found = files.filter(f -> f.getFileName().toString().startsWith(prefix)
          && f.getFileName().toString().endsWith(suffix)).toList();
      assertThat(found).as(prefix + "*" + suffix + " in " + folder).hasSize(1);
      return found.get(0);
    }
  }

  @Test
  void aCorpusAtTheAnnThresholdTakesItsNeighboursFromAGraphIndexShippedToTheExecutors()
      throws Exception {
    slice();
    String out = dir.resolve("graph").toString();
    GeckoFret.Result r = job("graph-work").annThreshold(2).build()
        .relabel(corpus(), pairs().limit(6), out);

    assertThat(r.graphIndex()).isTrue();
    assertThat(r.taskFailures()).isZero();
    List<Row> written = spark.read().parquet(out).collectAsList();
    assertThat(written).hasSize((int) r.rows());
    assertThat(r.seeds()).isEqualTo(6);
    assertThat(r.rows()).isGreaterThan(3);
    assertThat(written.stream().map(w -> w.getAs("query_id") + "|" + w.getAs("seed_id"))
        .distinct().count()).isEqualTo(written.size());
  }

  @Test
  void anExistingOutputIsRefusedBeforeAnyWorkAndOverwriteReplacesIt() throws Exception {
    slice();
    Path out = Files.createDirectories(dir.resolve("exists"));
    assertThatThrownBy(() -> job("work").build().relabel(corpus(), pairs(), out.toString()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("output " + out + " exists").hasMessageContaining("overwrite(true)");
  }

  @Test
  void missingColumnsAreNamedWithTheColumnsThereAre() throws Exception {
    slice();
    Dataset<Row> noText = corpus().drop("text");
    assertThatThrownBy(() -> job("work").build().generate(noText, dir.resolve("x").toString()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("corpus must have a string column 'text'")
        .hasMessageContaining("[id, title]");
    assertThatThrownBy(() -> job("work").build().relabel(corpus(), pairs().drop("query"),
        dir.resolve("y").toString()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("pairs must have a string column 'query'");
  }

  @Test
  void theBuilderNamesWhatIsMissingOrOutOfRange() {
    assertThatThrownBy(() -> GeckoFret.builder().build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("languageModel is required");
    assertThatThrownBy(() -> GeckoFret.builder().failureDrill(-1, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("partition");
    assertThatThrownBy(() -> GeckoFret.builder().annThreshold(-1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("annThreshold");
    assertThatThrownBy(() -> GeckoFret.builder().languageModel(null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("languageModel");
  }

  @Test
  void languageModelSourcesParseTheCommandLineForms() {
    assertThat(LanguageModelSource.parse("onnx:/models/lm"))
        .isEqualTo(LanguageModelSource.onnx("/models/lm"));
    LanguageModelSource o = LanguageModelSource.parse(
        "openai:http://llm:8000/v1?model=mistral&endpoint=completions");
    assertThat(o.target()).isEqualTo("http://llm:8000/v1");
    assertThat(o.model()).isEqualTo("mistral");
    assertThat(o.endpoint()).isEqualTo(dev.gecko4j.fret.llm.Endpoint.COMPLETIONS);
    assertThat(LanguageModelSource.openAi("http://llm:8000/v1", "mistral")
        .withEndpoint(dev.gecko4j.fret.llm.Endpoint.COMPLETIONS)).isEqualTo(o);
    assertThatThrownBy(() -> LanguageModelSource.parse("gpt:x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown language model kind 'gpt'")
        .hasMessageContaining("onnx (onnx:<dir>").hasMessageContaining("openai (openai:<base-url>");
    assertThatThrownBy(() -> LanguageModelSource.parse("onnx:"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("model folder");
    assertThatThrownBy(() -> LanguageModelSource.parse("openai:http://x?endpoint=fax"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("chat or completions");
    assertThatThrownBy(() -> LanguageModelSource.parse("openai:"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("base URL");
  }

  /** The command line ({@code LlmSpec} in gecko-examples) reads {@code --llm} with the same parser. */
  @Test
  void languageModelSourcesResolveThroughTheParserOfTheCommandLine() {
    for (String text : java.util.List.of("onnx:../shared/data/models/stories260K",
        "openai:http://llm:8000/v1?model=mistral", "onnx:/m?threads=2", "bytes:user-kind")) {
      assertThat(LanguageModelSource.parse(text).spec())
          .isEqualTo(dev.gecko4j.core.lm.LanguageModels.parse(text));
    }
    // a kind registered by gecko-core's test jar (META-INF/services), as a user's own back-end
    try (dev.gecko4j.core.lm.LanguageModel lm = LanguageModelSource.parse("bytes:toy").open()) {
      assertThat(lm.name()).isEqualTo("bytes:toy");
    }
  }
}
