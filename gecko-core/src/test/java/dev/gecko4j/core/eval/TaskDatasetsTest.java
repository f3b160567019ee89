package dev.gecko4j.core.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gecko4j.core.testing.SharedData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The task readers on the real data and on malformed files. */
class TaskDatasetsTest {

  @TempDir Path tmp;

  private Path write(String name, String content) throws IOException {
    Path p = tmp.resolve(name);
    Files.writeString(p, content, StandardCharsets.UTF_8);
    return p;
  }

  @Test
  void banking77_reads_10003_training_and_3080_test_rows_over_77_labels() {
    ClassificationDataset d =
        ClassificationDataset.read(SharedData.require("classification", "banking77"));
    assertThat(d.name()).isEqualTo("banking77");
    assertThat(d.train()).hasSize(10_003);
    assertThat(d.eval()).hasSize(3_080);
    assertThat(d.train().stream().map(LabeledText::label).distinct().count()).isEqualTo(77);
    assertThat(d.eval().get(1).text())
        .isEqualTo("I still have not received my new card, I ordered over a week ago.");
  }

  @Test
  void banking77_undersampling_keeps_the_training_rows_mteb_keeps() {
    ClassificationDataset d =
        ClassificationDataset.read(SharedData.require("classification", "banking77"));
    TreeSet<String> labels = d.train().stream().map(LabeledText::label)
        .collect(Collectors.toCollection(TreeSet::new));
    List<String> sorted = List.copyOf(labels);
    int[] y = d.train().stream().mapToInt(t -> sorted.indexOf(t.label())).toArray();
    List<int[]> subsets = ClassificationEvaluator.builder().build().subsets(y);
    assertThat(subsets).hasSize(10);
    // printed by numpy: np.random.seed(42); np.random.shuffle(idxs) per experiment, 8 per label
    int[] first = subsets.get(0);
    assertThat(first).hasSize(616);
    assertThat(new int[] {first[0], first[1], first[2], first[3], first[4]})
        .containsExactly(6883, 5836, 8601, 2545, 8697);
    assertThat(new int[] {first[614], first[615]}).containsExactly(1803, 6247);
    int[] last = subsets.get(9);
    assertThat(new int[] {last[0], last[1], last[2], last[3], last[4]})
        .containsExactly(8084, 7059, 1803, 5354, 5391);
    assertThat(new int[] {last[614], last[615]}).containsExactly(3098, 3150);
  }

  @Test
  void emotion_reads_from_jsonl_with_the_validation_file_as_evaluation_split() {
    Path validation = SharedData.require("classification", "emotion", "validation.jsonl");
    ClassificationDataset d = ClassificationDataset.read(validation);
    assertThat(d.train()).hasSize(16_000);
    assertThat(d.eval()).hasSize(2_000);
    assertThat(d.train().stream().map(LabeledText::label).distinct().count()).isEqualTo(6);
  }

  @Test
  void sib200_is_one_set_of_1004_sentences_equal_to_the_quoted_tsv_rows() {
    Path dir = SharedData.require("clustering", "sib200", "eng_Latn");
    ClusteringDataset d = ClusteringDataset.read(dir.resolve("mteb_test.jsonl"));
    assertThat(d.name()).isEqualTo("eng_Latn");
    assertThat(d.sets()).hasSize(1);
    assertThat(d.sets().get(0)).hasSize(1_004);
    assertThat(d.flattened().stream().map(LabeledText::label).distinct().count()).isEqualTo(7);
    List<LabeledText> train = LabeledTexts.read(dir.resolve("train.tsv"));
    assertThat(train).hasSize(701);
    assertThat(train).isEqualTo(d.sets().get(0).subList(0, 701));
  }

  @Test
  void user_csv_with_named_columns_quotes_and_a_bom_reads() throws IOException {
    Path p = write("x.csv", "\uFEFFid,utterance,intent\n1,\"hello, \"\"world\"\"\nagain\",greet\n"
        + "2,bye,leave\n");
    List<LabeledText> rows = LabeledTexts.read(p, "utterance", "intent");
    assertThat(rows).containsExactly(new LabeledText("hello, \"world\"\nagain", "greet"),
        new LabeledText("bye", "leave"));
  }

  @Test
  void a_user_folder_reads_with_named_columns_and_a_file_finds_its_training_split()
      throws IOException {
    Path d = java.nio.file.Files.createDirectories(tmp.resolve("intents"));
    Files.writeString(d.resolve("train.tsv"), "utterance\tintent\nhi\tgreet\nbye\tleave\n");
    Files.writeString(d.resolve("dev.tsv"), "utterance\tintent\nhello\tgreet\n");
    ClassificationDataset ds = ClassificationDataset.read(d.resolve("dev.tsv"), "utterance",
        "intent");
    assertThat(ds.name()).isEqualTo("intents");
    assertThat(ds.train()).hasSize(2);
    assertThat(ds.eval()).containsExactly(new LabeledText("hello", "greet"));
    assertThatThrownBy(() -> ClassificationDataset.read(d.resolve("dev.tsv")))
        .isInstanceOf(DatasetFormatException.class).hasMessageContaining("train.tsv:2:");
  }

