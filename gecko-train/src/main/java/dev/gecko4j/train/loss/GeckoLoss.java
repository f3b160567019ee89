package dev.gecko4j.train.loss;

import ai.djl.ndarray.NDArray;
import dev.gecko4j.core.train.ContrastiveLoss.HardNegatives;
import dev.gecko4j.core.train.ContrastiveLoss.InfoNce;
import java.util.Locale;

/**
 * The Gecko loss (Lee et al., 2024, eq. 3): for each query {@code q_i}, the softmax over
 * in-batch positives {@code p_j+}, same-tower query-query negatives {@code q_j (j != i)} and the
 * row's own hard negative {@code p_i-}, with cosine similarity over a temperature:
 *
 * <pre>
 * L = -1/B Σ_i log( e^{s(q_i,p_i+)/τ} /
 *       ( Σ_j [ e^{s(q_i,p_j+)/τ} + 1[j≠i] e^{s(q_i,q_j)/τ} ] + e^{s(q_i,p_i-)/τ} ) )
 * </pre>
 *
 * Without negatives (null) the hard-negative term is dropped. {@link #inBatchInfoNce(double)} is
 * the same softmax over the in-batch positives alone (Gecko's pre-finetuning). Both are {@link
 * InfoNceLoss} settings (the row's own hard negative, query–query negatives, one direction), which
 * computes them.
 */
public final class GeckoLoss implements ContrastiveLoss {
  /** Default temperature (not published by Gecko; 0.05 as in E5 and GTE). */
  public static final double DEFAULT_TEMPERATURE = 0.05;

  private final double temperature;
  private final boolean queryQueryNegatives;
  private final boolean hardNegatives;
  private final InfoNceLoss infoNce;

  /**
   * Creates the loss with query-query negatives.
   *
   * @param temperature τ, in (0, 10]
   * @throws IllegalArgumentException if τ is out of range
   */
  public GeckoLoss(double temperature) {
    this(temperature, true);
  }

  /**
   * Creates the loss.
   *
   * @param temperature τ, in (0, 10]
   * @param queryQueryNegatives whether same-tower query-query negatives enter the denominator
   * @throws IllegalArgumentException if τ is out of range
   */
  public GeckoLoss(double temperature, boolean queryQueryNegatives) {
    this(temperature, queryQueryNegatives, true);
  }

  private GeckoLoss(double temperature, boolean queryQueryNegatives, boolean hardNegatives) {
    this.temperature = ContrastiveLoss.checkTemperature(temperature);
    this.queryQueryNegatives = queryQueryNegatives;
    this.hardNegatives = hardNegatives;
    this.infoNce = new InfoNceLoss(new InfoNce(temperature,
        hardNegatives ? HardNegatives.OWN_ROW : HardNegatives.NONE, queryQueryNegatives, false));
  }

  /**
   * Plain in-batch InfoNCE (Gecko's pre-finetuning): each query's positive against the other rows'
   * positives only, {@code L = -1/B Σ_i log softmax_j(s(q_i,p_j)/τ)[i]}. Query-query and hard
   * negatives are left out: {@link #usesNegatives()} is false, and negatives given to
   * {@link #compute} are shape-checked like every loss's, then ignored.
   *
   * @param temperature τ, in (0, 10]
   * @return the loss
   * @throws IllegalArgumentException if τ is out of range
   */
  public static GeckoLoss inBatchInfoNce(double temperature) {
    return new GeckoLoss(temperature, false, false);
  }

  /** @return τ */
  public double temperature() {
    return temperature;
  }

  @Override
  public boolean usesNegatives() {
    return hardNegatives;
  }

  @Override
  public NDArray compute(NDArray queries, NDArray positives, NDArray negatives) {
    return infoNce.compute(queries, positives, negatives);
  }

  @Override
  public String toString() {
    return hardNegatives
        ? String.format(Locale.ROOT, "GeckoLoss[τ=%s, qq=%s]", temperature, queryQueryNegatives)
        : String.format(Locale.ROOT, "GeckoLoss.inBatchInfoNce[τ=%s]", temperature);
  }
}
