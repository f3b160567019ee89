package dev.gecko4j.train.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gecko4j.core.rerank.ScoreScale;
import dev.gecko4j.onnx.Models;
import dev.gecko4j.onnx.OnnxCrossEncoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link CrossEncoderFolders} writes folders {@link OnnxCrossEncoder} loads, from bge-small's real
 * weights; a head of its own is served exactly (its logits are checked against a hand-made head in
 * {@code CrossEncoderServingTest}, whose graph has the same shape).
 */
class CrossEncoderFoldersTest {

  @TempDir Path dir;

  @Test
  void should_write_an_untrained_folder_that_the_cross_encoder_loads() throws Exception {
    // one label (sigmoid declared) is what the Spring and bench folders use; two labels here
    Path folder = CrossEncoderFolders.initialize(Models.BGE_SMALL_EN_V15.spec(), 2, 7,
        dir.resolve("two"));

    try (OnnxCrossEncoder two = OnnxCrossEncoder.builder().modelFolder(folder).intraOpThreads(1)
        .build()) {
      assertThat(two.labels()).containsExactly("LABEL_0", "LABEL_1");
      assertThat(two.declaredScale()).isEqualTo(ScoreScale.LOGIT);
      assertThat(two.relevanceLabel()).isEqualTo(1);
      assertThat(two.maxLength()).isEqualTo(512);
      double[] logits = two.score("what do geckos eat?", List.of("Geckos eat insects.")).logits(0);
      // a new head: N(0, 0.02^2) weights over a 384-wide state give small, different logits
      assertThat(logits).hasSize(2);
      assertThat(Math.abs(logits[0])).isLessThan(5.0);
      assertThat(logits[0]).isNotEqualTo(logits[1]);
    }
    assertThat(Files.readString(folder.resolve("config.json")))
        .contains("\"id2label\": {\"0\": \"LABEL_0\", \"1\": \"LABEL_1\"}")
        .contains("torch.nn.modules.linear.Identity");
  }

  @Test
  void should_reject_a_head_that_does_not_fit_naming_the_sizes() {
    var spec = Models.BGE_SMALL_EN_V15.spec();
    assertThatThrownBy(() -> CrossEncoderFolders.initialize(spec, 0, 1, dir))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("labels");
    assertThatThrownBy(() -> CrossEncoderFolders.write(spec, new float[][] {new float[10]},
        new float[1], List.of("score"), true, dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("weight[0] must have the hidden size 384 of ")
        .hasMessageEndingWith(", but has: 10");
    assertThatThrownBy(() -> CrossEncoderFolders.write(spec, new float[][] {new float[384]},
        new float[2], List.of("score"), true, dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("weight, bias and labels must have one entry per label, but have: 1, 2, 1");
  }
}
