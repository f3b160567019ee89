package dev.gecko4j.examples.cli;

import dev.gecko4j.core.lm.LanguageModel;
import dev.gecko4j.fret.llm.Endpoint;
import dev.gecko4j.fret.llm.OpenAiLanguageModel;
import dev.gecko4j.onnx.lm.OnnxCausalLanguageModel;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * A {@code --llm} value of the command line, parsed: which {@link LanguageModel} to open.
 *
 * <ul>
 *   <li>{@code onnx:<dir>}: an in-process {@link OnnxCausalLanguageModel} from a folder with {@code
 *       model.onnx} and {@code tokenizer.json};
 *   <li>{@code openai:<base-url>[?model=NAME&endpoint=chat|completions]}: an {@link
 *       OpenAiLanguageModel}; {@code openai:} alone takes the URL from {@code OPENAI_BASE_URL}. The API
 *       key comes from {@code OPENAI_API_KEY}, the model from {@code ?model=}, else {@code
 *       GECKO_LLM_MODEL}, else the server's first model.
 * </ul>
 *
 * @param kind {@code "onnx"} or {@code "openai"}
 * @param target the folder or the base URL (empty for {@code openai:} from the environment)
 * @param model the model name for {@code openai}, or null
 * @param endpoint the generation endpoint for {@code openai}
 */
public record LlmSpec(String kind, String target, String model, Endpoint endpoint) {

  /**
   * Parses a {@code --llm} value.
   *
   * @param spec {@code onnx:<dir>} or {@code openai:<base-url>[?model=..&endpoint=..]}
   * @return the parsed spec
   * @throws IllegalArgumentException if {@code spec} is null or not one of these forms
   */
  public static LlmSpec parse(String spec) {
    if (spec == null) {
      throw new IllegalArgumentException("--llm must be onnx:<dir> or openai:<base-url>, but is: null");
    }
    if (spec.startsWith("onnx:")) {
      String dir = spec.substring("onnx:".length());
      if (dir.isBlank()) {
        throw new IllegalArgumentException("--llm onnx:<dir> needs a folder, but is: " + spec);
      }
      return new LlmSpec("onnx", dir, null, Endpoint.CHAT);
    }
    if (spec.startsWith("openai:")) {
      String rest = spec.substring("openai:".length());
      String model = null;
      Endpoint endpoint = Endpoint.CHAT;
      int q = rest.indexOf('?');
      if (q >= 0) {
        for (String kv : rest.substring(q + 1).split("&")) {
          int eq = kv.indexOf('=');
          String k = eq < 0 ? kv : kv.substring(0, eq);
          String v = eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
          switch (k) {
            case "model" -> model = v;
            case "endpoint" -> {
              try {
                endpoint = Endpoint.valueOf(v.toUpperCase(Locale.ROOT));
              } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--llm endpoint must be chat or completions, but is: " + v);
              }
            }
            default -> throw new IllegalArgumentException(
                "--llm openai: accepts the parameters model and endpoint, but got: " + k);
          }
        }
        rest = rest.substring(0, q);
      }
      return new LlmSpec("openai", rest, model, endpoint);
    }
    throw new IllegalArgumentException("--llm must be onnx:<dir> or openai:<base-url>, but is: " + spec);
  }

  /**
   * Opens the language model this spec names.
   *
   * @return the model; close it
   * @throws IllegalArgumentException if the folder does not exist or the URL is invalid
   */
  public LanguageModel open() {
    return open(System.getenv());
  }

  /**
   * Opens the language model with the given environment (for {@code openai}).
   *
   * @param env environment variables; not null
   * @return the model; close it
   * @throws IllegalArgumentException if the folder does not exist or the URL is invalid
   */
  public LanguageModel open(Map<String, String> env) {
    if (env == null) {
      throw new IllegalArgumentException("env must not be null");
    }
    if (kind.equals("onnx")) {
      Path dir = Path.of(target);
      if (!Files.isDirectory(dir)) {
        throw new IllegalArgumentException("--llm onnx:<dir> must name an existing folder, but is: " + dir);
      }
      return OnnxCausalLanguageModel.builder(dir).build();
    }
    OpenAiLanguageModel.Builder b = OpenAiLanguageModel.fromEnvironment(env).endpoint(endpoint);
    if (!target.isBlank()) {
      b.baseUrl(target);
    }
    if (model != null && !model.isBlank()) {
      b.model(model);
    }
    return b.build();
  }
}
