package dev.gecko4j.fret.rerank;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gecko4j.core.fret.NegativeStrategy;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RrfSelectionTest {

  @Test
  void should_rank_higher_scores_first_and_break_ties_by_retrieval_order() {
    // given scores with a tie between index 1 and 3
    double[] scores = {-3.0, -1.0, -2.0, -1.0};
    // when
    int[] ranks = RrfSelection.ranks(scores);
    // then index 1 (nearer) beats index 3
    assertThat(ranks).containsExactly(4, 1, 3, 2);
  }

  @Test
  void should_fuse_ranks_without_k_constant_as_computed_by_hand() {
    // given QL ranks 1,2,3 and RC ranks 3,1,2
    double[] ql = {-1, -2, -3};
    double[] rc = {0.2, 0.9, 0.5};
    // when
    RrfSelection.Selection s = RrfSelection.select(ql, rc, NegativeStrategy.LOWEST, new Random(1));
    // then R = 1/1+1/3, 1/2+1/1, 1/3+1/2
    assertThat(s.qlRanks()).containsExactly(1, 2, 3);
    assertThat(s.rcRanks()).containsExactly(3, 1, 2);
    assertThat(s.rrf()).containsExactly(1 + 1.0 / 3, 1.5, 1.0 / 3 + 0.5);
    assertThat(s.positive()).isEqualTo(1);
    assertThat(s.negative()).isEqualTo(2);
  }

  @Test
  void should_pick_the_nearer_positive_and_the_farther_negative_on_equal_rrf() {
    // given ranks that give candidates 0 and 1 the same R (1 + 1/2) and 2 and 3 the same R (1/3 + 1/4)
    double[] ql = {-1, -2, -3, -4};
    double[] rc = {0.8, 0.9, 0.1, 0.2};
    // when
    RrfSelection.Selection s = RrfSelection.select(ql, rc, NegativeStrategy.LOWEST, new Random(1));
    // then
    assertThat(s.rrf()[0]).isEqualTo(s.rrf()[1]);
    assertThat(s.rrf()[2]).isEqualTo(s.rrf()[3]);
    assertThat(s.positive()).isZero();
    assertThat(s.negative()).isEqualTo(3);
  }

  @Test
  void should_pick_the_other_candidate_when_there_are_only_two() {
    // given N = 2, all scores equal
    double[] ql = {-1, -1};
    double[] rc = {0.5, 0.5};
    // when
    RrfSelection.Selection lowest =
        RrfSelection.select(ql, rc, NegativeStrategy.LOWEST, new Random(1));
    RrfSelection.Selection random =
        RrfSelection.select(ql, rc, NegativeStrategy.RANDOM_REST, new Random(7));
    // then
    assertThat(lowest.positive()).isZero();
    assertThat(lowest.negative()).isEqualTo(1);
    assertThat(random.positive()).isZero();
    assertThat(random.negative()).isEqualTo(1);
  }

  @Test
  void should_prefer_the_second_candidate_of_two_when_both_rankings_agree() {
    // given N = 2, candidate 1 best by both
    RrfSelection.Selection s = RrfSelection.select(new double[] {-5, -1}, new double[] {0, 1},
        NegativeStrategy.LOWEST, new Random(1));
    // then R = 1/2+1/2 and 1+1
    assertThat(s.rrf()).containsExactly(1.0, 2.0);
    assertThat(s.positive()).isEqualTo(1);
    assertThat(s.negative()).isZero();
  }

  @Test
  void should_draw_random_negatives_from_every_candidate_but_the_positive() {
    // given
    double[] ql = {-1, -2, -3, -4, -5};
    double[] rc = {1, 0.8, 0.6, 0.4, 0.2};
    Random random = new Random(3);
    Set<Integer> seen = new HashSet<>();
    // when
    for (int i = 0; i < 200; i++) {
      RrfSelection.Selection s = RrfSelection.select(ql, rc, NegativeStrategy.RANDOM_REST, random);
      assertThat(s.positive()).isZero();
      seen.add(s.negative());
    }
    // then
    assertThat(seen).containsExactlyInAnyOrder(1, 2, 3, 4);
  }

  @Test
  void should_rank_nan_last() {
    assertThat(RrfSelection.ranks(new double[] {Double.NaN, -1, Double.NEGATIVE_INFINITY}))
        .containsExactly(2, 1, 3);
  }

  @Test
  void should_reject_fewer_than_two_candidates_or_different_lengths() {
    assertThatThrownBy(() -> RrfSelection.select(new double[] {1}, new double[] {1},
        NegativeStrategy.LOWEST, new Random()))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("ql and rc must have the same length >= 2, but have 1 and 1");
    assertThatThrownBy(() -> RrfSelection.select(new double[] {1, 2}, new double[] {1, 2, 3},
        NegativeStrategy.LOWEST, new Random()))
        .hasMessage("ql and rc must have the same length >= 2, but have 2 and 3");
  }

  @Test
  void should_name_the_null_argument() {
    assertThatThrownBy(() -> RrfSelection.select(new double[] {1, 2}, new double[] {1, 2}, null,
        new Random())).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("strategy must not be null");
    assertThatThrownBy(() -> RrfSelection.select(new double[] {1, 2}, new double[] {1, 2},
        NegativeStrategy.LOWEST, null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("random must not be null");
  }

  @Test
  void should_compute_expected_grade_from_label_log_likelihoods() {
    // given equal likelihoods: mean of grades 1, 0.5, 0
    assertThat(Reranker.expectedGrade(new double[] {-1, -1, -1})).isCloseTo(0.5, org.assertj.core.data.Offset.offset(1e-12));
    // given all mass on "highly relevant"
    assertThat(Reranker.expectedGrade(new double[] {0, Double.NEGATIVE_INFINITY,
        Double.NEGATIVE_INFINITY})).isEqualTo(1.0);
    // given softmax weights e^0, e^-ln2 = 1/2, 0: (1*1 + 0.5*0.5) / 1.5
    assertThat(Reranker.expectedGrade(new double[] {0, -Math.log(2), Double.NEGATIVE_INFINITY}))
        .isCloseTo(1.25 / 1.5, org.assertj.core.data.Offset.offset(1e-12));
    // given every label impossible
    assertThat(Reranker.expectedGrade(new double[] {Double.NEGATIVE_INFINITY,
        Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY})).isZero();
  }
}
