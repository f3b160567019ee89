package dev.gecko4j.fret;

import dev.gecko4j.core.vector.VectorMath;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Exact top-k search over an {@link EmbeddingCache} file, memory-mapped as a {@link MemorySegment}:
 * the vectors stay on disk (the OS pages them in), so the heap does not grow with the corpus.
 * Similarity is the dot product of L2-normalised vectors (cosine).
 *
 * <p>Thread-safe for searches; close it to unmap.
 */
public final class MappedVectors implements AutoCloseable {

  private static final ValueLayout.OfFloat FLOAT =
      ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  /** Floats scored per kernel call (64 KiB: stays in L2 while the heap is updated). */
  private static final int BLOCK_FLOATS = 16 * 1024;

  private final Arena arena;
  private final MemorySegment vectors;
  private final int dimension;
  private final int count;
  private final EmbeddingCache.Header header;
  private volatile boolean closed;

  /**
   * One search hit.
   *
   * @param ordinal the passage ordinal
   * @param score the cosine similarity
   */
  public record Hit(int ordinal, float score) {}

  private MappedVectors(Arena arena, MemorySegment vectors, EmbeddingCache.Header h) {
    this.arena = arena;
    this.vectors = vectors;
    this.header = h;
    this.dimension = h.dimension();
    this.count = Math.toIntExact(h.count());
  }

  /**
   * Maps a cache file written by {@link EmbeddingCache}.
   *
   * @param file the cache file
   * @return the mapped vectors
   * @throws IllegalArgumentException if the file is not a complete cache file
   * @throws UncheckedIOException if mapping fails
   */
  public static MappedVectors open(Path file) {
    if (file == null) {
      throw new IllegalArgumentException("file must not be null");
    }
    Arena arena = Arena.ofShared();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      EmbeddingCache.Header h = EmbeddingCache.readHeader(file);
      long bytes = h.count() * h.dimension() * 4L;
      if (ch.size() < h.dataOffset() + bytes) {
        throw new IllegalArgumentException("embeddings cache " + file + " is truncated: "
            + ch.size() + " bytes, expected at least " + (h.dataOffset() + bytes));
      }
      MemorySegment seg = ch.map(FileChannel.MapMode.READ_ONLY, h.dataOffset(), bytes, arena);
      return new MappedVectors(arena, seg, h);
    } catch (IOException e) {
      arena.close();
      throw new UncheckedIOException("cannot map " + file, e);
    } catch (RuntimeException e) {
      arena.close();
      throw e instanceof IllegalStateException ? new IllegalArgumentException(e.getMessage(), e) : e;
    }
  }

  /** {@return the file's header (model name, dimension, count, ids checksum)} */
  public EmbeddingCache.Header header() {
    return header;
  }

  /** {@return the vector dimension} */
  public int dimension() {
    return dimension;
  }

  /** {@return the number of vectors} */
  public int size() {
    return count;
  }

  /**
   * Returns the {@code k} vectors most similar to {@code query}, best first; ties go to the lower
   * ordinal.
   *
   * @param query the query vector (L2-normalised for cosine); length {@link #dimension()}
   * @param k how many, in {@code [1, size()]}
   * @return the hits, best first
   * @throws IllegalArgumentException if the query's length or {@code k} is wrong
   * @throws IllegalStateException if closed
   */
  public List<Hit> search(float[] query, int k) {
    if (query == null || query.length != dimension) {
      throw new IllegalArgumentException("query must have dimension " + dimension + ", but has "
          + (query == null ? "null" : query.length));
    }
    if (k < 1 || k > count) {
      throw new IllegalArgumentException("k must be between 1 and " + count + ", but is: " + k);
    }
    if (closed) {
      throw new IllegalStateException("mapped vectors are closed");
    }
    // min-heap of the best k so far: worst at the head (lower score, then higher ordinal)
    PriorityQueue<Hit> heap = new PriorityQueue<>(k + 1, (a, b) -> a.score() != b.score()
        ? Float.compare(a.score(), b.score()) : Integer.compare(b.ordinal(), a.ordinal()));
    // Copy blocks of rows off the mapping and score them with the SIMD kernel of gecko-core.
    int blockRows = Math.max(1, Math.min(count, BLOCK_FLOATS / dimension));
    float[] block = new float[blockRows * dimension];
    float[] scores = new float[blockRows];
    long rowBytes = dimension * 4L;
    for (int start = 0; start < count; start += blockRows) {
      int rows = Math.min(blockRows, count - start);
      MemorySegment.copy(vectors, FLOAT, start * rowBytes, block, 0, rows * dimension);
      if (rows == blockRows) {
        VectorMath.dotMatrix(query, block, rows, scores);
      } else {
        VectorMath.dotMatrix(query, java.util.Arrays.copyOf(block, rows * dimension), rows, scores);
      }
      for (int r = 0; r < rows; r++) {
        float s = scores[r];
        if (heap.size() < k) {
          heap.add(new Hit(start + r, s));
        } else if (s > heap.peek().score()) {
          heap.poll();
          heap.add(new Hit(start + r, s));
        }
      }
    }
    List<Hit> out = new ArrayList<>(heap);
    out.sort((a, b) -> a.score() != b.score() ? Float.compare(b.score(), a.score())
        : Integer.compare(a.ordinal(), b.ordinal()));
    return Collections.unmodifiableList(out);
  }

  /** Unmaps the file; idempotent, also when called from several threads at once. */
  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      arena.close();
    }
  }
}
