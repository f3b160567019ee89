package dev.gecko4j.train.loss;

import dev.gecko4j.core.internal.Args;
import dev.gecko4j.train.internal.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import java.util.Arrays;
import java.util.Locale;

/**
 * Matryoshka representation learning (Kusupati et al., 2022) as a wrapper, like
 * sentence-transformers' {@code MatryoshkaLoss}: the inner loss is applied to the first
 * {@code d'} dimensions of the embeddings for each configured {@code d'} and the results are
 * summed with weights, {@code L = Σ_k w_k · inner(x[:, :d_k])}.
 */
public final class MatryoshkaLoss implements ContrastiveLoss {
  private final ContrastiveLoss inner;
  private final int[] dims;
  private final double[] weights;

  /**
   * Wraps {@code inner} with weight 1 for every dimension.
   *
   * @param inner the loss applied to each truncation
   * @param dims truncation sizes, each >= 1, distinct (e.g. 384, 256, 128)
   * @throws IllegalArgumentException if dims is empty or invalid
   */
  public MatryoshkaLoss(ContrastiveLoss inner, int... dims) {
    this(inner, dims, ones(dims == null ? 0 : dims.length));
  }

  /**
   * Wraps {@code inner}.
   *
   * @param inner the loss applied to each truncation
   * @param dims truncation sizes, each >= 1, distinct
   * @param weights one non-negative finite weight per dimension
   * @throws IllegalArgumentException if an argument is invalid
   */
  public MatryoshkaLoss(ContrastiveLoss inner, int[] dims, double[] weights) {
    this.inner = Args.notNull(inner, "inner");
    if (dims == null || dims.length == 0) {
      throw new IllegalArgumentException("dims must name at least one dimension");
    }
    if (weights == null || weights.length != dims.length) {
      throw new IllegalArgumentException("weights must have one entry per dim (" + dims.length
          + "), but has " + (weights == null ? "null" : weights.length));
    }
    for (int d : dims) {
      if (d < 1) {
        throw new IllegalArgumentException("dims must be >= 1, but contains: " + d);
      }
    }
    if (Arrays.stream(dims).distinct().count() != dims.length) {
      throw new IllegalArgumentException("dims must be distinct, but are: " + Arrays.toString(dims));
    }
    for (double w : weights) {
      if (!(w >= 0) || Double.isInfinite(w)) {
        throw new IllegalArgumentException("weights must be finite and >= 0, but contain: " + w);
      }
    }
    this.dims = dims.clone();
    this.weights = weights.clone();
  }

  private static double[] ones(int n) {
    double[] w = new double[n];
    Arrays.fill(w, 1.0);
    return w;
  }

  /** @return the truncation sizes */
  public int[] dims() {
    return dims.clone();
  }

  @Override
  public boolean usesNegatives() {
    return inner.usesNegatives();
  }

  @Override
  public NDArray compute(NDArray queries, NDArray positives, NDArray negatives) {
    ContrastiveLoss.checkShapes(queries, positives, negatives);
    long full = queries.getShape().get(1);
    NDArray total = null;
    for (int k = 0; k < dims.length; k++) {
      if (dims[k] > full) {
        throw new IllegalArgumentException("dim " + dims[k] + " exceeds the embedding size " + full);
      }
      NDIndex cut = new NDIndex(":, :{}", dims[k]);
      NDArray l = inner.compute(queries.get(cut), positives.get(cut),
          negatives == null ? null : negatives.get(cut));
      // the weight as a 0-d array of the loss's type: a Java double would promote to float64
      l = l.mul(Scalars.of(l, weights[k]));
      total = total == null ? l : total.add(l);
    }
    return total;
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "MatryoshkaLoss[%s, dims=%s, weights=%s]", inner,
        Arrays.toString(dims), Arrays.toString(weights));
  }
}
