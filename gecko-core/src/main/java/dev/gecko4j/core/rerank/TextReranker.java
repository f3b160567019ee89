package dev.gecko4j.core.rerank;

import java.util.List;

/**
 * Scores a query against passages jointly (a cross-encoder, or an LLM) and reorders a retriever's
 * candidates. Implementations: {@code dev.gecko4j.onnx.OnnxCrossEncoder} (gecko-onnx) and
 * {@code dev.gecko4j.fret.rerank.LlmReranker} (gecko-fret).
 *
 * <p>Scores come back in input order as {@link RelevanceScores}, which holds the raw logits and
 * the probabilities side by side; {@link #rerank(String, List, int, ScoreScale)} names the scale of
 * the single score it reports. Nothing switches scales silently.
 *
 * <p>Implementations are thread-safe and hold native resources: close them (try-with-resources).
 * Calls after {@link #close()} throw {@link IllegalStateException}.
 */
public interface TextReranker extends AutoCloseable {

  /** {@return a short name of the model, for logs and results} */
  String name();

  /**
   * Scores each passage against the query.
   *
   * @param query the query; not null
   * @param passages the passages; not null, no null element (may be empty: no scores)
   * @return the scores, in input order
   * @throws IllegalArgumentException naming the bad argument (what is refused beyond nulls is the
   *     implementation's documented input rule)
   * @throws IllegalStateException if the reranker is closed
   */
  RelevanceScores score(String query, List<String> passages);

  /**
   * Scores the passages and returns the best {@code topN}, best first.
   *
   * @param query the query; not null
   * @param passages the candidates; not null, no null element
   * @param topN how many to keep; at least 1 (fewer when there are fewer passages)
   * @param scale the scale of the reported scores; not null
   * @return the reranked passages, each with its input index
   * @throws IllegalArgumentException naming the bad argument
   * @throws IllegalStateException if the reranker is closed
   */
  default List<RankedPassage> rerank(String query, List<String> passages, int topN,
      ScoreScale scale) {
    if (topN < 1) {
      throw new IllegalArgumentException("topN must be >= 1, but is: " + topN);
    }
    if (scale == null) {
      throw new IllegalArgumentException("scale must not be null");
    }
    return score(query, passages).top(passages, topN, scale);
  }

  /** Releases the model; idempotent. In-flight calls finish first or fail cleanly. */
  @Override
  void close();
}
