package dev.gecko4j.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gecko4j.core.Embedding;
import dev.gecko4j.core.TaskPrompt;
import dev.gecko4j.core.eval.BeirDataset;
import dev.gecko4j.core.eval.BeirDocument;
import dev.gecko4j.onnx.Models;
import dev.gecko4j.onnx.OnnxEmbedder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link GeckoEmbeddings} in Spark {@code local[2]} on SciFact passages (skips the data tests
 * without {@code ../shared/data/beir/scifact}): the same vectors as {@link OnnxEmbedder}, ML
 * persistence, and argument validation.
 */
class GeckoEmbeddingsTest {

  private static final StructType CORPUS = new StructType()
      .add("id", DataTypes.StringType).add("title", DataTypes.StringType)
      .add("text", DataTypes.StringType);

  private static SparkSession spark;

  @BeforeAll
  static void startSpark() {
    spark = LocalSpark.start("local[2]", "gecko-spark-test");
  }

  @AfterAll
  static void stopSpark() {
    LocalSpark.stop(spark);
  }

  /**
   * The first {@code n} SciFact documents, each abstract cut to its first 200 characters: real
   * passages of real lengths, cheap enough for the test budget on 2 shared cores (bge-small
   * embeds ~10 full SciFact abstracts a second per core).
   */
  private static List<BeirDocument> scifact(int n) {
    Path dir = Path.of(System.getProperty("gecko.shared.data", "../shared/data"), "beir", "scifact");
    Assumptions.assumeTrue(Files.isRegularFile(dir.resolve("corpus.jsonl")),
        "needs " + dir.resolve("corpus.jsonl") + " (../shared/data beside the repo)");
    return BeirDataset.open(dir).loadDocuments().subList(0, n).stream()
        .map(d -> new BeirDocument(d.id(), d.title(), d.text().substring(0,
            Math.min(200, d.text().length()))))
        .toList();
  }

  private static Dataset<Row> frame(List<BeirDocument> docs, int partitions) {
    List<Row> rows = new ArrayList<>();
    for (BeirDocument d : docs) {
      rows.add(RowFactory.create(d.id(), d.title(), d.text()));
    }
    return spark.createDataFrame(rows, CORPUS).repartition(partitions);
  }

  private static Map<String, float[]> collect(Dataset<Row> out, String column) {
    return out.collectAsList().stream().collect(Collectors.toMap(r -> r.getString(0), r -> {
      List<Float> v = r.getList(r.fieldIndex(column));
      float[] a = new float[v.size()];
      for (int i = 0; i < a.length; i++) {
        a[i] = v.get(i);
      }
      return a;
    }));
  }

  private static double maxAbsDiff(float[] a, float[] b) {
    assertThat(a).hasSameSizeAs(b);
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }

  @Test
  void should_give_the_vectors_of_onnx_embedder_for_titled_scifact_documents() {
    // given: 300 SciFact passages in 3 partitions, embedded 64 at a time
    List<BeirDocument> docs = scifact(300);
    GeckoEmbeddings embed = new GeckoEmbeddings().setInputCol("text").setTitleCol("title")
        .setOutputCol("vector").setModel("bge-small-en-v1.5").setBatchSize(64);

    // when
    Map<String, float[]> spark = collect(embed.transform(frame(docs, 3)), "vector");

    // then
    List<Embedding> expected;
    try (OnnxEmbedder single = OnnxEmbedder.builder().model(Models.BGE_SMALL_EN_V15)
        .intraOpThreads(1).build()) {
      expected = single.embedAll(docs.stream().map(BeirDocument::text).toList(),
          docs.stream().map(d -> TaskPrompt.document(d.title())).toList());
    }
    assertThat(spark).hasSize(300);
    double max = 0;
    for (int i = 0; i < docs.size(); i++) {
      max = Math.max(max, maxAbsDiff(spark.get(docs.get(i).id()), expected.get(i).toArray()));
    }
    assertThat(max).isLessThanOrEqualTo(1e-5);
  }

