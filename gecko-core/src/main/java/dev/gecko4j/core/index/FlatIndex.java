package dev.gecko4j.core.index;

import dev.gecko4j.core.Embedding;
import dev.gecko4j.core.vector.Similarity;
import dev.gecko4j.core.vector.VectorMath;
import dev.gecko4j.core.vector.internal.VectorSupport;
import dev.gecko4j.core.vector.internal.VectorSupportProvider;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.IntStream;

/**
 * An exact (brute-force) top-k index over vectors of one dimension: every search scores the query
 * against every stored vector, so results are the true nearest neighbours, at a cost linear in
 * the size. Good for up to a few million vectors (a scan of 1M x 384 floats reads 1.5 GB); for more,
 * use an ANN library (JVector, Lucene HNSW).
 *
 * <p>Storage is contiguous: rows are packed back to back in {@code float[]} chunks of at most
 * 16 MiB each (the last chunk grows by doubling), so the index holds {@code 4 * dimension} bytes
 * per vector plus its id; 1M x 384 takes about 1.5 GB plus the ids. For {@link Similarity#COSINE}
 * the index stores unit-length copies and scores by dot product (the query is normalised once per
 * search); for {@link Similarity#DOT_PRODUCT} it stores the vectors as given.
 *
 * <p>Vectors are validated when they are added (dimension, finite values, not all zeros for
 * cosine), so scans do no per-value checks. {@link #search} scans on the calling thread; {@link
 * #searchBatch} splits the work into blocks of queries and partitions of the corpus and runs them
 * on the common {@link ForkJoinPool}, using all cores; each block of corpus rows is loaded once for
 * several queries (a blocked dot-matrix kernel).
 *
 * <p>Results are sorted by score descending, ties by ordinal ascending (scores compare
 * numerically, so {@code -0.0} ties with {@code 0.0}).
 *
 * <p>Thread-safety: the index is guarded by a read-write lock. Any number of threads may search
 * concurrently; {@link #add} takes the lock exclusively, so it waits for running searches and
 * searches wait for it. Every method is safe to call from any thread.
 *
 * <p>As a {@link FloatVectors} it gives its stored rows by ordinal (unit-length under cosine), so a
 * {@link QuantizedFlatIndex} over the same vectors can rescore from it without a second copy.
 *
 * <p>It is the exact {@link VectorIndex}: the ground truth an approximate index (such as {@code
 * dev.gecko4j.jvector.GraphIndex}) is measured against.
 */
public final class FlatIndex implements VectorIndex, FloatVectors {

  /** Maximum floats per storage chunk: 4 Mi floats = 16 MiB. */
  private static final int CHUNK_FLOATS = 1 << 22;
  /** Rows of the first allocation of a chunk; it doubles up to {@link #rowsPerChunk}. */
  private static final int INITIAL_CHUNK_ROWS = 256;
  /** Corpus rows scored per kernel call: small enough to stay in L2 across a query block. */
  private static final int ROW_BLOCK = 128;
  /** Queries scored together against each row block by a batch task. */
  private static final int QUERY_BLOCK = 16;

  private static final VectorSupport IMPL = VectorSupportProvider.get();

  private final int dimension;
  private final Similarity similarity;
  private final int rowsPerChunk;
  private final List<float[]> chunks = new ArrayList<>();
  private final List<String> ids = new ArrayList<>();
  private final Map<String, Integer> ordinals = new HashMap<>();
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();

  /**
   * Creates an empty index.
   *
   * @param dimension the dimension of every vector, {@code >= 1}
   * @param similarity how vectors are scored; not null
   * @throws IllegalArgumentException if {@code dimension < 1} or {@code similarity} is null
   */
  public FlatIndex(int dimension, Similarity similarity) {
    if (dimension < 1) {
      throw new IllegalArgumentException("dimension must be >= 1, but is: " + dimension);
    }
    if (similarity == null) {
      throw new IllegalArgumentException(
          "similarity must not be null; expected one of " + Arrays.toString(Similarity.values()));
    }
    this.dimension = dimension;
    this.similarity = similarity;
    this.rowsPerChunk = Math.max(1, CHUNK_FLOATS / dimension);
  }

