package dev.gecko4j.core.eval;

import dev.gecko4j.core.internal.Args;
import java.util.Arrays;
import java.util.Comparator;

/**
 * The scores MTEB's pair-classification and reranking evaluators compute, as they compute them:
 * scikit-learn's {@code average_precision_score} (tied scores form one threshold), MTEB's sweeps
 * for the best accuracy and F1 with their thresholds, and the reciprocal rank of the first
 * relevant candidate within the top k.
 */
final class RankingMetrics {

  private RankingMetrics() {}

  /**
   * Average precision of {@code scores} (higher = more likely positive) against binary labels, as
   * scikit-learn's {@code average_precision_score}: {@code sum_n (R_n - R_{n-1}) P_n} over the
   * distinct score thresholds in decreasing order.
   *
   * @param positive whether each item is positive; not null
   * @param scores each item's score, finite; not null, the same length
   * @return the average precision in [0, 1]; 0 when there is no positive (scikit-learn warns and
   *     returns a meaningless value there)
   * @throws IllegalArgumentException if an argument is null, the lengths differ or are 0, or a
   *     score is not finite
   */
  static double averagePrecision(boolean[] positive, double[] scores) {
    check(positive, scores);
    int n = scores.length;
    Integer[] order = order(scores, true);
    int totalPos = 0;
    for (boolean p : positive) {
      totalPos += p ? 1 : 0;
    }
    if (totalPos == 0) {
      return 0;
    }
    double ap = 0;
    int tp = 0;
    int seen = 0;
    double prevRecall = 0;
    for (int i = 0; i < n; i++) {
      int idx = order[i];
      seen++;
      if (positive[idx]) {
        tp++;
      }
      if (i + 1 < n && scores[order[i + 1]] == scores[idx]) {
        continue; // same threshold
      }
      double recall = (double) tp / totalPos;
      double precision = (double) tp / seen;
      ap += (recall - prevRecall) * precision;
      prevRecall = recall;
    }
    return ap;
  }

  /**
   * MTEB's {@code find_best_acc_and_threshold}: rows sorted by score (descending when higher is
   * more similar, else ascending; stable), and for each cut after row {@code i < n - 1} the
   * accuracy of calling the rows up to {@code i} positive; the best accuracy (the first on ties)
   * and the midpoint of the scores on either side of its cut.
   *
   * @param positive the labels; not null
   * @param scores the scores; not null, the same length, at least 2
   * @param higherIsSimilar true for similarities, false for distances
   * @return {accuracy, threshold}; threshold -1 when no cut beats accuracy 0
   * @throws IllegalArgumentException if an argument is null, the lengths differ, there are fewer
   *     than 2 rows, or a score is not finite
   */
  static double[] bestAccuracy(boolean[] positive, double[] scores,
      boolean higherIsSimilar) {
    check(positive, scores);
    Args.require(scores.length >= 2, "needs at least 2 pairs, but has: %s", scores.length);
    Integer[] order = order(scores, higherIsSimilar);
    int n = scores.length;
    int positiveSoFar = 0;
    int remainingNegatives = 0;
    for (boolean p : positive) {
      remainingNegatives += p ? 0 : 1;
    }
    double best = 0;
    double threshold = -1;
    for (int i = 0; i < n - 1; i++) {
      if (positive[order[i]]) {
        positiveSoFar++;
      } else {
        remainingNegatives--;
      }
      double acc = (double) (positiveSoFar + remainingNegatives) / n;
      if (acc > best) {
        best = acc;
        threshold = (scores[order[i]] + scores[order[i + 1]]) / 2;
      }
    }
    return new double[] {best, threshold};
  }

  /**
   * MTEB's {@code find_best_f1_and_threshold}: over the same sorted cuts, the best F1 of calling
   * the rows up to {@code i} positive (the first on ties), with its precision, recall and the
   * midpoint threshold.
   *
   * @param positive the labels; not null
   * @param scores the scores; not null, the same length, at least 2
   * @param higherIsSimilar true for similarities, false for distances
   * @return {f1, precision, recall, threshold}; all 0 when no cut has a true positive
   * @throws IllegalArgumentException if an argument is null, the lengths differ, there are fewer
   *     than 2 rows, or a score is not finite
   */
  static double[] bestF1(boolean[] positive, double[] scores, boolean higherIsSimilar) {
    check(positive, scores);
    Args.require(scores.length >= 2, "needs at least 2 pairs, but has: %s", scores.length);
    Integer[] order = order(scores, higherIsSimilar);
    int n = scores.length;
    int total = 0;
    for (boolean p : positive) {
      total += p ? 1 : 0;
    }
    double bestF1 = 0;
    double bestP = 0;
    double bestR = 0;
    double threshold = 0;
    int extracted = 0;
    int correct = 0;
    for (int i = 0; i < n - 1; i++) {
      extracted++;
      if (positive[order[i]]) {
        correct++;
      }
      if (correct > 0) {
        double p = (double) correct / extracted;
        double r = (double) correct / total;
        double f1 = 2 * p * r / (p + r);
        if (f1 > bestF1) {
          bestF1 = f1;
          bestP = p;
          bestR = r;
          threshold = (scores[order[i]] + scores[order[i + 1]]) / 2;
        }
      }
    }
    return new double[] {bestF1, bestP, bestR, threshold};
  }

  /**
   * The reciprocal rank of the first relevant candidate among the {@code k} highest-scored
   * (ties keep the candidates' order), or 0 if none is there: MTEB's reranking {@code mrr}.
   *
   * @param relevant whether each candidate is relevant; not null
   * @param scores each candidate's score; not null, the same length
   * @param k the cut-off, at least 1
   * @return the reciprocal rank, in [0, 1]
   * @throws IllegalArgumentException if an argument is null, the lengths differ or are 0, a score
   *     is not finite, or {@code k < 1}
   */
  static double reciprocalRankAt(boolean[] relevant, double[] scores, int k) {
    check(relevant, scores);
    Args.atLeast(k, 1, "k");
    Integer[] order = order(scores, true);
    for (int r = 0; r < Math.min(k, order.length); r++) {
      if (relevant[order[r]]) {
        return 1.0 / (r + 1);
      }
    }
    return 0;
  }

  private static Integer[] order(double[] scores, boolean descending) {
    Integer[] order = new Integer[scores.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Comparator<Integer> c = (a, b) -> Double.compare(scores[a], scores[b]);
    Arrays.sort(order, descending ? c.reversed() : c);
    return order;
  }

  private static void check(boolean[] labels, double[] scores) {
    Args.notNull(labels, "labels");
    Args.notNull(scores, "scores");
    Args.require(labels.length == scores.length,
        "labels and scores must have the same length, but have %s and %s", labels.length,
        scores.length);
    Args.require(scores.length > 0, "labels and scores must not be empty");
    for (int i = 0; i < scores.length; i++) {
      if (!Double.isFinite(scores[i])) {
        throw new IllegalArgumentException("scores must be finite, but scores[" + i + "] is: "
            + scores[i]);
      }
    }
  }
}
