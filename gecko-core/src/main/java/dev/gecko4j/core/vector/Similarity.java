package dev.gecko4j.core.vector;

/** How two vectors are scored; higher means more similar for every constant. */
public enum Similarity {
  /**
   * The cosine of the angle between the vectors, in {@code [-1, 1]}; independent of their lengths.
   * Undefined for a zero vector.
   */
  COSINE,
  /**
   * The dot product; equals {@link #COSINE} for unit-length vectors (as embedders return them),
   * and is cheaper, since no norms are computed.
   */
  DOT_PRODUCT;

  /**
   * Scores {@code a} against {@code b} with this similarity, through the validated {@link
   * VectorMath} facade.
   *
   * @param a first vector; not null, not empty, all finite
   * @param b second vector; same dimension as {@code a}
   * @return the similarity, higher is more similar
   * @throws IllegalArgumentException if a vector is null or empty, the dimensions differ, a value
   *     is not finite, or (for {@link #COSINE}) a vector is all zeros
   */
  public float score(float[] a, float[] b) {
    return switch (this) {
      case COSINE -> VectorMath.cosine(a, b);
      case DOT_PRODUCT -> VectorMath.dot(a, b);
    };
  }
}
