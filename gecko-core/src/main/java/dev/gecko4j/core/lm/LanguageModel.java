package dev.gecko4j.core.lm;

import java.util.List;

/**
 * A causal language model, as FRet needs it: generate text for prompts, and score the
 * log-probability of a continuation given a prompt. Both are batched so an implementation can send
 * one request (or run one forward pass) for many inputs.
 *
 * <p>Implementations: an OpenAI-compatible HTTP client (gecko-fret) and an in-process ONNX causal LM
 * (gecko-onnx). Implementations are thread-safe and hold resources: close them.
 */
public interface LanguageModel extends AutoCloseable {

  /** Returns a name for logs and for the {@code model} field of mined rows. */
  String name();

  /** Returns what this model can do; callers check it before relying on {@link #score}. */
  Capabilities capabilities();

  /**
   * Generates one completion per prompt.
   *
   * @param prompts the prompts; neither the list nor an element may be null
   * @param options sampling options
   * @return one generation per prompt, in input order
   * @throws IllegalArgumentException if an argument is null (naming the index)
   * @throws LanguageModelException if the model fails after its retries
   */
  List<Generation> generate(List<String> prompts, GenerationOptions options);

  /**
   * Scores {@code log P(continuation | prompt)} for every request: the sum of the natural-log
   * probabilities of the continuation's tokens, each conditioned on the prompt and the preceding
   * continuation tokens.
   *
   * @param requests the (prompt, continuation) pairs; not null, no null element
   * @return one score per request, in input order
   * @throws IllegalArgumentException if an argument is null (naming the index)
   * @throws UnsupportedOperationException if {@link Capabilities#canScore()} is false, with a
   *     message saying why (e.g. the server returns no prompt log-probabilities)
   * @throws LanguageModelException if the model fails after its retries
   */
  List<ContinuationScore> score(List<ScoreRequest> requests);

  /** Releases resources; idempotent. */
  @Override
  void close();
}
