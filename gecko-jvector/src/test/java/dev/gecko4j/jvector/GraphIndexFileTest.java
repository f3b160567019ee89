package dev.gecko4j.jvector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gecko4j.core.index.CorruptFileException;
import dev.gecko4j.core.index.Hit;
import dev.gecko4j.core.vector.Similarity;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The saved graph index file is untrusted input: damaged, truncated or crafted files get a
 * {@link CorruptFileException} naming the file, the field and what was expected, never another
 * {@link Throwable} (an {@link OutOfMemoryError} from a trusted length, an array index error inside
 * a later search) and never a silently different index.
 */
class GraphIndexFileTest {

  private static final int DIM = 8;
  /** Offsets of the header fields of a COSINE index (see {@link GraphIndexFile}). */
  private static final int VERSION_AT = 4;
  private static final int DIMENSION_AT = 8;
  private static final int SIMILARITY_AT = 12; // unsigned short length, then "COSINE"
  private static final int COUNT_AT = 50;
  private static final int FIRST_ID_AT = 54;

  @TempDir static Path dir;
  private static List<float[]> queries;
  private static GraphIndex original;
  private static List<List<Hit>> originalHits;
  private static byte[] saved;
  private static byte[] savedWithPq;

  @BeforeAll
  static void saveOne() throws Exception {
    List<float[]> vectors = ClusteredVectors.generate(300, DIM, 10, 3, 1);
    queries = ClusteredVectors.generate(20, DIM, 10, 3, 2);
    original = new GraphIndex(DIM, Similarity.COSINE);
    original.addAll(ClusteredVectors.ids(0, vectors.size()), vectors);
    Path f = dir.resolve("original.gki");
    original.save(f);
    saved = Files.readAllBytes(f);
    originalHits = original.searchBatch(queries, 5);
    GraphIndex pq = new GraphIndex(DIM, Similarity.COSINE,
        GraphIndexConfig.builder().pqSubspaces(2).build());
    List<float[]> many = ClusteredVectors.generate(GraphIndex.PQ_MIN_VECTORS + 50, DIM, 10, 3, 3);
    pq.addAll(ClusteredVectors.ids(0, many.size()), many);
    Path g = dir.resolve("pq.gki");
    pq.save(g);
    savedWithPq = Files.readAllBytes(g);
  }

  private static Path write(String name, byte[] bytes) throws Exception {
    return Files.write(dir.resolve(name), bytes);
  }

