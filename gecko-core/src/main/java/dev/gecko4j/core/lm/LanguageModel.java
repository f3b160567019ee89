package dev.gecko4j.core.lm;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A causal language model, as FRet needs it: generate text for prompts, and score the
 * log-probability of a continuation given a prompt. Both are batched so an implementation can send
 * one request (or run one forward pass) for many inputs.
 *
 * <p>Implementations: an OpenAI-compatible HTTP client (gecko-fret) and an in-process ONNX causal LM
 * (gecko-onnx). Implementations are thread-safe and hold resources: close them.
 */
public interface LanguageModel extends AutoCloseable {

  /**
   * Returns a name for logs and for the {@code model} field of mined rows.
   *
   * @return the model name, never null
   */
  String name();

  /**
   * Returns what this model can do; callers check it before relying on {@link #score}.
   *
   * @return the capabilities, never null
   */
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

  /**
   * Returns, for each prompt, the log-probability of each label as what follows the prompt (e.g. the
   * graded labels of FRet's relevance classification). The default scores every (prompt, label) pair
   * with {@link #score} in one call: {@code log P(label | prompt)}, exact for multi-token labels
   * (put any separating space in the label or at the end of the prompt). Backends that cannot score
   * override it: the OpenAI-compatible client reads the first generated token's {@code
   * top_logprobs}, giving {@link Double#NEGATIVE_INFINITY} to labels outside them.
   *
   * @param prompts the prompts; not null, no null element
   * @param labels the labels; not null, not empty, no null or empty element
   * @return one map per prompt, in input order, from label to natural-log probability, in label order
   * @throws IllegalArgumentException if an argument is null or empty (naming the index)
   * @throws LanguageModelException if the model fails after its retries
   */
  default List<Map<String, Double>> labelLogProbabilities(List<String> prompts, List<String> labels) {
    if (prompts == null) {
      throw new IllegalArgumentException("prompts must not be null");
    }
    if (labels == null || labels.isEmpty()) {
      throw new IllegalArgumentException("labels must be a non-empty list, but is: " + labels);
    }
    List<ScoreRequest> requests = new ArrayList<>(prompts.size() * labels.size());
    for (int i = 0; i < prompts.size(); i++) {
      if (prompts.get(i) == null) {
        throw new IllegalArgumentException("prompts[" + i + "] must not be null");
      }
      for (int j = 0; j < labels.size(); j++) {
        if (labels.get(j) == null || labels.get(j).isEmpty()) {
          throw new IllegalArgumentException("labels[" + j + "] must be a non-empty string, but is: " + labels.get(j));
        }
        requests.add(new ScoreRequest(prompts.get(i), labels.get(j)));
      }
    }
    List<ContinuationScore> scores = score(requests);
    List<Map<String, Double>> out = new ArrayList<>(prompts.size());
    for (int i = 0; i < prompts.size(); i++) {
      Map<String, Double> m = new LinkedHashMap<>();
      for (int j = 0; j < labels.size(); j++) {
        m.put(labels.get(j), scores.get(i * labels.size() + j).logProbability());
      }
      out.add(m);
    }
    return out;
  }

  /** Releases resources; idempotent. */
  @Override
  void close();
}
