package dev.gecko4j.core.eval;

/**
 * Accuracy and F1 as scikit-learn computes them: {@code accuracy_score}, and {@code f1_score}
 * with {@code average="macro"} (the mean over the labels present in the truth or the predictions)
 * and {@code average="weighted"} (weighted by each label's support in the truth); a label with no
 * true and no predicted positives has F1 0 ({@code zero_division=0}).
 */
final class ClassificationMetrics {

  private ClassificationMetrics() {}

  static double accuracy(int[] truth, int[] predicted) {
    int ok = 0;
    for (int i = 0; i < truth.length; i++) {
      if (truth[i] == predicted[i]) {
        ok++;
      }
    }
    return (double) ok / truth.length;
  }

  /** {@return {macro F1, weighted F1}} */
  static double[] f1(int[] truth, int[] predicted, int classes) {
    long[] tp = new long[classes];
    long[] fp = new long[classes];
    long[] fn = new long[classes];
    long[] support = new long[classes];
    boolean[] present = new boolean[classes];
    for (int i = 0; i < truth.length; i++) {
      present[truth[i]] = true;
      present[predicted[i]] = true;
      support[truth[i]]++;
      if (truth[i] == predicted[i]) {
        tp[truth[i]]++;
      } else {
        fp[predicted[i]]++;
        fn[truth[i]]++;
      }
    }
    double macro = 0;
    double weighted = 0;
    int labels = 0;
    long total = 0;
    for (int c = 0; c < classes; c++) {
      if (!present[c]) {
        continue;
      }
      long denom = 2 * tp[c] + fp[c] + fn[c];
      double f1 = denom == 0 ? 0 : 2.0 * tp[c] / denom;
      macro += f1;
      weighted += f1 * support[c];
      total += support[c];
      labels++;
    }
    return new double[] {macro / labels, total == 0 ? 0 : weighted / total};
  }
}
