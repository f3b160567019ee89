package dev.gecko4j.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The safetensors format as sentence-transformers' Dense modules store their weights. */
class SafeTensorsTest {

  @TempDir Path dir;

  @Test
  void should_read_back_what_it_wrote_in_the_same_order() throws IOException {
    Map<String, SafeTensors.Tensor> tensors = new LinkedHashMap<>();
    tensors.put("linear.weight", SafeTensors.Tensor.of(new float[] {1, -2, 3.5f, 0, 1e-7f, -0f}, 2, 3));
    tensors.put("linear.bias", SafeTensors.Tensor.of(new float[] {0.25f, -8}, 2));
    Path file = dir.resolve("2_Dense/model.safetensors");

    SafeTensors.write(file, tensors);

    assertThat(SafeTensors.read(file)).containsExactlyEntriesOf(tensors);
    byte[] bytes = Files.readAllBytes(file);
    long header = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    assertThat(header % 8).isZero();
    assertThat(new String(bytes, 8, (int) header, StandardCharsets.UTF_8))
        .startsWith("{\"__metadata__\":{\"format\":\"pt\"},\"linear.weight\":{\"dtype\":\"F32\","
            + "\"shape\":[2,3],\"data_offsets\":[0,24]}");
  }

  @Test
  void should_widen_float16_and_bfloat16_tensors_exactly() {
    // 1.0, -2.0, 65504 (largest half), 2^-24 (smallest subnormal half) in F16; 1.0, -3.0 in BF16.
    String json = "{\"h\":{\"dtype\":\"F16\",\"shape\":[4],\"data_offsets\":[0,8]},"
        + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[8,12]}}";
    ByteBuffer buf = ByteBuffer.allocate(8 + json.length() + 12).order(ByteOrder.LITTLE_ENDIAN);
    buf.putLong(json.length()).put(json.getBytes(StandardCharsets.US_ASCII));
    buf.putShort((short) 0x3c00).putShort((short) 0xc000).putShort((short) 0x7bff)
        .putShort((short) 0x0001).putShort((short) 0x3f80).putShort((short) 0xc040);

    Map<String, SafeTensors.Tensor> read = SafeTensors.parse(buf.array(), "mem");

    assertThat(read.get("h").values()).containsExactly(1f, -2f, 65504f, 0x1p-24f);
    assertThat(read.get("b").values()).containsExactly(1f, -3f);
  }

  @Test
  void should_refuse_an_unsupported_dtype_naming_the_tensor() {
    String json = "{\"ids\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}";
    ByteBuffer buf = ByteBuffer.allocate(8 + json.length() + 8).order(ByteOrder.LITTLE_ENDIAN);
    buf.putLong(json.length()).put(json.getBytes(StandardCharsets.US_ASCII));

    assertThatThrownBy(() -> SafeTensors.parse(buf.array(), "w.safetensors"))
        .isInstanceOf(ModelLoadException.class)
        .hasMessage("w.safetensors: found tensor 'ids' of dtype 'I64', expected one of "
            + "[F32, F16, BF16, F64]");
  }

  @Test
  void should_refuse_data_offsets_outside_the_file() {
    String json = "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}";
    ByteBuffer buf = ByteBuffer.allocate(8 + json.length() + 8).order(ByteOrder.LITTLE_ENDIAN);
    buf.putLong(json.length()).put(json.getBytes(StandardCharsets.US_ASCII));

    assertThatThrownBy(() -> SafeTensors.parse(buf.array(), "w.safetensors"))
        .isInstanceOf(ModelLoadException.class)
        .hasMessage("w.safetensors: found tensor 'w' at data_offsets [0, 16] for 4 F32 values, "
            + "expected 16 bytes within the 8 data bytes");
  }

  @Test
  void should_refuse_a_file_shorter_than_its_header_length() {
    assertThatThrownBy(() -> SafeTensors.parse(new byte[] {1, 2, 3}, "w.safetensors"))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("found 3 bytes, expected a safetensors file");
  }
}