  @Test
  void should_give_the_vectors_of_onnx_embedder_for_queries_at_a_matryoshka_dimension() {
    // given
    List<BeirDocument> docs = scifact(40);
    GeckoEmbeddings embed = new GeckoEmbeddings().setInputCol("title")
        .setPrompt("query:search result").setDimension(128).setTokenBudget(512);

    // when
    Map<String, float[]> spark = collect(embed.transform(frame(docs, 2)), "embedding");

    // then
    List<Embedding> expected;
    try (OnnxEmbedder single = OnnxEmbedder.builder().model(Models.BGE_SMALL_EN_V15)
        .dimension(128).intraOpThreads(1).build()) {
      expected = single.embedAll(docs.stream().map(BeirDocument::title).toList(),
          TaskPrompt.query(TaskPrompt.SEARCH_RESULT));
    }
    for (int i = 0; i < docs.size(); i++) {
      assertThat(spark.get(docs.get(i).id())).hasSize(128);
      assertThat(maxAbsDiff(spark.get(docs.get(i).id()), expected.get(i).toArray()))
          .isLessThanOrEqualTo(1e-5);
    }
  }

  @Test
  void should_keep_the_input_columns_and_give_a_null_embedding_for_a_null_text() {
    // given
    Dataset<Row> df = spark.createDataFrame(List.of(
        RowFactory.create("a", null, "Geckos eat insects."),
        RowFactory.create("b", "no text", null)), CORPUS);

    // when
    List<Row> rows = new GeckoEmbeddings().setInputCol("text").transform(df)
        .orderBy("id").collectAsList();

    // then
    assertThat(rows).hasSize(2);
    assertThat(rows.get(0).schema().fieldNames()).containsExactly("id", "title", "text",
        "embedding");
    assertThat(rows.get(0).<Float>getList(3)).hasSize(384);
    assertThat(rows.get(1).getString(1)).isEqualTo("no text");
    assertThat(rows.get(1).isNullAt(3)).isTrue();
  }

  @Test
  void should_share_one_embedder_among_the_tasks_of_an_executor() {
    // given
    Dataset<Row> df = spark.createDataFrame(List.of(RowFactory.create("a", "t", "x"),
        RowFactory.create("b", "t", "y"), RowFactory.create("c", "t", "z")), CORPUS)
        .repartition(3);
    GeckoEmbeddings embed = new GeckoEmbeddings().setInputCol("text");
    embed.transform(df).count();
    int before = ExecutorEmbedders.size();

    // when: the same settings again, in a copy, over three more tasks
    long n = embed.copy(new org.apache.spark.ml.param.ParamMap()).transform(df).count();

    // then
    assertThat(n).isEqualTo(3);
    assertThat(ExecutorEmbedders.size()).isEqualTo(before);
  }

  @Test
  void should_save_and_load_the_transformer_with_its_params(@TempDir Path dir) throws Exception {
    // given
    GeckoEmbeddings embed = new GeckoEmbeddings().setInputCol("text").setTitleCol("title")
        .setOutputCol("vec").setModel("all-MiniLM-L6-v2").setPrompt("document")
        .setDimension(256).setTokenBudget(2048).setIntraOpThreads(2).setBatchSize(32);
    String path = dir.resolve("stage").toString();

    // when
    embed.write().overwrite().save(path);
    GeckoEmbeddings loaded = GeckoEmbeddings.load(path);

    // then
    assertThat(loaded.uid()).isEqualTo(embed.uid());
    assertThat(loaded.getInputCol()).isEqualTo("text");
    assertThat(loaded.getTitleCol()).isEqualTo("title");
    assertThat(loaded.getOutputCol()).isEqualTo("vec");
    assertThat(loaded.getModel()).isEqualTo("all-MiniLM-L6-v2");
    assertThat(loaded.getModelFolder()).isNull();
    assertThat(loaded.getPrompt()).isEqualTo("document");
    assertThat(loaded.getDimension()).isEqualTo(256);
    assertThat(loaded.getTokenBudget()).isEqualTo(2048);
    assertThat(loaded.getIntraOpThreads()).isEqualTo(2);
    assertThat(loaded.getBatchSize()).isEqualTo(32);
    assertThat(loaded.settings()).isEqualTo(embed.settings());
  }

