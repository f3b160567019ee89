package dev.gecko4j.core.eval;

/**
 * One retrieved document of a ranked result list: its id and its retrieval score (higher is
 * better).
 *
 * @param id the document id; not null
 * @param score the score; finite
 */
public record ScoredDocument(String id, double score) {

  /** Validates the id and the score. */
  public ScoredDocument {
    if (id == null) {
      throw new IllegalArgumentException("id must not be null");
    }
    if (!Double.isFinite(score)) {
      throw new IllegalArgumentException(
          "score of document '" + id + "' must be finite, but is: " + score);
    }
  }
}
