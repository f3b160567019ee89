package dev.gecko4j.fret.llm;

/** Which OpenAI-compatible endpoint {@link OpenAiLanguageModel} generates with. */
public enum Endpoint {
  /** {@code POST /chat/completions}: the prompt is sent as one user message (one request per prompt). */
  CHAT,
  /** {@code POST /completions}: the raw prompt, many prompts per request (legacy, served by vLLM). */
  COMPLETIONS
}
