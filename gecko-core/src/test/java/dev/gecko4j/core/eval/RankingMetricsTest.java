package dev.gecko4j.core.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Pair-classification and reranking metrics on small fixtures computed by hand. */
class RankingMetricsTest {

  @Test
  void average_precision_sums_precision_at_each_new_recall_and_treats_ties_as_one_threshold() {
    // thresholds 0.9 (P 1, R 1/3), 0.8 (no new recall), 0.7 tie of a positive and a negative
    // (P 2/4, R 2/3), 0.1 (P 3/5, R 1): 1/3 + 1/3 * 1/2 + 1/3 * 3/5 = 0.7 (sklearn: 0.7)
    assertThat(RankingMetrics.averagePrecision(new boolean[] {true, false, true, false, true},
        new double[] {0.9, 0.8, 0.7, 0.7, 0.1})).isCloseTo(0.7, within(1e-12));
    // a tie at the top: 0.9 (P 1, R 1/2), then 0.5 holding one positive, one negative (P 2/3, R 1)
    assertThat(RankingMetrics.averagePrecision(new boolean[] {false, true, true, false},
        new double[] {0.5, 0.5, 0.9, 0.1})).isCloseTo(0.5 + 0.5 * 2 / 3.0, within(1e-12));
  }

  @Test
  void average_precision_equals_sklearns_on_forty_items_with_rounded_tied_scores() {
    // y_i = 1 when 7i mod 5 < 2; s_i = round(sin(1.3 i), 2): sklearn 1.2.1 prints 0.38333557984535155
    boolean[] y = new boolean[40];
    double[] s = new double[40];
    for (int i = 0; i < 40; i++) {
      y[i] = (i * 7) % 5 < 2;
      s[i] = Math.round(Math.sin(i * 1.3) * 100) / 100.0;
    }
    assertThat(RankingMetrics.averagePrecision(y, s)).isCloseTo(0.38333557984535155, within(1e-12));
  }

  @Test
  void best_accuracy_cuts_between_sorted_scores_and_reports_the_midpoint() {
    boolean[] labels = {true, true, false, true, false, false};
    double[] sims = {0.9, 0.8, 0.7, 0.6, 0.3, 0.2};
    // cut after 0.8: 2 + 3 right = 5/6; after 0.6: 3 + 2 = 5/6 (not better); first wins
    double[] acc = RankingMetrics.bestAccuracy(labels, sims, true);
    assertThat(acc[0]).isCloseTo(5 / 6.0, within(1e-12));
    assertThat(acc[1]).isCloseTo(0.75, within(1e-12));
    // distances: ascending order, the same cut, between 0.2 and 0.3
    double[] dist = {0.1, 0.2, 0.3, 0.4, 0.7, 0.8};
    double[] accD = RankingMetrics.bestAccuracy(labels, dist, false);
    assertThat(accD[0]).isCloseTo(5 / 6.0, within(1e-12));
    assertThat(accD[1]).isCloseTo(0.25, within(1e-12));
  }

  @Test
  void best_f1_sweeps_the_cuts_and_keeps_the_first_best() {
    boolean[] labels = {true, true, false, true, false, false};
    double[] sims = {0.9, 0.8, 0.7, 0.6, 0.3, 0.2};
    // after 0.8: P 1, R 2/3, F1 0.8; after 0.6: P 3/4, R 1, F1 6/7 = 0.857 (best)
    double[] f1 = RankingMetrics.bestF1(labels, sims, true);
    assertThat(f1[0]).isCloseTo(6 / 7.0, within(1e-12));
    assertThat(f1[1]).isCloseTo(0.75, within(1e-12));
    assertThat(f1[2]).isCloseTo(1.0, within(1e-12));
    assertThat(f1[3]).isCloseTo(0.45, within(1e-12));
  }

  @Test
  void reciprocal_rank_counts_only_the_top_k() {
    boolean[] rel = {false, false, true};
    double[] s = {0.9, 0.8, 0.1};
    assertThat(RankingMetrics.reciprocalRankAt(rel, s, 10)).isCloseTo(1 / 3.0, within(1e-12));
    assertThat(RankingMetrics.reciprocalRankAt(rel, s, 2)).isEqualTo(0.0);
  }

  @Test
  void bad_inputs_are_refused_with_the_value() {
    assertThatThrownBy(() -> RankingMetrics.averagePrecision(new boolean[] {true},
        new double[] {Double.NaN})).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("scores[0] is: NaN");
    assertThatThrownBy(() -> RankingMetrics.averagePrecision(new boolean[] {true, false},
        new double[] {1})).hasMessageContaining("2 and 1");
    assertThatThrownBy(() -> RankingMetrics.reciprocalRankAt(new boolean[] {true},
        new double[] {1}, 0)).hasMessageContaining("k");
  }

  @Test
  void pair_classification_scores_four_ways_and_takes_the_largest_ap() {
    // four sentences in 2-d; pairs (0,1) positive and near, (2,3) negative and far
    double[][] v = {{1, 0}, {0.9, 0.1}, {0, 1}, {-1, 0.2}, {2, 0}};
    int[] a = {0, 2, 0};
    int[] b = {1, 3, 4};
    boolean[] labels = {true, false, true};
    PairClassificationResult r = PairClassificationEvaluator.score("toy", v, a, b, labels, 2);
    assertThat(r.scores().keySet()).containsExactly("cosine", "dot", "euclidean", "manhattan");
    // cosine: (0,4) = 1, (0,1) ~ 0.994, (2,3) ~ 0.196: positives on top, AP 1
    assertThat(r.scores().get("cosine").ap()).isEqualTo(1.0);
    // euclidean: (0,1) 0.141, (0,4) 1.0, (2,3) 1.281: negated, positives first, AP 1
    assertThat(r.scores().get("euclidean").ap()).isEqualTo(1.0);
    assertThat(r.metric()).isEqualTo("max_ap");
    assertThat(r.score()).isEqualTo(1.0);
    assertThat(r.details()).containsKeys("max_accuracy", "max_f1", "cosine_accuracy_threshold");
  }
}
