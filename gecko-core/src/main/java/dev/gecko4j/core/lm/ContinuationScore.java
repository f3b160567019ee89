package dev.gecko4j.core.lm;

import java.util.Arrays;

/**
 * The log-probability of a continuation given a prompt (natural log).
 *
 * @param logProbability the total, the sum of {@code tokenLogProbabilities}
 * @param tokenLogProbabilities one value per continuation token, in order (a copy is kept)
 */
public record ContinuationScore(double logProbability, double[] tokenLogProbabilities) {
  /** Validates and copies the fields. */
  public ContinuationScore {
    if (tokenLogProbabilities == null) {
      throw new IllegalArgumentException("tokenLogProbabilities must not be null");
    }
    tokenLogProbabilities = tokenLogProbabilities.clone();
    if (Double.isNaN(logProbability) || logProbability > 1e-9) {
      throw new IllegalArgumentException(
          "logProbability must be a log-probability (<= 0, not NaN), but is: " + logProbability);
    }
  }

  /**
   * Builds a score from per-token values, summing them.
   *
   * @param tokenLogProbabilities the per-token natural-log probabilities; not null
   * @return the score
   */
  public static ContinuationScore ofTokens(double[] tokenLogProbabilities) {
    if (tokenLogProbabilities == null) {
      throw new IllegalArgumentException("tokenLogProbabilities must not be null");
    }
    double s = 0;
    for (double v : tokenLogProbabilities) {
      s += v;
    }
    return new ContinuationScore(s, tokenLogProbabilities);
  }

  /**
   * Returns a copy of the per-token log-probabilities.
   *
   * @return a new array
   */
  @Override
  public double[] tokenLogProbabilities() {
    return tokenLogProbabilities.clone();
  }

  /**
   * Returns the number of scored tokens.
   *
   * @return the token count
   */
  public int tokenCount() {
    return tokenLogProbabilities.length;
  }

  /**
   * Returns the mean log-probability per token (0 for an empty continuation).
   *
   * @return the mean
   */
  public double meanLogProbability() {
    return tokenLogProbabilities.length == 0 ? 0 : logProbability / tokenLogProbabilities.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ContinuationScore c && c.logProbability == logProbability
        && Arrays.equals(c.tokenLogProbabilities, tokenLogProbabilities);
  }

  @Override
  public int hashCode() {
    return Double.hashCode(logProbability) * 31 + Arrays.hashCode(tokenLogProbabilities);
  }

  @Override
  public String toString() {
    return "ContinuationScore[logProbability=" + logProbability + ", tokens="
        + tokenLogProbabilities.length + "]";
  }
}
