package dev.gecko4j.fret;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gecko4j.core.fret.FretExample;
import dev.gecko4j.core.testing.ChildJvm;
import dev.gecko4j.fret.run.FretRows;
import dev.gecko4j.fret.run.StopSignal;
import dev.gecko4j.fret.testing.SciFactSlice;
import dev.gecko4j.onnx.Models;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Tag;

/**
 * Kills a real miner process with SIGKILL, or stops it with SIGTERM, part-way and reruns it: the
 * output must end with exactly the requested rows, none duplicated, all valid.
 */
@Tag("jdk-independent") // JDK 17 only: see the root pom's jdk25 execution
class MineKillResumeTest {

  private static final int LIMIT = 8;

  @TempDir Path dir;

  @Test
  @Timeout(value = 8, unit = TimeUnit.MINUTES)
  void should_end_with_exactly_n_rows_after_a_sigkill_and_a_rerun() throws Exception {
    // given a slice of SciFact with its embeddings cached (so the child only mines)
    Path out = dir.resolve("rows.jsonl");
    List<String> command = mineCommand(out);

    // when the first run is killed once it has written some rows
    Process first = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(dir.resolve("first.log").toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    while (lines(out) < 2 && first.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    first.destroyForcibly(); // SIGKILL
    first.waitFor();
    long rowsAtKill = lines(out);
    // and the same command runs again to completion
    Process second = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(dir.resolve("second.log").toFile()).start();
    boolean finished = second.waitFor(5, TimeUnit.MINUTES);

    // then
    assertThat(finished).as(Files.readString(dir.resolve("second.log"))).isTrue();
    assertThat(second.exitValue()).as(Files.readString(dir.resolve("second.log"))).isZero();
    assertThat(rowsAtKill).as(Files.readString(dir.resolve("first.log")))
        .isGreaterThanOrEqualTo(2).isLessThan(LIMIT);
    List<FretExample> rows = FretRows.readAll(out);
    assertThat(rows).hasSize(LIMIT).extracting(FretExample::key).doesNotHaveDuplicates();
    assertThat(Files.readString(out)).endsWith("\n");
    String log = Files.readString(dir.resolve("second.log"));
    assertThat(log).contains("resuming with " + rowsAtKill + " rows");
    String last = log.strip().substring(log.strip().lastIndexOf('\n') + 1);
    assertThat(last).startsWith("{\"rows\":" + LIMIT + ",");
  }

  @Test
  @Timeout(value = 8, unit = TimeUnit.MINUTES)
  void should_stop_within_seconds_on_sigterm_with_whole_lines_and_resume_each_row_once()
      throws Exception {
    // given a slice of SciFact with its embeddings cached (so the child only mines)
    Path out = dir.resolve("rows.jsonl");
    List<String> command = mineCommand(out);
    Path firstLog = dir.resolve("first.log");
    Path firstOut = dir.resolve("first.out");

    // when the first run gets SIGTERM once it has written some rows
    Process first = new ProcessBuilder(command).redirectError(firstLog.toFile())
        .redirectOutput(firstOut.toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    while (lines(out) < 2 && first.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    long signalled = System.nanoTime();
    first.destroy(); // SIGTERM on Linux
    boolean stoppedInTime = first.waitFor(20, TimeUnit.SECONDS);
    long stopMillis = (System.nanoTime() - signalled) / 1_000_000;
    if (!stoppedInTime) {
      first.destroyForcibly().waitFor();
    }
    String log1 = Files.readString(firstLog);
    System.out.printf("SIGTERM: exited %d ms after the signal, %s%n", stopMillis,
        log1.contains("stopped by signal") ? "after the row in flight" : "at the end of the grace");

    // then it stopped by itself within its 5 s grace (after the row in flight, or at the end of
    // the grace when that row takes longer), with only whole lines in its files
    assertThat(stoppedInTime).as(log1).isTrue();
    assertThat(first.exitValue()).as(log1).isEqualTo(StopSignal.EXIT_STATUS);
    assertThat(log1).contains("SIGTERM received");
    long rowsAtStop = lines(out);
    assertThat(Files.readString(out)).endsWith("\n");
    assertThat(FretRows.readAll(out)).hasSize((int) rowsAtStop);
    assertThat(rowsAtStop).isGreaterThanOrEqualTo(2).isLessThan(LIMIT);
    if (log1.contains("stopped by signal")) {
      // the polite path also printed its summary
      String out1 = Files.readString(firstOut).strip();
      assertThat(out1.substring(out1.lastIndexOf('\n') + 1))
          .startsWith("{\"rows\":" + rowsAtStop + ",");
    } else {
      assertThat(log1).contains("did not stop within 5 s");
    }

    // and a rerun completes with every row once
    Process second = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(dir.resolve("second.log").toFile()).start();
    boolean finished = second.waitFor(5, TimeUnit.MINUTES);
    String log2 = Files.readString(dir.resolve("second.log"));
    assertThat(finished).as(log2).isTrue();
    assertThat(second.exitValue()).as(log2).isZero();
    assertThat(log2).contains("resuming with " + rowsAtStop + " rows")
        .doesNotContain("cut a torn last line");
    assertThat(FretRows.readAll(out)).hasSize(LIMIT).extracting(FretExample::key)
        .doesNotHaveDuplicates();
  }

  /** Writes the slice, caches its embeddings and returns the command of a child miner into out. */
  private List<String> mineCommand(Path out) throws java.io.IOException {
    Path model = SciFactSlice.stories260K();
    SciFactSlice slice = SciFactSlice.write(dir, 12, 40);
    Path cache = dir.resolve("cache");
    slice.embed(Models.BGE_SMALL_EN_V15, cache).close();
    return command(slice, cache, out, model);
  }

  private static List<String> command(SciFactSlice slice, Path cache, Path out, Path model) {
    return ChildJvm.command(MineMain.class, List.of(slice.corpus().toString(),
        slice.queries().toString(), slice.qrels().toString(), cache.toString(), out.toString(),
        String.valueOf(LIMIT), "6", model.toString()));
  }

  private static long lines(Path f) throws java.io.IOException {
    if (!Files.exists(f)) {
      return 0;
    }
    byte[] b = Files.readAllBytes(f);
    long n = 0;
    for (byte x : b) {
      if (x == '\n') {
        n++;
      }
    }
    return n;
  }
}
