package dev.gecko4j.core.vector.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.assertj.core.data.Offset.offset;

import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Panama kernels must agree with the scalar reference for every size from 1 to 1024 (so every
 * combination of unrolled body, single-vector loop and scalar tail is hit), within a tolerance
 * relative to the magnitude of the terms summed. Skipped when {@code jdk.incubator.vector} is
 * missing (the surefire {@code scalar} execution).
 */
class PanamaScalarAgreementTest {

  private static final int MAX_DIM = 1024;
  private static final VectorSupport SCALAR = new ScalarVectorSupport();
  private static final Optional<VectorSupport> PANAMA = VectorSupportProvider.panama();

  private VectorSupport panama;

  @BeforeEach
  void requirePanama() {
    assumeThat(PANAMA)
        .as("Panama kernels unavailable (%s); this run tests the scalar fallback only",
            VectorSupportProvider.panamaUnavailableReason().orElse("?"))
        .isPresent();
    panama = PANAMA.orElseThrow();
  }

  static float[] randomVector(Random random, int dim) {
    float[] v = new float[dim];
    for (int i = 0; i < dim; i++) {
      v[i] = (float) (random.nextGaussian() * (random.nextBoolean() ? 1 : 10));
    }
    return v;
  }

  /** Sum of |a_i * b_i|: the scale of rounding errors of a dot product. */
  static double magnitude(float[] a, int aOff, float[] b, int bOff, int len) {
    double m = 0;
    for (int i = 0; i < len; i++) {
      m += Math.abs((double) a[aOff + i] * b[bOff + i]);
    }
    return m;
  }

  static double exactDot(float[] a, int aOff, float[] b, int bOff, int len) {
    double s = 0;
    for (int i = 0; i < len; i++) {
      s += (double) a[aOff + i] * b[bOff + i];
    }
    return s;
  }

  /** A check of one vector size on two random vectors. */
  private interface SizeCheck {
    void check(int dim, float[] a, float[] b);
  }

  /**
   * Runs {@code check} for every size from 1 to {@link #MAX_DIM} on two random vectors drawn from
   * one seed, of {@code dim + padA} and {@code dim + padB} values (room for offsets).
   */
  private static void forEverySize(long seed, int padA, int padB, SizeCheck check) {
    Random random = new Random(seed);
    for (int dim = 1; dim <= MAX_DIM; dim++) {
      check.check(dim, randomVector(random, dim + padA), randomVector(random, dim + padB));
    }
  }

  /** Asserts that a Panama result is within {@code tolerance} of the scalar and the exact one. */
  private static void assertAgrees(String what, int dim, float fast, float scalar,
      double exact, double tolerance) {
    assertThat((double) fast).as("%s, dim %d", what, dim).isCloseTo(scalar, offset(tolerance));
    assertThat((double) fast).as("%s vs exact, dim %d", what, dim)
        .isCloseTo(exact, offset(tolerance));
  }

  @Test
  void panama_dot_should_match_scalar_for_every_size_up_to_1024() {
    // given vectors read from offsets 3 and 5
    forEverySize(1, 3, 5, (dim, a, b) -> {
      double tolerance = 1e-5 * magnitude(a, 3, b, 5, dim) + 1e-30;
      // when
      float p = panama.dot(a, 3, b, 5, dim);
      float s = SCALAR.dot(a, 3, b, 5, dim);
      // then
      assertAgrees("dot", dim, p, s, exactDot(a, 3, b, 5, dim), tolerance);
    });
  }

  @Test
  void panama_cosine_should_match_scalar_for_every_size_up_to_1024() {
    forEverySize(2, 0, 0, (dim, a, b) -> {
      double scale = Math.sqrt(exactDot(a, 0, a, 0, dim) * exactDot(b, 0, b, 0, dim));
      double tolerance = 1e-5 * magnitude(a, 0, b, 0, dim) / scale + 1e-7;
      double exact = exactDot(a, 0, b, 0, dim) / scale;
      // when
      float p = panama.cosine(a, b);
      float s = SCALAR.cosine(a, b);
      float pOff = panama.cosine(a, 0, b, 0, dim);
      // then
      assertAgrees("cosine", dim, p, s, exact, tolerance);
      assertThat(pOff).as("cosine with offsets, dim %d", dim).isEqualTo(p);
    });
  }

