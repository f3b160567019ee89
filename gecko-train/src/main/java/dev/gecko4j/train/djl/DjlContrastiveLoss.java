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
 * <p><b>Scalars.</b> Write constants as arrays from {@link #scalar}, not as Java numbers: DJL's
 * {@code Number} overloads ({@code x.div(2)}, {@code x.maximum(0)}) free the scalar as soon as the
 * operation returns, while autograd still holds it for the backward pass, so the gradient reads
 * freed memory and comes out garbage or NaN once the garbage collector has run (DJL 0.35.1).
 *
 * {@snippet lang=java :
 * // a margin loss on the row's own negative: mean(max(0, m - s(q,p) + s(q,n)))
 * DjlContrastiveLoss margin = new DjlContrastiveLoss() {
 *   public boolean usesNegatives() { return true; }
 *   public NDArray compute(NDArray q, NDArray p, NDArray n) {
 *     NDArray qn = q.div(q.norm(new int[] {1}, true));
 *     NDArray sp = qn.mul(p.div(p.norm(new int[] {1}, true))).sum(new int[] {1});
 *     NDArray sn = qn.mul(n.div(n.norm(new int[] {1}, true))).sum(new int[] {1});
 *     NDArray hinge = sn.sub(sp).add(DjlContrastiveLoss.scalar(sn, 0.2));
 *     return hinge.maximum(DjlContrastiveLoss.scalar(hinge, 0)).mean();
 *   }
 * };
 * }
 */
public interface DjlContrastiveLoss extends ContrastiveLoss {

  /**
   * Returns {@code value} as a 0-d array of {@code like}'s data type, owned by {@code like}'s
   * manager (so alive until after the backward pass): the safe way to put a constant into a
   * differentiable expression (see the class comment).
   *
   * @param like the array the constant will be combined with; not null
   * @param value the constant
   * @return the 0-d array
   * @throws IllegalArgumentException if like is null
   */
  static NDArray scalar(NDArray like, double value) {
    dev.gecko4j.core.internal.Args.notNull(like, "like");
    return dev.gecko4j.train.internal.Scalars.of(like, value);
  }

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
