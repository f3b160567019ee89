package dev.gecko4j.fret.retrieve;

import dev.gecko4j.core.ProgressListener;
import dev.gecko4j.core.index.VectorIndex;
import dev.gecko4j.core.index.VectorIndexFactory;
import dev.gecko4j.core.internal.Args;
import dev.gecko4j.core.vector.Similarity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * When FRet's neighbour retrieval leaves the exact scan of the {@link MappedVectors} for an
 * approximate (graph) {@link VectorIndex}: at and above {@link #threshold()} corpus passages
 * (default {@value #DEFAULT_THRESHOLD}), when an approximate {@link VectorIndexFactory} is at hand.
 *
 * <p>gecko-fret does not depend on any ANN library. The factory is either given ({@link #of}) or
 * found by {@link VectorIndexFactory#approximate()} ({@link #defaults()}), which finds {@code
 * dev.gecko4j.jvector.GraphIndexFactory} when the {@code gecko-jvector} module is on the class
 * path. With no factory, retrieval stays exact at any size and a warning says so once.
 *
 * <p>Below the threshold the exact scan is both exact and fast enough (about 20 ms per query over
 * 200,000 x 384 on one core). Above it the graph is built in memory from the embeddings cache on
 * all cores before mining starts (about 1.5 GB of heap per million 384-dimensional vectors plus
 * the graph); it is not persisted between runs.
 */
public final class AnnPolicy {

  /** The default threshold: corpora of at least 200,000 passages use the approximate index. */
  public static final int DEFAULT_THRESHOLD = 200_000;

  private static final System.Logger LOG = System.getLogger(AnnPolicy.class.getName());
  /** Vectors read from the cache and inserted per {@link VectorIndex#addAll} call. */
  private static final int BLOCK = 16_384;

  private final int threshold;
  private final VectorIndexFactory factory;

  private AnnPolicy(int threshold, VectorIndexFactory factory) {
    this.threshold = threshold;
    this.factory = factory;
  }

  /**
   * Returns the default policy: {@value #DEFAULT_THRESHOLD} passages, factory found by {@link
   * VectorIndexFactory#approximate()}.
   *
   * @return the default policy
   */
  public static AnnPolicy defaults() {
    return new AnnPolicy(DEFAULT_THRESHOLD, null);
  }

  /**
   * Returns the policy that always scans exactly.
   *
   * @return the exact-only policy
   */
  public static AnnPolicy exactOnly() {
    return new AnnPolicy(Integer.MAX_VALUE, null);
  }

  /**
   * Returns a policy with an explicit factory.
   *
   * @param threshold the smallest corpus that gets the approximate index, {@code >= 2}
   * @param factory makes the approximate index; not null
   * @return the policy
   * @throws IllegalArgumentException if {@code threshold < 2} or {@code factory} is null
   */
  public static AnnPolicy of(int threshold, VectorIndexFactory factory) {
    if (factory == null) {
      throw new IllegalArgumentException("factory must not be null");
    }
    return new AnnPolicy(checkThreshold(threshold), factory);
  }

  /**
   * Returns a copy with another threshold.
   *
   * @param t the smallest corpus that gets the approximate index, {@code >= 2}
   * @return the copy
   * @throws IllegalArgumentException if {@code t < 2}
   */
  public AnnPolicy withThreshold(int t) {
    return new AnnPolicy(checkThreshold(t), factory);
  }

  private static int checkThreshold(int t) {
    if (t < 2) {
      throw new IllegalArgumentException("threshold must be >= 2, but is: " + t);
    }
    return t;
  }

  /**
   * Returns the smallest corpus size that gets the approximate index.
   *
   * @return the threshold
   */
  public int threshold() {
    return threshold;
  }

  /**
   * Returns the factory this policy uses at and above the threshold: the given one, or the one
   * found on the class path.
   *
   * @return the factory, or empty when none is given or found
   */
  public Optional<VectorIndexFactory> factory() {
    return factory != null ? Optional.of(factory) : VectorIndexFactory.approximate();
  }

  /**
   * Builds the approximate index over an embeddings cache when the policy asks for one: the
   * cache holds at least {@link #threshold()} vectors and a factory is at hand. The index's
   * ordinals are the cache's (the corpus ordinals), its ids their decimal strings, its similarity
   * cosine.
   *
   * @param cacheFile a cache file written by {@link EmbeddingCache}; not null
   * @param progress hears the vectors inserted so far (stage {@code "indexed"}; {@link
   *     ProgressListener#NONE} for none); not null
   * @return the index, or empty when retrieval should stay exact
   * @throws IllegalArgumentException if an argument is null
   * @throws UncheckedIOException if reading fails, or the file is not a complete cache file (its
   *     cause then a {@link dev.gecko4j.core.index.CorruptFileException} naming the field)
   */
  public Optional<VectorIndex> indexFor(Path cacheFile, ProgressListener progress) {
    Args.notNull(cacheFile, "cacheFile");
    Args.notNull(progress, "progress");
    try {
      EmbeddingCache.Header h = EmbeddingCache.readHeader(cacheFile);
      if (h.count() < threshold) {
        return Optional.empty();
      }
      Optional<VectorIndexFactory> f = factory();
      if (f.isEmpty()) {
        LOG.log(System.Logger.Level.WARNING, "corpus of " + h.count() + " passages is at or above"
            + " the ANN threshold " + threshold + ", but no approximate VectorIndexFactory is on"
            + " the class path (add gecko-jvector); retrieving neighbours by exact scan");
        return Optional.empty();
      }
      int n = Math.toIntExact(h.count());
      int dim = h.dimension();
      VectorIndex index = f.get().create(dim, Similarity.COSINE, n);
      try (FileChannel ch = FileChannel.open(cacheFile, StandardOpenOption.READ)) {
        ByteBuffer buf = ByteBuffer.allocate(BLOCK * dim * 4).order(ByteOrder.LITTLE_ENDIAN);
        long pos = h.dataOffset();
        for (int start = 0; start < n; start += BLOCK) {
          int rows = Math.min(BLOCK, n - start);
          buf.clear().limit(rows * dim * 4);
          while (buf.hasRemaining()) {
            int r = ch.read(buf, pos + buf.position());
            if (r < 0) {
              throw new IllegalArgumentException("embeddings cache " + cacheFile
                  + " is truncated at vector " + start);
            }
          }
          buf.flip();
          java.nio.FloatBuffer floats = buf.asFloatBuffer();
          List<String> ids = new ArrayList<>(rows);
          List<float[]> vectors = new ArrayList<>(rows);
          for (int i = 0; i < rows; i++) {
            float[] v = new float[dim];
            floats.get(v);
            ids.add(Integer.toString(start + i));
            vectors.add(v);
          }
          index.addAll(ids, vectors);
          pos += (long) rows * dim * 4;
          progress.onProgress("indexed", start + rows, n);
        }
      }
      return Optional.of(index);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read embeddings cache " + cacheFile + ": "
          + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return "AnnPolicy[threshold=" + threshold + ", factory="
        + (factory == null ? "class path" : factory.name()) + "]";
  }
}
