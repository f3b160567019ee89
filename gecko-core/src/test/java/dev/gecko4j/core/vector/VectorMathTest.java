package dev.gecko4j.core.vector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.function.BinaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VectorMathTest {

  @Test
  void should_compute_dot_cosine_distance_and_norm_of_small_vectors() {
    // given
    float[] a = {1, 2, 3};
    float[] b = {4, -5, 6};
    // when / then
    assertThat(VectorMath.dot(a, b)).isEqualTo(12f);
    assertThat(VectorMath.squaredL2(a, b)).isEqualTo(9f + 49f + 9f);
    assertThat(VectorMath.norm(a)).isCloseTo((float) Math.sqrt(14), within(1e-6f));
    assertThat(VectorMath.cosine(a, b))
        .isCloseTo((float) (12 / (Math.sqrt(14) * Math.sqrt(77))), within(1e-6f));
    assertThat(Similarity.DOT_PRODUCT.score(a, b)).isEqualTo(12f);
    assertThat(Similarity.COSINE.score(a, b)).isEqualTo(VectorMath.cosine(a, b));
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 15, 16, 17, 100, 384, 1021})
  void should_give_cosine_one_for_parallel_vectors(int dim) {
    // given
    float[] a = new float[dim];
    float[] b = new float[dim];
    for (int i = 0; i < dim; i++) {
      a[i] = (i % 7) - 3 + 0.5f;
      b[i] = 2.5f * a[i];
    }
    // when / then
    assertThat(VectorMath.cosine(a, b)).isCloseTo(1f, within(1e-5f));
    assertThat(VectorMath.squaredL2(a, a)).isZero();
  }

  @Test
  void should_report_the_implementation_in_use() {
    boolean module = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    boolean java25 = Runtime.version().feature() >= 25;
    assertThat(VectorMath.implementation()).isEqualTo(module && java25 ? "panama" : "scalar");
  }

  @Test
  void should_normalize_in_place_and_as_a_copy() {
    // given
    float[] v = {3, 4};
    // when
    float[] copy = VectorMath.normalizedCopy(v);
    // then
    assertThat(v).containsExactly(3, 4);
    assertThat(copy).containsExactly(new float[] {0.6f, 0.8f}, within(1e-7f));
    // when
    float[] same = VectorMath.normalize(v);
    // then
    assertThat(same).isSameAs(v).containsExactly(new float[] {0.6f, 0.8f}, within(1e-7f));
    assertThat(VectorMath.norm(v)).isCloseTo(1f, within(1e-6f));
  }

  @Test
  void should_normalize_vectors_whose_squared_norm_overflows_a_float() {
    // given
    float[] v = {3e20f, 4e20f};
    // when
    VectorMath.normalize(v);
    // then
    assertThat(v).containsExactly(new float[] {0.6f, 0.8f}, within(1e-6f));
  }

  @Test
  void should_score_a_query_against_every_row_of_a_matrix() {
    // given
    float[] q = {1, 0, 2};
    float[] matrix = {1, 1, 1, 0, 3, 0, -2, 0, 1};
    float[] dots = new float[4];
    float[] cosines = new float[3];
    // when
    VectorMath.dotMatrix(q, matrix, 3, dots);
    VectorMath.cosineMatrix(q, matrix, 3, cosines);
    // then
    assertThat(dots).containsExactly(3, 0, 0, 0);
    assertThat(cosines).containsExactly(
        new float[] {(float) (3 / (Math.sqrt(5) * Math.sqrt(3))), 0, 0}, within(1e-6f));
  }

  @Test
  void should_reject_vectors_of_different_dimensions() {
    float[] a = new float[384];
    float[] b = new float[383];
    for (BinaryOperator<float[]> op : List.<BinaryOperator<float[]>>of(
        (x, y) -> new float[] {VectorMath.dot(x, y)},
        (x, y) -> new float[] {VectorMath.cosine(x, y)},
        (x, y) -> new float[] {VectorMath.squaredL2(x, y)})) {
      assertThatThrownBy(() -> op.apply(a, b))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessage("vector dimensions differ: 384 != 383");
    }
  }

  @Test
  void should_name_the_first_non_finite_value() {
    // given
    float[] ok = {1, 2, 3, 4, 5};
    float[] nan = {1, 2, 3, Float.NaN, 5};
    float[] inf = {1, Float.POSITIVE_INFINITY, 3, 4, 5};
    // when / then
    assertThatThrownBy(() -> VectorMath.dot(nan, ok))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("non-finite value at a[3]=NaN");
    assertThatThrownBy(() -> VectorMath.dot(ok, inf))
        .hasMessage("non-finite value at b[1]=Infinity");
    assertThatThrownBy(() -> VectorMath.cosine(ok, nan))
        .hasMessage("non-finite value at b[3]=NaN");
    assertThatThrownBy(() -> VectorMath.squaredL2(inf, inf))
        .hasMessage("non-finite value at a[1]=Infinity");
    assertThatThrownBy(() -> VectorMath.norm(nan))
        .hasMessage("non-finite value at v[3]=NaN");
    assertThatThrownBy(() -> VectorMath.normalize(inf))
        .hasMessage("non-finite value at v[1]=Infinity");
  }

  @Test
  void should_find_a_non_finite_value_hidden_by_a_zero_partner() {
    // given: inf * 0 is NaN, which still makes the result non-finite
    float[] a = {Float.NEGATIVE_INFINITY, 1};
    float[] b = {0, 1};
    // when / then
    assertThatThrownBy(() -> VectorMath.dot(a, b))
        .hasMessage("non-finite value at a[0]=-Infinity");
  }

  @Test
  void should_refuse_to_normalize_a_zero_vector() {
    assertThatThrownBy(() -> VectorMath.normalize(new float[4]))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cannot normalize a zero-length vector");
    assertThatThrownBy(() -> VectorMath.normalizedCopy(new float[4]))
        .hasMessage("Cannot normalize a zero-length vector");
  }

  @Test
  void should_refuse_the_cosine_of_a_zero_vector() {
    assertThatThrownBy(() -> VectorMath.cosine(new float[] {1, 2}, new float[2]))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("cosine is undefined for a zero-length vector, but b is all zeros");
  }

  @Test
  void should_reject_null_and_empty_vectors() {
    float[] ok = {1};
    assertThatThrownBy(() -> VectorMath.dot(null, ok))
        .isExactlyInstanceOf(IllegalArgumentException.class).hasMessage("a must not be null");
    assertThatThrownBy(() -> VectorMath.cosine(ok, null)).hasMessage("b must not be null");
    assertThatThrownBy(() -> VectorMath.squaredL2(new float[0], new float[0]))
        .hasMessage("a must have at least one dimension, but has 0");
    assertThatThrownBy(() -> VectorMath.norm(null)).hasMessage("v must not be null");
    assertThatThrownBy(() -> VectorMath.normalize(new float[0]))
        .hasMessage("v must have at least one dimension, but has 0");
    assertThatThrownBy(() -> VectorMath.normalizedCopy(null)).hasMessage("v must not be null");
  }

  @Test
  void should_reject_bad_matrix_arguments() {
    float[] q = {1, 2};
    assertThatThrownBy(() -> VectorMath.dotMatrix(q, new float[5], 3, new float[3]))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("matrix must have length rows*dim=3*2=6, but has 5");
    assertThatThrownBy(() -> VectorMath.dotMatrix(q, new float[6], 3, new float[2]))
        .hasMessage("out must have length >= rows=3, but has 2");
    assertThatThrownBy(() -> VectorMath.dotMatrix(q, new float[0], 0, new float[2]))
        .hasMessage("rows must be >= 1, but is: 0");
    assertThatThrownBy(() -> VectorMath.dotMatrix(null, new float[6], 3, new float[3]))
        .hasMessage("query must not be null");
    assertThatThrownBy(() -> VectorMath.dotMatrix(q, null, 3, new float[3]))
        .hasMessage("matrix must not be null");
    assertThatThrownBy(() -> VectorMath.cosineMatrix(q, new float[6], 3, null))
        .hasMessage("out must not be null");
  }

  @Test
  void should_name_non_finite_and_zero_rows_of_a_matrix() {
    float[] q = {1, 2};
    float[] matrix = {1, 1, 2, 2, 3, Float.NaN};
    assertThatThrownBy(() -> VectorMath.dotMatrix(q, matrix, 3, new float[3]))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("non-finite value at matrix[5]=NaN (row 2)");
    assertThatThrownBy(() -> VectorMath.dotMatrix(new float[] {Float.NaN, 0}, new float[6], 3,
        new float[3]))
        .hasMessage("non-finite value at query[0]=NaN");
    assertThatThrownBy(() -> VectorMath.cosineMatrix(q, new float[] {1, 1, 0, 0}, 2, new float[2]))
        .hasMessage("cosine is undefined for a zero-length vector, but matrix row 1 is all zeros");
  }

  @ParameterizedTest
  @ValueSource(doubles = {1e-15, 1e-20, 1e-22, 1e-23, 1e-30, 1e-39, 1e-44})
  void should_give_exact_norms_cosines_and_unit_vectors_for_tiny_vectors(double scale) {
    // given: a 3-4-5 triangle at the scale, and a vector pointing elsewhere
    float[] v = {(float) (3 * scale), (float) (4 * scale)};
    float[] w = {(float) (4 * scale), (float) (3 * scale)};
    double length = Math.hypot(v[0], v[1]);
    // when / then: the norm, the cosine (0.96 = 24/25) and the normalised vector are right
    // (to the float nearest the length: subnormal floats have fewer digits)
    assertThat((double) VectorMath.norm(v))
        .isCloseTo(length, within(length * 1e-6 + Math.ulp((float) length)));
    assertThat(VectorMath.cosine(v, v)).isCloseTo(1f, within(1e-6f));
    assertThat(VectorMath.cosine(v, w))
        .isCloseTo((float) ((2.0 * v[0] * v[1]) / (length * length)), within(1e-6f));
    float[] unit = VectorMath.normalizedCopy(v);
    assertThat(unit[0]).isCloseTo((float) (v[0] / length), within(1e-6f));
    assertThat(unit[1]).isCloseTo((float) (v[1] / length), within(1e-6f));
  }

  @Test
  void should_normalize_the_smallest_float_to_one() {
    assertThat(VectorMath.normalizedCopy(new float[] {Float.MIN_VALUE, 0})).containsExactly(1f, 0f);
    assertThat(VectorMath.cosine(new float[] {Float.MIN_VALUE}, new float[] {Float.MIN_VALUE}))
        .isEqualTo(1f);
  }

  @Test
  void should_give_cosine_one_for_a_tiny_embedding_sized_vector_with_itself() {
    // given: 384 components near 1e-22 (their float squares are subnormal)
    float[] v = new float[384];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) ((1 + (i % 5)) * 1e-22);
    }
    // when / then
    assertThat(VectorMath.cosine(v, v)).isCloseTo(1f, within(1e-6f));
    float[] unit = VectorMath.normalize(v.clone());
    assertThat((double) VectorMath.norm(unit)).isCloseTo(1.0, within(1e-6));
    assertThat(unit[0] * 5).isCloseTo(unit[4], within(1e-6f));
  }

  @Test
  void should_give_exact_cosines_and_unit_vectors_for_huge_vectors() {
    // given: float squares of 1e20 overflow
    float[] v = {3e20f, 4e20f};
    float[] w = {4e20f, 3e20f};
    // when / then
    assertThat(VectorMath.cosine(v, w)).isCloseTo(0.96f, within(1e-6f));
    assertThat(VectorMath.normalizedCopy(new float[] {3e37f, 4e37f}))
        .containsExactly(new float[] {0.6f, 0.8f}, within(1e-6f));
  }
}
