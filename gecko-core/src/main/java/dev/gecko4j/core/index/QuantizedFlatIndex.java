package dev.gecko4j.core.index;

import dev.gecko4j.core.quantization.EmbeddingQuantizer;
import dev.gecko4j.core.quantization.Precision;
import dev.gecko4j.core.quantization.QuantizationRanges;
import dev.gecko4j.core.vector.Similarity;
import dev.gecko4j.core.vector.VectorMath;
import dev.gecko4j.core.vector.internal.VectorSupport;
import dev.gecko4j.core.vector.internal.VectorSupportProvider;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.IntStream;

/**
 * An exact scan over quantized vectors, with optional exact rescoring: the {@link FlatIndex} of
 * int8 or binary codes. Each search scans every stored code (4x fewer bytes than floats for
 * {@link Precision#INT8}, 32x fewer for {@link Precision#BINARY}), keeps the best {@code k x
 * rescoreFactor} candidates by their quantized score and, when {@link Builder#rescoreFactor} is at
 * least 1, scores those candidates again with the float vectors of a {@link FloatVectors} store
 * (the index's own copy, or a store given to {@link Builder#rescoreFrom}, such as the {@link
 * FlatIndex} of the same vectors or a memory-mapped file), returning the best {@code k} by exact
 * similarity. This is sentence-transformers' {@code semantic_search_faiss/usearch(...,
 * rescore=True, rescore_multiplier=...)} as an exact Java index.
 *
 * <p>Codes are those of {@link EmbeddingQuantizer} (sentence-transformers' {@code
 * quantize_embeddings}) of the stored vectors, unit-length under {@link Similarity#COSINE}:
 *
 * <ul>
 *   <li>{@link Precision#INT8}: one byte per dimension, calibrated by {@link QuantizationRanges}
 *       (given with {@link Builder#ranges}, or computed from the first {@link
 *       Builder#calibrationSize} vectors added, or from all vectors at the first search if fewer;
 *       {@link #ranges()} returns them for storing). The query is not quantized with the corpus
 *       ranges (which would bias the products by the ranges' offsets): it is multiplied by the
 *       per-dimension step and quantized symmetrically to int8, so the integer dot product of the
 *       two code vectors (the SIMD kernel) is, up to per-query constants, the dot product of the
 *       float query with the dequantized vector; the score without rescoring is that estimate.
 *   <li>{@link Precision#BINARY}: the sign bit of each dimension, packed in longs ({@code
 *       ceil(dimension / 64) * 8} bytes per vector: 48 at 384 dimensions), stored in blocks of 8
 *       vectors with the same word of the 8 side by side, so one SIMD XOR and POPCNT scores 8
 *       vectors at a time (AVX-512: 8 longs per vector register); candidates are ranked
 *       by the Hamming distance {@code h} to the query's sign bits, and the score without
 *       rescoring is {@code 1 - 2h / dimension}.
 * </ul>
 *
 * <p>Memory: {@link #bytesPerVector()} bytes of codes per vector plus its id; the float store for
 * rescoring comes on top unless it is an external one ({@link Builder#rescoreFrom}). Without
 * rescoring and with ranges given up front the index keeps no floats at all.
 *
 * <p>Searches return hits best first (ties by ordinal ascending) like every {@link VectorIndex};
 * {@link #isExact()} is false: the quantized scan may miss some of the true top k (recall@k is
 * measured by {@code gecko bench ann}), and without rescoring the scores are estimates. Thread-safety as {@link FlatIndex}: a read-write lock, any number of concurrent
 * searches, adds exclusive.
 *
 * {@snippet lang=java :
 * FlatIndex floats = new FlatIndex(384, Similarity.COSINE);          // or a memory-mapped store
 * QuantizedFlatIndex bits = QuantizedFlatIndex.builder(384, Similarity.COSINE)
 *     .precision(Precision.BINARY).rescoreFactor(4).rescoreFrom(floats).build();
 * floats.add(id, vector);
 * bits.add(id, vector);
 * List<Hit> hits = bits.search(query, 10); // Hamming scan, 40 candidates rescored exactly
 * }
 */
