package dev.gecko4j.onnx.lm;

import dev.gecko4j.core.lm.LanguageModel;
import dev.gecko4j.core.lm.LanguageModelProvider;
import dev.gecko4j.core.lm.LanguageModelSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * The {@code onnx} kind of {@link LanguageModelProvider}: {@code onnx:<dir>[?threads=N]} opens an
 * in-process {@link OnnxCausalLanguageModel} from a folder with {@code model.onnx} and {@code
 * tokenizer.json}; {@code threads} sets ONNX Runtime's intra-op threads (default: its own choice).
 * Registered in {@code META-INF/services}; found by {@link dev.gecko4j.core.lm.LanguageModels}.
 */
public final class OnnxLanguageModelProvider implements LanguageModelProvider {

  /** Creates the provider (called by {@link java.util.ServiceLoader}). */
  public OnnxLanguageModelProvider() {}

  @Override
  public String kind() {
    return "onnx";
  }

  @Override
  public String usage() {
    return "onnx:<dir>[?threads=N]";
  }

  @Override
  public Set<String> parameters() {
    return Set.of("threads");
  }

  @Override
  public void validate(LanguageModelSpec spec) {
    if (spec.target().isBlank()) {
      throw new IllegalArgumentException("onnx: needs a folder (the model folder with model.onnx"
          + " and tokenizer.json), as in onnx:<dir>, but is: '" + spec + "'");
    }
    spec.parameter("threads").ifPresent(t -> threads(t, spec));
  }

  private static int threads(String t, LanguageModelSpec spec) {
    try {
      int n = Integer.parseInt(t);
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("onnx: threads must be an integer >= 1, but is: '" + t
        + "' in: '" + spec + "'");
  }

  @Override
  public LanguageModel open(LanguageModelSpec spec, Map<String, String> environment) {
    validate(spec);
    Path dir = Path.of(spec.target());
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("onnx:<dir> must name an existing folder (with model.onnx"
          + " and tokenizer.json) on this machine, but " + dir.toAbsolutePath() + " is not one");
    }
    OnnxCausalLanguageModel.Builder b = OnnxCausalLanguageModel.builder(dir);
    spec.parameter("threads").ifPresent(t -> b.intraOpThreads(threads(t, spec)));
    return b.build();
  }
}