  @Test
  void should_reject_bad_setter_values_naming_the_value_and_what_is_expected() {
    GeckoEmbeddings embed = new GeckoEmbeddings();
    assertThatThrownBy(() -> embed.setInputCol(" "))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("inputCol must be a non-blank string, but is: ' '");
    assertThatThrownBy(() -> embed.setModel("gpt-9"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Unknown bundled model: gpt-9. Bundled models are: [bge-small");
    assertThatThrownBy(() -> embed.setPrompt("query:"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("prompt must be 'document', 'none', 'query:<task>' or "
            + "'symmetric:<task>'").hasMessageEndingWith("but is: 'query:'");
    assertThatThrownBy(() -> embed.setPrompt("passage"))
        .hasMessageEndingWith("but is: 'passage'");
    assertThatThrownBy(() -> embed.setDimension(-1))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("dimension must be between 0 and 65536, but is: -1");
    assertThatThrownBy(() -> embed.setTokenBudget(2_000_000))
        .hasMessage("tokenBudget must be between 0 and 1048576, but is: 2000000");
    assertThatThrownBy(() -> embed.setIntraOpThreads(-2))
        .hasMessage("intraOpThreads must be between 0 and 1024, but is: -2");
    assertThatThrownBy(() -> embed.setBatchSize(0))
        .hasMessage("batchSize must be between 1 and 65536, but is: 0");
    assertThatThrownBy(() -> new GeckoEmbeddings(""))
        .hasMessage("uid must be a non-blank string, but is: ''");
  }

  @Test
  void should_reject_schemas_it_cannot_embed_naming_the_column() {
    StructType numbers = CORPUS.add("n", DataTypes.IntegerType);
    assertThatThrownBy(() -> new GeckoEmbeddings().transformSchema(CORPUS))
        .hasMessage("inputCol is not set; call setInputCol(<string column>)");
    assertThatThrownBy(() -> new GeckoEmbeddings().setInputCol("body").transformSchema(CORPUS))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("inputCol 'body' is not a column of the input; columns are [id, title, text]");
    assertThatThrownBy(() -> new GeckoEmbeddings().setInputCol("n").transformSchema(numbers))
        .hasMessage("inputCol 'n' must be a string column, but is int");
    assertThatThrownBy(() -> new GeckoEmbeddings().setInputCol("text").setOutputCol("title")
        .transformSchema(CORPUS))
        .hasMessage("outputCol 'title' already exists in the input columns [id, title, text]; "
            + "choose another name");
    assertThatThrownBy(() -> new GeckoEmbeddings().setInputCol("text").setTitleCol("title")
        .setPrompt("query:search result").transformSchema(CORPUS))
        .hasMessage("titleCol 'title' is only used with prompt 'document', but prompt is "
            + "'query:search result'; unset it with setTitleCol(null)");
  }

  @Test
  void should_append_a_nullable_float_array_column_to_the_schema() {
    StructType out = new GeckoEmbeddings().setInputCol("text").setTitleCol("title")
        .transformSchema(CORPUS);
    assertThat(out.fieldNames()).containsExactly("id", "title", "text", "embedding");
    assertThat(out.apply("embedding").dataType())
        .isEqualTo(DataTypes.createArrayType(DataTypes.FloatType, false));
  }

  @Test
  void should_prefer_the_model_folder_and_let_set_model_clear_it() {
    GeckoEmbeddings embed = new GeckoEmbeddings().setModelFolder("/models/gecko");
    assertThat(embed.settings().modelFolder()).isEqualTo("/models/gecko");
    embed.setModel("e5-small-v2");
    assertThat(embed.getModelFolder()).isNull();
    assertThat(embed.settings().model()).isEqualTo("e5-small-v2");
  }
}