public final class QuantizedFlatIndex implements VectorIndex {

  /** Bytes per code chunk: 16 MiB. */
  private static final int CHUNK_BYTES = 1 << 24;
  private static final int INITIAL_CHUNK_ROWS = 256;
  private static final int ROW_BLOCK = 128;
  private static final int QUERY_BLOCK = 16;
  private static final VectorSupport IMPL = VectorSupportProvider.get();

  private final int dimension;
  private final Similarity similarity;
  private final Precision precision;
  private final int rescoreFactor;
  private final int calibrationSize;
  private final FloatVectors externalStore;
  /** Own copy of the floats (rescoring without an external store); null otherwise. */
  private final FloatStore ownStore;
  /** long words per binary code, or 0 for int8. */
  private final int words;
  private final int rowsPerChunk;
  private final List<byte[]> byteChunks = new ArrayList<>();
  private final List<long[]> longChunks = new ArrayList<>();
  private final List<String> ids = new ArrayList<>();
  private final Map<String, Integer> ordinals = new HashMap<>();
  /** Vectors added before the int8 ranges are known, encoded when they are. */
  private final List<float[]> pending = new ArrayList<>();
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private volatile QuantizationRanges ranges;
  private float[] rangeMin;
  private float[] rangeStep;

  private QuantizedFlatIndex(Builder b) {
    this.dimension = b.dimension;
    this.similarity = b.similarity;
    this.precision = b.precision;
    this.rescoreFactor = b.rescoreFactor;
    this.calibrationSize = b.calibrationSize;
    this.externalStore = b.store;
    this.ownStore = b.store == null && b.rescoreFactor > 0 ? new FloatStore(dimension) : null;
    this.words = precision == Precision.BINARY ? (dimension + 63) / 64 : 0;
    // binary rows are stored in blocks of 8, word-interleaved (see packSigns): chunks hold whole
    // blocks
    this.rowsPerChunk = precision == Precision.BINARY
        ? Math.max(8, (CHUNK_BYTES / bytesPerVector()) & ~7)
        : Math.max(1, CHUNK_BYTES / bytesPerVector());
    if (b.ranges != null) {
      setRanges(b.ranges);
    }
  }

  /**
   * Returns a builder: {@link Precision#INT8}, no rescoring, int8 ranges calibrated from the first
   * 10,000 vectors added.
   *
   * @param dimension the dimension of every vector, {@code >= 1}
   * @param similarity how vectors are scored; not null
   * @return a new builder
   * @throws IllegalArgumentException if {@code dimension < 1} or {@code similarity} is null
   */
  public static Builder builder(int dimension, Similarity similarity) {
    if (dimension < 1) {
      throw new IllegalArgumentException("dimension must be >= 1, but is: " + dimension);
    }
    if (similarity == null) {
      throw new IllegalArgumentException(
          "similarity must not be null; expected one of " + Arrays.toString(Similarity.values()));
    }
    return new Builder(dimension, similarity);
  }

  /**
   * Returns a factory of quantized indexes with their own float store for rescoring (for
   * components that build their own index, such as {@code RetrievalEvaluator}); its {@link
   * VectorIndexFactory#name()} is e.g. {@code int8} or {@code binary+rescore4}.
   *
   * @param precision {@link Precision#INT8} or {@link Precision#BINARY}
   * @param rescoreFactor candidates per hit rescored exactly, in {@code [0, 10000]}; 0 for none
   * @return the factory
   * @throws IllegalArgumentException if the precision or factor is invalid
   */
  public static VectorIndexFactory factory(Precision precision, int rescoreFactor) {
    builder(1, Similarity.COSINE).precision(precision).rescoreFactor(rescoreFactor); // validates
    Precision p = precision == Precision.UBINARY ? Precision.BINARY : precision;
    String name = p.value() + (rescoreFactor > 0 ? "+rescore" + rescoreFactor : "");
    return new VectorIndexFactory() {
      @Override
      public VectorIndex create(int dimension, Similarity similarity, int expectedSize) {
        return builder(dimension, similarity).precision(p).rescoreFactor(rescoreFactor).build();
      }

      @Override
      public String name() {
        return name;
      }
    };
  }

