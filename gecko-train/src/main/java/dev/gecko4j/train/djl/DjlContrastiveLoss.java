package dev.gecko4j.train.djl;

import ai.djl.ndarray.NDArray;
import dev.gecko4j.core.train.ContrastiveLoss;

/**
 * A contrastive loss written directly against the DJL engine the trainer runs on, for a formula
 * the {@link ContrastiveLoss} values do not cover. Pass it where any loss goes ({@code
 * TrainingConfig.Builder.loss(ContrastiveLoss)}, inside {@link ContrastiveLoss#matryoshka} or
 * {@link ContrastiveLoss#sum}); the trainer calls {@link #compute} inside its gradient scope
 * (with GradCache, on embeddings that are leaves of the graph).
 *
 * <p><b>Bound to the engine, outside the stable API.</b> This interface exposes DJL's {@code
 * NDArray} (PyTorch engine, DJL 0.35.x) and changes when the trainer's engine does; code written
 * against it is not covered by gecko4j's compatibility promise. Prefer the {@link ContrastiveLoss}
 * values where they suffice.
 *
 * {@snippet lang=java :
 * // a margin loss on the row's own negative: mean(max(0, m - s(q,p) + s(q,n)))
 * DjlContrastiveLoss margin = new DjlContrastiveLoss() {
 *   public boolean usesNegatives() { return true; }
 *   public NDArray compute(NDArray q, NDArray p, NDArray n) {
 *     NDArray qn = q.div(q.norm(new int[] {1}, true));
 *     NDArray sp = qn.mul(p.div(p.norm(new int[] {1}, true))).sum(new int[] {1});
 *     NDArray sn = qn.mul(n.div(n.norm(new int[] {1}, true))).sum(new int[] {1});
 *     return sn.sub(sp).add(0.2).maximum(0).mean();
 *   }
 * };
 * }
 */
public interface DjlContrastiveLoss extends ContrastiveLoss {

  /**
   * Computes the mean loss over the batch, differentiably. Rows are aligned: row {@code i} of
   * {@code queries}, {@code positives} and {@code negatives} is one training example. The
   * embeddings are the model's output, not normalised (normalise for cosine similarity); under
   * Matryoshka they are truncated to the first {@code d} dimensions.
   *
   * @param queries {@code [B, d]} query embeddings
   * @param positives {@code [B, d]} positive embeddings
   * @param negatives {@code [B, d]} hard negative embeddings, or null when the batch has none or
   *     {@link #usesNegatives()} is false
   * @return a scalar (0-d) array of the embeddings' data type
   */
  NDArray compute(NDArray queries, NDArray positives, NDArray negatives);
}
