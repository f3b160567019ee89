package dev.gecko4j.train.loss;

import ai.djl.ndarray.NDArray;
import dev.gecko4j.train.internal.Scalars;
import java.util.List;
import java.util.Locale;

/**
 * The tensor computation of {@link dev.gecko4j.core.train.ContrastiveLoss.WeightedSum}: {@code
 * Σ_k w_k · L_k} on the same batch.
 */
public final class WeightedSumLoss implements ContrastiveLoss {
  private final List<ContrastiveLoss> losses;
  private final double[] weights;

  /**
   * Creates the sum.
   *
   * @param losses the terms' losses, at least one
   * @param weights one finite weight {@code >= 0} per loss
   * @throws IllegalArgumentException if the lists do not match or are empty
   */
  public WeightedSumLoss(List<ContrastiveLoss> losses, double[] weights) {
    if (losses == null || losses.isEmpty() || weights == null || weights.length != losses.size()) {
      throw new IllegalArgumentException("losses and weights must be non-empty and of one length,"
          + " but are " + losses + " and " + (weights == null ? "null" : weights.length + " weights"));
    }
    this.losses = List.copyOf(losses);
    this.weights = weights.clone();
  }

  @Override
  public boolean usesNegatives() {
    return losses.stream().anyMatch(ContrastiveLoss::usesNegatives);
  }

  @Override
  public NDArray compute(NDArray queries, NDArray positives, NDArray negatives) {
    ContrastiveLoss.checkShapes(queries, positives, negatives);
    NDArray total = null;
    for (int k = 0; k < losses.size(); k++) {
      ContrastiveLoss l = losses.get(k);
      NDArray v = l.compute(queries, positives, l.usesNegatives() ? negatives : null);
      // the weight as a 0-d array of the loss's type: a Java double would promote to float64
      v = v.mul(Scalars.of(v, weights[k]));
      total = total == null ? v : total.add(v);
    }
    return total;
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "WeightedSumLoss%s, weights=%s", losses,
        java.util.Arrays.toString(weights));
  }
}
