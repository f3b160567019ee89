package dev.gecko4j.fret.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gecko4j.core.fret.FretExample;
import dev.gecko4j.core.fret.FretSeed;
import dev.gecko4j.fret.testing.DiskFullChannel;
import dev.gecko4j.fret.testing.LogCapture;
import dev.gecko4j.fret.testing.TestRows;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk, a failing fsync and a torn last line under a {@link MiningRun}, through real file
 * channels: nothing already produced is lost, nothing half-written is ever read back as valid
 * (the embeddings cache's faults are in {@code EmbeddingCacheTest}).
 */
class WriteFaultsTest {

  @TempDir Path dir;

  @RegisterExtension final LogCapture logs = new LogCapture();

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
    assertThat(logs.lines()).anyMatch(l -> l.contains("cut a torn last line (40 bytes"));
    assertThat(FretRows.readAll(out)).hasSize(SEEDS).extracting(FretExample::key)
        .doesNotHaveDuplicates();
  }
}