  /**
   * Adds a vector under a new id. The index keeps its own copy (normalised for {@link
   * Similarity#COSINE}); later changes to {@code vector} do not affect it.
   *
   * @param id the vector's id; not null, not already in the index
   * @param vector the vector; length {@link #dimension()}, all finite, not all zeros for {@link
   *     Similarity#COSINE}
   * @throws IllegalArgumentException if the id is null or already present, or the vector is null,
   *     has the wrong dimension, holds a non-finite value, or is all zeros under cosine
   */
  public void add(String id, float[] vector) {
    if (vector == null) {
      throw new IllegalArgumentException("vector must not be null");
    }
    checkDimension(vector.length, "vector");
    for (int i = 0; i < vector.length; i++) {
      if (!Float.isFinite(vector[i])) {
        throw new IllegalArgumentException(
            "non-finite value at vector[" + i + "]=" + vector[i] + " (id '" + id + "')");
      }
    }
    addRow(id, vector);
  }

  /**
   * Adds an embedding under a new id (see {@link #add(String, float[])}).
   *
   * @param id the id; not null, not already in the index
   * @param embedding the embedding; dimension {@link #dimension()}
   * @throws IllegalArgumentException if the id is null or already present, the embedding is null
   *     or has the wrong dimension, or is all zeros under cosine
   */
  public void add(String id, Embedding embedding) {
    if (embedding == null) {
      throw new IllegalArgumentException("embedding must not be null");
    }
    checkDimension(embedding.dimension(), "embedding");
    addRow(id, embedding.toArray());
  }

