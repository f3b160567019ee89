package dev.gecko4j.core.vector.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kernel (scalar, and Panama where this JVM can run it) gives the right cosine for vectors
 * whose float sums of squares underflow (components near 1e-22 or smaller, down to subnormal
 * ones) or overflow (components above ~1.8e19): the same cosine as the vectors scaled to
 * ordinary magnitudes.
 */
class TinyAndHugeVectorsTest {

  static List<VectorSupport> kernels() {
    List<VectorSupport> all = new ArrayList<>();
    all.add(new ScalarVectorSupport());
    VectorSupportProvider.panama().ifPresent(all::add);
    return all;
  }

  private static float[] random(long seed, int dim) {
    Random r = new Random(seed);
    float[] v = new float[dim];
    for (int i = 0; i < dim; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return v;
  }

  private static float[] times(float[] v, double factor) {
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (float) (v[i] * factor);
    }
    return out;
  }

  private static double reference(float[] a, float[] b) {
    double dot = 0, na = 0, nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }

  @ParameterizedTest
  @MethodSource("kernels")
  void should_score_tiny_vectors_as_their_ordinary_sized_copies(VectorSupport kernels) {
    for (double scale : new double[] {1e-15, 1e-20, 1e-22, 1e-23, 1e-30, 1e-36}) {
      for (int dim : new int[] {3, 16, 67, 384}) {
        // given
        float[] a = times(random(1, dim), scale);
        float[] b = times(random(2, dim), scale);
        double expected = reference(a, b);
        // when / then
        assertThat(kernels.cosine(a, b)).as("%s dim %d scale %s", kernels.name(), dim, scale)
            .isCloseTo((float) expected, within(1e-5f));
        assertThat(kernels.cosine(a, a)).as("%s self dim %d scale %s", kernels.name(), dim, scale)
            .isCloseTo(1f, within(1e-5f));
        assertThat(kernels.cosine(a, 0, b, 0, dim)).isCloseTo((float) expected, within(1e-5f));
      }
    }
  }

  @ParameterizedTest
  @MethodSource("kernels")
  void should_score_subnormal_vectors_with_cosine_one_against_themselves(VectorSupport kernels) {
    // given: 1e-39 is below the smallest normal float (1.2e-38)
    float[] a = times(random(3, 384), 1e-39);
    float[] row = new float[2 * 384];
    System.arraycopy(a, 0, row, 384, 384);
    float[] out = new float[2];
    // when
    float self = kernels.cosine(a, a);
    kernels.cosineMatrix(a, 0, row, 0, 2, 384, out, 0);
    // then: row 0 is all zeros (undefined), row 1 is a itself
    assertThat(self).isCloseTo(1f, within(1e-5f));
    assertThat(out[1]).isCloseTo(1f, within(1e-5f));
    assertThat(out[0]).isNaN();
  }

  @ParameterizedTest
  @MethodSource("kernels")
  void should_score_huge_vectors_as_their_ordinary_sized_copies(VectorSupport kernels) {
    // given: squares of 1e25 overflow a float
    float[] a = times(random(4, 384), 1e25);
    float[] b = times(random(5, 384), 1e25);
    // when / then
    assertThat(kernels.cosine(a, b)).isCloseTo((float) reference(a, b), within(1e-5f));
    assertThat(kernels.cosine(a, a)).isCloseTo(1f, within(1e-5f));
  }

  @org.junit.jupiter.api.Test
  void should_scale_tiny_and_huge_vectors_to_unit_length() {
    for (double scale : new double[] {1e-40, 1e-23, 1, 1e20, 1e30}) {
      // given
      float[] v = times(random(6, 384), scale);
      // when
      dev.gecko4j.core.vector.VectorMath.normalizeInPlace(v, 0, v.length);
      // then
      double length = 0;
      for (float x : v) {
        length += (double) x * x;
      }
      assertThat(Math.sqrt(length)).as("scale %s", scale).isCloseTo(1.0, within(1e-5));
    }
  }

  @org.junit.jupiter.api.Test
  void should_reject_a_zero_vector_instead_of_leaving_it_unnormalised() {
    float[] zero = new float[8];
    org.assertj.core.api.Assertions.assertThatThrownBy(
        () -> dev.gecko4j.core.vector.VectorMath.normalizeInPlace(zero, 0, zero.length))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cannot normalize a zero-length vector");
  }

  @org.junit.jupiter.api.Test
  void should_normalise_as_the_embedder_did_in_double_precision_bit_for_bit() {
    float[] v = random(7, 384);
    float[] expected = v.clone();
    double s = 0;
    for (float x : expected) {
      s += (double) x * x;
    }
    double inv = 1.0 / Math.sqrt(s);
    for (int d = 0; d < expected.length; d++) {
      expected[d] = (float) (expected[d] * inv);
    }

    dev.gecko4j.core.vector.VectorMath.normalizeInPlace(v, 0, v.length);

    assertThat(v).containsExactly(expected);
  }
}