  @Test
  void malformed_lines_name_the_file_and_line() throws IOException {
    Path fields = write("fields.csv", "text,label\na,b\nc,d,e\n");
    assertThatThrownBy(() -> LabeledTexts.read(fields)).isInstanceOf(DatasetFormatException.class)
        .hasMessageContaining(fields + ":3: expected 2 fields");
    Path open = write("open.tsv", "text\tlabel\n\"never closed\tx\n");
    assertThatThrownBy(() -> LabeledTexts.read(open)).isInstanceOf(DatasetFormatException.class)
        .hasMessageContaining(open + ":2: unterminated quoted field");
    Path stray = write("stray.csv", "text,label\nsay \"hi\",x\n");
    assertThatThrownBy(() -> LabeledTexts.read(stray)).isInstanceOf(DatasetFormatException.class)
        .hasMessageContaining(stray + ":2: stray quote");
    Path json = write("bad.jsonl", "{\"text\":\"a\",\"label\":\"b\"}\n{\"text\": 3.5, \"label\":\"b\"}\n");
    assertThatThrownBy(() -> LabeledTexts.read(json)).isInstanceOf(DatasetFormatException.class)
        .hasMessageContaining(json + ":2: 'text' must be a string");
    Path notJson = write("notjson.jsonl", "{\"text\":\"a\",\"label\":\"b\"}\n\nnot json\n");
    assertThatThrownBy(() -> LabeledTexts.read(notJson))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessageContaining(notJson + ":3: not valid JSON");
    Path noColumn = write("nocol.jsonl", "{\"sentence\":\"a\"}\n");
    assertThatThrownBy(() -> LabeledTexts.read(noColumn))
        .isInstanceOf(DatasetFormatException.class).hasMessageContaining(noColumn + ":1:");
  }

  @Test
  void an_empty_file_is_an_error_naming_it() throws IOException {
    Path empty = write("test.jsonl", "");
    assertThatThrownBy(() -> LabeledTexts.read(empty)).isInstanceOf(DatasetFormatException.class)
        .hasMessageContaining(empty.toString()).hasMessageContaining("empty");
    Path header = write("h.csv", "text,label\n");
    assertThatThrownBy(() -> LabeledTexts.read(header))
        .isInstanceOf(DatasetFormatException.class).hasMessageContaining("no rows");
  }

  @Test
  void pair_labels_must_be_exactly_0_or_1() throws IOException {
    Path ok = write("pairs.tsv", "sentence1\tsentence2\tlabel\na\tb\t1\nc\td\t0\n");
    assertThat(PairClassificationDataset.read(ok).pairs())
        .containsExactly(new SentencePair("a", "b", true), new SentencePair("c", "d", false));
    Path mteb = write("mteb.jsonl",
        "{\"sent1\": [\"a\", \"c\"], \"sent2\": [\"b\", \"d\"], \"labels\": [1, 0]}\n");
    assertThat(PairClassificationDataset.read(mteb).pairs()).hasSize(2);
    Path bad = write("bad.tsv", "sentence1\tsentence2\tlabel\na\tb\t1.0\n");
    assertThatThrownBy(() -> PairClassificationDataset.read(bad))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessageContaining(bad + ":2: label must be 0 or 1, but is: '1.0'");
  }

  @Test
  void reranking_lines_need_query_positive_and_negative() throws IOException {
    Path ok = write("r.jsonl", "{\"query\":\"q\",\"positive\":[\"p\"],\"negative\":[\"n\",\"m\"]}\n");
    assertThat(RerankingDataset.read(ok).samples())
        .containsExactly(new RerankingSample("q", List.of("p"), List.of("n", "m")));
    Path bad = write("b.jsonl", "{\"query\":\"q\",\"positive\":[\"p\"],\"negative\":\"n\"}\n");
    assertThatThrownBy(() -> RerankingDataset.read(bad))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessageContaining(bad + ":1: 'negative' must be a JSON array");
  }

  @Test
  void a_folder_without_the_split_names_what_it_looked_for() {
    assertThatThrownBy(() -> ClassificationDataset.read(tmp))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("test.csv, test.tsv, test.jsonl or test.json");
  }

  @Test
  void results_render_mtebs_metric_names() {
    ClassificationResult c = new ClassificationResult("b", 0.8, 0.7, 0.75, List.of(0.8),
        ClassificationEvaluator.Method.LOGISTIC_REGRESSION, 384);
    assertThat(c.toJson("m")).startsWith("{\"model\":\"m\",\"dataset\":\"b\",\"metric\":\"accuracy\","
        + "\"score\":0.8,\"f1\":0.7,\"f1_weighted\":0.75");
    RerankingResult r = new RerankingResult("r", 0.6, 0.7, 10, 3, 384);
    assertThat(r.details()).isEqualTo(Map.of("mrr", 0.7, "mrr_at", 10, "queries", 3,
        "dimension", 384));
  }
}
