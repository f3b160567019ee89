package dev.gecko4j.train.loss;

import ai.djl.ndarray.NDArray;
import dev.gecko4j.train.internal.Scalars;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
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
 * the same softmax over the in-batch positives alone (Gecko's pre-finetuning).
 */
public final class GeckoLoss implements ContrastiveLoss {
  /** Default temperature (not published by Gecko; 0.05 as in E5 and GTE). */
  public static final double DEFAULT_TEMPERATURE = 0.05;

  private final double temperature;
  private final boolean queryQueryNegatives;
  private final boolean hardNegatives;

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
    ContrastiveLoss.checkShapes(queries, positives, negatives);
    long b = queries.getShape().get(0);
    NDArray q = ContrastiveLoss.unit(queries);
    NDArray p = ContrastiveLoss.unit(positives);
    NDArray tau = Scalars.of(q, temperature);
    NDArray eye = queries.getManager().eye((int) b).toType(queries.getDataType(), false);
    NDArray qp = q.matMul(p.transpose()).div(tau); // [B, B]
    NDList cols = new NDList(qp);
    if (queryQueryNegatives) {
      NDArray qq = q.matMul(q.transpose()).div(tau).sub(eye.mul(1e4)); // mask j == i
      cols.add(qq);
    }
    if (hardNegatives && negatives != null) {
      NDArray n = ContrastiveLoss.unit(negatives);
      cols.add(q.mul(n).sum(new int[] {1}, true).div(tau)); // [B, 1]
    }
    NDArray logits = cols.size() == 1 ? qp : NDArrays.concat(cols, 1);
    NDArray logProb = logits.logSoftmax(1).get(new NDIndex(":, :{}", b));
    NDArray loss = logProb.mul(eye).sum();
    return loss.div(Scalars.of(loss, -b));
  }

  @Override
  public String toString() {
    return hardNegatives
        ? String.format(Locale.ROOT, "GeckoLoss[τ=%s, qq=%s]", temperature, queryQueryNegatives)
        : String.format(Locale.ROOT, "GeckoLoss.inBatchInfoNce[τ=%s]", temperature);
  }
}
