package dev.gecko4j.train.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OnnxModel on a small hand-built model: write-read round trips, and truncated, bit-flipped and
 * oversized input (a clear {@link IllegalArgumentException}, never another exception, a huge
 * allocation or a loop).
 */
class OnnxModelTest {

  /** ModelProto: ir_version 7, opset 11, then the graph y = MatMul(x, w) with a float and an int64 initializer. */
  static byte[] model() {
    ByteArrayOutputStream node = new ByteArrayOutputStream();
    string(node, 1, "x");
    string(node, 1, "w");
    string(node, 2, "y");
    string(node, 3, "mm");
    string(node, 4, "MatMul");
    ByteArrayOutputStream attr = new ByteArrayOutputStream();
    string(attr, 1, "perm");
    Wire.writeTag(attr, 20, Wire.VARINT);
    Wire.writeVarint(attr, 7);
    ByteArrayOutputStream packed = new ByteArrayOutputStream();
    Wire.writeVarint(packed, 1);
    Wire.writeVarint(packed, 0);
    message(attr, 8, packed);
    message(node, 5, attr);

    ByteArrayOutputStream w = new ByteArrayOutputStream();
    Wire.writeTag(w, 1, Wire.VARINT);
    Wire.writeVarint(w, 2);
    Wire.writeTag(w, 1, Wire.VARINT);
    Wire.writeVarint(w, 2);
    Wire.writeTag(w, 2, Wire.VARINT);
    Wire.writeVarint(w, TensorData.FLOAT);
    string(w, 8, "w");
    byte[] raw = TensorData.floatBytes(new float[] {1f, 2f, 3f, 4f});
    Wire.writeBytes(w, 9, raw, 0, raw.length);

    ByteArrayOutputStream shape = new ByteArrayOutputStream();
    Wire.writeTag(shape, 1, Wire.VARINT);
    Wire.writeVarint(shape, 2);
    Wire.writeTag(shape, 2, Wire.VARINT);
    Wire.writeVarint(shape, TensorData.INT64);
    string(shape, 8, "shape");
    ByteArrayOutputStream ints = new ByteArrayOutputStream();
    Wire.writeVarint(ints, 1);
    Wire.writeVarint(ints, -1);
    message(shape, 7, ints);

    ByteArrayOutputStream x = new ByteArrayOutputStream();
    string(x, 1, "x");
    ByteArrayOutputStream y = new ByteArrayOutputStream();
    string(y, 1, "y");

    ByteArrayOutputStream graph = new ByteArrayOutputStream();
    message(graph, 1, node);
    string(graph, 2, "tiny");
    message(graph, 5, w);
    message(graph, 5, shape);
    message(graph, 11, x);
    message(graph, 12, y);

    ByteArrayOutputStream opset = new ByteArrayOutputStream();
    string(opset, 1, "");
    Wire.writeTag(opset, 2, Wire.VARINT);
    Wire.writeVarint(opset, 11);

    ByteArrayOutputStream model = new ByteArrayOutputStream();
    Wire.writeTag(model, 1, Wire.VARINT);
    Wire.writeVarint(model, 7);
    message(model, 8, opset);
    message(model, 7, graph);
    return model.toByteArray();
  }

  static void string(ByteArrayOutputStream out, int field, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    Wire.writeBytes(out, field, b, 0, b.length);
  }

  static void message(ByteArrayOutputStream out, int field, ByteArrayOutputStream m) {
    byte[] b = m.toByteArray();
    Wire.writeBytes(out, field, b, 0, b.length);
  }

  @Test
  void should_read_the_graph_nodes_attributes_and_initializers() {
    OnnxModel m = OnnxModel.parse(model());

    assertThat(m.opsetVersion()).isEqualTo(11);
    assertThat(m.inputs()).containsExactly("x");
    assertThat(m.outputs()).containsExactly("y");
    assertThat(m.nodes()).singleElement().satisfies(n -> {
      assertThat(n.opType()).isEqualTo("MatMul");
      assertThat(n.inputs()).containsExactly("x", "w");
      assertThat(n.intsAttr("perm")).containsExactly(1, 0);
    });
    assertThat(m.initializers().get("w").dims()).containsExactly(2, 2);
    assertThat(m.initializers().get("w").floats()).containsExactly(1f, 2f, 3f, 4f);
    assertThat(m.initializers().get("shape").longs()).containsExactly(1, -1);
  }

