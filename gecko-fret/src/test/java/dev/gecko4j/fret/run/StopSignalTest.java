package dev.gecko4j.fret.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gecko4j.core.fret.FretExample;
import dev.gecko4j.core.fret.FretMiner;
import dev.gecko4j.core.fret.FretOutcome;
import dev.gecko4j.core.fret.FretSeed;
import dev.gecko4j.fret.testing.TestRows;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StopSignalTest {

  @TempDir Path dir;

  @Test
  void should_return_after_the_row_in_flight_when_a_stop_is_asked_for_and_resume_later() {
    // given a run whose third seed asks for a stop while it is being mined
    Path out = dir.resolve("rows.jsonl");
    TestRows.RuleMiner rules = new TestRows.RuleMiner(List.of());
    try (StopSignal stop = StopSignal.install(Duration.ofSeconds(30),
        new PrintStream(new ByteArrayOutputStream()))) {
      MiningRun run = MiningRun.builder().output(out).stopWhen(stop).miner(new FretMiner() {
        @Override
        public FretOutcome mine(FretSeed seed) {
          if (rules.calls.get() == 2) {
            stop.request();
          }
          return rules.mine(seed);
        }

        @Override
        public String promptVersion() {
          return rules.promptVersion();
        }
      }).build();
      // when
      FretStats stats = run.run(TestRows.seeds(10).iterator());
      // then the row in flight was written, and nothing after it
      assertThat(run.stopped()).isTrue();
      assertThat(stats.rows()).isEqualTo(3);
      assertThat(stop.getAsBoolean()).isTrue();
    }
    assertThat(FretRows.readAll(out)).hasSize(3);
    // and a rerun without a stop mines the other seven
    MiningRun again = MiningRun.builder().output(out).miner(rules).build();
    again.run(TestRows.seeds(10).iterator());
    assertThat(again.stopped()).isFalse();
    assertThat(FretRows.readAll(out)).hasSize(10).extracting(FretExample::key)
        .doesNotHaveDuplicates();
  }

  @Test
  void should_reject_a_grace_out_of_range() {
    PrintStream log = new PrintStream(new ByteArrayOutputStream());
    assertThatThrownBy(() -> StopSignal.install(Duration.ZERO, log))
        .hasMessage("grace must be between 1 s and 10 min, but is: PT0S");
    assertThatThrownBy(() -> StopSignal.install(Duration.ofSeconds(5), null))
        .hasMessage("log must not be null");
  }
}
