package dev.gecko4j.fret.retrieve;

import dev.gecko4j.core.index.CorruptFileException;
import dev.gecko4j.core.index.FloatVectors;
import dev.gecko4j.core.vector.VectorMath;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Exact top-k search over an {@link EmbeddingCache} file, memory-mapped: the vectors stay on disk
 * (the OS pages them in), so the heap does not grow with the corpus. Similarity is the dot product
 * of L2-normalised vectors (cosine).
 *
 * <p>The file is mapped with {@link FileChannel#map} in read-only chunks of at most 1 GiB, each
 * holding whole rows, so files over 2 GB work on every JDK from 17 on, with the same results.
 *
 * <p>Thread-safe for searches. {@link #close()} makes further searches fail; the JDK has no API
 * before 22 to unmap a buffer at once, so the pages are released when the mapping is garbage
 * collected (a search running on another thread while it closes finishes safely).
 *
 * <p>As a {@link FloatVectors} it is the off-heap float store a {@link
 * dev.gecko4j.core.index.QuantizedFlatIndex} rescores from ({@code rescoreFrom(mapped)}): the
 * heap then holds only the int8 or binary codes.
 */
public final class MappedVectors implements AutoCloseable, FloatVectors {

  /** Largest mapping of one chunk: 1 GiB, well below the 2 GiB limit of a {@code ByteBuffer}. */
  static final long MAX_CHUNK_BYTES = 1L << 30;

  /** Floats scored per kernel call (64 KiB: stays in L2 while the heap is updated). */
  private static final int BLOCK_FLOATS = 16 * 1024;

  private final int dimension;
  private final int count;
  private final int rowsPerChunk;
  private final EmbeddingCache.Header header;
  /** Little-endian float views of the chunks; null once closed. */
  private volatile FloatBuffer[] chunks;

  /**
   * One search hit.
   *
   * @param ordinal the passage ordinal
   * @param score the cosine similarity
   */
  public record Hit(int ordinal, float score) {}

  private MappedVectors(FloatBuffer[] chunks, int rowsPerChunk, EmbeddingCache.Header h) {
    this.chunks = chunks;
    this.rowsPerChunk = rowsPerChunk;
    this.header = h;
    this.dimension = h.dimension();
    this.count = Math.toIntExact(h.count());
  }

  /**
   * Maps a cache file written by {@link EmbeddingCache}, after checking it whole: its header
   * ({@link EmbeddingCache#readHeader}), its exact length, the CRC32 of its payload and that every
   * vector is finite (one sequential read of the file).
   *
   * @param file the cache file; not null
   * @return the mapped vectors
   * @throws IllegalArgumentException if {@code file} is null
   * @throws CorruptFileException if the file is not a complete, undamaged cache file (the message
   *     names the file, the field, its value and what was expected)
   * @throws IOException if reading or mapping fails
   */
  public static MappedVectors open(Path file) throws IOException {
    return open(file, MAX_CHUNK_BYTES, true);
  }

  /**
   * {@link #open(Path)} with chunks of at most {@code maxChunkBytes} (smaller for tests), and
   * without reading the payload when {@code verify} is false (for a test of a sparse file of
   * several GB, whose header and length are still checked).
   */
  static MappedVectors open(Path file, long maxChunkBytes, boolean verify) throws IOException {
    if (file == null) {
      throw new IllegalArgumentException("file must not be null");
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      EmbeddingCache.Header h = EmbeddingCache.readHeader(file);
      if (verify) {
        EmbeddingCache.verify(file, h);
      }
      long rowBytes = h.dimension() * 4L;
      if (rowBytes > maxChunkBytes) {
        throw new CorruptFileException(file, "dimension", "is " + h.dimension()
            + "; expected at most " + maxChunkBytes / 4 + " (one row per mapped chunk)");
      }
      int rowsPerChunk = (int) Math.min(Integer.MAX_VALUE, maxChunkBytes / rowBytes);
      int n = (int) ((h.count() + rowsPerChunk - 1) / rowsPerChunk);
      FloatBuffer[] chunks = new FloatBuffer[n];
      for (int c = 0; c < n; c++) {
        long firstRow = (long) c * rowsPerChunk;
        long rows = Math.min(rowsPerChunk, h.count() - firstRow);
        chunks[c] = ch.map(FileChannel.MapMode.READ_ONLY, h.dataOffset() + firstRow * rowBytes,
            rows * rowBytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
      }
      return new MappedVectors(chunks, rowsPerChunk, h);
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
    FloatBuffer[] mapped = chunks;
    if (mapped == null) {
      throw new IllegalStateException("mapped vectors are closed");
    }
    // min-heap of the best k so far: worst at the head (lower score, then higher ordinal)
    PriorityQueue<Hit> heap = new PriorityQueue<>(k + 1, (a, b) -> a.score() != b.score()
        ? Float.compare(a.score(), b.score()) : Integer.compare(b.ordinal(), a.ordinal()));
    // Copy blocks of rows off the mapping and score them with the SIMD kernel of gecko-core.
    int blockRows = Math.max(1, Math.min(count, BLOCK_FLOATS / dimension));
    float[] block = new float[blockRows * dimension];
    float[] scores = new float[blockRows];
    for (int start = 0; start < count; start += blockRows) {
      int rows = Math.min(blockRows, count - start);
      copyRows(mapped, start, rows, block);
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

  /**
   * Returns a copy of one passage's vector.
   *
   * @param ordinal the passage ordinal, in {@code [0, size())}
   * @return the vector (L2-normalised, as the cache stores it)
   * @throws IllegalArgumentException if {@code ordinal} is out of range
   * @throws IllegalStateException if closed
   */
  public float[] vector(int ordinal) {
    if (ordinal < 0 || ordinal >= count) {
      throw new IllegalArgumentException("ordinal must be between 0 and " + (count - 1)
          + ", but is: " + ordinal);
    }
    FloatBuffer[] mapped = chunks;
    if (mapped == null) {
      throw new IllegalStateException("mapped vectors are closed");
    }
    float[] v = new float[dimension];
    copyRows(mapped, ordinal, 1, v);
    return v;
  }

  /**
   * Copies vector {@code ordinal} (L2-normalised, as the cache stores it) into {@code dest}.
   *
   * @param ordinal the passage ordinal, in {@code [0, size())}
   * @param dest the destination; room for {@link #dimension()} values at {@code destOffset}
   * @param destOffset where the first value goes, {@code >= 0}
   * @throws IllegalArgumentException if {@code ordinal} is out of range or {@code dest} is null or
   *     too short
   * @throws IllegalStateException if closed
   */
  @Override
  public void copyTo(int ordinal, float[] dest, int destOffset) {
    if (ordinal < 0 || ordinal >= count) {
      throw new IllegalArgumentException("ordinal must be between 0 and " + (count - 1)
          + ", but is: " + ordinal);
    }
    if (dest == null || destOffset < 0 || destOffset > dest.length - dimension) {
      throw new IllegalArgumentException("dest must hold " + dimension + " values from offset "
          + destOffset + ", but is " + (dest == null ? "null" : "of length " + dest.length));
    }
    FloatBuffer[] mapped = chunks;
    if (mapped == null) {
      throw new IllegalStateException("mapped vectors are closed");
    }
    mapped[ordinal / rowsPerChunk].get((ordinal % rowsPerChunk) * dimension, dest, destOffset,
        dimension);
  }

  /** Copies rows {@code [first, first+rows)} into {@code dst}, across chunk boundaries. */
  private void copyRows(FloatBuffer[] mapped, int first, int rows, float[] dst) {
    int done = 0;
    while (done < rows) {
      int row = first + done;
      FloatBuffer chunk = mapped[row / rowsPerChunk];
      int inChunk = row % rowsPerChunk;
      int n = Math.min(rows - done, rowsPerChunk - inChunk);
      chunk.get(inChunk * dimension, dst, done * dimension, n * dimension);
      done += n;
    }
  }

  /**
   * Closes the mapping: later searches fail; idempotent, also when called from several threads at
   * once.
   */
  @Override
  public void close() {
    chunks = null;
  }
}
