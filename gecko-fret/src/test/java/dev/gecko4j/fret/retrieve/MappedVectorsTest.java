package dev.gecko4j.fret.retrieve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link MappedVectors} over cache files in {@link EmbeddingCache}'s layout: the same hits however
 * the file is cut into mapped chunks, and files over 2 GB (sparse, so they cost no disk) on every
 * JDK the suite runs on.
 */
class MappedVectorsTest {

  @TempDir Path dir;

  /**
   * Writes the header of a cache file, sizes the file to hold {@code count} vectors and as many
   * empty ids (zero bytes), and returns where the vectors start; {@link #seal} then records the
   * payload's CRC32.
   */
  private static long writeHeader(RandomAccessFile f, int dim, long count) throws IOException {
    byte[] name = "test-model".getBytes(StandardCharsets.UTF_8);
    byte[] fingerprint = "f1".getBytes(StandardCharsets.US_ASCII);
    byte[] sum = "0123abcd".getBytes(StandardCharsets.US_ASCII);
    int len = EmbeddingCache.MAGIC.length + 4 + 8 + 8 + 4 + 4 + name.length + 4
        + fingerprint.length + 4 + sum.length;
    long payload = count * dim * 4L + count * 4L; // vectors, then the ids (empty here)
    int aligned = (len + 63) & ~63;
    ByteBuffer h = ByteBuffer.allocate(aligned).order(ByteOrder.LITTLE_ENDIAN);
    h.put(EmbeddingCache.MAGIC).putInt(dim).putLong(count).putLong(payload).putInt(0)
        .putInt(name.length).put(name)
        .putInt(fingerprint.length).put(fingerprint)
        .putInt(sum.length).put(sum);
    f.seek(0);
    f.write(h.array());
    f.setLength(aligned + payload);
    return aligned;
  }

