package dev.gecko4j.core.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class CorrelationTest {

  @Test
  void should_give_tied_values_the_average_of_their_ranks() {
    // given
    double[] values = {30, 10, 20, 30, 20, 30};
    // when
    double[] ranks = Correlation.averageRanks(values);
    // then: 10 -> 1; the two 20s share ranks 2,3 -> 2.5; the three 30s share 4,5,6 -> 5
    assertThat(ranks).containsExactly(5, 1, 2.5, 5, 2.5, 5);
  }

  @Test
  void should_compute_spearman_with_ties_as_scipy_does() {
    // given: ranks x = [1, 2.5, 2.5, 4], ranks y = [1, 3, 2, 4]
    double[] x = {1, 2, 2, 3};
    double[] y = {1, 3, 2, 4};
    // when
    double rho = Correlation.spearman(x, y);
    // then: deviations [-1.5,0,0,1.5] and [-1.5,.5,-.5,1.5]: 4.5 / sqrt(4.5 * 5)
    assertThat(rho).isCloseTo(4.5 / Math.sqrt(22.5), within(1e-15));
    assertThat(rho).isCloseTo(0.9486832980505138, within(1e-15));
  }

  @Test
  void should_give_spearman_one_for_any_increasing_relation_and_minus_one_for_decreasing() {
    double[] x = {1, 2, 3, 4, 5};
    assertThat(Correlation.spearman(x, new double[] {1, 8, 27, 64, 125})).isCloseTo(1.0, within(1e-15));
    assertThat(Correlation.spearman(x, new double[] {5, 3, 1, 0, -7})).isCloseTo(-1.0, within(1e-15));
  }

  @Test
  void should_compute_spearman_with_ties_on_both_sides() {
    // given: ranks x = [1.5, 1.5, 3, 4], ranks y = [1, 2.5, 2.5, 4]
    double[] x = {0.1, 0.1, 0.5, 0.9};
    double[] y = {0, 3, 3, 5};
    // when
    double rho = Correlation.spearman(x, y);
    // then: dx = [-1,-1,.5,1.5], dy = [-1.5,0,0,1.5]: sxy = 1.5+2.25 = 3.75, sxx = 4.5, syy = 4.5
    assertThat(rho).isCloseTo(3.75 / 4.5, within(1e-15));
  }

  @Test
  void should_compute_pearson_by_hand() {
    // given: dx = [-2,-1,0,1,2], dy = [-2,0,1,0,1]
    double[] x = {1, 2, 3, 4, 5};
    double[] y = {2, 4, 5, 4, 5};
    // when
    double r = Correlation.pearson(x, y);
    // then: 6 / sqrt(10 * 6)
    assertThat(r).isCloseTo(6 / Math.sqrt(60), within(1e-15));
    assertThat(r).isCloseTo(0.7745966692414834, within(1e-15));
  }

  @Test
  void should_reject_constant_samples_mismatched_lengths_and_non_finite_values() {
    assertThatThrownBy(() -> Correlation.pearson(new double[] {1, 1, 1}, new double[] {1, 2, 3}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("constant sample");
    assertThatThrownBy(() -> Correlation.spearman(new double[] {1, 2}, new double[] {1, 2, 3}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("samples must have the same length, but x has 2 and y has 3");
    assertThatThrownBy(() -> Correlation.spearman(new double[] {1}, new double[] {1}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("samples must have at least 2 values, but have: 1");
    assertThatThrownBy(() -> Correlation.pearson(new double[] {1, Double.NaN},
        new double[] {1, 2}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("non-finite value at x[1]=NaN; expected a finite number");
  }
}
