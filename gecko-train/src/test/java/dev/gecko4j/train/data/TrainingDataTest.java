package dev.gecko4j.train.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gecko4j.core.PromptConvention;
import dev.gecko4j.core.TaskPrompt;
import dev.gecko4j.core.eval.DatasetFormatException;
import dev.gecko4j.core.train.TrainingExample;
import dev.gecko4j.core.train.TrainingSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingDataTest {

  @Test
  void should_read_fret_jsonl_by_field_name_and_apply_the_gecko_prompts(@TempDir Path dir) throws Exception {
    // given a row with extra fields (as FretExample writes them)
    Path f = dir.resolve("fret.jsonl");
    Files.writeString(f, """
        {"task":"question answering","query":"who wrote hamlet","positive":"Shakespeare wrote Hamlet.","negative":"Hamlet is a village.","seed_id":"d1","candidates":20}

        {"task":"fact checking","query":"the earth is flat","positive":"The earth is round.","negative":null}
        """);

    // when
    TrainingSource s = TrainingData.fretJsonl(f, PromptConvention.GECKO, 2.0);

    // then
    assertThat(s.weight()).isEqualTo(2.0);
    assertThat(s.examples()).containsExactly(
        new TrainingExample("task: question answering | query: who wrote hamlet",
            "title: none | text: Shakespeare wrote Hamlet.", "title: none | text: Hamlet is a village."),
        new TrainingExample("task: fact checking | query: the earth is flat",
            "title: none | text: The earth is round.", null));
  }

  @Test
  void should_name_the_line_of_a_fret_row_without_a_query(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("bad.jsonl");
    Files.writeString(f, "{\"task\":\"t\",\"query\":\"q\",\"positive\":\"p\"}\n{\"task\":\"t\",\"positive\":\"p\"}\n");
    assertThatThrownBy(() -> TrainingData.fretJsonl(f, PromptConvention.NONE, 1))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessage(f + ":2: expected non-blank task, query and positive, but query is missing or"
            + " blank");
  }

  @Test
  void should_reject_a_line_holding_two_fret_rows_naming_path_and_line(@TempDir Path dir)
      throws Exception {
    Path f = dir.resolve("joined.jsonl");
    String row = "{\"task\":\"t\",\"query\":\"q\",\"positive\":\"p\"}";
    Files.writeString(f, row + "\n" + row + row + "\n");
    assertThatThrownBy(() -> TrainingData.fretJsonl(f, PromptConvention.NONE, 1))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessageStartingWith(f + ":2: expected exactly one JSON object on the line");
  }

  @Test
  void should_drop_positive_qrels_naming_unknown_queries_or_documents(@TempDir Path dir)
      throws Exception {
    // given qrels judging a known pair, an unknown query and an unknown document
    Files.createDirectories(dir.resolve("qrels"));
    Files.writeString(dir.resolve("corpus.jsonl"), "{\"_id\":\"d1\",\"text\":\"x\"}\n");
    Files.writeString(dir.resolve("queries.jsonl"), "{\"_id\":\"q1\",\"text\":\"y\"}\n");
    Files.writeString(dir.resolve("qrels/train.tsv"),
        "query-id\tcorpus-id\tscore\nq1\td1\t1\nq9\td1\t1\nq1\td9\t1\n");
    // when
    TrainingData.Beir beir = TrainingData.readBeir(dir, "train");
    // then only the pair that refers to something is kept (the two others are logged)
    assertThat(beir.qrels()).containsExactly(Map.entry("q1", Set.of("d1")));
  }

  @Test
  void should_read_fret_jsonl_by_the_one_dataset_rule(@TempDir Path dir) throws Exception {
    String row = "{\"task\":\"t\",\"query\":\"q\",\"positive\":\"p\"}\n";
    // a byte-order mark is accepted
    Path bom = Files.writeString(dir.resolve("bom.jsonl"), "\uFEFF" + row);
    assertThat(TrainingData.fretJsonl(bom, PromptConvention.NONE, 1).examples()).hasSize(1);
    // an empty file, or one of blank lines, is an error naming it
    Path empty = Files.writeString(dir.resolve("empty.jsonl"), "");
    assertThatThrownBy(() -> TrainingData.fretJsonl(empty, PromptConvention.NONE, 1))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessageStartingWith(empty + ": file is empty (0 bytes); expected one FRet JSON object");
    Path blank = Files.writeString(dir.resolve("blank.jsonl"), "\n\n");
    assertThatThrownBy(() -> TrainingData.fretJsonl(blank, PromptConvention.NONE, 1))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessageStartingWith(blank + ": file holds no record (2 lines, none with data)");
    // a bad byte deep in the file is reported at its own line
    Path deep = Files.writeString(dir.resolve("deep.jsonl"), row.repeat(3000));
    Files.write(deep, new byte[] {'{', '"', (byte) 0xFF, '"', '}', '\n'},
        java.nio.file.StandardOpenOption.APPEND);
    assertThatThrownBy(() -> TrainingData.fretJsonl(deep, PromptConvention.NONE, 1))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessage(deep + ":3001: not valid UTF-8 at byte 3 of the line");
  }

  @Test
  void should_turn_classification_rows_into_triplets_with_unique_ids_and_label_consistent_pairs() {
    // given
    List<String> texts = List.of("a1", "a2", "b1", "b2", "a3");
    List<String> labels = List.of("A", "A", "B", "B", "A");

    // when
    TrainingSource s = TrainingData.classification(texts, labels, PromptConvention.NONE, "cls", 1, 3);

    // then every row has x+ of its label and x- of another, and no text repeats
    assertThat(s.examples()).hasSize(5);
    for (TrainingExample e : s.examples()) {
      String label = e.query().substring(0, 1);
      assertThat(e.positive()).startsWith(label);
      assertThat(e.negative()).doesNotStartWith(label);
    }
    List<String> all = s.examples().stream().flatMap(e -> java.util.stream.Stream.of(e.query(), e.positive(), e.negative())).toList();
    assertThat(Set.copyOf(all)).hasSize(all.size());
  }

  @Test
  void should_draw_negatives_from_the_configured_rank_range_and_never_a_positive() {
    // given
    TrainingData.Beir beir = new TrainingData.Beir(
        Map.of("d0", "zero", "d1", "one", "d2", "two", "d3", "three", "d4", "four"),
        Map.of("q", "query"), Map.of("q", Set.of("d0")));
    Map<String, List<String>> ranked = Map.of("q", List.of("d1", "d2", "d3", "d4"));

    // when
    TrainingSource s = TrainingData.beirWithNegatives(beir, ranked, new HardNegatives(2, 4, 1),
        PromptConvention.BGE, TaskPrompt.FACT_CHECKING, "b", 1);

    // then
    TrainingExample e = s.examples().get(0);
    assertThat(e.query()).isEqualTo("Represent this sentence for searching relevant passages: query");
    assertThat(e.positive()).isEqualTo("zero");
    assertThat(e.negative()).isIn("three", "four");
  }

  @Test
  void should_sample_the_same_batches_under_the_same_seed_and_mix_sources_by_weight() {
    // given
    TrainingSource a = new TrainingSource("a", 3, List.of(new TrainingExample("qa", "pa", null)));
    TrainingSource b = new TrainingSource("b", 1, List.of(new TrainingExample("qb", "pb", null)));

    // when
    MixtureSampler s1 = new MixtureSampler(List.of(a, b), 2, true, 9);
    MixtureSampler s2 = new MixtureSampler(List.of(a, b), 2, true, 9);
    int fromA = 0;
    for (int i = 0; i < 400; i++) {
      List<TrainingExample> x = s1.next();
      assertThat(x).isEqualTo(s2.next());
      assertThat(x.get(0)).isEqualTo(x.get(1)); // one source per batch
      fromA += x.get(0).query().equals("qa") ? 1 : 0;
    }

    // then about 3/4 of the batches come from the heavier source
    assertThat(fromA).isBetween(260, 340);
  }

  @Test
  void should_read_scifact_train_qrels() {
    Path dir = Path.of(System.getProperty("gecko.shared.data", "../shared/data")).resolve("beir/scifact");
    Assumptions.assumeTrue(Files.isDirectory(dir), "needs " + dir + " (../shared/data beside the repo)");
    TrainingData.Beir b = TrainingData.readBeir(dir, "train");
    assertThat(b.qrels()).hasSize(809);
    assertThat(b.qrels().values().stream().mapToInt(Set::size).sum()).isEqualTo(919);
    assertThat(b.corpus()).hasSize(5183);
  }
}
