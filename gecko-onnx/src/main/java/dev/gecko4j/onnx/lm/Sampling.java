package dev.gecko4j.onnx.lm;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The arithmetic on one position's logits ({@code logits[base .. base+vocab)}): greedy choice,
 * nucleus sampling and the log-softmax of one token, in double precision.
 */
final class Sampling {

  private Sampling() {}

  /** {@return the first index of the largest logit} */
  static int argmax(float[] logits, int base, int vocab) {
    int best = 0;
    for (int v = 1; v < vocab; v++) {
      if (logits[base + v] > logits[base + best]) {
        best = v;
      }
    }
    return best;
  }

  /** {@code log softmax(logits[base .. base+vocab))[token]} in double precision. */
  static double logSoftmaxAt(float[] logits, int base, int vocab, int token) {
    double max = max(logits, base, vocab);
    double sum = 0;
    for (int v = 0; v < vocab; v++) {
      sum += Math.exp(logits[base + v] - max);
    }
    return logits[base + token] - max - Math.log(sum);
  }

  /** Samples from softmax(logits / temperature) restricted to the top-p nucleus. */
  static int sample(float[] logits, int base, int vocab, double temperature, double topP,
      SplittableRandom rng) {
    double max = max(logits, base, vocab);
    double[] p = new double[vocab];
    double sum = 0;
    for (int v = 0; v < vocab; v++) {
      p[v] = Math.exp((logits[base + v] - max) / temperature);
      sum += p[v];
    }
    for (int v = 0; v < vocab; v++) {
      p[v] /= sum;
    }
    if (topP >= 1) {
      double u = rng.nextDouble();
      double acc = 0;
      for (int v = 0; v < vocab; v++) {
        acc += p[v];
        if (u < acc) {
          return v;
        }
      }
      return vocab - 1;
    }
    Integer[] order = new Integer[vocab];
    for (int v = 0; v < vocab; v++) {
      order[v] = v;
    }
    Arrays.sort(order, (a, b) -> Double.compare(p[b], p[a]));
    int keep = 0;
    double mass = 0;
    while (keep < vocab && (keep == 0 || mass < topP)) {
      mass += p[order[keep]];
      keep++;
    }
    double u = rng.nextDouble() * mass;
    double acc = 0;
    for (int j = 0; j < keep; j++) {
      acc += p[order[j]];
      if (u < acc) {
        return order[j];
      }
    }
    return order[keep - 1];
  }

  private static double max(float[] logits, int base, int vocab) {
    double max = Double.NEGATIVE_INFINITY;
    for (int v = 0; v < vocab; v++) {
      max = Math.max(max, logits[base + v]);
    }
    return max;
  }
}
