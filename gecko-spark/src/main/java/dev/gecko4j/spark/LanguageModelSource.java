package dev.gecko4j.spark;

import dev.gecko4j.core.lm.LanguageModel;
import dev.gecko4j.fret.llm.Endpoint;
import dev.gecko4j.fret.llm.OpenAiLanguageModel;
import dev.gecko4j.onnx.lm.OnnxCausalLanguageModel;
import java.io.Serializable;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Which {@link LanguageModel} the executors of a {@link GeckoFret} job open: shipped to them inside
 * the partition function, opened once per executor JVM and shared by its tasks.
 *
 * <ul>
 *   <li>{@link #onnx(String)}: an in-process {@link OnnxCausalLanguageModel} per executor, from a
 *       folder with {@code model.onnx} and {@code tokenizer.json} readable on every executor;
 *   <li>{@link #openAi(String, String)}: an {@link OpenAiLanguageModel} per executor, all talking
 *       to one OpenAI-compatible server (vLLM, llama.cpp, TGI, ...). Each executor reads {@code
 *       OPENAI_API_KEY} from its own environment ({@code spark.executorEnv.OPENAI_API_KEY}); the
 *       key never travels with the job.
 * </ul>
 *
 * @param kind {@code "onnx"} or {@code "openai"}
 * @param target the model folder, or the server's base URL
 * @param model the served model's name for {@code openai}, or {@code null} for the server's first
 * @param endpoint the generation endpoint for {@code openai}
 */
public record LanguageModelSource(String kind, String target, String model, Endpoint endpoint)
    implements Serializable {

  private static final long serialVersionUID = 1L;

  /** Validates the fields. */
  public LanguageModelSource {
    if (!"onnx".equals(kind) && !"openai".equals(kind)) {
      throw new IllegalArgumentException("kind must be 'onnx' or 'openai', but is: " + kind);
    }
    if (target == null || target.isBlank()) {
      throw new IllegalArgumentException("target (the " + ("onnx".equals(kind) ? "model folder"
          : "base URL") + ") must be non-blank, but is: " + target);
    }
    if (endpoint == null) {
      throw new IllegalArgumentException("endpoint must be CHAT or COMPLETIONS, but is: null");
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
    return new LanguageModelSource("onnx", folder, null, Endpoint.CHAT);
  }

  /**
   * An OpenAI-compatible server shared by the executors.
   *
   * @param baseUrl the server's base URL, e.g. {@code http://llm:8000/v1}
   * @param model the served model's name, or {@code null} for the server's first model
   * @return the source (chat endpoint; see {@link #withEndpoint})
   * @throws IllegalArgumentException if {@code baseUrl} is blank
   */
  public static LanguageModelSource openAi(String baseUrl, String model) {
    return new LanguageModelSource("openai", baseUrl, model, Endpoint.CHAT);
  }

  /**
   * Parses the command line's form: {@code onnx:<dir>} or {@code
   * openai:<base-url>[?model=NAME&endpoint=chat|completions]}.
   *
   * @param spec the spec
   * @return the source
   * @throws IllegalArgumentException naming the accepted forms if {@code spec} is none of them
   */
  public static LanguageModelSource parse(String spec) {
    String forms = "onnx:<dir> or openai:<base-url>[?model=..&endpoint=chat|completions]";
    if (spec == null || spec.indexOf(':') < 1) {
      throw new IllegalArgumentException("--llm must be " + forms + ", but is: " + spec);
    }
    String kind = spec.substring(0, spec.indexOf(':'));
    String rest = spec.substring(kind.length() + 1);
    if (kind.equals("onnx")) {
      return onnx(rest);
    }
    if (!kind.equals("openai")) {
      throw new IllegalArgumentException("--llm must be " + forms + ", but is: " + spec);
    }
    int q = rest.indexOf('?');
    LanguageModelSource s = openAi(q < 0 ? rest : rest.substring(0, q), null);
    for (String kv : q < 0 ? new String[0] : rest.substring(q + 1).split("&")) {
      String[] p = kv.split("=", 2);
      String v = p.length < 2 ? "" : URLDecoder.decode(p[1], StandardCharsets.UTF_8);
      if (p[0].equals("model")) {
        s = new LanguageModelSource(s.kind, s.target, v, s.endpoint);
      } else if (p[0].equals("endpoint")) {
        try {
          s = s.withEndpoint(Endpoint.valueOf(v.toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("--llm endpoint must be chat or completions, but is: "
              + v, e);
        }
      } else {
        throw new IllegalArgumentException("--llm openai: takes model= and endpoint=, but got: " + kv);
      }
    }
    return s;
  }

  /**
   * Returns this source with another generation endpoint ({@code openai} only).
   *
   * @param e the endpoint; not null
   * @return the new source
   */
  public LanguageModelSource withEndpoint(Endpoint e) {
    return new LanguageModelSource(kind, target, model, e);
  }

  /**
   * Opens the model (on an executor).
   *
   * @return the model; the caller closes it
   * @throws IllegalArgumentException if the folder is missing or the URL is invalid
   */
  LanguageModel open() {
    if (kind.equals("onnx")) {
      Path dir = Path.of(target);
      if (!Files.isDirectory(dir)) {
        throw new IllegalArgumentException("the LM folder " + dir.toAbsolutePath()
            + " does not exist on this executor; it must be readable on every executor");
      }
      // one ONNX Runtime thread: Spark runs one task per core, and the tasks share the model
      return OnnxCausalLanguageModel.builder(dir).intraOpThreads(1).build();
    }
    OpenAiLanguageModel.Builder b = OpenAiLanguageModel.fromEnvironment(System.getenv())
        .endpoint(endpoint).baseUrl(target);
    if (model != null && !model.isBlank()) {
      b.model(model);
    }
    return b.build();
  }

  @Override
  public String toString() {
    return kind + ":" + target + (model == null ? "" : "?model=" + model);
  }
}
