package dev.gecko4j.spark;

import dev.gecko4j.core.lm.LanguageModel;
import dev.gecko4j.core.lm.LanguageModelSpec;
import dev.gecko4j.core.lm.LanguageModels;
import dev.gecko4j.fret.llm.Endpoint;
import dev.gecko4j.fret.llm.OpenAiLanguageModelProvider;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which {@link LanguageModel} the executors of a {@link GeckoFret} job open: a {@link
 * LanguageModelSpec} shipped to them inside the partition function, opened once per executor JVM
 * (by the {@link dev.gecko4j.core.lm.LanguageModelProvider} of its kind, found on the executor's
 * class path) and shared by its tasks. It is the command line's {@code --llm} form, read by the
 * same parser ({@link LanguageModels#parse(String)}).
 *
 * <ul>
 *   <li>{@link #onnx(String)}: an in-process ONNX causal LM per executor, from a folder with {@code
 *       model.onnx} and {@code tokenizer.json} readable on every executor; it runs one ONNX
 *       Runtime thread (Spark runs one task per core) unless the spec sets {@code threads};
 *   <li>{@link #openAi(String, String)}: an OpenAI-compatible client per executor, all talking
 *       to one server (vLLM, llama.cpp, TGI, ...). Each executor reads {@code OPENAI_API_KEY} from
 *       its own environment ({@code spark.executorEnv.OPENAI_API_KEY}); the key never travels
 *       with the job;
 *   <li>{@link #parse(String)}: any spec, including kinds of a user's own provider.
 * </ul>
 *
 * @param spec the spec, checked against its provider on the driver
 */
public record LanguageModelSource(LanguageModelSpec spec) implements Serializable {

  private static final long serialVersionUID = 2L;

  /**
   * Checks the spec against its provider (on the driver, so a bad spec fails before the job).
   *
   * @throws IllegalArgumentException if the spec is null or invalid, or its kind has no provider
   *     on the class path, or an {@code openai} spec has no base URL (executors must not fall
   *     back to their own environment's URL)
   */
  public LanguageModelSource {
    if (spec == null) {
      throw new IllegalArgumentException("spec must not be null");
    }
    LanguageModels.check(spec);
    if (spec.kind().equals("openai") && spec.target().isBlank()) {
      throw new IllegalArgumentException("target (the base URL) must be non-blank for a Spark job,"
          + " but is blank in: '" + spec + "'");
    }
  }

  /**
   * An in-process ONNX causal LM per executor.
   *
   * @param folder a folder with {@code model.onnx} and {@code tokenizer.json}, readable on every
   *     executor (a shared or replicated path)
   * @return the source
   * @throws IllegalArgumentException if {@code folder} is blank
   */
  public static LanguageModelSource onnx(String folder) {
    return new LanguageModelSource(LanguageModelSpec.of("onnx", folder == null ? "" : folder));
  }

  /**
   * An OpenAI-compatible server shared by the executors.
   *
   * @param baseUrl the server's base URL, e.g. {@code http://llm:8000/v1}
   * @param model the served model's name, or {@code null} for the server's first model
   * @return the source (chat endpoint; see {@link #withEndpoint})
   * @throws IllegalArgumentException if {@code baseUrl} is blank or not an http(s) URL
   */
  public static LanguageModelSource openAi(String baseUrl, String model) {
    Map<String, String> p = new LinkedHashMap<>();
    if (model != null) {
      p.put("model", model);
    }
    return new LanguageModelSource(new LanguageModelSpec("openai", baseUrl == null ? "" : baseUrl, p));
  }

  /**
   * Parses the command line's form ({@link LanguageModels#parse(String)}): {@code onnx:<dir>},
   * {@code openai:<base-url>[?model=NAME&endpoint=chat|completions]}, or a kind of another
   * provider on the class path.
   *
   * @param spec the spec
   * @return the source
   * @throws IllegalArgumentException naming the kinds on the class path if {@code spec} is none
   *     of them, or what is wrong with it
   */
  public static LanguageModelSource parse(String spec) {
    return new LanguageModelSource(LanguageModels.parse(spec));
  }

  /**
   * Returns the kind of the spec.
   *
   * @return e.g. {@code onnx} or {@code openai}
   */
  public String kind() {
    return spec.kind();
  }

  /**
   * Returns the target of the spec.
   *
   * @return the model folder, or the server's base URL
   */
  public String target() {
    return spec.target();
  }

  /**
   * Returns the served model's name ({@code openai}).
   *
   * @return the {@code model} parameter, or null
   */
  public String model() {
    return spec.parameter("model").orElse(null);
  }

  /**
   * Returns the generation endpoint ({@code openai}).
   *
   * @return the {@code endpoint} parameter, {@link Endpoint#CHAT} without one
   */
  public Endpoint endpoint() {
    return OpenAiLanguageModelProvider.endpoint(spec);
  }

  /**
   * Returns this source with another generation endpoint ({@code openai} only).
   *
   * @param e the endpoint; not null
   * @return the new source
   * @throws IllegalArgumentException if {@code e} is null or the kind is not {@code openai}
   */
  public LanguageModelSource withEndpoint(Endpoint e) {
    if (e == null || !spec.kind().equals("openai")) {
      throw new IllegalArgumentException("withEndpoint takes an endpoint (CHAT or COMPLETIONS) for"
          + " an openai source, but got " + e + " for: '" + spec + "'");
    }
    return new LanguageModelSource(spec.withParameter("endpoint", e.name().toLowerCase(java.util.Locale.ROOT)));
  }

  /**
   * Opens the model (on an executor), reading the executor's environment.
   *
   * @return the model; the caller closes it
   * @throws IllegalArgumentException if the folder is missing or the URL is invalid
   */
  LanguageModel open() {
    LanguageModelSpec s = spec;
    if (s.kind().equals("onnx") && s.parameter("threads").isEmpty()) {
      // one ONNX Runtime thread: Spark runs one task per core, and the tasks share the model
      s = s.withParameter("threads", "1");
    }
    return LanguageModels.open(s, System.getenv());
  }

  @Override
  public String toString() {
    return spec.toString();
  }
}
