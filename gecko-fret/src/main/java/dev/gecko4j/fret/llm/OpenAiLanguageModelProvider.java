package dev.gecko4j.fret.llm;

import dev.gecko4j.core.lm.LanguageModel;
import dev.gecko4j.core.lm.LanguageModelProvider;
import dev.gecko4j.core.lm.LanguageModelSpec;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@code openai} kind of {@link LanguageModelProvider}: {@code
 * openai:<base-url>[?model=NAME&endpoint=chat|completions]} opens an {@link OpenAiLanguageModel}
 * on any OpenAI-compatible server (OpenAI, vLLM, llama.cpp, TGI, ...). {@code openai:} alone
 * takes the URL from {@code OPENAI_BASE_URL}; the API key comes from {@code OPENAI_API_KEY}; the
 * model from {@code ?model=}, else {@code GECKO_LLM_MODEL}, else the server's first model (see
 * {@link OpenAiLanguageModel#fromEnvironment(Map)}). Registered in {@code META-INF/services};
 * found by {@link dev.gecko4j.core.lm.LanguageModels}.
 */
public final class OpenAiLanguageModelProvider implements LanguageModelProvider {

  /** Creates the provider (called by {@link java.util.ServiceLoader}). */
  public OpenAiLanguageModelProvider() {}

  @Override
  public String kind() {
    return "openai";
  }

  @Override
  public String usage() {
    return "openai:<base-url>[?model=NAME&endpoint=chat|completions]";
  }

  @Override
  public Set<String> parameters() {
    return Set.of("model", "endpoint");
  }

  @Override
  public void validate(LanguageModelSpec spec) {
    if (!spec.target().isBlank()) {
      try {
        OpenAiLanguageModel.builder().baseUrl(spec.target());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("openai: " + e.getMessage() + " (in: '" + spec + "')", e);
      }
    }
    endpoint(spec);
  }

  /**
   * Returns the generation endpoint a spec asks for.
   *
   * @param spec an {@code openai} spec; not null
   * @return its {@code endpoint} parameter, or {@link Endpoint#CHAT} without one
   * @throws IllegalArgumentException if the parameter is neither {@code chat} nor {@code
   *     completions}
   */
  public static Endpoint endpoint(LanguageModelSpec spec) {
    String v = spec.parameter("endpoint").orElse(null);
    if (v == null) {
      return Endpoint.CHAT;
    }
    try {
      return Endpoint.valueOf(v.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("openai: endpoint must be chat or completions, but is: '"
          + v + "' in: '" + spec + "'", e);
    }
  }

  @Override
  public LanguageModel open(LanguageModelSpec spec, Map<String, String> environment) {
    OpenAiLanguageModel.Builder b = OpenAiLanguageModel.fromEnvironment(environment)
        .endpoint(endpoint(spec));
    if (!spec.target().isBlank()) {
      b.baseUrl(spec.target());
    }
    String model = spec.parameter("model").orElse("");
    if (!model.isBlank()) {
      b.model(model);
    }
    return b.build();
  }
}
