package dev.gecko4j.core.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * The classifier and metrics against scikit-learn: the expected numbers were printed by
 * scikit-learn 1.2.1 (scipy 1.10.1) on the same fixture, whose lbfgs minimises the summed loss;
 * scikit-learn 1.4 and later minimise the mean (same optimum, different stopping), which is the
 * default here and is checked against MTEB's published per-experiment Banking77 accuracies in
 * the README.
 */
class ClassifierMathTest {

  private static final int N = 60;
  private static final int D = 5;
  private static final int K = 3;

  /** x_ij = sin(7i + 3j) + 1.5 when i mod 3 == j mod 3; y_i = i mod 3. */
  private static double[][] x() {
    double[][] x = new double[N][D];
    for (int i = 0; i < N; i++) {
      for (int j = 0; j < D; j++) {
        x[i][j] = Math.sin(i * 7 + j * 3) + (i % K == j % K ? 1.5 : 0);
      }
    }
    return x;
  }

  private static int[] y() {
    int[] y = new int[N];
    for (int i = 0; i < N; i++) {
      y[i] = i % K;
    }
    return y;
  }

  private static double[] weights(LogisticRegression lr) throws ReflectiveOperationException {
    java.lang.reflect.Field f = LogisticRegression.class.getDeclaredField("weights");
    f.setAccessible(true);
    return (double[]) f.get(lr);
  }

  @Test
  void logistic_regression_takes_sklearns_lbfgs_path_iteration_for_iteration() throws Exception {
    LogisticRegression three = LogisticRegression.fit(x(), y(), K, 1.0, 3, 1e-4, false);
    double[] w = weights(three);
    assertThat(three.outcome().iterations()).isEqualTo(3);
    assertThat(w[0]).isCloseTo(0.9009905580315993, within(1e-9));
    assertThat(w[3]).isCloseTo(0.7001547845345046, within(1e-9));
    assertThat(w[D]).isCloseTo(-0.14927098514726692, within(1e-9));
    LogisticRegression full = LogisticRegression.fit(x(), y(), K, 1.0, 100, 1e-4, false);
    double[] v = weights(full);
    assertThat(full.outcome().iterations()).isEqualTo(16);
    assertThat(v[0]).isCloseTo(1.1478475682336493, within(1e-7));
    assertThat(v[1]).isCloseTo(-0.5509618651396742, within(1e-7));
    assertThat(v[D]).isCloseTo(-0.4471571964587418, within(1e-7));
    assertThat(v[2 * (D + 1) + D]).isCloseTo(0.9100202854697563, within(1e-7));
  }

  @Test
  void mean_and_summed_objectives_reach_the_same_optimum() throws Exception {
    double[] mean = weights(LogisticRegression.fit(x(), y(), K, 1.0, 1000, 1e-10, true));
    double[] sum = weights(LogisticRegression.fit(x(), y(), K, 1.0, 1000, 1e-10, false));
    // the summed objective stops on scipy's default relative decrease (1e7 eps) first
    for (int i = 0; i < mean.length; i++) {
      assertThat(mean[i]).isCloseTo(sum[i], within(1e-4));
    }
  }

  @Test
  void logistic_regression_predicts_the_training_classes_of_separable_data() {
    LogisticRegression lr = LogisticRegression.fit(x(), y(), K, 1.0, 100, 1e-4);
    int ok = 0;
    for (int i = 0; i < N; i++) {
      ok += lr.predict(x()[i]) == y()[i] ? 1 : 0;
    }
    assertThat(ok).isEqualTo(N);
  }

  @Test
  void accuracy_and_f1_equal_sklearns_including_a_label_never_predicted() {
    int[] truth = {0, 0, 1, 1, 2, 2, 2, 3};
    int[] predicted = {0, 1, 1, 1, 2, 0, 2, 2};
    assertThat(ClassificationMetrics.accuracy(truth, predicted)).isEqualTo(0.625);
    double[] f1 = ClassificationMetrics.f1(truth, predicted, 4);
    assertThat(f1[0]).isCloseTo(0.4916666666666667, within(1e-12));
    assertThat(f1[1]).isCloseTo(0.575, within(1e-12));
  }

  @Test
  void v_measure_equals_sklearns() {
    assertThat(ClusteringMetrics.vMeasure(new int[] {0, 0, 1, 1, 2, 2}, new int[] {1, 1, 0, 0, 0, 2}))
        .isCloseTo(0.739667376800759, within(1e-12));
    assertThat(ClusteringMetrics.vMeasure(new int[] {0, 0, 0, 1, 1, 1}, new int[] {0, 0, 1, 1, 2, 2}))
        .isCloseTo(0.5158037429793888, within(1e-12));
    assertThat(ClusteringMetrics.vMeasure(new int[] {0, 0, 1, 1}, new int[] {5, 5, 7, 7}))
        .isCloseTo(1.0, within(1e-12));
  }

  @Test
  void minibatch_kmeans_separates_well_separated_blobs() {
    double[][] x = new double[300][2];
    int[] truth = new int[300];
    for (int i = 0; i < 300; i++) {
      truth[i] = i % 3;
      x[i][0] = truth[i] * 10 + Math.sin(i) * 0.5;
      x[i][1] = (truth[i] == 1 ? 10 : 0) + Math.cos(i * 3) * 0.5;
    }
    int[] assigned = new MiniBatchKMeans(3, 64, new NumpyRandom(42)).fitPredict(x);
    assertThat(ClusteringMetrics.vMeasure(truth, assigned)).isCloseTo(1.0, within(1e-12));
  }
}
