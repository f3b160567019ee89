package dev.gecko4j.core.rerank;

/**
 * One passage of a reranked list.
 *
 * @param index the passage's position in the input list (0-based)
 * @param text the passage
 * @param score its score on the requested {@link ScoreScale}
 */
public record RankedPassage(int index, String text, double score) {

  /**
   * Validates the values.
   *
   * @throws IllegalArgumentException if {@code index} is negative or {@code text} is null
   */
  public RankedPassage {
    if (index < 0) {
      throw new IllegalArgumentException("index must be >= 0, but is: " + index);
    }
    if (text == null) {
      throw new IllegalArgumentException("text must not be null");
    }
  }
}