  @Test
  void should_write_the_same_bytes_without_replacements_and_read_back_replaced_weights(@TempDir Path dir)
      throws IOException {
    // given
    byte[] bytes = model();
    OnnxModel m = OnnxModel.parse(bytes);

    // when
    ByteArrayOutputStream same = new ByteArrayOutputStream();
    m.write(same, Map.of());
    Path file = dir.resolve("trained.onnx");
    m.write(file, Map.of("w", new float[] {-1f, 0.5f, 7f, 1e-30f}));

    // then
    assertThat(same.toByteArray()).isEqualTo(bytes);
    OnnxModel back = OnnxModel.read(file);
    assertThat(back.initializers().get("w").floats()).containsExactly(-1f, 0.5f, 7f, 1e-30f);
    assertThat(back.initializers().get("w").dims()).containsExactly(2, 2);
    assertThat(back.initializers().get("shape").longs()).containsExactly(1, -1);
    assertThat(back.nodes()).singleElement().satisfies(n -> {
      assertThat(n.opType()).isEqualTo("MatMul");
      assertThat(n.inputs()).containsExactly("x", "w");
      assertThat(n.outputs()).containsExactly("y");
      assertThat(n.intsAttr("perm")).containsExactly(1, 0);
    });
    assertThat(back.inputs()).isEqualTo(m.inputs());
    assertThat(back.outputs()).isEqualTo(m.outputs());
    assertThat(back.opsetVersion()).isEqualTo(11);
  }

  @Test
  void should_reject_a_replacement_that_names_no_float_initializer_or_has_another_length() {
    OnnxModel m = OnnxModel.parse(model());
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    assertThatThrownBy(() -> m.write(out, Map.of("shape", new float[2]))).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("replacement 'shape' names no float initializer");
    assertThatThrownBy(() -> m.write(out, Map.of("w", new float[3]))).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("replacement 'w' must have 4 values, but has 3");
  }

  @Test
  void should_reject_every_truncation_of_a_model_with_an_illegal_argument_exception() {
    byte[] bytes = model();
    for (int len = 1; len < bytes.length; len++) {
      byte[] cut = Arrays.copyOf(bytes, len);
      assertThatThrownBy(() -> OnnxModel.parse(cut)).as("first %d of %d bytes", len, bytes.length)
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> OnnxModel.parse(new byte[0])).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void should_parse_or_reject_cleanly_every_model_with_a_corrupted_byte() {
    // every byte position, each with three corruptions: a parse succeeds or fails with IllegalArgumentException
    byte[] bytes = model();
    Random r = new Random(11);
    int rejected = 0;
    for (int at = 0; at < bytes.length; at++) {
      for (int x : new int[] {0xff, 0x80, 1 + r.nextInt(255)}) {
        byte[] bad = bytes.clone();
        bad[at] ^= (byte) x;
        Throwable t = catchThrowable(() -> OnnxModel.parse(bad));
        if (t != null) {
          assertThat(t).as("byte %d ^ %#x", at, x).isInstanceOf(IllegalArgumentException.class);
          rejected++;
        }
      }
    }
    assertThat(rejected).isPositive();
  }

  @Test
  void should_reject_a_tensor_whose_dimensions_overflow_or_are_negative() {
    for (long[] dims : new long[][] {{1L << 40, 1L << 40}, {-1, 4}, {1L << 62, 4}}) {
      ByteArrayOutputStream t = new ByteArrayOutputStream();
      for (long d : dims) {
        Wire.writeTag(t, 1, Wire.VARINT);
        Wire.writeVarint(t, d);
      }
      Wire.writeTag(t, 2, Wire.VARINT);
      Wire.writeVarint(t, TensorData.FLOAT);
      string(t, 8, "big");
      ByteArrayOutputStream graph = new ByteArrayOutputStream();
      message(graph, 5, t);
      ByteArrayOutputStream model = new ByteArrayOutputStream();
      message(model, 7, graph);
      byte[] bytes = model.toByteArray();

      assertThatThrownBy(() -> OnnxModel.parse(bytes)).as(Arrays.toString(dims))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("big");
    }
  }

  @Test
  void should_reject_a_message_without_a_graph_and_one_with_two() {
    ByteArrayOutputStream noGraph = new ByteArrayOutputStream();
    Wire.writeTag(noGraph, 1, Wire.VARINT);
    Wire.writeVarint(noGraph, 7);
    assertThatThrownBy(() -> OnnxModel.parse(noGraph.toByteArray())).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("not an ONNX model: no graph (ModelProto field 7) found");

    byte[] one = model();
    byte[] two = Arrays.copyOf(one, 2 * one.length);
    System.arraycopy(one, 0, two, one.length, one.length);
    assertThatThrownBy(() -> OnnxModel.parse(two)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("a second graph");
  }

  @Test
  void should_reject_text_that_is_not_a_model() {
    byte[] text = "{\"not\": \"a model\"}\n".getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> OnnxModel.parse(text)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void should_refuse_a_file_over_two_gigabytes_without_reading_it(@TempDir Path dir) throws IOException {
    // given a sparse 3 GB file (no disk space used)
    Path big = dir.resolve("big.onnx");
    try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
      f.setLength(3L << 30);
    }

    // when / then
    assertThatThrownBy(() -> OnnxModel.read(big)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("has 3221225472 bytes")
        .hasMessageContaining("external data");
    Files.delete(big);
  }
}
