package dev.gecko4j.core.index;

/**
 * One search result of a {@link VectorIndex} (such as {@link FlatIndex}).
 *
 * @param id the id the vector was added with
 * @param ordinal the position of the vector in the index (0 for the first added)
 * @param score the similarity to the query (higher is more similar)
 */
public record Hit(String id, int ordinal, float score) {

  /**
   * Validates the hit.
   *
   * @throws IllegalArgumentException if {@code id} is null or {@code ordinal} is negative
   */
  public Hit {
    if (id == null) {
      throw new IllegalArgumentException("id must not be null");
    }
    if (ordinal < 0) {
      throw new IllegalArgumentException("ordinal must be >= 0, but is: " + ordinal);
    }
  }
}
