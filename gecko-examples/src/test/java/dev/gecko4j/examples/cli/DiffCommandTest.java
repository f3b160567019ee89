package dev.gecko4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gecko4j.train.onnx.OnnxModel;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tests {@code gecko diff} on the bundled bge-small model and a copy with one weight changed. */
class DiffCommandTest {

  @TempDir
  Path dir;

  @Test
  void should_report_identical_weights_and_the_largest_difference_of_a_changed_copy() throws Exception {
    // given: the bundled model, and a copy whose embedding LayerNorm bias is shifted by 0.5
    Path base = dir.resolve("base.onnx");
    try (InputStream in = DiffCommandTest.class.getResourceAsStream("/bge-small-en-v1.5.onnx")) {
      Files.copy(in, base);
    }
    OnnxModel model = OnnxModel.read(base);
    String name = "embeddings.LayerNorm.bias";
    float[] shifted = model.initializers().get(name).floats();
    for (int i = 0; i < shifted.length; i++) {
      shifted[i] += 0.5f;
    }
    Path changed = dir.resolve("changed");
    Files.createDirectories(changed);
    model.write(changed.resolve("model.onnx"), Map.of(name, shifted));

    // when
    JsonNode same = run(base.toString(), base.toString());
    JsonNode diff = run(base.toString(), changed.toString());

    // then
    assertThat(same.get("identical").asBoolean()).isTrue();
    assertThat(same.get("max_abs_diff").asDouble()).isZero();
    assertThat(diff.get("identical").asBoolean()).isFalse();
    assertThat(diff.get("differing").asInt()).isEqualTo(1);
    assertThat(diff.get("max_abs_diff").asDouble()).isCloseTo(0.5, org.assertj.core.data.Offset.offset(1e-6));
    assertThat(diff.get("largest").fieldNames().next()).isEqualTo(name);
  }

  @Test
  void should_fail_naming_a_path_that_holds_no_model() {
    // when
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream old = System.err;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    int code;
    try {
      code = GeckoCli.execute("diff", dir.toString(), dir.toString());
    } finally {
      System.setErr(old);
    }

    // then
    assertThat(code).isNotZero();
    assertThat(err.toString(StandardCharsets.UTF_8)).contains(
        "model must be an ONNX file or a folder holding model.onnx or onnx/model.onnx, but is: " + dir);
  }

  private static JsonNode run(String... args) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream old = System.out;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      assertThat(GeckoCli.execute(java.util.stream.Stream.concat(java.util.stream.Stream.of("diff"),
          java.util.Arrays.stream(args)).toArray(String[]::new))).isZero();
    } finally {
      System.setOut(old);
    }
    String[] lines = out.toString(StandardCharsets.UTF_8).trim().split("\n");
    return new ObjectMapper().readTree(lines[lines.length - 1]);
  }
}
