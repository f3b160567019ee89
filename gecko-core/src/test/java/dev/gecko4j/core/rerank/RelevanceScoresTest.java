package dev.gecko4j.core.rerank;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class RelevanceScoresTest {

  @Test
  void one_label_probabilities_are_the_sigmoid_of_the_logit_in_double() {
    RelevanceScores s = RelevanceScores.ofLogits(List.of("score"), 0,
        new double[][] {{0}, {2}, {-3}, {800}, {-800}});
    assertThat(s.logit(1)).isEqualTo(2);
    assertThat(s.probability(0)).isEqualTo(0.5);
    assertThat(s.probability(1)).isCloseTo(1 / (1 + Math.exp(-2)), within(1e-15));
    assertThat(s.probability(2)).isCloseTo(1 / (1 + Math.exp(3)), within(1e-15));
    assertThat(s.probability(3)).isEqualTo(1.0);
    assertThat(s.probability(4)).isGreaterThanOrEqualTo(0.0).isLessThan(1e-300);
    assertThat(s.scores(ScoreScale.LOGIT)).containsExactly(0, 2, -3, 800, -800);
  }

  @Test
  void several_labels_are_a_softmax_read_at_the_relevance_label() {
    RelevanceScores s = RelevanceScores.ofLogits(List.of("irrelevant", "relevant"), 1,
        new double[][] {{1, 3}, {1000, 999}});
    double e = Math.exp(2);
    assertThat(s.probability(0)).isCloseTo(e / (1 + e), within(1e-15));
    assertThat(s.probabilities(0)[0] + s.probabilities(0)[1]).isCloseTo(1, within(1e-15));
    assertThat(s.probability(1)).isCloseTo(1 / (1 + e / Math.exp(1)), within(1e-12));
    assertThat(s.logit(1)).isEqualTo(999);
    assertThat(s.logits(1)).containsExactly(1000, 999);
  }

  @Test
  void passages_rank_by_score_with_ties_in_input_order() {
    RelevanceScores s = RelevanceScores.ofLogits(List.of("score"), 0,
        new double[][] {{1}, {5}, {1}, {3}});
    assertThat(s.order()).containsExactly(1, 3, 0, 2);
    List<RankedPassage> top = s.top(List.of("a", "b", "c", "d"), 3, ScoreScale.LOGIT);
    assertThat(top).extracting(RankedPassage::text).containsExactly("b", "d", "a");
    assertThat(top.get(0).index()).isEqualTo(1);
    assertThat(top.get(0).score()).isEqualTo(5);
    assertThat(s.top(List.of("a", "b", "c", "d"), 10, ScoreScale.PROBABILITY)).hasSize(4)
        .first().extracting(RankedPassage::score).isEqualTo(RelevanceScores.sigmoid(5));
  }

  @Test
  void a_supplied_ranking_score_orders_passages_instead_of_the_probability() {
    RelevanceScores s = RelevanceScores.ofLogits(List.of("score"), 0,
        new double[][] {{9}, {1}}, new double[] {0.1, 0.7});
    assertThat(s.order()).containsExactly(1, 0);
    assertThat(s.rankingScore(1)).isEqualTo(0.7);
  }

  @Test
  void bad_values_are_refused_by_name() {
    assertThatThrownBy(() -> RelevanceScores.ofLogits(List.of(), 0, new double[0][]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("labels");
    assertThatThrownBy(() -> RelevanceScores.ofLogits(List.of("a", "b"), 2, new double[0][]))
        .hasMessageContaining("relevanceLabel must be in [0, 1]").hasMessageContaining("2");
    assertThatThrownBy(() -> RelevanceScores.ofLogits(List.of("a"), 0, new double[][] {{1, 2}}))
        .hasMessageContaining("logits[0] must have 1 values");
    assertThatThrownBy(() -> RelevanceScores.ofLogits(List.of("a"), 0, new double[][] {{Double.NaN}}))
        .hasMessageContaining("logits[0][0] must not be NaN");
    RelevanceScores s = RelevanceScores.ofLogits(List.of("a"), 0, new double[][] {{1}});
    assertThatThrownBy(() -> s.logit(1)).hasMessageContaining("passage index must be in [0, 1)");
    assertThatThrownBy(() -> s.top(List.of("x"), 0, ScoreScale.LOGIT))
        .hasMessageContaining("topN must be >= 1, but is: 0");
    assertThatThrownBy(() -> s.top(List.of("x", "y"), 1, ScoreScale.LOGIT))
        .hasMessageContaining("passages must have the 1 passages");
    assertThatThrownBy(() -> s.score(0, null)).hasMessageContaining("scale must not be null");
  }

  @Test
  void arrays_are_copied_in_and_out() {
    double[][] in = {{1, 2}};
    RelevanceScores s = RelevanceScores.ofLogits(List.of("a", "b"), 0, in);
    in[0][0] = 99;
    s.logits(0)[0] = 42;
    assertThat(s.logit(0)).isEqualTo(1);
  }

  @Test
  void the_default_rerank_scores_then_keeps_the_top_n() {
    AtomicBoolean closed = new AtomicBoolean();
    TextReranker byLength = new TextReranker() {
      @Override public String name() { return "length"; }
      @Override public RelevanceScores score(String query, List<String> passages) {
        List<double[]> rows = new ArrayList<>();
        for (String p : passages) {
          rows.add(new double[] {p.length()});
        }
        return RelevanceScores.ofLogits(List.of("score"), 0, rows.toArray(new double[0][]));
      }
      @Override public void close() { closed.set(true); }
    };
    try (TextReranker r = byLength) {
      assertThat(r.rerank("q", List.of("aa", "aaaa", "a"), 2, ScoreScale.LOGIT))
          .extracting(RankedPassage::index).containsExactly(1, 0);
      assertThatThrownBy(() -> r.rerank("q", List.of("a"), 0, ScoreScale.LOGIT))
          .hasMessageContaining("topN must be >= 1");
    }
    assertThat(closed).isTrue();
  }
}