  private void addRow(String id, float[] vector) {
    if (id == null) {
      throw new IllegalArgumentException("id must not be null");
    }
    double norm2 = 1;
    if (similarity == Similarity.COSINE) {
      norm2 = 0;
      for (float v : vector) {
        norm2 += (double) v * v;
      }
      if (norm2 == 0) {
        throw new IllegalArgumentException(
            "vector of id '" + id + "' is all zeros; cosine similarity needs a non-zero vector");
      }
    }
    lock.writeLock().lock();
    try {
      Integer existing = ordinals.get(id);
      if (existing != null) {
        throw new IllegalArgumentException(
            "duplicate id '" + id + "': already in the index at ordinal " + existing);
      }
      int ordinal = ids.size();
      float[] chunk = chunkFor(ordinal);
      int offset = (ordinal % rowsPerChunk) * dimension;
      System.arraycopy(vector, 0, chunk, offset, dimension);
      if (similarity == Similarity.COSINE) {
        VectorMath.normalizeInPlace(chunk, offset, dimension);
      }
      ids.add(id);
      ordinals.put(id, ordinal);
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Returns the chunk that will hold row {@code ordinal}, allocating or growing it. */
  private float[] chunkFor(int ordinal) {
    int c = ordinal / rowsPerChunk;
    int rowInChunk = ordinal % rowsPerChunk;
    if (c == chunks.size()) {
      chunks.add(new float[Math.min(rowsPerChunk, INITIAL_CHUNK_ROWS) * dimension]);
    }
    float[] chunk = chunks.get(c);
    if ((rowInChunk + 1) * dimension > chunk.length) {
      int rows = Math.min(rowsPerChunk, Math.max(rowInChunk + 1, 2 * (chunk.length / dimension)));
      chunk = Arrays.copyOf(chunk, rows * dimension);
      chunks.set(c, chunk);
    }
    return chunk;
  }

  private void checkDimension(int length, String what) {
    if (length != dimension) {
      throw new IllegalArgumentException(
          "vector dimensions differ: " + length + " != " + dimension + " (" + what
              + " vs. index dimension)");
    }
  }

  /**
   * Returns the number of vectors in the index.
   *
   * @return the size, {@code >= 0}
   */
  public int size() {
    lock.readLock().lock();
    try {
      return ids.size();
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Returns the dimension of every vector in the index.
   *
   * @return the dimension, {@code >= 1}
   */
  public int dimension() {
    return dimension;
  }

  /**
   * Returns how this index scores vectors.
   *
   * @return the similarity
   */
  public Similarity similarity() {
    return similarity;
  }

  /**
   * Returns the id of the vector at {@code ordinal}.
   *
   * @param ordinal a position in {@code [0, size())}
   * @return the id given to {@link #add}
   * @throws IllegalArgumentException if {@code ordinal} is out of range
   */
  public String id(int ordinal) {
    lock.readLock().lock();
    try {
      if (ordinal < 0 || ordinal >= ids.size()) {
        throw new IllegalArgumentException(
            "ordinal must be between 0 and " + (ids.size() - 1) + ", but is: " + ordinal);
      }
      return ids.get(ordinal);
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Copies the stored row of {@code ordinal} (unit-length under {@link Similarity#COSINE}, as
   * given under {@link Similarity#DOT_PRODUCT}) into {@code dest}.
   *
   * @param ordinal a position in {@code [0, size())}
   * @param dest the destination; not null, room for {@link #dimension()} values at {@code
   *     destOffset}
   * @param destOffset where the first value goes, {@code >= 0}
   * @throws IllegalArgumentException if {@code ordinal} is out of range or {@code dest} is null or
   *     too short
   */
  @Override
  public void copyTo(int ordinal, float[] dest, int destOffset) {
    if (dest == null || destOffset < 0 || destOffset > dest.length - dimension) {
      throw new IllegalArgumentException("dest must hold " + dimension + " values from offset "
          + destOffset + ", but is " + (dest == null ? "null" : "of length " + dest.length));
    }
    lock.readLock().lock();
    try {
      if (ordinal < 0 || ordinal >= ids.size()) {
        throw new IllegalArgumentException(
            "ordinal must be between 0 and " + (ids.size() - 1) + ", but is: " + ordinal);
      }
      System.arraycopy(chunks.get(ordinal / rowsPerChunk), (ordinal % rowsPerChunk) * dimension,
          dest, destOffset, dimension);
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Copies several stored rows under one lock acquisition (see {@link
   * FloatVectors#copyTo(int[], int, float[])}).
   *
   * @param ordinals the ordinals; not null, each in {@code [0, size())}
   * @param count how many of them, in {@code [0, ordinals.length]}
   * @param dest the destination; not null, room for {@code count * dimension()} values
   * @throws IllegalArgumentException if an argument is out of range
   */
  @Override
  public void copyTo(int[] ordinals, int count, float[] dest) {
    if (ordinals == null || dest == null || count < 0 || count > ordinals.length
        || (long) count * dimension > dest.length) {
      throw new IllegalArgumentException("expected " + count + " ordinals (of "
          + (ordinals == null ? "null" : ordinals.length) + ") and room for " + count + " x "
          + dimension + " values in dest (of " + (dest == null ? "null" : dest.length) + ")");
    }
    lock.readLock().lock();
    try {
      int n = ids.size();
      for (int i = 0; i < count; i++) {
        int ordinal = ordinals[i];
        if (ordinal < 0 || ordinal >= n) {
          throw new IllegalArgumentException("ordinals[" + i + "] must be between 0 and "
              + (n - 1) + ", but is: " + ordinal);
        }
        System.arraycopy(chunks.get(ordinal / rowsPerChunk), (ordinal % rowsPerChunk) * dimension,
            dest, i * dimension, dimension);
      }
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Returns the {@code k} vectors most similar to {@code query}, best first, scanning on the
   * calling thread.
   *
   * @param query the query; length {@link #dimension()}, all finite, not all zeros for {@link
   *     Similarity#COSINE}
   * @param k how many hits, in {@code [1, size()]}
   * @return {@code k} hits sorted by score descending, ties by ordinal ascending
   * @throws IllegalArgumentException if the query is null, has the wrong dimension, holds a
   *     non-finite value or is all zeros under cosine, or {@code k} is not in {@code [1, size()]}
   */
  public List<Hit> search(float[] query, int k) {
    float[] q = prepareQuery(query, "query");
    lock.readLock().lock();
    try {
      int n = ids.size();
      IndexArguments.checkK(k, n);
      TopK top = new TopK(k);
      float[] scores = new float[ROW_BLOCK];
      scan(q, 1, 0, n, new TopK[] {top}, scores);
      return top.toHits(ids);
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Returns the {@code k} best hits for each query, using all cores: the queries are cut into
   * blocks of 16, the corpus into partitions, and the (block, partition) tasks run on the common
   * {@link ForkJoinPool}. Each query gets the hits {@link #search} would give it, up to float
   * rounding: the blocked kernel sums in another order, so scores may differ in the last bits and
   * hits whose scores tie within that rounding may swap places.
   *
   * @param queries the queries; not null, not empty, each valid as for {@link #search}
   * @param k how many hits per query, in {@code [1, size()]}
   * @return one list of hits per query, in the order of {@code queries}
   * @throws IllegalArgumentException if {@code queries} is null or empty, a query is invalid (the
   *     message names its position), or {@code k} is not in {@code [1, size()]}
   */
  public List<List<Hit>> searchBatch(List<float[]> queries, int k) {
    if (queries == null) {
      throw new IllegalArgumentException("queries must not be null");
    }
    if (queries.isEmpty()) {
      throw new IllegalArgumentException("queries must not be empty; expected at least 1 query");
    }
    int nq = queries.size();
    float[] qs = new float[Math.multiplyExact(nq, dimension)];
    for (int i = 0; i < nq; i++) {
      float[] q = prepareQuery(queries.get(i), "queries[" + i + "]");
      System.arraycopy(q, 0, qs, i * dimension, dimension);
    }
    lock.readLock().lock();
    try {
      int n = ids.size();
      IndexArguments.checkK(k, n);
      int queryBlocks = (nq + QUERY_BLOCK - 1) / QUERY_BLOCK;
      int rowBlocks = (n + ROW_BLOCK - 1) / ROW_BLOCK;
      int cores = ForkJoinPool.getCommonPoolParallelism() + 1;
      // enough tasks for every core (x4 for balance), but partitions of at least one row block
      int partitions = Math.max(1,
          Math.min(rowBlocks, (4 * cores + queryBlocks - 1) / queryBlocks));
      TopK[][] partial = new TopK[queryBlocks * partitions][];
      IntStream.range(0, queryBlocks * partitions).parallel().forEach(task -> {
        int qb = task / partitions;
        int p = task % partitions;
        int q0 = qb * QUERY_BLOCK;
        int count = Math.min(QUERY_BLOCK, nq - q0);
        long from = (long) rowBlocks * p / partitions * ROW_BLOCK;
        long to = Math.min(n, (long) rowBlocks * (p + 1) / partitions * ROW_BLOCK);
        TopK[] tops = new TopK[count];
        for (int i = 0; i < count; i++) {
          tops[i] = new TopK(k);
        }
        float[] queryBlock = Arrays.copyOfRange(qs, q0 * dimension, (q0 + count) * dimension);
        scan(queryBlock, count, (int) from, (int) to, tops, new float[count * ROW_BLOCK]);
        partial[task] = tops;
      });
      List<List<Hit>> results = new ArrayList<>(nq);
      for (int qb = 0; qb < queryBlocks; qb++) {
        TopK[] merged = partial[qb * partitions];
        for (int p = 1; p < partitions; p++) {
          TopK[] other = partial[qb * partitions + p];
          for (int i = 0; i < merged.length; i++) {
            merged[i].merge(other[i]);
          }
        }
        for (TopK top : merged) {
          results.add(top.toHits(ids));
        }
      }
      return results;
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Scores {@code nq} contiguous queries against rows {@code [from, to)} and offers the scores to
   * {@code tops}; {@code scores} holds {@code nq * ROW_BLOCK} floats.
   */
  private void scan(float[] qs, int nq, int from, int to, TopK[] tops, float[] scores) {
    int row = from;
    while (row < to) {
      int c = row / rowsPerChunk;
      int inChunk = row % rowsPerChunk;
      int rows = Math.min(ROW_BLOCK, Math.min(to - row, rowsPerChunk - inChunk));
      float[] chunk = chunks.get(c);
      int off = inChunk * dimension;
      if (nq == 1) {
        IMPL.dotMatrix(qs, 0, chunk, off, rows, dimension, scores, 0);
      } else {
        IMPL.dotBlock(qs, 0, nq, chunk, off, rows, dimension, scores, 0, ROW_BLOCK);
      }
      for (int i = 0; i < nq; i++) {
        tops[i].offerAscending(scores, i * ROW_BLOCK, rows, row);
      }
      row += rows;
    }
  }

  /** Validates a query and returns the array to scan with (a normalised copy for cosine). */
  private float[] prepareQuery(float[] query, String name) {
    if (query == null) {
      throw new IllegalArgumentException(name + " must not be null");
    }
    checkDimension(query.length, name);
    double norm2 = 0;
    for (int i = 0; i < query.length; i++) {
      float v = query[i];
      if (!Float.isFinite(v)) {
        throw new IllegalArgumentException("non-finite value at " + name + "[" + i + "]=" + v);
      }
      norm2 += (double) v * v;
    }
    if (similarity != Similarity.COSINE) {
      return query;
    }
    if (norm2 == 0) {
      throw new IllegalArgumentException(
          name + " is all zeros; cosine similarity needs a non-zero vector");
    }
    float[] q = query.clone();
    VectorMath.normalizeInPlace(q, 0, q.length);
    return q;
  }
}
