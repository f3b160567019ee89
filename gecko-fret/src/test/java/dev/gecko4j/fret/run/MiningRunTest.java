package dev.gecko4j.fret.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gecko4j.core.fret.FretExample;
import dev.gecko4j.core.fret.FretSeed;
import dev.gecko4j.fret.testing.TestRows;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MiningRunTest {

  @TempDir Path dir;

  @Test
  void should_write_rows_up_to_the_limit_and_report_statistics() {
    // given
    Path out = dir.resolve("rows.jsonl");
    TestRows.RuleMiner miner = new TestRows.RuleMiner(List.of("q2"));
    // when
    FretStats stats = MiningRun.builder().miner(miner).output(out).limit(6).build()
        .run(TestRows.seeds(10).iterator());
    // then rows d0,d1,d3,d4,d5,d6 (d2 dropped); positives changed on d0, d3, d6
    List<FretExample> rows = FretRows.readAll(out);
    assertThat(rows).extracting(FretExample::seedId).containsExactly("d0", "d1", "d3", "d4", "d5", "d6");
    assertThat(stats.rows()).isEqualTo(6);
    assertThat(stats.rowsThisRun()).isEqualTo(6);
    assertThat(stats.positiveChangedShare()).isEqualTo(0.5);
    assertThat(stats.drops()).isEqualTo(Map.of("llm_error", 1L));
    assertThat(stats.llmRequests()).isEqualTo(6 * 2 + 3);
    assertThat(stats.llmRequestsPerRow()).isEqualTo(15 / 6.0);
    assertThat(stats.taskMix()).isEqualTo(Map.of("question answering", 6L));
    assertThat(miner.calls.get()).isEqualTo(7);
    assertThat(FretRows.forEachLine(MiningRun.dropLogOf(out), (n, l) -> {})).isEqualTo(1);
  }

  @Test
  void should_resume_after_a_torn_last_line_without_duplicating_or_losing_rows() throws Exception {
    // given a first run killed after 4 rows, mid-way through writing the 5th
    Path out = dir.resolve("rows.jsonl");
    MiningRun.builder().miner(new TestRows.RuleMiner(List.of("q2"))).output(out).limit(4).build()
        .run(TestRows.seeds(10).iterator());
    String fifth = TestRows.row("q6", "d6", "d6").toJson();
    Files.writeString(out, fifth.substring(0, fifth.length() / 2), StandardOpenOption.APPEND);
    // when the same run is started again
    TestRows.RuleMiner miner = new TestRows.RuleMiner(List.of("q2"));
    FretStats stats = MiningRun.builder().miner(miner).output(out).limit(8).build()
        .run(TestRows.seeds(10).iterator());
    // then the torn line is gone, the done seeds and the logged drop are skipped, no duplicates
    List<FretExample> rows = FretRows.readAll(out);
    assertThat(rows).extracting(FretExample::key).doesNotHaveDuplicates().hasSize(8);
    assertThat(rows).extracting(FretExample::seedId)
        .containsExactly("d0", "d1", "d3", "d4", "d5", "d6", "d7", "d8");
    assertThat(stats.truncatedBytes()).isEqualTo(fifth.length() / 2);
    assertThat(stats.rowsResumed()).isEqualTo(4);
    assertThat(stats.rowsThisRun()).isEqualTo(4);
    assertThat(stats.skippedSeeds()).isEqualTo(5);
    assertThat(stats.drops()).isEqualTo(Map.of("llm_error", 1L));
    assertThat(miner.calls.get()).isEqualTo(4);
    assertThat(Files.readString(out, StandardCharsets.UTF_8)).endsWith("}\n");
  }

  @Test
  void should_do_nothing_when_the_output_already_holds_the_limit() {
    // given
    Path out = dir.resolve("rows.jsonl");
    MiningRun.builder().miner(new TestRows.RuleMiner(List.of())).output(out).limit(3).build()
        .run(TestRows.seeds(5).iterator());
    TestRows.RuleMiner miner = new TestRows.RuleMiner(List.of());
    // when
    FretStats stats = MiningRun.builder().miner(miner).output(out).limit(3).build()
        .run(TestRows.seeds(5).iterator());
    // then
    assertThat(miner.calls.get()).isZero();
    assertThat(stats.rows()).isEqualTo(3);
    assertThat(stats.rowsThisRun()).isZero();
  }

  @Test
  void should_mine_a_repeated_seed_once() {
    // given the same seed twice
    Path out = dir.resolve("rows.jsonl");
    List<FretSeed> seeds = List.of(TestRows.seeds(1).get(0), TestRows.seeds(1).get(0));
    // when
    FretStats stats = MiningRun.builder().miner(new TestRows.RuleMiner(List.of())).output(out)
        .build().run(seeds.iterator());
    // then
    assertThat(stats.rows()).isEqualTo(1);
    assertThat(stats.skippedSeeds()).isEqualTo(1);
  }

  @Test
  void should_refuse_an_output_with_a_corrupt_complete_line() throws Exception {
    // given
    Path out = dir.resolve("rows.jsonl");
    Files.writeString(out, TestRows.row("q0", "d0", "d0").toJson() + "\nnot json\n");
    // when / then
    assertThatThrownBy(() -> MiningRun.builder().miner(new TestRows.RuleMiner(List.of()))
        .output(out).build().run(TestRows.seeds(3).iterator()))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(out + ":2: not a valid row: ");
  }

  @Test
  void should_report_durable_rows_to_the_listener_with_progress() {
    // given
    Path out = dir.resolve("rows.jsonl");
    List<MiningListener.Progress> seen = new java.util.ArrayList<>();
    MiningListener listener = new MiningListener() {
      @Override
      public void onRow(FretExample row, Progress progress) {
        // the row is already on disk when reported
        assertThat(FretRows.readAll(out)).extracting(FretExample::key).contains(row.key());
        seen.add(progress);
      }
    };
    // when
    MiningRun.builder().miner(new TestRows.RuleMiner(List.of())).output(out).limit(3)
        .listener(listener).build().run(TestRows.seeds(5).iterator());
    // then
    assertThat(seen).extracting(MiningListener.Progress::rows).containsExactly(1L, 2L, 3L);
    assertThat(seen).allSatisfy(p -> assertThat(p.target()).isEqualTo(3));
  }

  @Test
  void should_stop_after_the_seed_budget_even_when_every_seed_is_dropped() {
    // given a miner that drops every seed
    Path out = dir.resolve("rows.jsonl");
    TestRows.RuleMiner miner = new TestRows.RuleMiner(List.of("q0", "q1", "q2", "q3", "q4"));
    // when
    FretStats stats = MiningRun.builder().miner(miner).output(out).limit(5).maxSeeds(3).build()
        .run(TestRows.seeds(5).iterator());
    // then
    assertThat(miner.calls.get()).isEqualTo(3);
    assertThat(stats.rows()).isZero();
    assertThat(stats.drops()).isEqualTo(Map.of("llm_error", 3L));
    assertThat(stats.llmRequestsPerRow()).isZero();
  }
}