  /** Recomputes the trailer's checksum, as a crafted (not merely damaged) file would. */
  private static byte[] resealed(byte[] bytes) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, bytes.length - 8);
    ByteBuffer.wrap(bytes).putInt(bytes.length - 8, (int) crc.getValue());
    return bytes;
  }

  private static byte[] withInt(byte[] bytes, int at, int value) {
    byte[] b = bytes.clone();
    ByteBuffer.wrap(b).putInt(at, value);
    return b;
  }

  @Test
  void should_save_and_load_an_empty_index_that_can_then_be_filled() throws Exception {
    // given
    GraphIndex empty = new GraphIndex(DIM, Similarity.DOT_PRODUCT);
    Path f = dir.resolve("empty.gki");
    // when
    empty.save(f);
    GraphIndex loaded = GraphIndex.load(f);
    // then
    assertThat(loaded.size()).isZero();
    assertThat(loaded.dimension()).isEqualTo(DIM);
    assertThat(loaded.similarity()).isEqualTo(Similarity.DOT_PRODUCT);
    loaded.add("a", new float[] {1, 0, 0, 0, 0, 0, 0, 0});
    assertThat(loaded.search(new float[] {1, 0, 0, 0, 0, 0, 0, 0}, 1).get(0).id()).isEqualTo("a");
  }

  @Test
  void should_survive_truncation_bit_flips_and_corrupted_lengths_at_hundreds_of_offsets()
      throws Exception {
    Random random = new Random(25);
    int cases = 0;
    for (byte[] valid : List.of(saved, savedWithPq)) {
      for (int i = 0; i < 160; i++) {
        byte[] damaged = damage(valid, random, i % 4);
        Path f = write("fuzz.gki", damaged);
        try {
          GraphIndex loaded = GraphIndex.load(f);
          // an undamaged result is the only acceptable load
          assertThat(Arrays.equals(damaged, valid)).as("case %d loaded a damaged file", i).isTrue();
          if (valid == saved) {
            assertThat(loaded.searchBatch(queries, 5)).isEqualTo(originalHits);
          }
        } catch (CorruptFileException e) {
          assertThat(e.getMessage()).startsWith(f + ": ");
          assertThat(e.path()).isEqualTo(f);
        }
        cases++;
      }
    }
    assertThat(cases).isEqualTo(320);
  }

  /** One of: truncate, flip a bit, overwrite 4 bytes with an extreme length, append bytes. */
  private static byte[] damage(byte[] valid, Random random, int kind) {
    switch (kind) {
      case 0:
        return Arrays.copyOf(valid, random.nextInt(valid.length));
      case 1: {
        byte[] b = valid.clone();
        int at = random.nextBoolean() ? random.nextInt(Math.min(256, b.length))
            : random.nextInt(b.length);
        b[at] ^= (byte) (1 << random.nextInt(8));
        return b;
      }
      case 2: {
        int[] extremes = {-1, Integer.MIN_VALUE, Integer.MAX_VALUE, 0, 1 << 30, 65_537};
        int at = random.nextBoolean() ? random.nextInt(120) : random.nextInt(valid.length - 4);
        return withInt(valid, at, extremes[random.nextInt(extremes.length)]);
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
  void should_name_the_checksum_when_the_payload_is_damaged() throws Exception {
    byte[] b = saved.clone();
    b[b.length / 2] ^= 0x10;
    Path f = write("flipped.gki", b);
    assertThatThrownBy(() -> GraphIndex.load(f))
        .isInstanceOf(CorruptFileException.class)
        .hasMessageStartingWith(f + ": checksum is CRC32C ")
        .hasMessageEndingWith("as recorded in the trailer: the file is damaged")
        .satisfies(e -> assertThat(((CorruptFileException) e).field()).isEqualTo("checksum"));
  }

  @Test
  void should_name_a_truncated_file_by_its_trailer() throws Exception {
    Path f = write("cut.gki", Arrays.copyOf(saved, saved.length - 100));
    assertThatThrownBy(() -> GraphIndex.load(f))
        .isInstanceOf(CorruptFileException.class)
        .hasMessageStartingWith(f + ": trailer magic is 0x")
        .hasMessageEndingWith("; expected 0x474B4A56: the file is truncated or was not completely"
            + " written");
    Path tiny = write("tiny.gki", Arrays.copyOf(saved, 3));
    assertThatThrownBy(() -> GraphIndex.load(tiny))
        .isInstanceOf(CorruptFileException.class)
        .hasMessageStartingWith(tiny + ": length is 3 bytes; expected at least ");
  }

  @Test
  void should_refuse_the_old_format_version_by_name() throws Exception {
    Path f = write("v1.gki", withInt(saved, VERSION_AT, 1));
    assertThatThrownBy(() -> GraphIndex.load(f))
        .isInstanceOf(CorruptFileException.class)
        .hasMessage(f + ": format version is 1; expected 2 (an old format version, without a"
            + " checksum: build the index again and save it)");
    Path g = write("v9.gki", withInt(saved, VERSION_AT, 9));
    assertThatThrownBy(() -> GraphIndex.load(g))
        .isInstanceOf(CorruptFileException.class)
        .hasMessage(g + ": format version is 9; expected 2 (a file of another gecko4j version, or"
            + " damaged)");
  }

  @Test
  void should_check_header_fields_against_limits_before_allocating_even_with_a_valid_checksum()
      throws Exception {
    Path dimension = write("dim.gki", resealed(withInt(saved, DIMENSION_AT, Integer.MAX_VALUE)));
    assertThatThrownBy(() -> GraphIndex.load(dimension))
        .isInstanceOf(CorruptFileException.class)
        .hasMessage(dimension + ": dimension is 2147483647; expected 1 to 65536");
    Path count = write("count.gki", resealed(withInt(saved, COUNT_AT, Integer.MAX_VALUE)));
    assertThatThrownBy(() -> GraphIndex.load(count))
        .isInstanceOf(CorruptFileException.class)
        .hasMessageStartingWith(count + ": count is 2147483647; expected 0 to ")
        .hasMessageEndingWith(" bytes before the graph can hold)");
    Path negative = write("neg.gki", resealed(withInt(saved, COUNT_AT, -5)));
    assertThatThrownBy(() -> GraphIndex.load(negative))
        .isInstanceOf(CorruptFileException.class)
        .hasMessageStartingWith(negative + ": count is -5; expected 0 to ");
    Path idLength = write("idlen.gki", resealed(withInt(saved, FIRST_ID_AT, 1 << 30)));
    assertThatThrownBy(() -> GraphIndex.load(idLength))
        .isInstanceOf(CorruptFileException.class)
        .hasMessageStartingWith(idLength + ": length of id 0 is 1073741824; expected 0 to ");
  }

  @Test
  void should_name_an_unknown_similarity_and_invalid_settings() throws Exception {
    byte[] b = saved.clone();
    System.arraycopy("COSINX".getBytes(StandardCharsets.US_ASCII), 0, b, SIMILARITY_AT + 2, 6);
    Path f = write("sim.gki", resealed(b));
    assertThatThrownBy(() -> GraphIndex.load(f))
        .isInstanceOf(CorruptFileException.class)
        .hasMessage(f + ": similarity is 'COSINX'; expected one of [COSINE, DOT_PRODUCT]");
    Path g = write("degree.gki", resealed(withInt(saved, SIMILARITY_AT + 8, 1)));
    assertThatThrownBy(() -> GraphIndex.load(g))
        .isInstanceOf(CorruptFileException.class)
        .hasMessageStartingWith(g + ": settings are invalid: maxDegree must be in [2, 512]");
  }

  @Test
  void should_validate_vectors_on_load_as_on_add() throws Exception {
    // the first vector starts after the 300 ids ("v0" .. "v299", from ClusteredVectors.ids)
    int idBytes = 0;
    for (String id : ClusteredVectors.ids(0, 300)) {
      idBytes += 4 + id.getBytes(StandardCharsets.UTF_8).length;
    }
    int firstVector = FIRST_ID_AT + idBytes;
    byte[] nan = saved.clone();
    ByteBuffer.wrap(nan).putFloat(firstVector + 4 * 3, Float.NaN);
    Path f = write("nan.gki", resealed(nan));
    assertThatThrownBy(() -> GraphIndex.load(f))
        .isInstanceOf(CorruptFileException.class)
        .hasMessage(f + ": vector 0 (id '" + original.id(0) + "') has NaN at [3]; expected finite"
            + " values, as add() requires");
    byte[] scaled = saved.clone();
    ByteBuffer bb = ByteBuffer.wrap(scaled);
    for (int i = 0; i < DIM; i++) {
      bb.putFloat(firstVector + 4 * i, bb.getFloat(firstVector + 4 * i) * 3);
    }
    Path g = write("scaled.gki", resealed(scaled));
    assertThatThrownBy(() -> GraphIndex.load(g))
        .isInstanceOf(CorruptFileException.class)
        .hasMessageStartingWith(g + ": vector 0 (id '" + original.id(0) + "') has length 3")
        .hasMessageEndingWith("; expected unit length (cosine vectors are stored normalised)");
  }

  @Test
  void should_reject_a_graph_section_that_does_not_fit_the_vectors() throws Exception {
    ByteBuffer b = ByteBuffer.wrap(saved);
    long graphStart = b.getLong(saved.length - 24);
    Path f = write("start.gki", resealed(withLong(saved, saved.length - 24, graphStart + 4)));
    assertThatThrownBy(() -> GraphIndex.load(f))
        .isInstanceOf(CorruptFileException.class)
        .hasMessage(f + ": graph section start is " + (graphStart + 4) + "; expected " + graphStart
            + " (where the ids, vectors and codebook end)");
    Path g = write("end.gki", resealed(withLong(saved, saved.length - 16, saved.length)));
    assertThatThrownBy(() -> GraphIndex.load(g))
        .isInstanceOf(CorruptFileException.class)
        .hasMessageStartingWith(g + ": graph section is [" + graphStart + ", " + saved.length
            + "); expected a range within [");
  }

  @Test
  void should_load_what_it_saved_with_the_same_hits() throws Exception {
    List<float[]> again = new ArrayList<>(queries);
    assertThat(GraphIndex.load(write("same.gki", saved)).searchBatch(again, 5))
        .isEqualTo(originalHits);
  }

  private static byte[] withLong(byte[] bytes, int at, long value) {
    byte[] b = bytes.clone();
    ByteBuffer.wrap(b).putLong(at, value);
    return b;
  }
}
