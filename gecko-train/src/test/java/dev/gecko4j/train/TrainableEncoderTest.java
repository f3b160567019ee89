package dev.gecko4j.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class TrainableEncoderTest {
  @RegisterExtension static final BgeSmallEncoder BGE_SMALL = new BgeSmallEncoder();

  @Test
  void should_run_every_gelu_and_layer_norm_of_bge_small_as_one_fused_op() throws Exception {
    // given the bundled bge-small graph (12 layers: 12 GELUs, 1 + 2 x 12 LayerNorms)
    dev.gecko4j.train.onnx.OnnxModel model = dev.gecko4j.train.onnx.OnnxModel.parse(
        TrainableEncoder.resource(TrainableEncoder.BGE_SMALL_ONNX));

    // when the interpreter is built
    dev.gecko4j.train.onnx.OnnxTorchGraph graph = new dev.gecko4j.train.onnx.OnnxTorchGraph(model);

    // then all 37 decomposed subgraphs are fused (the ORT comparison below checks their maths)
    assertThat(graph.fusedSubgraphs()).isEqualTo(37);
  }

  @Test
  void should_match_onnx_runtime_token_states_on_a_padded_batch() throws Exception {
    // given two texts of different lengths (so the second row is padded)
    dev.gecko4j.onnx.TokenizedBatch batch = BGE_SMALL.encoder().tokenize(List.of(
        "Gecko distils an LLM into a compact text embedder.",
        "short one"), 32);

    // when the graph runs on PyTorch and on ONNX Runtime
    float[] torch;
    try (NDManager scope = BGE_SMALL.encoder().manager().newSubManager()) {
      Map<String, NDArray> params = BGE_SMALL.encoder().upload(scope, false);
      torch = BGE_SMALL.encoder().tokenStates(scope, params, batch).toFloatArray();
    }
    float[] ort = OrtReference.lastHiddenState(TrainableEncoder.resource(TrainableEncoder.BGE_SMALL_ONNX), batch);

    // then the token states agree within 1e-4
    assertThat(torch).hasSize(batch.rows() * batch.sequenceLength() * 384);
    assertThat(OrtReference.maxAbsDiff(torch, ort)).isLessThanOrEqualTo(1e-4f);
  }

  @Test
  void should_return_unit_length_cls_embeddings() {
    // when
    float[][] e = BGE_SMALL.encoder()
        .embedTexts(List.of("a cat sat on the mat", "stock markets fell"), 16, 2);

    // then
    for (float[] v : e) {
      double n = 0;
      for (float x : v) {
        n += x * x;
      }
      assertThat(Math.sqrt(n)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
    }
  }
}
