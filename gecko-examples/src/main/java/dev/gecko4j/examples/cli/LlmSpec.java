package dev.gecko4j.examples.cli;

import dev.gecko4j.core.lm.LanguageModel;
import dev.gecko4j.core.lm.LanguageModelSpec;
import dev.gecko4j.core.lm.LanguageModels;
import java.util.Map;

/**
 * A {@code --llm} value of the command line, parsed by {@link LanguageModels#parse(String)} (the
 * parser gecko-spark uses too) and opened by the {@link dev.gecko4j.core.lm.LanguageModelProvider}
 * of its kind found on the class path:
 *
 * <ul>
 *   <li>{@code onnx:<dir>[?threads=N]}: an in-process ONNX causal LM from a folder with {@code
 *       model.onnx} and {@code tokenizer.json} (gecko-onnx);
 *   <li>{@code openai:<base-url>[?model=NAME&endpoint=chat|completions]}: an OpenAI-compatible
 *       server (gecko-fret); {@code openai:} alone takes the URL from {@code OPENAI_BASE_URL}. The
 *       API key comes from {@code OPENAI_API_KEY}, the model from {@code ?model=}, else {@code
 *       GECKO_LLM_MODEL}, else the server's first model;
 *   <li>any other kind whose provider is on the class path.
 * </ul>
 *
 * @param spec the parsed and checked spec
 */
public record LlmSpec(LanguageModelSpec spec) {

  /**
   * Checks the spec.
   *
   * @throws IllegalArgumentException if {@code spec} is null
   */
  public LlmSpec {
    if (spec == null) {
      throw new IllegalArgumentException("spec must not be null");
    }
  }

  /**
   * Parses a {@code --llm} value.
   *
   * @param spec {@code kind:target[?name=value&...]}, e.g. {@code onnx:<dir>}
   * @return the parsed spec
   * @throws IllegalArgumentException if {@code spec} is not a valid spec of a kind on the class
   *     path (the message lists the kinds)
   */
  public static LlmSpec parse(String spec) {
    try {
      return new LlmSpec(LanguageModels.parse(spec));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--llm: " + e.getMessage(), e);
    }
  }

  /**
   * Opens the language model this spec names, reading the process environment.
   *
   * @return the model; close it
   * @throws IllegalArgumentException if the folder does not exist or the URL is invalid
   */
  public LanguageModel open() {
    return open(System.getenv());
  }

  /**
   * Opens the language model with the given environment.
   *
   * @param env environment variables; not null
   * @return the model; close it
   * @throws IllegalArgumentException if {@code env} is null, the folder does not exist or the URL
   *     is invalid
   */
  public LanguageModel open(Map<String, String> env) {
    if (env == null) {
      throw new IllegalArgumentException("env must not be null");
    }
    return LanguageModels.open(spec, env);
  }

  @Override
  public String toString() {
    return spec.toString();
  }
}
