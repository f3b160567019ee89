package dev.gecko4j.train.loss;

import ai.djl.ndarray.NDArray;
import java.util.Locale;

/**
 * Plain in-batch InfoNCE (pre-finetuning in Gecko): each query's positive against the other
 * rows' positives only, {@code L = -1/B Σ_i log softmax_j(s(q_i,p_j)/τ)[i]}. Hard negatives are
 * ignored.
 */
public final class InBatchInfoNceLoss implements ContrastiveLoss {
  /** The same softmax: {@link GeckoLoss} without query-query or hard negatives. */
  private final GeckoLoss inBatch;

  /**
   * Creates the loss.
   *
   * @param temperature τ, in (0, 10]
   * @throws IllegalArgumentException if τ is out of range
   */
  public InBatchInfoNceLoss(double temperature) {
    this.inBatch = new GeckoLoss(temperature, false);
  }

  /** @return τ */
  public double temperature() {
    return inBatch.temperature();
  }

  @Override
  public boolean usesNegatives() {
    return false;
  }

  /** Checks {@code negatives}' shape like every loss, then ignores them. */
  @Override
  public NDArray compute(NDArray queries, NDArray positives, NDArray negatives) {
    ContrastiveLoss.checkShapes(queries, positives, negatives);
    return inBatch.compute(queries, positives, null);
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "InBatchInfoNceLoss[τ=%s]", inBatch.temperature());
  }
}
