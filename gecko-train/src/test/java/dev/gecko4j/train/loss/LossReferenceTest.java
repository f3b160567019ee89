package dev.gecko4j.train.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Random;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Checks each loss against a scalar (plain double loops) reference of its formula, value and
 * gradient: the autograd gradient of the DJL implementation must equal the central finite
 * difference of the reference.
 */
class LossReferenceTest {
  static final int B = 4;
  static final int D = 6;
  static final double TAU = 0.1;
  static NDManager manager;

  @BeforeAll
  static void start() {
    manager = Engine.getEngine("PyTorch").newBaseManager();
  }

  @AfterAll
  static void stop() {
    manager.close();
  }

  // ---- scalar references

  static double cos(double[][] a, int i, double[][] b, int j, int d) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int k = 0; k < d; k++) {
      dot += a[i][k] * b[j][k];
      na += a[i][k] * a[i][k];
      nb += b[j][k] * b[j][k];
    }
    return dot / Math.sqrt(na) / Math.sqrt(nb);
  }

  /** Eq. 3 of the Gecko paper, literally. */
  static double geckoRef(double[][] q, double[][] p, double[][] n, double tau, int d) {
    double total = 0;
    for (int i = 0; i < q.length; i++) {
      double num = Math.exp(cos(q, i, p, i, d) / tau);
      double den = 0;
      for (int j = 0; j < q.length; j++) {
        den += Math.exp(cos(q, i, p, j, d) / tau);
        if (j != i) {
          den += Math.exp(cos(q, i, q, j, d) / tau);
        }
      }
      den += Math.exp(cos(q, i, n, i, d) / tau);
      total += -Math.log(num / den);
    }
    return total / q.length;
  }

  static double infoNceRef(double[][] q, double[][] p, double tau, int d) {
    double total = 0;
    for (int i = 0; i < q.length; i++) {
      double den = 0;
      for (int j = 0; j < q.length; j++) {
        den += Math.exp(cos(q, i, p, j, d) / tau);
      }
      total += -Math.log(Math.exp(cos(q, i, p, i, d) / tau) / den);
    }
    return total / q.length;
  }

  // ---- helpers

  static double[][] random(Random r) {
    double[][] x = new double[B][D];
    for (double[] row : x) {
      for (int k = 0; k < D; k++) {
        row[k] = r.nextGaussian();
      }
    }
    return x;
  }

  static NDArray nd(double[][] x) {
    double[] flat = new double[B * D];
    for (int i = 0; i < B; i++) {
      System.arraycopy(x[i], 0, flat, i * D, D);
    }
    NDArray a = manager.create(flat, new Shape(B, D));
    a.setRequiresGradient(true);
    return a;
  }

  /** Autograd value and gradients (w.r.t. q, p, n) of a loss on float64 arrays. */
  static double[][] autograd(ContrastiveLoss loss, double[][] q, double[][] p, double[][] n) {
    try (NDManager scope = manager.newSubManager()) {
      NDArray qa = nd(q);
      NDArray pa = nd(p);
      NDArray na = n == null ? null : nd(n);
      qa.attach(scope);
      pa.attach(scope);
      if (na != null) {
        na.attach(scope);
      }
      double value;
      try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
        NDArray l = loss.compute(qa, pa, na);
        value = l.getDouble();
        gc.backward(l);
      }
      return new double[][] {
        {value},
        qa.getGradient().toDoubleArray(),
        pa.getGradient().toDoubleArray(),
        na == null ? new double[0] : na.getGradient().toDoubleArray()
      };
    }
  }

  /** Central finite difference of {@code f} with respect to every entry of {@code x}. */
  static double[] finiteDifference(double[][] x, ToDoubleFunction<double[][]> f) {
    double h = 1e-6;
    double[] g = new double[B * D];
    for (int i = 0; i < B; i++) {
      for (int k = 0; k < D; k++) {
        double keep = x[i][k];
        x[i][k] = keep + h;
        double up = f.applyAsDouble(x);
        x[i][k] = keep - h;
        double down = f.applyAsDouble(x);
        x[i][k] = keep;
        g[i * D + k] = (up - down) / (2 * h);
      }
    }
    return g;
  }

  static void assertClose(double[] actual, double[] expected) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < actual.length; i++) {
      assertThat(actual[i]).as("entry %d", i).isCloseTo(expected[i], offset(1e-6 + 1e-5 * Math.abs(expected[i])));
    }
  }

  /** A scalar reference loss of queries, positives and negatives (null when unused). */
  interface Reference {
    double of(double[][] q, double[][] p, double[][] n);
  }

  /**
   * Asserts that the autograd value of {@code loss} equals the reference's, and its gradients the
   * reference's central finite differences (w.r.t. the negatives too when there are any).
   */
  static void assertMatchesReference(ContrastiveLoss loss, double[][] q, double[][] p,
      double[][] n, Reference ref) {
    double[][] ag = autograd(loss, q, p, n);
    assertThat(ag[0][0]).isCloseTo(ref.of(q, p, n), offset(1e-9));
    assertClose(ag[1], finiteDifference(q, x -> ref.of(x, p, n)));
    assertClose(ag[2], finiteDifference(p, x -> ref.of(q, x, n)));
    if (n != null) {
      assertClose(ag[3], finiteDifference(n, x -> ref.of(q, p, x)));
    }
  }

  // ---- tests

  @Test
  void should_equal_the_scalar_gecko_loss_in_value_and_gradient() {
    // given random queries, positives and negatives
    Random r = new Random(7);
    // when / then
    assertMatchesReference(new GeckoLoss(TAU), random(r), random(r), random(r),
        (q, p, n) -> geckoRef(q, p, n, TAU, D));
  }

  @Test
  void should_equal_the_scalar_in_batch_info_nce_in_value_and_gradient() {
    // given random queries and positives
    Random r = new Random(11);
    // when / then
    assertMatchesReference(GeckoLoss.inBatchInfoNce(TAU), random(r), random(r), null,
        (q, p, none) -> infoNceRef(q, p, TAU, D));
  }

  @Test
  void should_sum_the_inner_loss_over_truncated_dimensions_with_weights() {
    // given
    Random r = new Random(13);
    double[][] q = random(r);
    double[][] p = random(r);
    double[][] n = random(r);
    MatryoshkaLoss mrl = new MatryoshkaLoss(new GeckoLoss(TAU), new int[] {6, 4, 2}, new double[] {1, 0.5, 0.25});
    ToDoubleFunction<double[][]> refQ = x -> geckoRef(x, p, n, TAU, 6) + 0.5 * geckoRef(x, p, n, TAU, 4)
        + 0.25 * geckoRef(x, p, n, TAU, 2);

    // when
    double[][] ag = autograd(mrl, q, p, n);

    // then
    assertThat(ag[0][0]).isCloseTo(refQ.applyAsDouble(q), offset(1e-9));
    assertClose(ag[1], finiteDifference(q, refQ));
  }

  @Test
  void should_fall_when_the_positive_moves_towards_its_query() {
    // given a batch and the same batch with positives equal to their queries
    Random r = new Random(3);
    double[][] q = random(r);
    double[][] p = random(r);

    // then the aligned batch has the lower loss
    assertThat(geckoRef(q, q, p, TAU, D)).isLessThan(geckoRef(q, p, p, TAU, D));
    assertThat(autograd(new GeckoLoss(TAU), q, q, p)[0][0])
        .isLessThan(autograd(new GeckoLoss(TAU), q, p, p)[0][0]);
  }

  @Test
  void should_reject_a_bad_temperature_and_bad_dims() {
    assertThatThrownBy(() -> new GeckoLoss(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("temperature must be in (0, 10], but is: 0");
    assertThatThrownBy(() -> new MatryoshkaLoss(new GeckoLoss(0.05), 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dims must be >= 1");
  }
}
