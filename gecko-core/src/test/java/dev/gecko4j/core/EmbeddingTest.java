package dev.gecko4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class EmbeddingTest {

  @Test
  void of_should_copy_and_wrap_should_not() {
    // given
    float[] values = {3, 4, 12};
    // when
    Embedding copied = Embedding.of(values);
    Embedding wrapped = Embedding.wrap(values);
    values[0] = 5;
    // then
    assertThat(copied.get(0)).isEqualTo(3f);
    assertThat(wrapped.get(0)).isEqualTo(5f);
    assertThat(copied.dimension()).isEqualTo(3);
  }

  @Test
  void to_array_and_copy_to_should_hand_out_copies() {
    // given
    Embedding e = Embedding.of(new float[] {1, 2});
    float[] dest = new float[4];
    // when
    float[] array = e.toArray();
    array[0] = 99;
    e.copyTo(dest, 1);
    // then
    assertThat(e.get(0)).isEqualTo(1f);
    assertThat(dest).containsExactly(0, 1, 2, 0);
  }

  @Test
  void copy_to_should_reject_a_destination_the_values_do_not_fit_into() {
    // given
    Embedding e = Embedding.of(new float[] {1, 2});
    float[] dest = new float[3];
    // when / then
    assertThatThrownBy(() -> e.copyTo(dest, 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("offset must be between 0 and 1 to fit 2 values into dest[3], but is: 2");
    assertThatThrownBy(() -> e.copyTo(dest, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("but is: -1");
    assertThatThrownBy(() -> e.copyTo(null, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("dest must not be null");
    assertThat(dest).containsExactly(0, 0, 0);
  }

  @Test
  void truncate_should_keep_the_prefix_and_renormalise_it() {
    // given
    Embedding e = Embedding.of(new float[] {3, 4, 12});
    // when
    Embedding prefix = e.truncate(2);
    Embedding full = e.truncate(3);
    // then
    assertThat(prefix.toArray()).containsExactly(new float[] {0.6f, 0.8f}, within(1e-7f));
    assertThat(prefix.norm()).isCloseTo(1.0, within(1e-6));
    assertThat(full.toArray())
        .containsExactly(new float[] {3 / 13f, 4 / 13f, 12 / 13f}, within(1e-7f));
  }

  @Test
  void truncate_should_reject_a_dimension_out_of_range_or_a_zero_prefix() {
    Embedding e = Embedding.of(new float[] {0, 0, 1});
    assertThatThrownBy(() -> e.truncate(0))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("dims must be between 1 and 3, but is: 0");
    assertThatThrownBy(() -> e.truncate(4)).hasMessage("dims must be between 1 and 3, but is: 4");
    assertThatThrownBy(() -> e.truncate(2)).hasMessage("Cannot normalize a zero-length vector");
  }

  @Test
  void should_compute_norm_dot_cosine_and_normalize() {
    // given
    Embedding a = Embedding.of(new float[] {3, 4});
    Embedding b = Embedding.of(new float[] {4, -3});
    Embedding c = Embedding.of(new float[] {6, 8});
    // when / then
    assertThat(a.norm()).isEqualTo(5.0);
    assertThat(a.dot(b)).isEqualTo(0.0);
    assertThat(a.dot(c)).isEqualTo(50.0);
    assertThat(a.cosine(c)).isCloseTo(1.0, within(1e-12));
    assertThat(a.normalize().toArray()).containsExactly(0.6f, 0.8f);
  }

  @Test
  void should_reject_invalid_vectors() {
    assertThatThrownBy(() -> Embedding.of(null))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("vector must not be null");
    assertThatThrownBy(() -> Embedding.wrap(null)).hasMessage("vector must not be null");
    assertThatThrownBy(() -> Embedding.of(new float[0]))
        .hasMessage("vector must have at least one dimension, but has 0");
    assertThatThrownBy(() -> Embedding.of(new float[] {1, Float.NaN}))
        .hasMessage("non-finite value at vector[1]=NaN; expected a finite float");
    assertThatThrownBy(() -> Embedding.wrap(new float[] {Float.NEGATIVE_INFINITY}))
        .hasMessage("non-finite value at vector[0]=-Infinity; expected a finite float");
  }

  @Test
  void should_reject_comparisons_across_dimensions_and_with_zero_vectors() {
    Embedding a = Embedding.of(new float[] {1, 2, 3});
    Embedding zero = Embedding.of(new float[3]);
    assertThatThrownBy(() -> a.dot(Embedding.of(new float[] {1, 2})))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("embedding dimensions differ: 3 != 2");
    assertThatThrownBy(() -> a.dot(null)).hasMessage("embedding dimensions differ: 3 != null");
    assertThatThrownBy(() -> a.cosine(zero)).hasMessage("cosine of a zero vector is undefined");
    assertThatThrownBy(zero::normalize).hasMessage("Cannot normalize a zero-length vector");
  }

  @Test
  void should_be_a_value_with_a_short_description() {
    assertThat(Embedding.of(new float[] {1, 2})).isEqualTo(Embedding.of(new float[] {1, 2}))
        .hasSameHashCodeAs(Embedding.of(new float[] {1, 2}))
        .isNotEqualTo(Embedding.of(new float[] {1, 3}));
    assertThat(Embedding.of(new float[] {3, 4, 12})).hasToString(
        "Embedding[dim=3, 3.0000, 4.0000, 12.0000]");
    assertThat(Embedding.of(new float[] {1, 2, 3, 4, 5})).hasToString(
        "Embedding[dim=5, 1.0000, 2.0000, 3.0000, 4.0000, ...]");
  }
}
