package dev.gecko4j.fret.retrieve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gecko4j.core.ProgressListener;
import dev.gecko4j.core.index.CorruptFileException;
import dev.gecko4j.fret.testing.LogCapture;
import dev.gecko4j.fret.testing.TrigramEmbedder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embeddings cache file is untrusted input: {@link MappedVectors#open} of a truncated,
 * bit-flipped or length-corrupted file gets a {@link CorruptFileException} naming the file (or,
 * where the damage touches nothing searched, the same hits), never another {@link Throwable}; and
 * {@link EmbeddingCache#ensure} rebuilds the very same file.
 */
class EmbeddingCacheFuzzTest {

  /** Offsets in the header: magic 8, dimension 4, count 8, payload length 8, CRC32 4, ... */
  private static final int DIMENSION_AT = 8;
  private static final int COUNT_AT = 12;
  private static final int PAYLOAD_AT = 20;

  @TempDir Path dir;

  @RegisterExtension final LogCapture logs = new LogCapture();

  private Path corpus(int n) throws Exception {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sb.append("{\"_id\":\"doc-").append(i).append("\",\"title\":\"Title ").append(i)
          .append("\",\"text\":\"passage number ").append(i).append(" about topic ")
          .append(i % 7).append("\"}\n");
    }
    return Files.writeString(dir.resolve("corpus.jsonl"), sb.toString());
  }

  private static List<List<MappedVectors.Hit>> hits(MappedVectors v, List<float[]> queries) {
    List<List<MappedVectors.Hit>> out = new ArrayList<>();
    for (float[] q : queries) {
      out.add(v.search(q, 5));
    }
    return out;
  }

  @Test
  void should_fail_clearly_or_answer_the_same_for_hundreds_of_damaged_files_and_rebuild_them()
      throws Exception {
    try (CorpusStore corpus = CorpusStore.open(corpus(30))) {
      // given a valid cache and the hits it gives
      TrigramEmbedder embedder = new TrigramEmbedder();
      Path cacheDir = dir.resolve("cache");
      Path file = EmbeddingCache.ensure(corpus, embedder, cacheDir, 8, ProgressListener.NONE);
      byte[] good = Files.readAllBytes(file);
      List<float[]> queries = new ArrayList<>();
      List<List<MappedVectors.Hit>> expected;
      try (MappedVectors v = MappedVectors.open(file)) {
        for (int i = 0; i < 6; i++) {
          queries.add(v.vector(i * 5));
        }
        expected = hits(v, queries);
      }
      Path copy = dir.resolve("damaged.bin");
      Random random = new Random(25);
      int failed = 0;
      for (int i = 0; i < 320; i++) {
        byte[] damaged = damage(good, random, i % 4);
        // when the damaged file is opened directly
        Files.write(copy, damaged);
        try (MappedVectors v = MappedVectors.open(copy)) {
          // then: only damage that changes nothing searched may load
          assertThat(hits(v, queries)).as("case %d", i).isEqualTo(expected);
        } catch (CorruptFileException e) {
          assertThat(e.getMessage()).as("case %d", i).startsWith(copy + ": ");
          assertThat(e.path()).isEqualTo(copy);
          failed++;
        }
        // and when it sits in the cache: ensure() rebuilds exactly the good file (or keeps it)
        if (i % 8 == 0) {
          Files.write(file, damaged);
          EmbeddingCache.ensure(corpus, embedder, cacheDir, 8, ProgressListener.NONE);
          assertThat(Files.readAllBytes(file)).as("case %d", i).isEqualTo(good);
        }
      }
      assertThat(failed).isGreaterThan(250);
    }
  }

  /** One of: truncate, flip a bit, overwrite 4 bytes with an extreme value, append bytes. */
  private static byte[] damage(byte[] valid, Random random, int kind) {
    switch (kind) {
      case 0:
        return Arrays.copyOf(valid, random.nextInt(valid.length));
      case 1: {
        byte[] b = valid.clone();
        int at = random.nextBoolean() ? random.nextInt(64) : random.nextInt(b.length);
        b[at] ^= (byte) (1 << random.nextInt(8));
        return b;
      }
      case 2: {
        int[] extremes = {-1, Integer.MIN_VALUE, Integer.MAX_VALUE, 1 << 30, 65_537, 0};
        int at = random.nextBoolean() ? random.nextInt(60) : random.nextInt(valid.length - 4);
        byte[] b = valid.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN)
            .putInt(at, extremes[random.nextInt(extremes.length)]);
        return b;
      }
      default: {
        byte[] b = Arrays.copyOf(valid, valid.length + 1 + random.nextInt(64));
        for (int i = valid.length; i < b.length; i++) {
          b[i] = (byte) random.nextInt();
        }
        return b;
      }
    }
  }

  @Test
  void should_name_the_field_value_and_limit_of_a_header_that_does_not_fit_the_file()
      throws Exception {
    try (CorpusStore corpus = CorpusStore.open(corpus(10))) {
      Path file = EmbeddingCache.ensure(corpus, new TrigramEmbedder(), dir.resolve("cache"), 8,
          ProgressListener.NONE);
      byte[] good = Files.readAllBytes(file);
      Path f = dir.resolve("crafted.bin");

      Files.write(f, withInt(good, DIMENSION_AT, Integer.MAX_VALUE));
      assertThatThrownBy(() -> MappedVectors.open(f))
          .isInstanceOf(CorruptFileException.class)
          .hasMessage(f + ": dimension is 2147483647; expected 1 to 65536");

      byte[] count = good.clone();
      ByteBuffer.wrap(count).order(ByteOrder.LITTLE_ENDIAN).putLong(COUNT_AT, 1L << 40);
      Files.write(f, count);
      assertThatThrownBy(() -> MappedVectors.open(f))
          .isInstanceOf(CorruptFileException.class)
          .hasMessageStartingWith(f + ": count is 1099511627776; expected 0 to ")
          .satisfies(e -> assertThat(((CorruptFileException) e).field()).isEqualTo("count"));

      byte[] payload = good.clone();
      ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN).putLong(PAYLOAD_AT, -8);
      Files.write(f, payload);
      assertThatThrownBy(() -> MappedVectors.open(f))
          .isInstanceOf(CorruptFileException.class)
          .hasMessageStartingWith(f + ": payload length is -8; expected ");

      Files.write(f, Arrays.copyOf(good, 20));
      assertThatThrownBy(() -> MappedVectors.open(f))
          .isInstanceOf(CorruptFileException.class)
          .hasMessage(f + ": length is 20 bytes; expected at least 44 (an embeddings cache"
              + " header): not an embeddings cache, or truncated");
    }
  }

  @Test
  void should_reject_a_non_finite_vector_even_under_a_matching_checksum() throws Exception {
    try (CorpusStore corpus = CorpusStore.open(corpus(10))) {
      Path file = EmbeddingCache.ensure(corpus, new TrigramEmbedder(), dir.resolve("cache"), 8,
          ProgressListener.NONE);
      EmbeddingCache.Header h = EmbeddingCache.readHeader(file);
      byte[] b = Files.readAllBytes(file);
      ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
      bb.putFloat((int) h.dataOffset() + 4 * (2 * h.dimension() + 5), Float.NaN);
      bb.putInt(EmbeddingCache.CRC_AT, 0);
      CRC32 crc = new CRC32();
      crc.update(b);
      bb.putInt(EmbeddingCache.CRC_AT, (int) crc.getValue());
      Path f = Files.write(dir.resolve("nan.bin"), b);
      assertThatThrownBy(() -> MappedVectors.open(f))
          .isInstanceOf(CorruptFileException.class)
          .hasMessage(f + ": vector 2 has NaN at [5]; expected finite values");
    }
  }

  private static byte[] withInt(byte[] bytes, int at, int value) {
    byte[] b = bytes.clone();
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(at, value);
    return b;
  }
}
