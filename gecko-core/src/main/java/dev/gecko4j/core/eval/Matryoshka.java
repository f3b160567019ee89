package dev.gecko4j.core.eval;

import dev.gecko4j.core.Embedder;
import dev.gecko4j.core.Embedding;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The per-dimension helpers shared by the task evaluators. */
final class Matryoshka {

  private Matryoshka() {}

  /**
   * Checks requested dimensions against the embedder: each between 1 and its dimension (0 means
   * the full one), no duplicates; returns them resolved, in the given order.
   */
  static List<Integer> resolve(Embedder embedder, List<Integer> dims) {
    if (dims == null || dims.isEmpty()) {
      throw new IllegalArgumentException("dimensions must name at least one dimension, but is: "
          + dims);
    }
    int full = embedder.dimension();
    List<Integer> out = new ArrayList<>();
    for (Integer d : dims) {
      if (d == null || d < 0 || d > full) {
        throw new IllegalArgumentException(String.format(Locale.ROOT,
            "each dimension must be 0 (the embedder's) or between 1 and %d, but one is: %s", full,
            d));
      }
      int r = d == 0 ? full : d;
      if (out.contains(r)) {
        throw new IllegalArgumentException("dimensions must not repeat, but " + r
            + " appears twice in " + dims);
      }
      out.add(r);
    }
    return out;
  }

  /**
   * The vectors at {@code dim}: as embedded when {@code dim} is their length, else truncated to
   * the first {@code dim} values and renormalised.
   */
  static double[][] vectors(Embedding[] embeddings, int dim) {
    double[][] out = new double[embeddings.length][];
    for (int i = 0; i < embeddings.length; i++) {
      Embedding e = embeddings[i].dimension() == dim ? embeddings[i] : embeddings[i].truncate(dim);
      double[] v = new double[dim];
      for (int j = 0; j < dim; j++) {
        v[j] = e.get(j);
      }
      out[i] = v;
    }
    return out;
  }

  static int largest(List<Integer> dims) {
    int m = 0;
    for (int d : dims) {
      m = Math.max(m, d);
    }
    return m;
  }
}
