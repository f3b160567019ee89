package dev.gecko4j.train.rerank;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.gecko4j.core.eval.DatasetFormatException;
import dev.gecko4j.core.fret.CandidateScores;
import dev.gecko4j.core.fret.FretExample;
import dev.gecko4j.train.data.HardNegatives;
import dev.gecko4j.train.data.TrainingData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RerankDataTest {

  @TempDir Path dir;

  @Test
  void should_make_one_group_per_qrel_with_distinct_negatives_from_the_rank_range() {
    Map<String, String> corpus = new LinkedHashMap<>();
    for (int i = 0; i < 10; i++) {
      corpus.put("d" + i, "doc " + i);
    }
    TrainingData.Beir beir = new TrainingData.Beir(corpus, Map.of("q", "query"),
        Map.of("q", Set.of("d0")));
    List<String> ranking = List.of("d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8", "d9");

    List<RerankExample> groups = RerankData.fromBeir(beir, Map.of("q", ranking), 3,
        new HardNegatives(2, 6, 42));

    assertThat(groups).hasSize(1);
    RerankExample g = groups.get(0);
    assertThat(g.query()).isEqualTo("query");
    assertThat(g.passages()).hasSize(4).first().isEqualTo("doc 0");
    // negatives: ranks 2..5 of the ranking (d3..d6), drawn without replacement
    assertThat(new HashSet<>(g.passages().subList(1, 4))).hasSize(3)
        .isSubsetOf(Set.of("doc 3", "doc 4", "doc 5", "doc 6"));
    assertThat(g.relevance()).containsExactly(1, 0, 0, 0);
    assertThatThrownBy(() -> RerankData.fromBeir(beir, Map.of("q", ranking), 5,
        new HardNegatives(2, 6, 42))).hasMessageContaining("at least negatives=5");
  }

  @Test
  void should_grade_fret_rows_by_the_llm_fused_scores_as_soft_targets() throws Exception {
    FretExample scored = new FretExample("fact checking", "geckos eat fruit", "Geckos eat fruit.",
        "Cats purr.", "q7", "d1", "d2", "d9", new CandidateScores(2, 1, 3, -4.5, 0.75,
        1 + 1.0 / 3), new CandidateScores(20, 19, 20, -30, 0.0, 1.0 / 19 + 1.0 / 20), 20, 2,
        "stories260K", "gecko4j-fret-v1");
    Path file = dir.resolve("fret.jsonl");
    Files.writeString(file, scored.toJson() + "\n"
        + "{\"task\": \"t\", \"query\": \"q2\", \"positive\": \"p2\", \"negative\": \"n2\"}\n"
        + "{\"task\": \"t\", \"query\": \"q3\", \"positive\": \"p3\"}\n", StandardCharsets.UTF_8);

    List<RerankExample> groups = RerankData.fromFret(file);

    // the row without a negative is skipped; the unscored row is graded 1 / 0
    assertThat(groups).hasSize(2);
    assertThat(groups.get(0).passages()).containsExactly("Geckos eat fruit.", "Cats purr.");
    assertThat(groups.get(0).relevance()).containsExactly(
        new double[] {(1 + 1.0 / 3) / 2, (1.0 / 19 + 1.0 / 20) / 2}, within(1e-12));
    assertThat(groups.get(1).relevance()).containsExactly(1, 0);

    Files.writeString(file, "{\"query\": \"q\"}\n", StandardCharsets.UTF_8);
    assertThatThrownBy(() -> RerankData.fromFret(file))
        .isInstanceOf(DatasetFormatException.class).hasMessageContaining("fret.jsonl:1");
  }
}
