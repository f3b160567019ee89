package dev.gecko4j.train.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gecko4j.core.PromptConvention;
import dev.gecko4j.core.TaskPrompt;
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
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("line 2");
  }

  @Test
  void should_reject_a_line_holding_two_fret_rows_naming_path_and_line(@TempDir Path dir)
      throws Exception {
    Path f = dir.resolve("joined.jsonl");
    String row = "{\"task\":\"t\",\"query\":\"q\",\"positive\":\"p\"}";
    Files.writeString(f, row + "\n" + row + row + "\n");
    assertThatThrownBy(() -> TrainingData.fretJsonl(f, PromptConvention.NONE, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(f + ":2: expected exactly one JSON object on the line");
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
