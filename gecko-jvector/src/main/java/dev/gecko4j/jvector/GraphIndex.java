package dev.gecko4j.jvector;

import dev.gecko4j.core.index.CorruptFileException;
import dev.gecko4j.core.index.Hit;
import dev.gecko4j.core.internal.Args;
import dev.gecko4j.core.index.IndexArguments;
import dev.gecko4j.core.index.VectorIndex;
import dev.gecko4j.core.vector.Similarity;
import dev.gecko4j.core.vector.VectorMath;
import io.github.jbellis.jvector.disk.ByteBufferReader;
import io.github.jbellis.jvector.graph.GraphIndexBuilder;
import io.github.jbellis.jvector.graph.GraphSearcher;
import io.github.jbellis.jvector.graph.OnHeapGraphIndex;
import io.github.jbellis.jvector.graph.SearchResult;
import io.github.jbellis.jvector.graph.similarity.BuildScoreProvider;
import io.github.jbellis.jvector.graph.similarity.DefaultSearchScoreProvider;
import io.github.jbellis.jvector.graph.similarity.SearchScoreProvider;
import io.github.jbellis.jvector.quantization.PQVectors;
import io.github.jbellis.jvector.quantization.ProductQuantization;
import io.github.jbellis.jvector.util.Bits;
import io.github.jbellis.jvector.vector.VectorSimilarityFunction;
import io.github.jbellis.jvector.vector.VectorUtil;
import io.github.jbellis.jvector.vector.VectorizationProvider;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import io.github.jbellis.jvector.vector.types.VectorTypeSupport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.IntStream;

/**
 * An approximate top-k {@link VectorIndex} backed by a JVector graph: a Vamana graph with an
 * HNSW-style hierarchy ({@code GraphIndexBuilder}), searched by beam search ({@code
 * GraphSearcher}). Searches visit a few thousand vectors instead of all of them, so they are much
 * faster than {@link dev.gecko4j.core.index.FlatIndex} on large corpora, at a recall below 1 that
 * {@link GraphIndexConfig#searchRerank()} tunes.
 *
 * <p>Vectors and scores follow the {@link VectorIndex} contract: ordinals in the order of adds,
 * scores in the similarity's natural range (each returned hit is scored exactly with the stored
 * vector, so a hit's score equals {@link dev.gecko4j.core.index.FlatIndex}'s up to float rounding;
 * JVector's own scores are {@code (1 + s) / 2}). For {@link Similarity#COSINE} the index stores
 * unit-length copies and runs JVector with its dot-product function; for {@link
 * Similarity#DOT_PRODUCT} it stores the vectors as given. As in JVector, dot product is meant for
 * unit (or near-unit) vectors: over vectors of very different norms it is a maximum-inner-product
 * search, where a graph's recall drops (0.79 at recall@10 on 2,000 clustered unnormalised 32-d
 * vectors, against 1.0 once they are normalised); use {@link Similarity#COSINE} for such data.
 *
 * <p>Building: {@link #add} inserts one vector; {@link #addAll} inserts many on all cores (or
 * {@link GraphIndexConfig#buildThreads()}). Both may be called at any time, also after {@link
 * #optimize()}, {@link #save} or {@link #load}. {@link #optimize()} runs JVector's clean-up
 * (prunes neighbour lists back to M and, with {@link GraphIndexConfig#refine()}, refines every
 * node's connections) and trains or refreshes product quantisation; searches work without it, and
 * {@link #save} runs it when adds are pending.
 *
 * <p>Product quantisation ({@link GraphIndexConfig#pqSubspaces()} above 0): {@link #optimize()}
 * trains a codebook of 256 centroids per subspace on the vectors (at least 1,024 are needed) and
 * encodes them; searches then traverse the graph with the compressed codes and rerank the {@code
 * searchRerank} best candidates with the exact vectors. The exact vectors stay in memory (they
 * rerank and score the hits), so PQ makes traversal cheaper per hop, not the index smaller. Vectors
 * added after the last {@link #optimize()} have no codes: until the next one, searches use exact
 * scores throughout.
 *
 * <p>Persistence: {@link #save} writes one file (settings, ids, vectors, PQ codebook, graph, and
 * a CRC32C over all of it); {@link #load} reads it back, and searches of the loaded index return
 * the same hits. The file is untrusted on load: a damaged, truncated or crafted file is a
 * {@link CorruptFileException} naming the file and the field, never an {@link OutOfMemoryError} or
 * a later failure inside a search. An empty index saves and loads.
 *
 * <p>Thread-safety: guarded by a read-write lock, as {@code FlatIndex} is. Any number of threads
 * may search at once; adds, {@link #optimize()} and {@link #save} take the lock exclusively (an
 * {@link #addAll} inserts in parallel inside it). Every method is safe to call from any thread.
 *
 * <p>SIMD: JVector uses the Vector API when the JVM runs with {@code --add-modules
 * jdk.incubator.vector} (JDK 20+; it logs which provider it picked), else its scalar code; its jar
 * is multi-release with a Java 11 base, so this class also runs on JDK 17.
 */
