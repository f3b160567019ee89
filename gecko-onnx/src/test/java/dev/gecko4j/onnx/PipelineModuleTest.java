package dev.gecko4j.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.gecko4j.core.Pooling;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pipeline modules compute what sentence-transformers' modules compute. */
class PipelineModuleTest {

  // W = [[1, 2], [-1, 0.5], [0, -3]] (out 3, in 2), b = [0.5, 0, -1]
  static final float[] W = {1, 2, -1, 0.5f, 0, -3};
  static final float[] B = {0.5f, 0, -1};

  @Test
  void should_apply_a_dense_layer_row_by_row_with_its_activation() {
    float[] x = {1, -1, 2, 0.5f}; // two rows
    float[] first = {1, -1};
    // W x + b: row 0 -> [-0.5, -1.5, 2], row 1 -> [3.5, -1.75, -2.5]
    assertThat(dense(PipelineModule.Activation.IDENTITY, B).apply(x, 2))
        .containsExactly(new float[] {-0.5f, -1.5f, 2, 3.5f, -1.75f, -2.5f}, within(1e-6f));
    assertThat(dense(PipelineModule.Activation.RELU, B).apply(x, 2))
        .containsExactly(new float[] {0, 0, 2, 3.5f, 0, 0}, within(1e-6f));
    assertThat(dense(PipelineModule.Activation.TANH, null).apply(first, 1))
        .containsExactly(new float[] {(float) Math.tanh(-1), (float) Math.tanh(-1.5),
            (float) Math.tanh(3)}, within(1e-6f));
    assertThat(dense(PipelineModule.Activation.SIGMOID, B).apply(first, 1)[0])
        .isCloseTo((float) (1 / (1 + Math.exp(0.5))), within(1e-6f));
    assertThat(dense(PipelineModule.Activation.SILU, B).apply(first, 1)[2])
        .isCloseTo((float) (2 / (1 + Math.exp(-2))), within(1e-6f));
  }

  @Test
  void should_refuse_vectors_of_another_size_naming_the_module() {
    assertThatThrownBy(() -> dense(PipelineModule.Activation.TANH, B).apply(new float[3], 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("2_Dense: Dense expects vectors of in_features = 2 values, but got 3 values "
            + "for 1 rows");
    assertThatThrownBy(() -> new PipelineModule.Dense("2_Dense", 2, 3,
        PipelineModule.Activation.TANH, new float[5], null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("weight must hold out_features x in_features = 3 x 2 values, but holds 5");
  }

  @Test
  void should_keep_pooling_modes_in_sentence_transformers_order_and_refuse_repeats() {
    assertThat(new PipelineModule.Pool("1_Pooling",
        List.of(Pooling.LAST_TOKEN, Pooling.MEAN, Pooling.CLS), true, 8).modes())
        .containsExactly(Pooling.CLS, Pooling.MEAN, Pooling.LAST_TOKEN);
    assertThatThrownBy(() -> new PipelineModule.Pool("1_Pooling",
        List.of(Pooling.MEAN, Pooling.MEAN), true, 8))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("modes must name at least one pooling mode, each once, but are: [MEAN, MEAN]");
  }

  @Test
  void should_refuse_a_pipeline_that_does_not_start_with_a_transformer() {
    ModelSpec bge = Models.BGE_SMALL_EN_V15.spec();
    assertThatThrownBy(() -> bge.withModules(List.of(new PipelineModule.Normalize("n"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("modules must start with a Transformer, but are: [Normalize[path=n]]");
  }

  private static PipelineModule.Dense dense(PipelineModule.Activation a, float[] bias) {
    return new PipelineModule.Dense("2_Dense", 2, 3, a, W, bias);
  }
}
