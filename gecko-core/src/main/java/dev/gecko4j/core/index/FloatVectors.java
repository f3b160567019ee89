package dev.gecko4j.core.index;

/**
 * Read access to float vectors by ordinal: the store a {@link QuantizedFlatIndex} rescores its
 * candidates from. {@link FlatIndex} is one (its rows, unit-length under cosine), so a float index
 * and a quantized index over the same vectors can share one copy; a memory-mapped file of vectors
 * (such as gecko-fret's {@code MappedVectors}) is another, keeping the floats off the heap.
 *
 * <p>Ordinals are dense, {@code [0, size())}; implementations must allow concurrent reads.
 */
public interface FloatVectors {

  /** {@return the dimension of every vector, {@code >= 1}} */
  int dimension();

  /** {@return the number of vectors, {@code >= 0}} */
  int size();

  /**
   * Copies vector {@code ordinal} into {@code dest[destOffset, destOffset + dimension())}.
   *
   * @param ordinal a position in {@code [0, size())}
   * @param dest the destination; not null, room for {@link #dimension()} values at {@code
   *     destOffset}
   * @param destOffset where the first value goes, {@code >= 0}
   * @throws IllegalArgumentException if {@code ordinal} is out of range or {@code dest} is null or
   *     too short
   */
  void copyTo(int ordinal, float[] dest, int destOffset);

  /**
   * Copies the vectors of {@code ordinals[0, count)} one after the other into {@code dest}
   * (vector {@code i} at {@code i * dimension()}). The default calls {@link #copyTo(int, float[],
   * int)} per vector; stores with a per-call cost (a lock, a file position) override it.
   *
   * @param ordinals the ordinals; not null, each in {@code [0, size())}
   * @param count how many of them, in {@code [0, ordinals.length]}
   * @param dest the destination; not null, room for {@code count * dimension()} values
   * @throws IllegalArgumentException if an argument is out of range
   */
  default void copyTo(int[] ordinals, int count, float[] dest) {
    if (ordinals == null || dest == null || count < 0 || count > ordinals.length
        || (long) count * dimension() > dest.length) {
      throw new IllegalArgumentException("expected " + count + " ordinals (of "
          + (ordinals == null ? "null" : ordinals.length) + ") and room for " + count + " x "
          + dimension() + " values in dest (of " + (dest == null ? "null" : dest.length) + ")");
    }
    for (int i = 0; i < count; i++) {
      copyTo(ordinals[i], dest, i * dimension());
    }
  }
}
