package dev.gecko4j.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * bf16 matrix products (autocast style) embed within cosine 0.999 of the fp32 forward pass, and
 * switching back to fp32 gives the fp32 vectors bit for bit.
 */
@Tag("jdk-independent") // JDK 17 only: see the root pom's jdk25 execution
class MatmulPrecisionTest {

  @RegisterExtension
  static final BgeSmallEncoder BGE_SMALL = new BgeSmallEncoder();

  private static final List<String> TEXTS = List.of(
      "what do geckos eat?",
      "Geckos are small lizards that eat insects, spiders and sometimes fruit; some species lick nectar.",
      "Paris",
      "Vitamin D supplementation did not reduce the risk of fractures in older adults living at home.");

  @Test
  void should_parse_the_command_line_names_and_name_a_wrong_one() {
    assertThat(MatmulPrecision.parse("auto")).isEqualTo(MatmulPrecision.AUTO);
    assertThat(MatmulPrecision.parse(" BF16 ")).isEqualTo(MatmulPrecision.BF16);
    assertThat(MatmulPrecision.parse("fp32")).hasToString("fp32");
    assertThatThrownBy(() -> MatmulPrecision.parse("fp16"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("auto, fp32, bf16").hasMessageContaining("fp16");
    assertThatThrownBy(() -> MatmulPrecision.parse(null)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void should_resolve_auto_to_bf16_exactly_where_the_cpu_reports_bf16_instructions() {
    MatmulPrecision resolved = MatmulPrecision.AUTO.resolve();
    assertThat(resolved).isEqualTo(MatmulPrecision.cpuBf16Features().isEmpty()
        ? MatmulPrecision.FP32 : MatmulPrecision.BF16);
    assertThat(MatmulPrecision.FP32.resolve()).isEqualTo(MatmulPrecision.FP32);
  }

  @Test
  void should_embed_in_bf16_within_cosine_0999_of_fp32_and_return_to_fp32_exactly() {
    TrainableEncoder enc = BGE_SMALL.encoder();
    assertThat(enc.matmulPrecision()).isEqualTo(MatmulPrecision.FP32);
    float[][] fp32 = enc.embedTexts(TEXTS, 128, 4);
    try {
      assertThat(enc.useMatmulPrecision(MatmulPrecision.BF16)).isEqualTo(MatmulPrecision.BF16);
      float[][] bf16 = enc.embedTexts(TEXTS, 128, 4);
      for (int i = 0; i < TEXTS.size(); i++) {
        assertThat(cosine(fp32[i], bf16[i])).as("row %d", i).isGreaterThan(0.999);
        assertThat(bf16[i]).as("row %d differs: the products ran in bf16", i).isNotEqualTo(fp32[i]);
      }
    } finally {
      enc.useMatmulPrecision(MatmulPrecision.FP32);
    }
    float[][] again = enc.embedTexts(TEXTS, 128, 4);
    for (int i = 0; i < TEXTS.size(); i++) {
      assertThat(again[i]).as("row %d", i).containsExactly(fp32[i]);
    }
  }

  @Test
  void should_refuse_a_null_precision() {
    assertThatThrownBy(() -> BGE_SMALL.encoder().useMatmulPrecision(null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("precision");
  }

  static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }
}
