package dev.gecko4j.train.data;

import java.util.Locale;

/**
 * How hard negatives are mined: the embedder ranks the corpus for each query, positives are
 * removed, and negatives are drawn from ranks {@code [fromRank, toRank)} (0-based, after removing
 * positives). Skipping the very top ranks avoids unlabelled positives (false negatives).
 *
 * @param fromRank first rank a negative may come from, >= 0
 * @param toRank one past the last rank, {@code > fromRank}, {@code <= 1000}
 * @param seed picks one negative per (query, positive) row from the range
 */
public record HardNegatives(int fromRank, int toRank, long seed) {
  /** Default: ranks 3..30, seed 42 (skip the top 3 to limit false negatives). */
  public static final HardNegatives DEFAULT = new HardNegatives(3, 30, 42);

  /**
   * Validates.
   *
   * @throws IllegalArgumentException if the range is empty or out of bounds
   */
  public HardNegatives {
    if (fromRank < 0 || toRank <= fromRank || toRank > 1000) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "need 0 <= fromRank < toRank <= 1000, but fromRank is %d and toRank is %d", fromRank, toRank));
    }
  }
}
