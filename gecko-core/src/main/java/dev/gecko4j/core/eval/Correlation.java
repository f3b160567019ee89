package dev.gecko4j.core.eval;

import java.util.Arrays;
import java.util.Locale;

/**
 * Correlation coefficients in double precision, computed as scipy does: {@link #pearson} is
 * {@code scipy.stats.pearsonr}, {@link #spearman} is {@code scipy.stats.spearmanr} (the Pearson
 * correlation of the ranks, where tied values get the average of the ranks they span).
 */
public final class Correlation {

  private Correlation() {}

  /**
   * Returns the Pearson correlation coefficient of {@code x} and {@code y}.
   *
   * @param x the first sample; at least 2 finite values
   * @param y the second sample; same length as {@code x}, finite values
   * @return the coefficient, in {@code [-1, 1]}
   * @throws IllegalArgumentException if an array is null, the lengths differ, there are fewer than
   *     2 values, a value is not finite, or either sample is constant (the coefficient is then
   *     undefined)
   */
  public static double pearson(double[] x, double[] y) {
    check(x, y);
    int n = x.length;
    double mx = mean(x);
    double my = mean(y);
    double sxy = 0;
    double sxx = 0;
    double syy = 0;
    for (int i = 0; i < n; i++) {
      double dx = x[i] - mx;
      double dy = y[i] - my;
      sxy += dx * dy;
      sxx += dx * dx;
      syy += dy * dy;
    }
    if (sxx == 0 || syy == 0) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "correlation is undefined for a constant sample (variance of x = %s, of y = %s);"
              + " expected both samples to vary", sxx, syy));
    }
    double r = sxy / Math.sqrt(sxx * syy);
    return Math.max(-1.0, Math.min(1.0, r));
  }

  /**
   * Returns the Spearman rank correlation coefficient of {@code x} and {@code y}: the Pearson
   * correlation of their {@linkplain #averageRanks average ranks}.
   *
   * @param x the first sample; at least 2 finite values
   * @param y the second sample; same length as {@code x}, finite values
   * @return the coefficient, in {@code [-1, 1]}
   * @throws IllegalArgumentException if an array is null, the lengths differ, there are fewer than
   *     2 values, a value is not finite, or either sample is constant
   */
  public static double spearman(double[] x, double[] y) {
    check(x, y);
    return pearson(averageRanks(x), averageRanks(y));
  }

  /**
   * Returns the 1-based ranks of {@code values} in ascending order, where tied values all get the
   * average of the ranks they span (scipy's {@code rankdata(method="average")}); e.g.
   * {@code [10, 20, 20, 30]} gets {@code [1, 2.5, 2.5, 4]}.
   *
   * @param values the values; not null, all finite
   * @return a new array of ranks, same length as {@code values}
   * @throws IllegalArgumentException if {@code values} is null or holds a non-finite value
   */
  public static double[] averageRanks(double[] values) {
    if (values == null) {
      throw new IllegalArgumentException("values must not be null");
    }
    checkFinite("values", values);
    int n = values.length;
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(values[a], values[b]));
    double[] ranks = new double[n];
    int i = 0;
    while (i < n) {
      int j = i;
      while (j + 1 < n && values[order[j + 1]] == values[order[i]]) {
        j++;
      }
      // positions i..j (0-based) are tied: ranks i+1..j+1, average (i+j)/2 + 1
      double rank = (i + j) / 2.0 + 1.0;
      for (int k = i; k <= j; k++) {
        ranks[order[k]] = rank;
      }
      i = j + 1;
    }
    return ranks;
  }

  private static void check(double[] x, double[] y) {
    if (x == null || y == null) {
      throw new IllegalArgumentException("samples must not be null, but x is "
          + (x == null ? "null" : "given") + " and y is " + (y == null ? "null" : "given"));
    }
    if (x.length != y.length) {
      throw new IllegalArgumentException(
          "samples must have the same length, but x has " + x.length + " and y has " + y.length);
    }
    if (x.length < 2) {
      throw new IllegalArgumentException(
          "samples must have at least 2 values, but have: " + x.length);
    }
    checkFinite("x", x);
    checkFinite("y", y);
  }

  private static void checkFinite(String name, double[] v) {
    for (int i = 0; i < v.length; i++) {
      if (!Double.isFinite(v[i])) {
        throw new IllegalArgumentException(
            "non-finite value at " + name + "[" + i + "]=" + v[i] + "; expected a finite number");
      }
    }
  }

  private static double mean(double[] v) {
    double s = 0;
    for (double d : v) {
      s += d;
    }
    return s / v.length;
  }
}