public final class GraphIndex implements VectorIndex {

  private static final VectorTypeSupport VTS =
      VectorizationProvider.getInstance().getVectorTypeSupport();
  /** Vectors are unit length for cosine, so JVector's dot product orders both similarities. */
  private static final VectorSimilarityFunction VSF = VectorSimilarityFunction.DOT_PRODUCT;
  /** PQ is trained only on at least this many vectors (256 centroids per subspace). */
  static final int PQ_MIN_VECTORS = 1024;

  private final int dimension;
  private final Similarity similarity;
  private final GraphIndexConfig config;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final VectorStore store;
  private final GraphIndexBuilder builder;
  private final ThreadLocal<CachedSearcher> searchers = new ThreadLocal<>();
  private ProductQuantization pq;
  private PQVectors pqVectors;
  private int pqCount;
  private boolean pending;
  /** Bumped by every mutation, so cached searchers refresh their view of the graph. */
  private volatile long version;

  /**
   * Creates an empty index.
   *
   * @param dimension the dimension of every vector, {@code >= 1}
   * @param similarity how vectors are scored; not null
   * @param config the graph settings; not null; {@link GraphIndexConfig#pqSubspaces()} at most
   *     {@code dimension}
   * @throws IllegalArgumentException if an argument is invalid
   */
  public GraphIndex(int dimension, Similarity similarity, GraphIndexConfig config) {
    if (dimension < 1) {
      throw new IllegalArgumentException("dimension must be >= 1, but is: " + dimension);
    }
    if (similarity == null) {
      throw new IllegalArgumentException(
          "similarity must not be null; expected one of " + Arrays.toString(Similarity.values()));
    }
    if (config == null) {
      throw new IllegalArgumentException("config must not be null");
    }
    if (config.pqSubspaces() > dimension) {
      throw new IllegalArgumentException("pqSubspaces must be in [0, dimension " + dimension
          + "], but is: " + config.pqSubspaces());
    }
    this.dimension = dimension;
    this.similarity = similarity;
    this.config = config;
    this.store = new VectorStore(dimension);
    this.builder = new GraphIndexBuilder(BuildScoreProvider.randomAccessScoreProvider(store, VSF),
        dimension, config.maxDegree(), config.beamWidth(), config.neighbourOverflow(),
        config.alpha(), config.hierarchy(), config.refine());
  }

  /**
   * Creates an empty index with {@link GraphIndexConfig#defaults()}.
   *
   * @param dimension the dimension of every vector, {@code >= 1}
   * @param similarity how vectors are scored; not null
   * @throws IllegalArgumentException if an argument is invalid
   */
  public GraphIndex(int dimension, Similarity similarity) {
    this(dimension, similarity, GraphIndexConfig.defaults());
  }

  @Override
  public int dimension() {
    return dimension;
  }

  @Override
  public Similarity similarity() {
    return similarity;
  }

  /**
   * Returns the settings the index was built with.
   *
   * @return the settings
   */
  public GraphIndexConfig config() {
    return config;
  }

  @Override
  public boolean isExact() {
    return false;
  }

  @Override
  public int size() {
    return store.size();
  }

  @Override
  public String id(int ordinal) {
    int n = store.size();
    if (ordinal < 0 || ordinal >= n) {
      throw new IllegalArgumentException(
          "ordinal must be between 0 and " + (n - 1) + ", but is: " + ordinal);
    }
    return store.id(ordinal);
  }

