package dev.gecko4j.train.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** GraphEdit on the small hand-built model of {@link OnnxModelTest} (y = MatMul(x, w)). */
class GraphEditTest {

  static OnnxModel edited(GraphEdit edit) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    OnnxModel.parse(OnnxModelTest.model()).write(out, edit);
    return OnnxModel.parse(out.toByteArray());
  }

  @Test
  void insertsANodeAfterAnotherAndMakesItsOutputTheGraphs() throws IOException {
    OnnxModel m = edited(new GraphEdit()
        .insertAfter("y", GraphEdit.node("Cast", List.of("y"), List.of("z"),
            Map.of("to", (long) TensorData.FLOAT)))
        .replaceOutputs(List.of(GraphEdit.output("z", TensorData.FLOAT, "batch", "2"))));
    assertThat(m.nodes()).extracting(OnnxNode::opType).containsExactly("MatMul", "Cast");
    assertThat(m.nodes().get(1).intAttr("to", -1)).isEqualTo(TensorData.FLOAT);
    assertThat(m.outputs()).containsExactly("z");
    assertThat(m.opsetVersion()).isEqualTo(11);
  }

  @Test
  void rewiresANodeToANewInitializerAndAddsAGraphInput() throws IOException {
    OnnxModel m = edited(new GraphEdit()
        .addInitializer(new TensorData("w2", TensorData.FLOAT, new long[] {2, 2},
            TensorData.floatBytes(new float[] {5, 6, 7, 8})))
        .rewire("y", "w", "w2")
        .addInput("mask", TensorData.INT64, "batch", "sequence"));
    assertThat(m.nodes().get(0).inputs()).containsExactly("x", "w2");
    assertThat(m.nodes().get(0).intsAttr("perm")).containsExactly(1, 0);
    assertThat(m.initializers().get("w2").floats()).containsExactly(5f, 6f, 7f, 8f);
    assertThat(m.inputs()).containsExactly("x", "mask");
    assertThat(m.outputs()).containsExactly("y");
  }

  @Test
  void prunesNodesAndInitializersTheOutputsNoLongerNeed() throws IOException {
    OnnxModel m = edited(new GraphEdit()
        .insertAfter("y", GraphEdit.node("Identity", List.of("x"), List.of("x2"), Map.of()))
        .replaceOutputs(List.of(GraphEdit.output("x2", TensorData.FLOAT, "batch", "2")))
        .pruneUnused());
    assertThat(m.nodes()).extracting(OnnxNode::opType).containsExactly("Identity");
    assertThat(m.initializers()).isEmpty();
  }

  @Test
  void refusesChangesThatDoNotFitTheGraph() {
    assertThatThrownBy(() -> edited(new GraphEdit().removeNode("nope")))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("no node of the graph has the first output [nope]");
    assertThatThrownBy(() -> edited(new GraphEdit().rewire("y", "v", "w")))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("node 'y' reads [x, w], not 'v'");
    assertThatThrownBy(() -> edited(new GraphEdit().addInitializer(new TensorData("w",
        TensorData.FLOAT, new long[] {1}, TensorData.floatBytes(new float[] {1})))))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("initializer 'w' clashes with a value the graph already has");
    assertThatThrownBy(() -> GraphEdit.output("z", 99, "1"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("elementType must be an ONNX tensor type code such as 1 (float) or 7 (int64), "
            + "but is: 99");
  }
}
