package dev.gecko4j.train.loss;

import ai.djl.ndarray.NDArray;
import dev.gecko4j.train.internal.Scalars;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import dev.gecko4j.core.train.ContrastiveLoss.HardNegatives;
import java.util.Locale;

/**
 * The tensor computation of {@link dev.gecko4j.core.train.ContrastiveLoss.InfoNce}: for query
 * {@code q_i} a log-softmax over {@code s(q_i, p_j)/τ} (every row), {@code s(q_i, q_j)/τ} for
 * {@code j ≠ i} when query–query negatives are on, and the selected hard negatives ({@code
 * s(q_i, n_i)/τ} for the row's own, {@code s(q_i, n_j)/τ} for every row's), taken at {@code
 * p_i}; with {@code symmetric}, the mean with the document→query loss (a log-softmax over {@code
 * s(p_i, q_j)/τ} at {@code q_i}). Cosine similarity: the rows are L2-normalised first. Without
 * negatives (null) the hard-negative candidates are dropped.
 */
public final class InfoNceLoss implements ContrastiveLoss {
  private final double temperature;
  private final HardNegatives hardNegatives;
  private final boolean queryQueryNegatives;
  private final boolean symmetric;

  /**
   * Creates the loss.
   *
   * @param spec the loss's settings; not null
   */
  public InfoNceLoss(dev.gecko4j.core.train.ContrastiveLoss.InfoNce spec) {
    this.temperature = ContrastiveLoss.checkTemperature(spec.temperature());
    this.hardNegatives = spec.hardNegatives();
    this.queryQueryNegatives = spec.queryQueryNegatives();
    this.symmetric = spec.symmetric();
  }

  @Override
  public boolean usesNegatives() {
    return hardNegatives != HardNegatives.NONE;
  }

  @Override
  public NDArray compute(NDArray queries, NDArray positives, NDArray negatives) {
    ContrastiveLoss.checkShapes(queries, positives, negatives);
    long b = queries.getShape().get(0);
    NDArray q = ContrastiveLoss.unit(queries);
    NDArray p = ContrastiveLoss.unit(positives);
    NDArray tau = Scalars.of(q, temperature);
    NDArray eye = queries.getManager().eye((int) b).toType(queries.getDataType(), false);
    NDArray qp = q.matMul(p.transpose()).div(tau); // [B, B]
    NDList cols = new NDList(qp);
    if (queryQueryNegatives) {
      cols.add(q.matMul(q.transpose()).div(tau).sub(eye.mul(1e4))); // mask j == i
    }
    if (negatives != null && hardNegatives != HardNegatives.NONE) {
      NDArray n = ContrastiveLoss.unit(negatives);
      cols.add(hardNegatives == HardNegatives.OWN_ROW
          ? q.mul(n).sum(new int[] {1}, true).div(tau) // [B, 1]
          : q.matMul(n.transpose()).div(tau)); // [B, B]
    }
    NDArray logits = cols.size() == 1 ? qp : NDArrays.concat(cols, 1);
    NDArray logProb = logits.logSoftmax(1).get(new NDIndex(":, :{}", b));
    NDArray loss = logProb.mul(eye).sum();
    loss = loss.div(Scalars.of(loss, -b));
    if (symmetric) {
      NDArray back = qp.transpose().logSoftmax(1).mul(eye).sum();
      back = back.div(Scalars.of(back, -b));
      loss = loss.add(back);
      loss = loss.div(Scalars.of(loss, 2));
    }
    return loss;
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "InfoNceLoss[τ=%s, hardNegatives=%s, qq=%s, symmetric=%s]",
        temperature, hardNegatives, queryQueryNegatives, symmetric);
  }
}
