package dev.gecko4j.fret;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gecko4j.core.fret.FretExample;
import dev.gecko4j.core.fret.FretSeed;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk, a failing fsync and a damaged cache file, through real file channels: nothing
 * already produced is lost, nothing half-written is ever read back as valid.
 */
class WriteFaultsTest {

  @TempDir Path dir;

  private final List<String> logs = Collections.synchronizedList(new ArrayList<>());
  private final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord r) {
      logs.add(new java.util.logging.SimpleFormatter().formatMessage(r));
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  @BeforeEach
  void listen() {
    Logger.getLogger("").addHandler(capture);
  }

  @AfterEach
  void unlisten() {
    Logger.getLogger("").removeHandler(capture);
  }

  private static final int SEEDS = 10;

  private static List<FretSeed> seeds() {
    return TestRows.seeds(SEEDS);
  }

  @Test
  void should_name_the_file_and_keep_only_whole_rows_when_the_disk_fills_and_resume_each_row_once()
      throws Exception {
    // given a disk with room for three and a half rows
    Path out = dir.resolve("rows.jsonl");
    int rowBytes = TestRows.row("q0", "d0", "other0").toJson().length() + 1;
    TestRows.RuleMiner miner = new TestRows.RuleMiner(List.of());
    MiningRun full = MiningRun.builder().miner(miner).output(out)
        .opener(DiskFullChannel.withFreeBytes(3L * rowBytes + rowBytes / 2)).build();
    // when the run hits the full disk on its fourth row
    assertThatThrownBy(() -> full.run(seeds().iterator()))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("cannot append to " + out)
        .hasMessageContaining("No space left on device")
        .hasMessageContaining("cut the partial line off");
    // then the file holds the three rows whole, and nothing of the fourth
    assertThat(Files.readString(out)).endsWith("\n");
    assertThat(FretRows.readAll(out)).hasSize(3);
    // and once space is free, a rerun mines the rest: every row once
    FretStats stats = MiningRun.builder().miner(miner).output(out).build().run(seeds().iterator());
    List<FretExample> rows = FretRows.readAll(out);
    assertThat(rows).hasSize(SEEDS).extracting(FretExample::key).doesNotHaveDuplicates();
    assertThat(stats.rowsResumed()).isEqualTo(3);
    assertThat(stats.truncatedBytes()).isZero();
  }

  @Test
  void should_name_the_file_when_fsync_fails_and_resume_without_duplicating_the_row() {
    // given a device whose fsync fails
    Path out = dir.resolve("rows.jsonl");
    TestRows.RuleMiner miner = new TestRows.RuleMiner(List.of());
    // when
    assertThatThrownBy(() -> MiningRun.builder().miner(miner).output(out)
        .opener(DiskFullChannel.failingForce()).build().run(seeds().iterator()))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageStartingWith("cannot sync " + out + " to disk: Input/output error");
    // then the rerun counts the row that reached the file once, and mines the others
    MiningRun.builder().miner(miner).output(out).build().run(seeds().iterator());
    assertThat(FretRows.readAll(out)).hasSize(SEEDS).extracting(FretExample::key)
        .doesNotHaveDuplicates();
  }

  @Test
  void should_cut_a_torn_last_line_left_by_a_crash_with_a_warning_and_never_read_it_as_a_row()
      throws Exception {
    // given two whole rows and the first 40 bytes of a third (a crash mid-write)
    Path out = dir.resolve("rows.jsonl");
    String third = TestRows.row("q2", "d2", "d2").toJson();
    Files.writeString(out, TestRows.row("q0", "d0", "other0").toJson() + "\n"
        + TestRows.row("q1", "d1", "d1").toJson() + "\n" + third.substring(0, 40));
    // when
    FretStats stats = MiningRun.builder().miner(new TestRows.RuleMiner(List.of())).output(out)
        .build().run(seeds().iterator());
    // then
    assertThat(stats.truncatedBytes()).isEqualTo(40);
    assertThat(stats.rowsResumed()).isEqualTo(2);
    assertThat(logs).anyMatch(l -> l.contains("cut a torn last line (40 bytes"));
    assertThat(FretRows.readAll(out)).hasSize(SEEDS).extracting(FretExample::key)
        .doesNotHaveDuplicates();
  }

  private Path corpus(int n) throws Exception {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sb.append("{\"_id\":\"doc-").append(i).append("\",\"title\":\"Title ").append(i)
          .append("\",\"text\":\"passage number ").append(i).append(" about topic ")
          .append(i % 7).append("\"}\n");
    }
    Path f = dir.resolve("corpus.jsonl");
    Files.writeString(f, sb.toString());
    return f;
  }

  private List<Path> filesIn(Path folder) throws Exception {
    if (!Files.exists(folder)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(folder)) {
      return s.toList();
    }
  }

  @Test
  void should_leave_no_cache_file_when_the_disk_fills_while_the_cache_is_written() throws Exception {
    // given
    Path cacheDir = dir.resolve("cache");
    try (CorpusStore corpus = CorpusStore.open(corpus(40))) {
      TrigramEmbedder embedder = new TrigramEmbedder();
      // when the disk fills part-way through the vectors
      assertThatThrownBy(() -> EmbeddingCache.ensure(corpus, embedder, "trigram", cacheDir, 8,
          n -> {}, DiskFullChannel.withFreeBytes(2_000)))
          .isInstanceOf(UncheckedIOException.class)
          .hasMessageContaining("cannot write embeddings cache " + cacheDir.resolve(
              EmbeddingCache.fileName("trigram", corpus)))
          .hasMessageContaining("No space left on device");
      // then neither a cache file nor its temporary file is left
      assertThat(filesIn(cacheDir)).isEmpty();
      // when fsync fails instead
      assertThatThrownBy(() -> EmbeddingCache.ensure(corpus, embedder, "trigram", cacheDir, 8,
          n -> {}, DiskFullChannel.failingForce()))
          .isInstanceOf(UncheckedIOException.class)
          .hasMessageContaining("Input/output error");
      assertThat(filesIn(cacheDir)).isEmpty();
      // and with room again, the cache is built whole and searchable
      Path file = EmbeddingCache.ensure(corpus, embedder, "trigram", cacheDir, 8, n -> {});
      assertThat(filesIn(cacheDir)).containsExactly(file);
      try (MappedVectors v = MappedVectors.open(file)) {
        float[] q = embedder.embed("passage number 5 about topic 5",
            dev.gecko4j.core.TaskPrompt.document("Title 5")).toArray();
        assertThat(v.search(q, 1).get(0).ordinal()).isEqualTo(5);
      }
    }
  }

  @Test
  void should_detect_report_and_rebuild_a_corrupt_truncated_overlong_or_old_cache()
      throws Exception {
    Path cacheDir = dir.resolve("cache");
    try (CorpusStore corpus = CorpusStore.open(corpus(40))) {
      TrigramEmbedder embedder = new TrigramEmbedder();
      Path file = EmbeddingCache.ensure(corpus, embedder, "trigram", cacheDir, 8, n -> {});
      byte[] good = Files.readAllBytes(file);
      EmbeddingCache.Header h = EmbeddingCache.readHeader(file);
      assertThat(h.payloadBytes()).isEqualTo(good.length - h.dataOffset());
      // a valid cache is reused without embedding
      int before = embedder.embedded.get();
      EmbeddingCache.ensure(corpus, embedder, "trigram", cacheDir, 8, n -> {});
      assertThat(embedder.embedded.get()).isEqualTo(before);

      // one flipped bit in a vector
      byte[] bad = good.clone();
      bad[(int) h.dataOffset() + 100] ^= 0x10;
      assertRebuilt(corpus, embedder, file, good, bad, "payload is corrupt");
      // a cut tail
      assertRebuilt(corpus, embedder, file, good,
          java.util.Arrays.copyOf(good, good.length - 3), "file is truncated");
      // bytes appended after a whole file
      byte[] longer = java.util.Arrays.copyOf(good, good.length + 5);
      assertRebuilt(corpus, embedder, file, good, longer, "but its header says");
      // the previous layout
      byte[] old = good.clone();
      System.arraycopy("GKEMB001".getBytes(StandardCharsets.US_ASCII), 0, old, 0, 8);
      assertRebuilt(corpus, embedder, file, good, old, "not an embeddings cache of layout GKEMB002");
    }
  }

  private void assertRebuilt(CorpusStore corpus, TrigramEmbedder embedder, Path file, byte[] good,
      byte[] damaged, String reason) throws Exception {
    Files.write(file, damaged);
    logs.clear();
    int before = embedder.embedded.get();
    Path again = EmbeddingCache.ensure(corpus, embedder, "trigram", file.getParent(), 8, n -> {});
    assertThat(again).isEqualTo(file);
    assertThat(embedder.embedded.get() - before).as(reason).isEqualTo(corpus.size());
    assertThat(logs).as(reason).anyMatch(l -> l.contains("recomputing corpus embeddings " + file)
        && l.contains(reason));
    assertThat(Files.readAllBytes(file)).isEqualTo(good);
  }

  @Test
  void should_key_the_cache_by_the_whole_key_string_so_other_settings_are_a_miss() throws Exception {
    Path cacheDir = dir.resolve("cache");
    try (CorpusStore corpus = CorpusStore.open(corpus(5))) {
      TrigramEmbedder embedder = new TrigramEmbedder();
      String a = "model@512|sha256:" + "a".repeat(64) + "|pooling=MEAN";
      String b = "model@512|sha256:" + "b".repeat(64) + "|pooling=MEAN";
      Path fa = EmbeddingCache.ensure(corpus, embedder, a, cacheDir, 8, n -> {});
      Path fb = EmbeddingCache.ensure(corpus, embedder, b, cacheDir, 8, n -> {});
      assertThat(fa).isNotEqualTo(fb);
      assertThat(EmbeddingCache.readHeader(fa).modelName()).isEqualTo(a);
      assertThat(fa.getFileName().toString().length()).isLessThan(100);
      // a header whose key differs from the one asked for is a miss, never loaded
      Files.copy(fb, fa, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      assertThat(EmbeddingCache.mismatch(fa, a, 32, corpus)).contains("wanted '" + a + "'");
    }
  }
}
