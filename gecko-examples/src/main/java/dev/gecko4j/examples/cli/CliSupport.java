package dev.gecko4j.examples.cli;

import dev.gecko4j.onnx.ModelSource;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gecko4j.onnx.OnnxEmbedder;
import java.io.PrintStream;
import java.util.Map;

/**
 * Helpers shared by the CLI commands: opening a model by name or folder, and the JSON last line
 * (bad option values: {@link GeckoCommand#badOption}).
 */
final class CliSupport {
  private static final ObjectMapper JSON = dev.gecko4j.core.internal.GeckoJson.mapper();

  private CliSupport() { }

  /**
   * Returns a builder for {@code model}: a folder in sentence-transformers layout when such a
   * folder exists, else a bundled model name ({@code bge-small-en-v1.5}, ...).
   *
   * @throws IllegalArgumentException naming the bundled models when {@code model} is neither
   */
  static OnnxEmbedder.Builder builderFor(String model) {
    return ModelSource.of(model).builder();
  }

  /** Prints {@code result} as one JSON object on one line of {@code out}. */
  static void printJson(PrintStream out, Map<String, ?> result) {
    try {
      out.println(JSON.writeValueAsString(result));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the result as JSON: " + e.getMessage(), e);
    }
    out.flush();
  }
}