  @Test
  void panama_squared_l2_and_norm_should_match_scalar_for_every_size_up_to_1024() {
    forEverySize(3, 0, 0, (dim, a, b) -> {
      double exactL2 = 0;
      for (int i = 0; i < dim; i++) {
        double d = (double) a[i] - b[i];
        exactL2 += d * d;
      }
      double normTolerance = 1e-5 * exactDot(a, 0, a, 0, dim) + 1e-30;
      // when / then
      assertAgrees("squaredL2", dim, panama.squaredL2(a, b), SCALAR.squaredL2(a, b), exactL2,
          1e-5 * exactL2 + 1e-30);
      assertThat((double) panama.squaredNorm(a, 0, dim)).as("squaredNorm, dim %d", dim)
          .isCloseTo(SCALAR.squaredNorm(a, 0, dim), offset(normTolerance));
    });
  }

  @Test
  void panama_sum_should_match_scalar_for_every_size_up_to_1024() {
    Random random = new Random(7);
    for (int dim = 1; dim <= MAX_DIM; dim++) {
      // given
      float[] a = randomVector(random, dim + 1);
      double exact = 0, magnitude = 0;
      for (int i = 1; i <= dim; i++) {
        exact += a[i];
        magnitude += Math.abs(a[i]);
      }
      // when / then
      assertThat((double) panama.sum(a, 1, dim)).as("sum, dim %d", dim)
          .isCloseTo(SCALAR.sum(a, 1, dim), offset(1e-5 * magnitude))
          .isCloseTo(exact, offset(1e-5 * magnitude));
    }
  }

  @Test
  void panama_scale_should_match_scalar_exactly_for_every_size_up_to_1024() {
    Random random = new Random(4);
    for (int dim = 1; dim <= MAX_DIM; dim++) {
      // given
      float[] a = randomVector(random, dim + 2);
      float[] b = a.clone();
      // when
      panama.scale(a, 1, dim, 0.37f);
      SCALAR.scale(b, 1, dim, 0.37f);
      // then
      assertThat(a).as("scale, dim %d", dim).containsExactly(b);
    }
  }

  @Test
  void panama_matrix_kernels_should_match_row_by_row_dot_and_cosine() {
    Random random = new Random(5);
    for (int dim : new int[] {1, 7, 15, 16, 17, 31, 32, 33, 64, 100, 127, 207, 384, 702, 768, 1021}) {
      for (int rows = 1; rows <= 5; rows++) {
        // given
        float[] q = randomVector(random, dim);
        float[] m = randomVector(random, rows * dim + 4);
        float[] dots = new float[rows + 1];
        float[] cosines = new float[rows + 1];
        // when
        panama.dotMatrix(q, 0, m, 4, rows, dim, dots, 1);
        panama.cosineMatrix(q, 0, m, 4, rows, dim, cosines, 1);
        // then
        for (int r = 0; r < rows; r++) {
          double tolerance = 1e-5 * magnitude(q, 0, m, 4 + r * dim, dim) + 1e-30;
          assertThat((double) dots[1 + r]).as("dotMatrix dim %d row %d", dim, r)
              .isCloseTo(SCALAR.dot(q, 0, m, 4 + r * dim, dim), offset(tolerance));
          assertThat((double) cosines[1 + r]).as("cosineMatrix dim %d row %d", dim, r)
              .isCloseTo(SCALAR.cosine(q, 0, m, 4 + r * dim, dim), offset(1e-5));
        }
      }
    }
  }

  @Test
  void panama_blocked_dot_should_match_scalar_for_every_query_and_row_count() {
    Random random = new Random(6);
    for (int dim : new int[] {1, 5, 16, 17, 33, 64, 101, 384, 1021}) {
      for (int nq = 1; nq <= 9; nq++) {
        for (int rows = 1; rows <= 5; rows++) {
          // given
          float[] qs = randomVector(random, nq * dim + 2);
          float[] m = randomVector(random, rows * dim + 3);
          int stride = rows + 2;
          float[] p = new float[1 + nq * stride];
          float[] s = new float[1 + nq * stride];
          // when
          panama.dotBlock(qs, 2, nq, m, 3, rows, dim, p, 1, stride);
          SCALAR.dotBlock(qs, 2, nq, m, 3, rows, dim, s, 1, stride);
          // then
          for (int i = 0; i < nq; i++) {
            for (int r = 0; r < rows; r++) {
              int o = 1 + i * stride + r;
              double tolerance = 1e-5 * magnitude(qs, 2 + i * dim, m, 3 + r * dim, dim) + 1e-30;
              assertThat((double) p[o]).as("dim %d, nq %d, rows %d, query %d, row %d", dim, nq, rows, i, r)
                  .isCloseTo(s[o], offset(tolerance));
            }
          }
          assertThat(p[0]).as("nothing written before outOff").isZero();
        }
      }
    }
  }
}
