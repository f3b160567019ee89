package dev.gecko4j.core.train;

/**
 * One contrastive training row, with task prompts already applied: a query, its positive and
 * (optionally) one hard negative.
 *
 * @param query the prompted query text
 * @param positive the prompted positive text
 * @param negative the prompted hard negative text, or null when the row has none
 */
public record TrainingExample(String query, String positive, String negative) {
  /**
   * Validates the texts.
   *
   * @throws IllegalArgumentException if query or positive is null or blank, or negative is blank
   */
  public TrainingExample {
    if (query == null || query.isBlank()) {
      throw new IllegalArgumentException("query must be a non-blank text, but is: " + quote(query));
    }
    if (positive == null || positive.isBlank()) {
      throw new IllegalArgumentException("positive must be a non-blank text, but is: " + quote(positive));
    }
    if (negative != null && negative.isBlank()) {
      throw new IllegalArgumentException("negative must be null or a non-blank text, but is: \"\"");
    }
  }

  private static String quote(String s) {
    return s == null ? "null" : "\"" + s + "\"";
  }
}
