package dev.gecko4j.train.loss;

import ai.djl.ndarray.NDArray;
import dev.gecko4j.train.internal.Scalars;

/**
 * A contrastive loss over a batch of embeddings, differentiable with DJL autograd. Rows are
 * aligned: row {@code i} of {@code queries}, {@code positives} and {@code negatives} form one
 * training example. Losses compute cosine similarities themselves (they L2-normalise their
 * inputs), so a {@link MatryoshkaLoss} can hand them truncated embeddings.
 */
public interface ContrastiveLoss {
  /**
   * Computes the mean loss over the batch.
   *
   * @param queries {@code [B, d]} query embeddings
   * @param positives {@code [B, d]} positive embeddings
   * @param negatives {@code [B, d]} hard negative embeddings, or null when the batch has none
   * @return a scalar array
   * @throws IllegalArgumentException if the shapes do not match
   */
  NDArray compute(NDArray queries, NDArray positives, NDArray negatives);

  /**
   * Returns whether this loss uses hard negatives when they are given.
   *
   * @return true if {@code negatives} enter the loss
   */
  boolean usesNegatives();

  /**
   * Checks that the arrays are {@code [B, d]} with equal shapes.
   *
   * @param q queries
   * @param p positives
   * @param n negatives or null
   * @throws IllegalArgumentException if not
   */
  static void checkShapes(NDArray q, NDArray p, NDArray n) {
    if (q == null || p == null) {
      throw new IllegalArgumentException("queries and positives must not be null");
    }
    if (q.getShape().dimension() != 2 || !q.getShape().equals(p.getShape())
        || (n != null && !q.getShape().equals(n.getShape()))) {
      throw new IllegalArgumentException("queries, positives and negatives must all be [B, d] of "
          + "one shape, but are " + q.getShape() + ", " + p.getShape() + ", "
          + (n == null ? "none" : n.getShape()));
    }
  }

  /**
   * Returns rows scaled to unit L2 norm.
   *
   * @param x {@code [B, d]}
   * @return the normalised rows
   */
  static NDArray unit(NDArray x) {
    NDArray norm = x.norm(new int[] {1}, true);
    return x.div(norm.maximum(Scalars.of(norm, 1e-12)));
  }

  /**
   * Validates a temperature.
   *
   * @param temperature the softmax temperature
   * @return the temperature
   * @throws IllegalArgumentException unless {@code 0 < temperature <= 10} and finite
   */
  static double checkTemperature(double temperature) {
    if (!(temperature > 0 && temperature <= 10)) {
      throw new IllegalArgumentException("temperature must be in (0, 10], but is: " + temperature);
    }
    return temperature;
  }
}
