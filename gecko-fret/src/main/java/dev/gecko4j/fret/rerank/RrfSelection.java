package dev.gecko4j.fret.rerank;

import dev.gecko4j.core.fret.NegativeStrategy;
import java.util.Arrays;
import java.util.Random;

/**
 * FRet's fusion and selection, on plain arrays: ranks the N candidates by query likelihood and by
 * relevance classification, fuses the ranks by reciprocal rank fusion
 * {@code R = 1/r_QL + 1/r_RC} (no k constant, as the paper), and picks the positive (best R) and the
 * hard negative (lowest R, or a random other candidate).
 *
 * <p>Candidates are given in retrieval order (index 0 = nearest). Ties are broken by retrieval
 * order everywhere: among equal scores the nearer candidate ranks better; among equal R the nearer
 * candidate becomes the positive and the farther one the negative.
 */
public final class RrfSelection {

  private RrfSelection() {}

  /**
   * The ranks, fused scores and the chosen pair.
   *
   * @param qlRanks the 1-based rank of each candidate by QL
   * @param rcRanks the 1-based rank of each candidate by RC
   * @param rrf the fused score of each candidate
   * @param positive the index of the positive
   * @param negative the index of the negative (never the positive)
   */
  public record Selection(int[] qlRanks, int[] rcRanks, double[] rrf, int positive, int negative) {}

  /**
   * Returns the 1-based rank of each score, higher scores ranking first; equal scores rank by
   * index (lower index first). NaN ranks last.
   *
   * @param scores the scores; not null, not empty
   * @return the ranks, a permutation of {@code 1..n}
   * @throws IllegalArgumentException if {@code scores} is null or empty
   */
  public static int[] ranks(double[] scores) {
    if (scores == null || scores.length == 0) {
      throw new IllegalArgumentException("scores must be a non-empty array, but is: "
          + (scores == null ? "null" : "empty"));
    }
    Integer[] order = new Integer[scores.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> {
      double x = key(scores[a]);
      double y = key(scores[b]);
      return x != y ? Double.compare(y, x) : Integer.compare(a, b);
    });
    int[] ranks = new int[scores.length];
    for (int r = 0; r < order.length; r++) {
      ranks[order[r]] = r + 1;
    }
    return ranks;
  }

  private static double key(double s) {
    return Double.isNaN(s) ? Double.NEGATIVE_INFINITY : s;
  }

  /**
   * Fuses two rankings by reciprocal rank as FRet does: {@code R_i = 1/r_QL(i) + 1/r_RC(i)}, no k
   * constant. The one fusion of gecko4j: mining ({@link #select}) and {@link LlmReranker} use it.
   *
   * @param qlRanks the 1-based rank of each candidate by QL ({@link #ranks})
   * @param rcRanks the 1-based rank of each candidate by RC, same length
   * @return the fused score of each candidate, higher is better
   * @throws IllegalArgumentException if an array is null or the lengths differ
   */
  public static double[] fuse(int[] qlRanks, int[] rcRanks) {
    if (qlRanks == null || rcRanks == null || qlRanks.length != rcRanks.length) {
      throw new IllegalArgumentException("qlRanks and rcRanks must have the same length, but have "
          + (qlRanks == null ? "null" : qlRanks.length) + " and "
          + (rcRanks == null ? "null" : rcRanks.length));
    }
    double[] rrf = new double[qlRanks.length];
    for (int i = 0; i < rrf.length; i++) {
      rrf[i] = 1.0 / qlRanks[i] + 1.0 / rcRanks[i];
    }
    return rrf;
  }

  /**
   * Fuses the two rankings and picks the positive and the negative.
   *
   * @param ql query-likelihood score per candidate (higher is better)
   * @param rc relevance-classification score per candidate (higher is better), same length
   * @param strategy how to pick the negative; not null
   * @param random the randomness of {@link NegativeStrategy#RANDOM_REST}; not null
   * @return the selection
   * @throws IllegalArgumentException if an array is null, shorter than 2, or the lengths differ, or
   *     another argument is null
   */
  public static Selection select(double[] ql, double[] rc, NegativeStrategy strategy, Random random) {
    if (ql == null || rc == null || ql.length != rc.length || ql.length < 2) {
      throw new IllegalArgumentException("ql and rc must have the same length >= 2, but have "
          + (ql == null ? "null" : ql.length) + " and " + (rc == null ? "null" : rc.length));
    }
    if (strategy == null) {
      throw new IllegalArgumentException("strategy must not be null");
    }
    if (random == null) {
      throw new IllegalArgumentException("random must not be null");
    }
    int n = ql.length;
    int[] qr = ranks(ql);
    int[] rr = ranks(rc);
    double[] rrf = fuse(qr, rr);
    int best = 0;
    int worst = n - 1;
    for (int i = 1; i < n; i++) {
      if (rrf[i] > rrf[best]) {
        best = i;
      }
    }
    for (int i = n - 2; i >= 0; i--) {
      if (rrf[i] < rrf[worst]) {
        worst = i;
      }
    }
    int negative;
    if (strategy == NegativeStrategy.LOWEST) {
      negative = worst != best ? worst : (best == n - 1 ? n - 2 : n - 1);
    } else {
      int pick = random.nextInt(n - 1);
      negative = pick >= best ? pick + 1 : pick;
    }
    return new Selection(qr, rr, rrf, best, negative);
  }
}