  /**
   * Returns whether PQ codes currently steer the searches (PQ configured, trained by {@link
   * #optimize()}, and no vector added since).
   *
   * @return true when searches traverse with PQ codes
   */
  public boolean isCompressed() {
    lock.readLock().lock();
    try {
      return pqVectors != null && pqCount == store.size();
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Returns an estimate of the heap the index holds: vectors, graph, PQ codes and ids.
   *
   * @return bytes, {@code >= 0}
   */
  public long ramBytesUsed() {
    lock.readLock().lock();
    try {
      long n = store.size();
      long bytes = n * (16L + 4L * dimension + 16L) + builder.getGraph().ramBytesUsed();
      if (pqVectors != null) {
        bytes += pqVectors.ramBytesUsed() + pq.ramBytesUsed();
      }
      return bytes + n * 64L; // ids and their map entries, roughly
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public void add(String id, float[] vector) {
    if (id == null) {
      throw new IllegalArgumentException("id must not be null");
    }
    addAll(List.of(id), java.util.Collections.singletonList(vector));
  }

  /**
   * Adds many vectors, inserting them into the graph on all cores (or {@link
   * GraphIndexConfig#buildThreads()} threads). Everything is checked before anything is added, so
   * an invalid element (or an id already present) adds nothing.
   *
   * @param ids the ids; not null, same size as {@code vectors}, no null, none already present, no
   *     duplicates
   * @param vectors the vectors; each of length {@link #dimension()}, all finite, not all zeros for
   *     cosine
   * @throws IllegalArgumentException if an argument is invalid (the message names the element)
   */
  @Override
  public void addAll(List<String> ids, List<float[]> vectors) {
    IndexArguments.checkAddAll(this, ids, vectors);
    int n = ids.size();
    VectorFloat<?>[] prepared = new VectorFloat<?>[n];
    for (int i = 0; i < n; i++) {
      prepared[i] = VTS.createFloatVector(prepare(vectors.get(i)));
    }
    lock.writeLock().lock();
    try {
      for (int i = 0; i < n; i++) {
        Integer existing = store.ordinal(ids.get(i));
        if (existing != null) {
          throw new IllegalArgumentException("duplicate id '" + ids.get(i) + "' at ids[" + i
              + "]: already in the index at ordinal " + existing);
        }
      }
      int first = store.size();
      for (int i = 0; i < n; i++) {
        store.append(ids.get(i), prepared[i]);
      }
      if (n == 1) {
        builder.addGraphNode(first, prepared[0]);
      } else {
        ForkJoinPool pool = config.buildThreads() == 0 ? ForkJoinPool.commonPool()
            : new ForkJoinPool(config.buildThreads());
        try {
          pool.submit(() -> IntStream.range(first, first + n).parallel()
              .forEach(o -> builder.addGraphNode(o, vectorAt(o)))).join();
        } finally {
          if (pool != ForkJoinPool.commonPool()) {
            pool.shutdown();
          }
        }
      }
      pending = true;
      version++;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /**
   * Finishes pending work: JVector's clean-up of the graph (neighbour lists pruned to M, and with
   * {@link GraphIndexConfig#refine()} a pass that refines every node's connections) and, with PQ
   * configured and at least 1,024 vectors, training the codebook (the first time) and encoding
   * every vector. Costs about one more insertion pass with refining; a no-op when nothing was
   * added since the last call.
   */
  public void optimize() {
    lock.writeLock().lock();
    try {
      optimizeLocked();
    } finally {
      lock.writeLock().unlock();
    }
  }

  private void optimizeLocked() {
    if (!pending) {
      return;
    }
    if (store.size() > 0) {
      builder.cleanup();
    }
    if (config.pqSubspaces() > 0 && store.size() >= PQ_MIN_VECTORS) {
      if (pq == null) {
        pq = ProductQuantization.compute(store, config.pqSubspaces(), 256, false);
      }
      encodePq();
    }
    pending = false;
    version++;
  }

  private void encodePq() {
    pqVectors = (PQVectors) pq.encodeAll(store, ForkJoinPool.commonPool());
    pqCount = store.size();
  }

  @Override
  public List<Hit> search(float[] query, int k) {
    return search(query, k, config.searchRerank());
  }

  /**
   * Searches as {@link #search(float[], int)} does, with another search beam than the config's
   * {@link GraphIndexConfig#searchRerank()} (JVector's {@code rerankK}): larger finds more of the
   * exact top {@code k} at a lower query rate. Lets one index answer at several recall/speed
   * points without a rebuild.
   *
   * @param query the query; not null, of the index's dimension, finite
   * @param k how many hits, in {@code [1, size()]}
   * @param searchRerank candidates kept by the search, {@code >= 1} (raised to {@code k})
   * @return the hits, best first
   * @throws IllegalArgumentException if an argument is invalid
   */
  public List<Hit> search(float[] query, int k, int searchRerank) {
    float[] q = prepareQuery(query, "query");
    Args.positive(searchRerank, "searchRerank");
    lock.readLock().lock();
    try {
      IndexArguments.checkK(k, store.size());
      return searchLocked(q, k, searchRerank);
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Returns the {@code k} best hits for each query; the queries are searched in parallel on the
   * common fork-join pool, each as {@link #search} would.
   *
   * @param queries the queries; not null, not empty, each valid as for {@link #search}
   * @param k how many hits per query, in {@code [1, size()]}
   * @return one list of hits per query, in the order of {@code queries}
   * @throws IllegalArgumentException if {@code queries} is null or empty, a query is invalid (the
   *     message names its position), or {@code k} is not in {@code [1, size()]}
   */
  @Override
  public List<List<Hit>> searchBatch(List<float[]> queries, int k) {
    return searchBatch(queries, k, config.searchRerank());
  }

  /**
   * Searches as {@link #searchBatch(List, int)} does, with another search beam (see {@link
   * #search(float[], int, int)}).
   *
   * @param queries the queries; not null, not empty, each valid as for {@link #search}
   * @param k how many hits per query, in {@code [1, size()]}
   * @param searchRerank candidates kept by each search, {@code >= 1} (raised to {@code k})
   * @return one list of hits per query, in the order of {@code queries}
   * @throws IllegalArgumentException if an argument is invalid
   */
  public List<List<Hit>> searchBatch(List<float[]> queries, int k, int searchRerank) {
    Args.positive(searchRerank, "searchRerank");
    if (queries == null) {
      throw new IllegalArgumentException("queries must not be null");
    }
    if (queries.isEmpty()) {
      throw new IllegalArgumentException("queries must not be empty; expected at least 1 query");
    }
    List<float[]> prepared = new ArrayList<>(queries.size());
    for (int i = 0; i < queries.size(); i++) {
      prepared.add(prepareQuery(queries.get(i), "queries[" + i + "]"));
    }
    lock.readLock().lock();
    try {
      IndexArguments.checkK(k, store.size());
      List<Hit>[] out = newHitLists(prepared.size());
      IntStream.range(0, prepared.size()).parallel()
          .forEach(i -> out[i] = searchLocked(prepared.get(i), k, searchRerank));
      return List.of(out);
    } finally {
      lock.readLock().unlock();
    }
  }

  @SuppressWarnings("unchecked")
  private static List<Hit>[] newHitLists(int n) {
    return new List[n];
  }

  /** Searches under the read lock (held by the calling thread or the batch's caller). */
  private List<Hit> searchLocked(float[] q, int k, int searchRerank) {
    int n = store.size();
    VectorFloat<?> qv = VTS.createFloatVector(q);
    SearchScoreProvider ssp = pqVectors != null && pqCount == n
        ? new DefaultSearchScoreProvider(pqVectors.precomputedScoreFunctionFor(qv, VSF),
            store.rerankerFor(qv, VSF))
        : DefaultSearchScoreProvider.exact(qv, VSF, store);
    int rerank = Math.min(n, Math.max(k, searchRerank));
    SearchResult r = searcher().search(ssp, k, rerank, 0f, 0f, Bits.ALL);
    SearchResult.NodeScore[] nodes = r.getNodes();
    if (nodes.length < k) {
      return exactScan(qv, k); // a graph that cannot reach k nodes (tiny or degenerate)
    }
    List<Hit> hits = new ArrayList<>(k);
    for (int i = 0; i < k; i++) {
      int o = nodes[i].node;
      hits.add(new Hit(id(o), o, VectorUtil.dotProduct(qv, vectorAt(o))));
    }
    hits.sort(HIT_ORDER);
    return List.copyOf(hits);
  }

  private List<Hit> exactScan(VectorFloat<?> qv, int k) {
    int n = store.size();
    List<Hit> all = new ArrayList<>(n);
    for (int o = 0; o < n; o++) {
      all.add(new Hit(id(o), o, VectorUtil.dotProduct(qv, vectorAt(o))));
    }
    all.sort(HIT_ORDER);
    return List.copyOf(all.subList(0, k));
  }

  private static final Comparator<Hit> HIT_ORDER = (a, b) -> a.score() != b.score()
      ? Float.compare(b.score(), a.score()) : Integer.compare(a.ordinal(), b.ordinal());

  private GraphSearcher searcher() {
    CachedSearcher c = searchers.get();
    long v = version;
    if (c == null) {
      c = new CachedSearcher(new GraphSearcher(builder.getGraph()), v);
      searchers.set(c);
    } else if (c.version != v) {
      c.searcher.setView(builder.getGraph().getView());
      c.version = v;
    }
    return c.searcher;
  }

  /** One thread's searcher and the index version its view was taken at. */
  private static final class CachedSearcher {
    final GraphSearcher searcher;
    long version;

    CachedSearcher(GraphSearcher searcher, long version) {
      this.searcher = searcher;
      this.version = version;
    }
  }

  /** {@return the stored vector of {@code ordinal}} */
  VectorFloat<?> vectorAt(int ordinal) {
    return store.getVector(ordinal);
  }

  /** Checks a vector to add (shape checked by the caller) and returns the copy to store. */
  private float[] prepare(float[] vector) {
    float[] v = vector.clone();
    if (similarity == Similarity.COSINE) {
      VectorMath.normalizeInPlace(v, 0, v.length);
    }
    return v;
  }

  private float[] prepareQuery(float[] query, String name) {
    if (query == null) {
      throw new IllegalArgumentException(name + " must not be null");
    }
    if (query.length != dimension) {
      throw new IllegalArgumentException("vector dimensions differ: " + query.length + " != "
          + dimension + " (" + name + " vs. index dimension)");
    }
    boolean zero = true;
    for (int i = 0; i < query.length; i++) {
      if (!Float.isFinite(query[i])) {
        throw new IllegalArgumentException(
            "non-finite value at " + name + "[" + i + "]=" + query[i]);
      }
      zero &= query[i] == 0f;
    }
    if (similarity != Similarity.COSINE) {
      return query.clone();
    }
    if (zero) {
      throw new IllegalArgumentException(
          name + " is all zeros; cosine similarity needs a non-zero vector");
    }
    float[] q = query.clone();
    VectorMath.normalizeInPlace(q, 0, q.length);
    return q;
  }

  // ------------------------------------------------------------ persistence

  /**
   * Writes the index to {@code file} (replaced atomically: written to a temporary file in the same
   * folder, then moved), running {@link #optimize()} first when adds are pending. The file holds
   * the settings, ids, stored vectors, the PQ codebook (codes are re-encoded on load) and JVector's
   * on-heap graph; {@link #load} reads it.
   *
   * @param file the file; not null, its folder must exist
   * @throws IllegalArgumentException if {@code file} is null
   * @throws UncheckedIOException if writing fails
   */
  public void save(Path file) {
    if (file == null) {
      throw new IllegalArgumentException("file must not be null");
    }
    Path abs = file.toAbsolutePath();
    lock.writeLock().lock();
    try {
      optimizeLocked();
      Path tmp = Files.createTempFile(abs.getParent(), abs.getFileName().toString(), ".tmp");
      try {
        GraphIndexFile.write(this, tmp);
        Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot save graph index to " + file, e);
    } finally {
      lock.writeLock().unlock();
    }
  }

  /**
   * Reads an index written by {@link #save}. Nothing in the file is trusted: its length, magic,
   * format version and CRC32C checksum are checked first, then every header field against sane
   * limits and the bytes the file has left before anything is allocated from it, the ids (unique
   * UTF-8), the vectors (finite, of the header's dimension, unit length for cosine, as
   * {@link #addAll} requires) and the graph (one node per vector, edges only between them). An
   * empty index saves and loads.
   *
   * @param file the file; not null
   * @return the index, ready to search and to add to
   * @throws IllegalArgumentException if {@code file} is null
   * @throws CorruptFileException if the file is not a complete, undamaged graph index file of the
   *     current format version (the message names the file, the field, its value and what was
   *     expected; a file of the old format version 1 is refused with that reason)
   * @throws IOException if the file cannot be read
   */
  public static GraphIndex load(Path file) throws IOException {
    if (file == null) {
      throw new IllegalArgumentException("file must not be null");
    }
    return GraphIndexFile.read(file);
  }

  // ------------------------------------------------- access for GraphIndexFile (lock held)

  /** {@return the product quantisation codebook, or null when none is trained} */
  ProductQuantization productQuantization() {
    return pq;
  }

  /** {@return JVector's on-heap graph} */
  OnHeapGraphIndex onHeapGraph() {
    return (OnHeapGraphIndex) builder.getGraph();
  }

  /** Appends a stored vector read from a file (already unit length for cosine). */
  void appendLoaded(String id, float[] vector) {
    store.append(id, VTS.createFloatVector(vector));
  }

  /** Restores a codebook read from a file and encodes the stored vectors with it. */
  void restoreProductQuantization(ProductQuantization codebook) {
    this.pq = codebook;
    encodePq();
  }

  /** Restores the graph read from a file. */
  void restoreGraph(ByteBufferReader graph) throws IOException {
    builder.load(graph);
    // the saved graph was cleaned up before it was written: it has no pending mutations
    onHeapGraph().setAllMutationsCompleted();
    version++;
  }

  @Override
  public String toString() {
    return "GraphIndex[dimension=" + dimension + ", similarity=" + similarity + ", size=" + store.size()
        + ", " + config + "]";
  }
}
