package dev.gecko4j.core.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gecko4j.core.vector.Similarity;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link VectorIndexFactory} and the {@link VectorIndex} contract as {@link FlatIndex} keeps it. */
class VectorIndexFactoryTest {

  @Test
  void should_make_flat_indexes_that_answer_as_vector_indexes() {
    VectorIndex index = VectorIndexFactory.flat().create(2, Similarity.COSINE, 3);
    assertThat(index).isInstanceOf(FlatIndex.class);
    assertThat(index.isExact()).isTrue();
    index.addAll(List.of("a", "b", "c"),
        List.of(new float[] {1, 0}, new float[] {0, 1}, new float[] {1, 1}));
    assertThat(index.size()).isEqualTo(3);
    assertThat(index.id(2)).isEqualTo("c");
    assertThat(index.search(new float[] {1, 0.2f}, 2)).extracting(Hit::id)
        .containsExactly("a", "c");
    assertThat(VectorIndexFactory.flat().name()).isEqualTo("flat");
  }

  @Test
  void should_check_every_element_before_adding_any() {
    VectorIndex index = VectorIndexFactory.flat().create(2, Similarity.COSINE, 0);
    assertThatThrownBy(() -> index.addAll(List.of("a", "b"),
        List.of(new float[] {1, 0}, new float[] {0, 0})))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vectors[1]")
        .hasMessageContaining("all zeros");
    assertThatThrownBy(() -> index.addAll(List.of("a", "a"),
        List.of(new float[] {1, 0}, new float[] {0, 1})))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("duplicate id 'a'");
    assertThatThrownBy(() -> index.addAll(List.of("a"), List.of(new float[] {1, Float.NaN})))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NaN");
    assertThatThrownBy(() -> index.addAll(List.of("a"), List.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("same size");
    assertThatThrownBy(() -> index.addAll(null, List.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ids");
    assertThat(index.size()).isZero();
  }

  @Test
  void should_pick_the_factory_by_expected_size() {
    VectorIndexFactory large = (d, s, n) -> new FlatIndex(d, Similarity.DOT_PRODUCT);
    VectorIndexFactory f = VectorIndexFactory.bySize(100, VectorIndexFactory.flat(), large);
    assertThat(f.create(4, Similarity.COSINE, 99).similarity()).isEqualTo(Similarity.COSINE);
    assertThat(f.create(4, Similarity.COSINE, 100).similarity()).isEqualTo(Similarity.DOT_PRODUCT);
    assertThatThrownBy(() -> VectorIndexFactory.bySize(-1, VectorIndexFactory.flat(), large))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("but is: -1");
    assertThatThrownBy(() -> VectorIndexFactory.bySize(1, null, large))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("small");
    assertThatThrownBy(() -> f.create(4, Similarity.COSINE, -1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expectedSize");
  }

  @Test
  void should_find_no_approximate_factory_when_no_module_registers_one() {
    assertThat(VectorIndexFactory.approximate()).isEmpty();
  }
}
