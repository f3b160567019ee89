package dev.gecko4j.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrainingConfigTest {

  @Test
  void should_build_with_documented_defaults_and_copy_the_dims() {
    int[] dims = {384, 256};
    TrainingConfig c = TrainingConfig.builder("bge-small-en-v1.5", Path.of("out")).matryoshkaDims(dims).build();
    dims[0] = 1;
    assertThat(c.matryoshkaDims()).containsExactly(384, 256);
    assertThat(c.loss()).isEqualTo(TrainingConfig.Loss.GECKO);
    assertThat(c.temperature()).isEqualTo(0.05);
    assertThat(c.toBuilder().build()).isEqualTo(c);
  }

  @Test
  void should_reject_bad_values_naming_the_value_and_range() {
    assertThatThrownBy(() -> builder().batchSize(1).build()).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("batchSize must be between 2 and 65536, but is: 1");
    assertThatThrownBy(() -> builder().learningRate(0).build())
        .hasMessageContaining("learningRate must be in (0, 1], but is: 0");
    assertThatThrownBy(() -> builder().temperature(-1).build()).hasMessageContaining("temperature");
    assertThatThrownBy(() -> builder().loss((TrainingConfig.Loss) null).build()).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("loss must be one of [GECKO, IN_BATCH, E5], but is: null");
    assertThatThrownBy(() -> TrainingConfig.builder("m", null).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("outputDirectory must not be null");
  }

  @Test
  void should_store_a_bad_value_in_the_builder_and_reject_it_once_at_build() {
    TrainingConfig.Builder b = builder().steps(0);
    assertThatThrownBy(b::build).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("steps must be between 1 and 10000000, but is: 0");
    assertThat(b.steps(10).build().steps()).isEqualTo(10);
  }

  private static TrainingConfig.Builder builder() {
    return TrainingConfig.builder("m", Path.of("o"));
  }

  @Test
  void should_reject_conflicting_values_as_bad_state() {
    assertThatThrownBy(() -> TrainingConfig.builder("m", Path.of("o")).steps(5).warmupSteps(6).build())
        .isInstanceOf(IllegalStateException.class).hasMessage("warmupSteps (6) must not exceed steps (5)");
    assertThatThrownBy(() -> TrainingConfig.builder("m", Path.of("o")).batchSize(4).microBatchSize(8).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("microBatchSize (8) must not exceed batchSize (4)");
  }

  @Test
  void should_validate_examples_and_sources() {
    assertThatThrownBy(() -> new TrainingExample(" ", "p", null)).hasMessageContaining("query must be a non-blank text");
    assertThatThrownBy(() -> new TrainingSource("s", 0, List.of(new TrainingExample("q", "p", null))))
        .hasMessageContaining("weight of source 's' must be finite and > 0, but is: 0.0");
    assertThat(new TrainingSource("s", 1, List.of(new TrainingExample("q", "p", "n"))).hasNegatives()).isTrue();
  }
}