  private void setRanges(QuantizationRanges r) {
    rangeMin = r.min();
    rangeStep = new float[dimension];
    for (int i = 0; i < dimension; i++) {
      rangeStep[i] = r.step(i);
    }
    ranges = r;
  }

  @Override
  public int dimension() {
    return dimension;
  }

  @Override
  public Similarity similarity() {
    return similarity;
  }

  /** {@return the precision of the stored codes, {@link Precision#INT8} or {@link Precision#BINARY}} */
  public Precision precision() {
    return precision;
  }

  /** {@return how many candidates per hit are rescored exactly; 0 when scores are the quantized ones} */
  public int rescoreFactor() {
    return rescoreFactor;
  }

  /**
   * Returns the bytes of codes stored per vector (ids and any float store not counted): {@code
   * dimension} for int8, {@code 8 * ceil(dimension / 64)} for binary.
   *
   * @return the code size in bytes
   */
  public int bytesPerVector() {
    return precision == Precision.BINARY ? 8 * ((dimension + 63) / 64) : dimension;
  }

  /**
   * Returns the int8 calibration in use, to store with {@link QuantizationRanges#write} and give to
   * the next index; empty for binary codes and before an int8 index has calibrated.
   *
   * @return the ranges, if known
   */
  public Optional<QuantizationRanges> ranges() {
    return Optional.ofNullable(ranges);
  }

