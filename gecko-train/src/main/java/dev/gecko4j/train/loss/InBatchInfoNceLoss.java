package dev.gecko4j.train.loss;

import ai.djl.ndarray.NDArray;
import java.util.Locale;

/**
 * Plain in-batch InfoNCE (pre-finetuning in Gecko): each query's positive against the other
 * rows' positives only, {@code L = -1/B Σ_i log softmax_j(s(q_i,p_j)/τ)[i]}. Hard negatives are
 * ignored.
 */
public final class InBatchInfoNceLoss implements ContrastiveLoss {
  private final double temperature;

  /**
   * Creates the loss.
   *
   * @param temperature τ, in (0, 10]
   * @throws IllegalArgumentException if τ is out of range
   */
  public InBatchInfoNceLoss(double temperature) {
    this.temperature = ContrastiveLoss.checkTemperature(temperature);
  }

  /** @return τ */
  public double temperature() {
    return temperature;
  }

  @Override
  public boolean usesNegatives() {
    return false;
  }

  @Override
  public NDArray compute(NDArray queries, NDArray positives, NDArray negatives) {
    ContrastiveLoss.checkShapes(queries, positives, negatives);
    long b = queries.getShape().get(0);
    NDArray q = ContrastiveLoss.unit(queries);
    NDArray p = ContrastiveLoss.unit(positives);
    NDArray eye = queries.getManager().eye((int) b).toType(queries.getDataType(), false);
    NDArray logProb = q.matMul(p.transpose()).div(temperature).logSoftmax(1);
    return logProb.mul(eye).sum().div(-b);
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "InBatchInfoNceLoss[τ=%s]", temperature);
  }
}
