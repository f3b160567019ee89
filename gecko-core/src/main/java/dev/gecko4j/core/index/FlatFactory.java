package dev.gecko4j.core.index;

import dev.gecko4j.core.vector.Similarity;
import java.util.Arrays;

/** The factory of {@link VectorIndexFactory#flat()}. */
final class FlatFactory implements VectorIndexFactory {
  static final FlatFactory INSTANCE = new FlatFactory();

  private FlatFactory() {}

  @Override
  public VectorIndex create(int dimension, Similarity similarity, int expectedSize) {
    if (expectedSize < 0) {
      throw new IllegalArgumentException("expectedSize must be >= 0, but is: " + expectedSize);
    }
    if (similarity == null) {
      throw new IllegalArgumentException(
          "similarity must not be null; expected one of " + Arrays.toString(Similarity.values()));
    }
    return new FlatIndex(dimension, similarity);
  }

  @Override
  public String name() {
    return "flat";
  }
}