  /** Records the CRC32 of a (small) cache file's header and payload in its header. */
  private static void seal(Path file) throws IOException {
    EmbeddingCache.Header h = EmbeddingCache.readHeader(file);
    byte[] all = java.nio.file.Files.readAllBytes(file); // its checksum field is still zero
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(all);
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(EmbeddingCache.MAGIC.length + 4 + 8 + 8);
      f.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN)
          .putInt((int) crc.getValue()).array());
    }
  }

  private static void writeRow(RandomAccessFile f, long dataOffset, int dim, long row, float[] v)
      throws IOException {
    ByteBuffer b = ByteBuffer.allocate(dim * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float x : v) {
      b.putFloat(x);
    }
    f.seek(dataOffset + row * dim * 4L);
    f.write(b.array());
  }

  private static float[] unit(Random r, int dim) {
    float[] v = new float[dim];
    double n = 0;
    for (int i = 0; i < dim; i++) {
      v[i] = (float) r.nextGaussian();
      n += (double) v[i] * v[i];
    }
    for (int i = 0; i < dim; i++) {
      v[i] = (float) (v[i] / Math.sqrt(n));
    }
    return v;
  }

  @Test
  void should_find_the_same_hits_whatever_the_chunk_size() throws IOException {
    // given: 50 random unit vectors of dimension 16
    Path file = dir.resolve("small.bin");
    int dim = 16;
    int count = 50;
    Random r = new Random(7);
    float[][] rows = new float[count][];
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      long data = writeHeader(f, dim, count);
      for (int i = 0; i < count; i++) {
        rows[i] = unit(r, dim);
        writeRow(f, data, dim, i, rows[i]);
      }
    }
    seal(file);
    float[] query = unit(r, dim);
    // when: one mapping, and chunks of 3 rows (blocks of rows then cross chunk boundaries)
    List<MappedVectors.Hit> whole;
    List<MappedVectors.Hit> chunked;
    try (MappedVectors one = MappedVectors.open(file);
        MappedVectors many = MappedVectors.open(file, 3L * dim * 4, true)) {
      whole = one.search(query, 10);
      chunked = many.search(query, 10);
    }
    // then: identical hits, and they are the 10 best by the dot product
    assertThat(chunked).isEqualTo(whole);
    double tenth = whole.get(9).score();
    int better = 0;
    for (float[] row : rows) {
      double dot = 0;
      for (int d = 0; d < dim; d++) {
        dot += (double) row[d] * query[d];
      }
      if (dot > tenth + 1e-6) {
        better++;
      }
    }
    assertThat(better).isEqualTo(9);
    assertThat(whole.get(0).score()).isGreaterThanOrEqualTo(whole.get(9).score());
  }

  @Test
  void should_be_the_float_store_a_quantized_index_rescores_from() throws IOException {
    // given: 300 random unit vectors of dimension 64 in a cache file, chunks of 7 rows
    Path file = dir.resolve("rescore.bin");
    int dim = 64;
    int count = 300;
    Random r = new Random(9);
    dev.gecko4j.core.index.FlatIndex exact =
        new dev.gecko4j.core.index.FlatIndex(dim, dev.gecko4j.core.vector.Similarity.COSINE);
    List<float[]> rows = new java.util.ArrayList<>();
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      long data = writeHeader(f, dim, count);
      for (int i = 0; i < count; i++) {
        float[] v = unit(r, dim);
        rows.add(v);
        writeRow(f, data, dim, i, v);
        exact.add("p" + i, v);
      }
    }
    seal(file);
    try (MappedVectors mapped = MappedVectors.open(file, 7L * dim * 4, true)) {
      dev.gecko4j.core.index.QuantizedFlatIndex bits = dev.gecko4j.core.index.QuantizedFlatIndex
          .builder(dim, dev.gecko4j.core.vector.Similarity.COSINE)
          .precision(dev.gecko4j.core.quantization.Precision.BINARY)
          .rescoreFactor(count).rescoreFrom(mapped).build();
      for (int i = 0; i < count; i++) {
        bits.add("p" + i, rows.get(i));
      }
      float[] query = unit(r, dim);
      // when: every vector is a candidate, so rescoring alone decides the order
      List<dev.gecko4j.core.index.Hit> rescored = bits.search(query, 5);
      // then: the exact float top 5, with the float scores
      assertThat(rescored).usingRecursiveFieldByFieldElementComparatorIgnoringFields("score")
          .isEqualTo(exact.search(query, 5));
      assertThat(rescored.get(0).score()).isCloseTo(exact.search(query, 1).get(0).score(),
          org.assertj.core.data.Offset.offset(1e-6f));
    }
  }

  @Test
  void should_search_a_cache_file_over_2_gb() throws IOException {
    // given: 2.2 million rows of dimension 256 (1 KiB each): 2.25 GB, sparse (all zeros but four
    // rows: one at the start, two around the first 1 GiB chunk boundary, the last beyond 2 GiB)
    Path file = dir.resolve("big.bin");
    int dim = 256;
    long count = 2_200_000L;
    long[] marked = {5, (1L << 20) - 1, 1L << 20, count - 1};
    float[][] vectors = new float[marked.length][dim];
    for (int i = 0; i < marked.length; i++) {
      vectors[i][i] = 1f;
      vectors[i][10] = 0.5f;
    }
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      long data = writeHeader(f, dim, count);
      for (int i = 0; i < marked.length; i++) {
        writeRow(f, data, dim, marked[i], vectors[i]);
      }
    }
    assertThat(file.toFile().length()).isGreaterThan(1L << 31);
    float[] query = new float[dim];
    query[3] = 1f;
    query[10] = 0.1f;
    // when
    List<MappedVectors.Hit> hits;
    // (the 2.2 GB payload's checksum is not computed: this test is about mapping past 2 GiB)
    try (MappedVectors mapped = MappedVectors.open(file, MappedVectors.MAX_CHUNK_BYTES, false)) {
      assertThat(mapped.size()).isEqualTo((int) count);
      hits = mapped.search(query, 4);
    }
    // then: the last row (past 2 GiB) first, then the other marked rows (ties by ordinal)
    assertThat(hits.get(0).ordinal()).isEqualTo((int) (count - 1));
    assertThat(hits.get(0).score()).isCloseTo(1.05f, within(1e-6f));
    assertThat(hits.subList(1, 4)).extracting(MappedVectors.Hit::ordinal)
        .containsExactly(5, (1 << 20) - 1, 1 << 20);
    assertThat(hits.get(1).score()).isCloseTo(0.05f, within(1e-6f));
  }

  @Test
  void should_fail_clearly_after_close() throws IOException {
    // given
    Path file = dir.resolve("closed.bin");
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      long data = writeHeader(f, 4, 2);
      writeRow(f, data, 4, 0, new float[] {1, 0, 0, 0});
      writeRow(f, data, 4, 1, new float[] {0, 1, 0, 0});
    }
    seal(file);
    MappedVectors mapped = MappedVectors.open(file);
    // when
    mapped.close();
    mapped.close();
    // then
    assertThatThrownBy(() -> mapped.search(new float[] {1, 0, 0, 0}, 1))
        .isExactlyInstanceOf(IllegalStateException.class)
        .hasMessage("mapped vectors are closed");
  }
}
