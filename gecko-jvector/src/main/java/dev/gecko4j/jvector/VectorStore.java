package dev.gecko4j.jvector;

import io.github.jbellis.jvector.graph.RandomAccessVectorValues;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The stored vectors and ids of a {@link GraphIndex}, in chunks of {@value #CHUNK} so that
 * growing never copies a vector, as JVector's random-access view (live: grows with the index).
 * Appends happen under the index's write lock; reads of {@link #size()}, {@link #id} and {@link
 * #getVector} are safe from any thread for ordinals below a size read before.
 */
final class VectorStore implements RandomAccessVectorValues {

  private static final int CHUNK_BITS = 14;
  static final int CHUNK = 1 << CHUNK_BITS;

  private final int dimension;
  private final Map<String, Integer> ordinals = new HashMap<>();
  private volatile VectorFloat<?>[][] vectorChunks = new VectorFloat<?>[0][];
  private volatile String[][] idChunks = new String[0][];
  private volatile int size;

  VectorStore(int dimension) {
    this.dimension = dimension;
  }

  /** Appends {@code v} with {@code id} at ordinal {@link #size()} (write lock held). */
  void append(String id, VectorFloat<?> v) {
    int o = size;
    int c = o >>> CHUNK_BITS;
    if (c == vectorChunks.length) {
      VectorFloat<?>[][] vc = Arrays.copyOf(vectorChunks, c + 1);
      vc[c] = new VectorFloat<?>[CHUNK];
      String[][] ic = Arrays.copyOf(idChunks, c + 1);
      ic[c] = new String[CHUNK];
      vectorChunks = vc;
      idChunks = ic;
    }
    vectorChunks[c][o & (CHUNK - 1)] = v;
    idChunks[c][o & (CHUNK - 1)] = id;
    ordinals.put(id, o);
    size = o + 1;
  }

  /** {@return the ordinal of {@code id}, or null when it is not stored} */
  Integer ordinal(String id) {
    return ordinals.get(id);
  }

  /** {@return the id at {@code ordinal} (checked by the caller)} */
  String id(int ordinal) {
    return idChunks[ordinal >>> CHUNK_BITS][ordinal & (CHUNK - 1)];
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public int dimension() {
    return dimension;
  }

  @Override
  public VectorFloat<?> getVector(int ordinal) {
    return vectorChunks[ordinal >>> CHUNK_BITS][ordinal & (CHUNK - 1)];
  }

  @Override
  public boolean isValueShared() {
    return false;
  }

  @Override
  public RandomAccessVectorValues copy() {
    return this;
  }
}