  @Override
  public int size() {
    lock.readLock().lock();
    try {
      return ids.size();
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public boolean isExact() {
    return false;
  }

  @Override
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
   * Adds a vector under a new id: its codes (and, when the index keeps its own float store, a
   * copy of the vector, unit-length under cosine).
   *
   * @param id the vector's id; not null, not already in the index
   * @param vector the vector; length {@link #dimension()}, all finite, not all zeros for cosine
   * @throws IllegalArgumentException if the id is null or already present, or the vector is null,
   *     has the wrong dimension, holds a non-finite value, or is all zeros under cosine
   */
  @Override
  public void add(String id, float[] vector) {
    if (id == null) {
      throw new IllegalArgumentException("id must not be null");
    }
    float[] v = prepare(vector, "vector (id '" + id + "')");
    lock.writeLock().lock();
    try {
      Integer existing = ordinals.get(id);
      if (existing != null) {
        throw new IllegalArgumentException(
            "duplicate id '" + id + "': already in the index at ordinal " + existing);
      }
      int ordinal = ids.size();
      if (ownStore != null) {
        ownStore.add(v);
      }
      if (precision == Precision.INT8 && ranges == null) {
        pending.add(v);
        reserveRow(ordinal);
        ids.add(id);
        ordinals.put(id, ordinal);
        if (pending.size() >= calibrationSize) {
          calibrateLocked();
        }
        return;
      }
      reserveRow(ordinal);
      encodeRow(ordinal, v);
      ids.add(id);
      ordinals.put(id, ordinal);
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Computes the int8 ranges from the pending vectors and encodes them (write lock held). */
  private void calibrateLocked() {
    if (ranges != null || pending.isEmpty()) {
      return;
    }
    setRanges(QuantizationRanges.calibrate(pending));
    int first = ids.size() - pending.size();
    for (int i = 0; i < pending.size(); i++) {
      encodeRow(first + i, pending.get(i));
    }
    pending.clear();
  }

  /** Takes the read lock with every stored vector encoded (calibrating int8 ranges first). */
  private void readLockCalibrated() {
    while (true) {
      lock.readLock().lock();
      if (pending.isEmpty()) {
        return;
      }
      lock.readLock().unlock();
      lock.writeLock().lock();
      try {
        calibrateLocked();
      } finally {
        lock.writeLock().unlock();
      }
    }
  }

  private void reserveRow(int ordinal) {
    int c = ordinal / rowsPerChunk;
    int rowInChunk = ordinal % rowsPerChunk;
    int width = precision == Precision.BINARY ? words : dimension;
    if (precision == Precision.BINARY) {
      if (c == longChunks.size()) {
        longChunks.add(new long[Math.min(rowsPerChunk, INITIAL_CHUNK_ROWS) * width]);
      }
      long[] chunk = longChunks.get(c);
      if ((rowInChunk + 1) * width > chunk.length) {
        longChunks.set(c, Arrays.copyOf(chunk, grownRows(rowInChunk, chunk.length / width) * width));
      }
    } else {
      if (c == byteChunks.size()) {
        byteChunks.add(new byte[Math.min(rowsPerChunk, INITIAL_CHUNK_ROWS) * width]);
      }
      byte[] chunk = byteChunks.get(c);
      if ((rowInChunk + 1) * width > chunk.length) {
        byteChunks.set(c, Arrays.copyOf(chunk, grownRows(rowInChunk, chunk.length / width) * width));
      }
    }
  }

  private int grownRows(int rowInChunk, int rows) {
    int grown = Math.min(rowsPerChunk, Math.max(rowInChunk + 1, 2 * rows));
    return precision == Precision.BINARY ? Math.min(rowsPerChunk, (grown + 7) & ~7) : grown;
  }

  private void encodeRow(int ordinal, float[] v) {
    int c = ordinal / rowsPerChunk;
    int row = ordinal % rowsPerChunk;
    if (precision == Precision.BINARY) {
      packSigns(v, longChunks.get(c), (row / 8) * words * 8 + row % 8, 8);
    } else {
      EmbeddingQuantizer.quantizeInto(v, 0, dimension, Precision.INT8, ranges,
          byteChunks.get(c), row * dimension);
    }
  }

  /**
   * Packs the bits {@code v[i] > 0}: dimension {@code 64w + j} is bit {@code 63 - j} of word w,
   * written at {@code dest[off + w * stride]} (stride 8 in the blocks of 8 rows the index stores,
   * where word w of the 8 rows is contiguous for the SIMD kernel; 1 for a query).
   */
  private void packSigns(float[] v, long[] dest, int off, int stride) {
    for (int w = 0; w < words; w++) {
      long bits = 0;
      for (int j = 0; j < 64; j++) {
        int i = w * 64 + j;
        bits = (bits << 1) | (i < dimension && v[i] > 0 ? 1L : 0L);
      }
      dest[off + w * stride] = bits;
    }
  }

  /** Validates a vector and returns the copy to store or search with (unit-length for cosine). */
  private float[] prepare(float[] vector, String name) {
    if (vector == null) {
      throw new IllegalArgumentException(name + " must not be null");
    }
    if (vector.length != dimension) {
      throw new IllegalArgumentException("vector dimensions differ: " + vector.length + " != "
          + dimension + " (" + name + " vs. index dimension)");
    }
    double norm2 = 0;
    for (int i = 0; i < vector.length; i++) {
      float x = vector[i];
      if (!Float.isFinite(x)) {
        throw new IllegalArgumentException("non-finite value at " + name + "[" + i + "]=" + x);
      }
      norm2 += (double) x * x;
    }
    float[] v = vector.clone();
    if (similarity == Similarity.COSINE) {
      if (norm2 == 0) {
        throw new IllegalArgumentException(
            name + " is all zeros; cosine similarity needs a non-zero vector");
      }
      VectorMath.normalizeInPlace(v, 0, dimension);
    }
    return v;
  }

  /**
   * Returns the {@code k} best hits for {@code query}, scanning on the calling thread: the codes'
   * best {@code k x rescoreFactor} candidates rescored exactly, or the best {@code k} by quantized
   * score without rescoring.
   *
   * @param query the query; length {@link #dimension()}, all finite, not all zeros for cosine
   * @param k how many hits, in {@code [1, size()]}
   * @return {@code k} hits sorted by score descending, ties by ordinal ascending
   * @throws IllegalArgumentException if the query is invalid or {@code k} is not in {@code [1,
   *     size()]}
   * @throws IllegalStateException if the external float store holds fewer vectors than the index
   *     or has another dimension
   */
  @Override
  public List<Hit> search(float[] query, int k) {
    return search(query, k, rescoreFactor);
  }

  /**
   * Like {@link #search(float[], int)}, with another rescoring factor for this search (e.g. to
   * sweep factors on one index).
   *
   * @param query the query; valid as for {@link #search(float[], int)}
   * @param k how many hits, in {@code [1, size()]}
   * @param rescoreFactor candidates per hit rescored exactly, in {@code [0, 10000]}; 0: none
   * @return {@code k} hits sorted by score descending, ties by ordinal ascending
   * @throws IllegalArgumentException if an argument is invalid
   * @throws IllegalStateException if the float store is too small
   */
  public List<Hit> search(float[] query, int k, int rescoreFactor) {
    checkFactor(rescoreFactor);
    float[] q = prepare(query, "query");
    readLockCalibrated();
    try {
      int n = ids.size();
      IndexArguments.checkK(k, n);
      Query encoded = encodeQuery(q);
      TopK candidates = new TopK(candidateCount(k, n, rescoreFactor));
      scan(new Query[] {encoded}, 0, n, new TopK[] {candidates});
      return finish(q, candidates, k, rescoreFactor);
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Returns the {@code k} best hits for each query, using all cores: blocks of 16 queries scan
   * partitions of the codes on the common {@link ForkJoinPool} (each block of codes is read once
   * for 16 queries), then each query's candidates are rescored. Each query gets the hits {@link
   * #search} would give it.
   *
   * @param queries the queries; not null, not empty, each valid as for {@link #search}
   * @param k how many hits per query, in {@code [1, size()]}
   * @return one list of hits per query, in the order of {@code queries}
   * @throws IllegalArgumentException if {@code queries} is null or empty, a query is invalid (the
   *     message names its position), or {@code k} is not in {@code [1, size()]}
   * @throws IllegalStateException if the external float store is too small (see {@link #search})
   */
  @Override
  public List<List<Hit>> searchBatch(List<float[]> queries, int k) {
    return searchBatch(queries, k, rescoreFactor);
  }

  /**
   * Like {@link #searchBatch(List, int)}, with another rescoring factor for this search.
   *
   * @param queries the queries; valid as for {@link #searchBatch(List, int)}
   * @param k how many hits per query, in {@code [1, size()]}
   * @param rescoreFactor candidates per hit rescored exactly, in {@code [0, 10000]}; 0: none
   * @return one list of hits per query, in the order of {@code queries}
   * @throws IllegalArgumentException if an argument is invalid
   * @throws IllegalStateException if the float store is too small
   */
  public List<List<Hit>> searchBatch(List<float[]> queries, int k, int rescoreFactor) {
    checkFactor(rescoreFactor);
    if (queries == null) {
      throw new IllegalArgumentException("queries must not be null");
    }
    if (queries.isEmpty()) {
      throw new IllegalArgumentException("queries must not be empty; expected at least 1 query");
    }
    int nq = queries.size();
    float[][] qs = new float[nq][];
    for (int i = 0; i < nq; i++) {
      qs[i] = prepare(queries.get(i), "queries[" + i + "]");
    }
    readLockCalibrated();
    try {
      int n = ids.size();
      IndexArguments.checkK(k, n);
      Query[] encoded = new Query[nq];
      for (int i = 0; i < nq; i++) {
        encoded[i] = encodeQuery(qs[i]);
      }
      int candidates = candidateCount(k, n, rescoreFactor);
      int queryBlocks = (nq + QUERY_BLOCK - 1) / QUERY_BLOCK;
      int rowBlocks = (n + ROW_BLOCK - 1) / ROW_BLOCK;
      int cores = ForkJoinPool.getCommonPoolParallelism() + 1;
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
          tops[i] = new TopK(candidates);
        }
        scan(Arrays.copyOfRange(encoded, q0, q0 + count), (int) from, (int) to, tops);
        partial[task] = tops;
      });
      TopK[] merged = new TopK[nq];
      for (int qb = 0; qb < queryBlocks; qb++) {
        TopK[] first = partial[qb * partitions];
        for (int p = 1; p < partitions; p++) {
          TopK[] other = partial[qb * partitions + p];
          for (int i = 0; i < first.length; i++) {
            first[i].merge(other[i]);
          }
        }
        System.arraycopy(first, 0, merged, qb * QUERY_BLOCK, first.length);
      }
      List<List<Hit>> results = IntStream.range(0, nq).parallel()
          .mapToObj(i -> finish(qs[i], merged[i], k, rescoreFactor)).toList();
      return new ArrayList<>(results);
    } finally {
      lock.readLock().unlock();
    }
  }

  private void checkFactor(int factor) {
    if (factor < 0 || factor > 10_000) {
      throw new IllegalArgumentException("rescoreFactor must be in [0, 10000], but is: " + factor);
    }
    if (factor > 0 && externalStore == null && ownStore == null) {
      throw new IllegalArgumentException("rescoreFactor " + factor + " needs float vectors, but"
          + " this index was built without rescoring and keeps none (set Builder.rescoreFactor"
          + " or Builder.rescoreFrom)");
    }
  }

  private static int candidateCount(int k, int n, int rescoreFactor) {
    return rescoreFactor == 0 ? k : (int) Math.min(n, (long) k * rescoreFactor);
  }

  /** The hits of one query from its candidates: rescored exactly, or as they are. */
  private List<Hit> finish(float[] q, TopK candidates, int k, int rescoreFactor) {
    if (rescoreFactor == 0) {
      return candidates.toHits(ids);
    }
    FloatVectors store = externalStore != null ? externalStore : ownStore;
    if (store.dimension() != dimension || store.size() < ids.size()) {
      throw new IllegalStateException("the float store for rescoring holds " + store.size()
          + " vectors of dimension " + store.dimension() + "; expected at least " + ids.size()
          + " of dimension " + dimension + " (one per vector added, in the same order)");
    }
    TopK top = new TopK(k);
    int c = candidates.size();
    int[] ords = new int[c];
    for (int i = 0; i < c; i++) {
      ords[i] = candidates.ordinalAt(i);
    }
    float[] v = new float[c * dimension];
    store.copyTo(ords, c, v);
    for (int i = 0; i < c; i++) {
      float score = similarity == Similarity.COSINE
          ? IMPL.cosine(q, 0, v, i * dimension, dimension)
          : IMPL.dot(q, 0, v, i * dimension, dimension);
      top.offer(score, ords[i]);
    }
    return top.toHits(ids);
  }

  /** A query in the codes' form, with the affine map from the kernel's integer to a score. */
  private record Query(byte[] int8, long[] bits, double offset, double scale) {}

  private Query encodeQuery(float[] q) {
    if (precision == Precision.BINARY) {
      long[] bits = new long[words];
      packSigns(q, bits, 0, 1);
      // score = 1 - 2 h / dim, with h the Hamming distance
      return new Query(null, bits, 1.0, -2.0 / dimension);
    }
    // q . x ~ sum q_i (min_i + step_i (c_i + 128)) = offset + sum (q_i step_i) c_i; the weights
    // q_i step_i are quantized symmetrically to [-127, 127] so the sum is an int8 dot product
    double offset = 0;
    float maxAbs = 0;
    float[] w = new float[dimension];
    for (int i = 0; i < dimension; i++) {
      w[i] = q[i] * rangeStep[i];
      offset += (double) q[i] * rangeMin[i] + 128.0 * w[i];
      maxAbs = Math.max(maxAbs, Math.abs(w[i]));
    }
    byte[] codes = new byte[dimension];
    double scale = maxAbs == 0 ? 0 : maxAbs / 127.0;
    if (maxAbs > 0) {
      for (int i = 0; i < dimension; i++) {
        codes[i] = (byte) Math.round(w[i] / scale);
      }
    }
    return new Query(codes, null, offset, scale);
  }

  /** Scores the queries against rows {@code [from, to)} and offers the scores to {@code tops}. */
  private void scan(Query[] qs, int from, int to, TopK[] tops) {
    int[] raw = new int[ROW_BLOCK];
    float[] scores = new float[ROW_BLOCK];
    int row = from;
    while (row < to) {
      int c = row / rowsPerChunk;
      int inChunk = row % rowsPerChunk;
      int rows = Math.min(ROW_BLOCK, Math.min(to - row, rowsPerChunk - inChunk));
      for (int i = 0; i < qs.length; i++) {
        Query q = qs[i];
        if (precision == Precision.BINARY) {
          // inChunk is a multiple of 8 (scans start at multiples of ROW_BLOCK, chunks hold whole
          // blocks); the padding rows of a last, partial block are scored and not offered
          IMPL.hammingBlocks8(q.bits, 0, longChunks.get(c), inChunk * words, (rows + 7) / 8,
              words, raw, 0);
        } else {
          IMPL.dotInt8Matrix(q.int8, 0, byteChunks.get(c), inChunk * dimension, rows, dimension,
              raw, 0);
        }
        float offset = (float) q.offset;
        float scale = (float) q.scale;
        for (int r = 0; r < rows; r++) {
          scores[r] = offset + scale * raw[r];
        }
        tops[i].offerAscending(scores, 0, rows, row);
      }
      row += rows;
    }
  }

  /** Builds a {@link QuantizedFlatIndex}; each setter validates its argument. */
  public static final class Builder {
    private final int dimension;
    private final Similarity similarity;
    private Precision precision = Precision.INT8;
    private int rescoreFactor = 0;
    private int calibrationSize = 10_000;
    private QuantizationRanges ranges;
    private FloatVectors store;

    private Builder(int dimension, Similarity similarity) {
      this.dimension = dimension;
      this.similarity = similarity;
    }

    /**
     * Sets the codes: {@link Precision#INT8} (default) or {@link Precision#BINARY} ({@link
     * Precision#UBINARY} is the same bits and is taken as binary).
     *
     * @param precision the precision; not null, not float32 or uint8
     * @return this builder
     * @throws IllegalArgumentException if {@code precision} is null, float32 or uint8
     */
    public Builder precision(Precision precision) {
      if (precision == Precision.UBINARY) {
        precision = Precision.BINARY;
      }
      if (precision != Precision.INT8 && precision != Precision.BINARY) {
        throw new IllegalArgumentException("precision must be int8 or binary, but is: "
            + (precision == null ? "null" : precision.value()));
      }
      this.precision = precision;
      return this;
    }

    /**
     * Sets how many candidates per hit are rescored exactly with the float vectors: {@code k x
     * factor} candidates by quantized score, then the best {@code k} by exact similarity. 0
     * (default) returns the quantized scores without rescoring; sentence-transformers' default
     * multiplier is 4.
     *
     * @param factor the factor, in {@code [0, 10000]}
     * @return this builder
     * @throws IllegalArgumentException if {@code factor} is out of range
     */
    public Builder rescoreFactor(int factor) {
      if (factor < 0 || factor > 10_000) {
        throw new IllegalArgumentException("rescoreFactor must be in [0, 10000], but is: "
            + factor);
      }
      this.rescoreFactor = factor;
      return this;
    }

    /**
     * Sets the int8 calibration (computed once from a sample and stored); without it the index
     * calibrates from its first {@link #calibrationSize} vectors.
     *
     * @param ranges the ranges; not null, of the index's dimension
     * @return this builder
     * @throws IllegalArgumentException if {@code ranges} is null or of another dimension
     */
    public Builder ranges(QuantizationRanges ranges) {
      if (ranges == null) {
        throw new IllegalArgumentException("ranges must not be null");
      }
      if (ranges.dimension() != dimension) {
        throw new IllegalArgumentException("ranges have " + ranges.dimension()
            + " dimensions; expected the index dimension " + dimension);
      }
      this.ranges = ranges;
      return this;
    }

    /**
     * Sets how many vectors an int8 index without {@link #ranges} collects before it computes
     * its ranges from them (vectors added later are quantized with those ranges, clamped). A
     * search before that many were added calibrates from all vectors added so far.
     *
     * @param size the sample size, {@code >= 1}; default 10,000
     * @return this builder
     * @throws IllegalArgumentException if {@code size < 1}
     */
    public Builder calibrationSize(int size) {
      if (size < 1) {
        throw new IllegalArgumentException("calibrationSize must be >= 1, but is: " + size);
      }
      this.calibrationSize = size;
      return this;
    }

    /**
     * Rescores from {@code store} instead of an own float copy: vector {@code i} of the store must
     * be the {@code i}-th vector added to this index (e.g. a {@link FlatIndex} the same vectors
     * were added to in the same order, or a memory-mapped file of them).
     *
     * @param store the float vectors; not null, of the index's dimension
     * @return this builder
     * @throws IllegalArgumentException if {@code store} is null or of another dimension
     */
    public Builder rescoreFrom(FloatVectors store) {
      if (store == null) {
        throw new IllegalArgumentException("store must not be null");
      }
      if (store.dimension() != dimension) {
        throw new IllegalArgumentException("store has dimension " + store.dimension()
            + "; expected the index dimension " + dimension);
      }
      this.store = store;
      return this;
    }

    /** {@return a new, empty index} */
    public QuantizedFlatIndex build() {
      return new QuantizedFlatIndex(this);
    }
  }

  /** The index's own float copy of its vectors, in 16 MiB chunks. */
  private static final class FloatStore implements FloatVectors {
    private static final int CHUNK_FLOATS = 1 << 22;
    private final int dimension;
    private final int rowsPerChunk;
    private final List<float[]> chunks = new ArrayList<>();
    private int size;

    FloatStore(int dimension) {
      this.dimension = dimension;
      this.rowsPerChunk = Math.max(1, CHUNK_FLOATS / dimension);
    }

    void add(float[] v) {
      int c = size / rowsPerChunk;
      int row = size % rowsPerChunk;
      if (c == chunks.size()) {
        chunks.add(new float[Math.min(rowsPerChunk, INITIAL_CHUNK_ROWS) * dimension]);
      }
      float[] chunk = chunks.get(c);
      if ((row + 1) * dimension > chunk.length) {
        int rows = Math.min(rowsPerChunk, Math.max(row + 1, 2 * (chunk.length / dimension)));
        chunk = Arrays.copyOf(chunk, rows * dimension);
        chunks.set(c, chunk);
      }
      System.arraycopy(v, 0, chunk, row * dimension, dimension);
      size++;
    }

    @Override
    public int dimension() {
      return dimension;
    }

    @Override
    public int size() {
      return size;
    }

    @Override
    public void copyTo(int ordinal, float[] dest, int destOffset) {
      System.arraycopy(chunks.get(ordinal / rowsPerChunk), (ordinal % rowsPerChunk) * dimension,
          dest, destOffset, dimension);
    }
  }
}
