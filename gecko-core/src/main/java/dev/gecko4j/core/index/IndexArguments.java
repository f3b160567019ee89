package dev.gecko4j.core.index;

import dev.gecko4j.core.vector.Similarity;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Argument checks shared by {@link VectorIndex} implementations, so every implementation rejects
 * the same inputs with the same messages.
 */
public final class IndexArguments {

  private IndexArguments() {}

  /**
   * Checks the {@code k} of a search: between 1 and the index size.
   *
   * @param k the number of hits asked for
   * @param size the number of vectors in the index
   * @throws IllegalArgumentException naming {@code k} and the size (or that the index is empty)
   */
  public static void checkK(int k, int size) {
    if (size == 0) {
      throw new IllegalArgumentException(
          "k must be between 1 and the index size, but the index is empty (size 0) and k is: " + k);
    }
    if (k < 1 || k > size) {
      throw new IllegalArgumentException(
          "k must be between 1 and the index size " + size + ", but is: " + k);
    }
  }

  /**
   * Checks the arguments of {@link VectorIndex#addAll}: both lists non-null and of one size, no
   * null or repeated id, every vector of the index's dimension, finite, and not all zeros under
   * cosine. Ids already in the index are not checked here.
   *
   * @param index the index the vectors go to; not null
   * @param ids the ids
   * @param vectors the vectors
   * @throws IllegalArgumentException naming the first bad element
   */
  public static void checkAddAll(VectorIndex index, List<String> ids, List<float[]> vectors) {
    if (ids == null) {
      throw new IllegalArgumentException("ids must not be null");
    }
    if (vectors == null) {
      throw new IllegalArgumentException("vectors must not be null");
    }
    if (ids.size() != vectors.size()) {
      throw new IllegalArgumentException("ids and vectors must have the same size, but ids has "
          + ids.size() + " and vectors has " + vectors.size());
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < ids.size(); i++) {
      String id = ids.get(i);
      if (id == null) {
        throw new IllegalArgumentException("ids[" + i + "] must not be null");
      }
      if (!seen.add(id)) {
        throw new IllegalArgumentException("duplicate id '" + id + "' at ids[" + i + "]");
      }
      float[] v = vectors.get(i);
      if (v == null) {
        throw new IllegalArgumentException("vectors[" + i + "] must not be null");
      }
      if (v.length != index.dimension()) {
        throw new IllegalArgumentException("vector dimensions differ: " + v.length + " != "
            + index.dimension() + " (vectors[" + i + "] vs. index dimension)");
      }
      boolean zero = true;
      for (int j = 0; j < v.length; j++) {
        if (!Float.isFinite(v[j])) {
          throw new IllegalArgumentException(
              "non-finite value at vectors[" + i + "][" + j + "]=" + v[j] + " (id '" + id + "')");
        }
        zero &= v[j] == 0f;
      }
      if (zero && index.similarity() == Similarity.COSINE) {
        throw new IllegalArgumentException("vectors[" + i + "] (id '" + id
            + "') is all zeros; cosine similarity needs a non-zero vector");
      }
    }
  }
}
