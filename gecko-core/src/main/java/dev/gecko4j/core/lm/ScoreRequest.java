package dev.gecko4j.core.lm;

/**
 * A request to score {@code log P(continuation | prompt)}.
 *
 * @param prompt the conditioning text; not null (may be empty)
 * @param continuation the text whose log-probability is scored; not null, not empty
 */
public record ScoreRequest(String prompt, String continuation) {
  /** Validates the fields. */
  public ScoreRequest {
    if (prompt == null) {
      throw new IllegalArgumentException("prompt must not be null");
    }
    if (continuation == null || continuation.isEmpty()) {
      throw new IllegalArgumentException(
          "continuation must be a non-empty string, but is: "
              + (continuation == null ? "null" : "''"));
    }
  }
}
