package dev.gecko4j.core.eval;

import java.util.HashMap;
import java.util.Map;

/**
 * scikit-learn's {@code v_measure_score} ({@code beta = 1}): the harmonic mean of homogeneity
 * ({@code MI / H(classes)}, 1 when {@code H(classes)} is 0) and completeness
 * ({@code MI / H(clusters)}, 1 when {@code H(clusters)} is 0), natural logarithms.
 */
final class ClusteringMetrics {

  private ClusteringMetrics() {}

  static double vMeasure(int[] truth, int[] predicted) {
    int n = truth.length;
    if (n == 0) {
      return 1.0;
    }
    Map<Long, Integer> joint = new HashMap<>();
    Map<Integer, Integer> a = new HashMap<>();
    Map<Integer, Integer> b = new HashMap<>();
    for (int i = 0; i < n; i++) {
      a.merge(truth[i], 1, Integer::sum);
      b.merge(predicted[i], 1, Integer::sum);
      joint.merge(((long) truth[i] << 32) | (predicted[i] & 0xffffffffL), 1, Integer::sum);
    }
    double hc = entropy(a, n);
    double hk = entropy(b, n);
    double mi = 0;
    for (Map.Entry<Long, Integer> e : joint.entrySet()) {
      int ci = (int) (e.getKey() >> 32);
      int ki = (int) (long) e.getKey();
      double nij = e.getValue();
      mi += nij / n * (Math.log(nij * n) - Math.log((double) a.get(ci) * b.get(ki)));
    }
    double h = hc == 0 ? 1.0 : mi / hc;
    double c = hk == 0 ? 1.0 : mi / hk;
    return h + c == 0 ? 0 : 2 * h * c / (h + c);
  }

  private static double entropy(Map<Integer, Integer> counts, int n) {
    double h = 0;
    for (int c : counts.values()) {
      double p = (double) c / n;
      h -= p * Math.log(p);
    }
    return h;
  }
}
