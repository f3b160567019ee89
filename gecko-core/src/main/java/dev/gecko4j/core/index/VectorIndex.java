package dev.gecko4j.core.index;

import dev.gecko4j.core.Embedding;
import dev.gecko4j.core.vector.Similarity;
import java.util.List;

/**
 * A top-k index over vectors of one dimension: the search API shared by the exact {@link
 * FlatIndex} and approximate (graph) indexes such as {@code dev.gecko4j.jvector.GraphIndex}, so
 * code that retrieves neighbours (FRet, hard-negative mining, applications) can take either.
 *
 * <p>Contract every implementation keeps:
 *
 * <ul>
 *   <li>ordinals are dense and follow the order of adds: the first vector added has ordinal 0,
 *       the next 1, and so on; {@link Hit#ordinal()} is that position and {@link #id(int)} maps
 *       it back to the id;
 *   <li>ids are unique; adding an id twice throws {@link IllegalArgumentException};
 *   <li>scores are the similarity of {@link #similarity()} in its natural range (cosine in
 *       {@code [-1, 1]}, dot product unbounded), higher is more similar, and hits come best first,
 *       ties by ordinal ascending;
 *   <li>vectors are validated when added (dimension, finite values, not all zeros for cosine),
 *       and every method names the bad value when it throws;
 *   <li>any number of threads may search at once, also while another thread adds.
 * </ul>
 *
 * <p>An exact index returns the true top k; an approximate one may miss some of them (its
 * recall@k is below 1) in exchange for sub-linear search time. Whether an index is exact is told
 * by {@link #isExact()}.
 */
public interface VectorIndex {

  /**
   * Returns the dimension of every vector in the index.
   *
   * @return the dimension, {@code >= 1}
   */
  int dimension();

  /**
   * Returns how this index scores vectors.
   *
   * @return the similarity
   */
  Similarity similarity();

  /**
   * Returns the number of vectors in the index.
   *
   * @return the size, {@code >= 0}
   */
  int size();

  /**
   * Returns the id of the vector at {@code ordinal}.
   *
   * @param ordinal a position in {@code [0, size())}
   * @return the id given when the vector was added
   * @throws IllegalArgumentException if {@code ordinal} is out of range
   */
  String id(int ordinal);

  /**
   * Returns whether searches return the true top k (an exact scan) rather than an approximation.
   *
   * @return true for an exact index
   */
  default boolean isExact() {
    return true;
  }

  /**
   * Adds a vector under a new id; the index keeps its own copy.
   *
   * @param id the vector's id; not null, not already in the index
   * @param vector the vector; length {@link #dimension()}, all finite, not all zeros for {@link
   *     Similarity#COSINE}
   * @throws IllegalArgumentException if the id is null or already present, or the vector is
   *     invalid
   */
  void add(String id, float[] vector);

  /**
   * Adds an embedding under a new id (see {@link #add(String, float[])}).
   *
   * @param id the id; not null, not already in the index
   * @param embedding the embedding; dimension {@link #dimension()}
   * @throws IllegalArgumentException if the id or embedding is invalid
   */
  default void add(String id, Embedding embedding) {
    if (embedding == null) {
      throw new IllegalArgumentException("embedding must not be null");
    }
    add(id, embedding.toArray());
  }

  /**
   * Adds many vectors; ordinals follow the order of the lists. The default adds them one by one;
   * implementations whose adds are costly (graph indexes) override it to insert on all cores.
   * The shapes and values of all elements are checked before any is added ({@link
   * IndexArguments#checkAddAll}); with the default, an id already in the index fails at its turn,
   * after the elements before it were added.
   *
   * @param ids the ids; not null, same size as {@code vectors}, no null, none already present, no
   *     duplicates
   * @param vectors the vectors; each valid as for {@link #add(String, float[])}
   * @throws IllegalArgumentException if the lists are null or differ in size, or an element is
   *     invalid (the message names its position)
   */
  default void addAll(List<String> ids, List<float[]> vectors) {
    IndexArguments.checkAddAll(this, ids, vectors);
    for (int i = 0; i < ids.size(); i++) {
      add(ids.get(i), vectors.get(i));
    }
  }

  /**
   * Returns the {@code k} vectors most similar to {@code query}, best first.
   *
   * @param query the query; length {@link #dimension()}, all finite, not all zeros for {@link
   *     Similarity#COSINE}
   * @param k how many hits, in {@code [1, size()]}
   * @return {@code k} hits sorted by score descending, ties by ordinal ascending
   * @throws IllegalArgumentException if the query is invalid or {@code k} is not in
   *     {@code [1, size()]}
   */
  List<Hit> search(float[] query, int k);

  /**
   * Returns the {@code k} best hits for each query, using all cores.
   *
   * @param queries the queries; not null, not empty, each valid as for {@link #search}
   * @param k how many hits per query, in {@code [1, size()]}
   * @return one list of hits per query, in the order of {@code queries}
   * @throws IllegalArgumentException if {@code queries} is null or empty, a query is invalid (the
   *     message names its position), or {@code k} is not in {@code [1, size()]}
   */
  List<List<Hit>> searchBatch(List<float[]> queries, int k);
}
