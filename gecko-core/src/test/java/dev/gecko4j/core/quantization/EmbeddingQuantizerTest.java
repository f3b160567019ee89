package dev.gecko4j.core.quantization;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gecko4j.core.Embedding;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Codes are those of sentence-transformers' quantize_embeddings: the expected bytes below are
 * worked out by hand from its formulas ({@code ((x - starts) / steps - 128).astype(np.int8)},
 * {@code np.packbits(x > 0)}).
 */
class EmbeddingQuantizerTest {

  // dimension 0: [0, 255], step 1; dimension 1: [-1, 1], step 2/255; dimension 2: [5, 5], empty
  private static final QuantizationRanges RANGES =
      QuantizationRanges.of(new float[] {0f, -1f, 5f}, new float[] {255f, 1f, 5f});

  @Test
  void int8_codes_are_the_truncated_bucket_minus_128() {
    // 10.7 - 128 = -117.3 -> -117 (toward zero); 200.2 - 128 = 72.2 -> 72
    assertThat(EmbeddingQuantizer.quantize(new float[] {10.7f, -1f, 5f}, Precision.INT8, RANGES))
        .containsExactly(-117, -128, -128);
    // (1 - -1) / (2/255) is 254.99998 in float32 arithmetic (numpy's too): 254 - 128 = 126
    assertThat(EmbeddingQuantizer.quantize(new float[] {200.2f, 1f, 6f}, Precision.INT8, RANGES))
        .containsExactly(72, 126, 127);
    // (0 + 1) / (2/255) - 128 = -0.5 -> 0, as numpy's astype truncates toward zero
    assertThat(EmbeddingQuantizer.quantize(new float[] {127.9f, 0f, 5f}, Precision.INT8, RANGES))
        .containsExactly(0, 0, -128);
  }

  @Test
  void uint8_codes_are_the_truncated_bucket() {
    byte[] codes = EmbeddingQuantizer.quantize(new float[] {10.7f, 1f, 4f}, Precision.UINT8, RANGES);
    assertThat(Byte.toUnsignedInt(codes[0])).isEqualTo(10);
    assertThat(Byte.toUnsignedInt(codes[1])).isEqualTo(254); // 254.99998 in float32
    assertThat(Byte.toUnsignedInt(codes[2])).isZero();
  }

  @Test
  void values_outside_the_calibrated_range_are_clamped_to_the_end_codes() {
    assertThat(EmbeddingQuantizer.quantize(new float[] {-50f, 7f, 5f}, Precision.INT8, RANGES))
        .containsExactly(-128, 127, -128);
    byte[] u = EmbeddingQuantizer.quantize(new float[] {1000f, -7f, 5f}, Precision.UINT8, RANGES);
    assertThat(Byte.toUnsignedInt(u[0])).isEqualTo(255);
    assertThat(Byte.toUnsignedInt(u[1])).isZero();
  }

  @Test
  void binary_codes_pack_the_sign_bits_first_dimension_highest_as_numpy_packbits() {
    float[] v = {0.5f, -1f, 0f, 2f, 0f, 0f, -0f, 1f, 3f};
    // bits 1001 0001 = 145, then 1 padded with zeros = 128
    assertThat(EmbeddingQuantizer.quantize(v, Precision.UBINARY, null))
        .containsExactly((byte) 145, (byte) 128);
    assertThat(EmbeddingQuantizer.quantize(v, Precision.BINARY, null))
        .containsExactly(145 - 128, 0);
    assertThat(Precision.BINARY.bytesPerVector(9)).isEqualTo(2);
    assertThat(Precision.BINARY.bytesPerVector(384)).isEqualTo(48);
    assertThat(Precision.INT8.bytesPerVector(384)).isEqualTo(384);
  }

  @Test
  void an_embedding_quantizes_itself_and_embed_all_results_quantize_in_one_call() {
    Embedding e = Embedding.of(new float[] {10.7f, -1f, 5f});
    assertThat(e.quantize(Precision.INT8, RANGES)).containsExactly(-117, -128, -128);
    List<byte[]> all = EmbeddingQuantizer.quantizeEmbeddings(
        List.of(e, Embedding.of(new float[] {200.2f, 1f, 6f})), Precision.INT8, RANGES);
    assertThat(all).hasSize(2);
    assertThat(all.get(1)).containsExactly(72, 126, 127);
  }

  @Test
  void without_ranges_int8_is_calibrated_from_the_vectors_themselves() {
    List<byte[]> codes = EmbeddingQuantizer.quantizeAll(
        List.of(new float[] {0f, 2f}, new float[] {255f, 4f}), Precision.INT8, null);
    assertThat(codes.get(0)).containsExactly(-128, -128);
    assertThat(codes.get(1)).containsExactly(127, 126); // 2 / (2/255) = 254.99998 in float32
  }

  @Test
  void calibration_takes_the_minimum_and_maximum_per_dimension_or_over_all() {
    List<float[]> sample = List.of(new float[] {1f, -2f}, new float[] {3f, 0.5f});
    QuantizationRanges perDim = QuantizationRanges.calibrate(sample);
    assertThat(perDim.min()).containsExactly(1f, -2f);
    assertThat(perDim.max()).containsExactly(3f, 0.5f);
    assertThat(perDim.step(0)).isEqualTo(2f / 255f);
    QuantizationRanges global = QuantizationRanges.calibrateGlobal(sample);
    assertThat(global.min()).containsExactly(-2f, -2f);
    assertThat(global.max()).containsExactly(3f, 3f);
  }

  @Test
  void ranges_are_stored_and_read_back_unchanged(@TempDir Path dir) {
    Path file = dir.resolve("ranges.json");
    RANGES.write(file);
    assertThat(QuantizationRanges.read(file)).isEqualTo(RANGES);
  }

  @Test
  void bad_arguments_are_refused_with_the_value_and_what_was_expected() {
    assertThatThrownBy(() -> EmbeddingQuantizer.quantize(new float[] {1f, 2f, 3f}, Precision.INT8,
        null)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs ranges");
    assertThatThrownBy(() -> EmbeddingQuantizer.quantize(new float[] {1f, 2f}, Precision.INT8,
        RANGES)).hasMessageContaining("ranges have 3 dimensions, but the vector has 2");
    assertThatThrownBy(() -> EmbeddingQuantizer.quantize(new float[] {1f, Float.NaN},
        Precision.BINARY, null)).hasMessageContaining("vector[1]=NaN");
    assertThatThrownBy(() -> EmbeddingQuantizer.quantize(new float[] {1f}, Precision.FLOAT32,
        null)).hasMessageContaining("but is: float32");
    assertThatThrownBy(() -> Precision.parse("int4"))
        .hasMessageContaining("'int4'").hasMessageContaining("[float32, int8, uint8, binary, ubinary]");
    assertThatThrownBy(() -> QuantizationRanges.of(new float[] {1f}, new float[] {0f}))
        .hasMessageContaining("[1.0, 0.0]");
    assertThatThrownBy(() -> QuantizationRanges.calibrate(List.of(new float[] {1f},
        new float[] {1f, 2f}))).hasMessageContaining("sample[1] has 2 dimensions; expected 1");
    assertThat(Precision.parse(" UBinary ")).isEqualTo(Precision.UBINARY);
  }
}
