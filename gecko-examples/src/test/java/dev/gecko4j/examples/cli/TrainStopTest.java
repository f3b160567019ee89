package dev.gecko4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gecko4j.core.testing.ChildJvm;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Tag;

/**
 * Sends SIGTERM to a real {@code gecko train} process part-way (a child JVM: {@link
 * Process#destroy()} is SIGTERM on Linux), then runs the same command again: the first stops with
 * status 143, a checkpoint of its completed steps and a JSON line saying so; the second resumes
 * from that checkpoint and finishes. (That a resumed run ends with the weights of an uninterrupted
 * one is GeckoTrainerTest's.)
 */
@Tag("jdk-independent") // JDK 17 only: see the root pom's jdk25 execution
class TrainStopTest {
  static final int STEPS = 8;

  @TempDir
  Path dir;

  @Test
  @Timeout(value = 8, unit = TimeUnit.MINUTES)
  void should_stop_on_sigterm_with_a_checkpoint_and_resume_from_it_when_run_again() throws Exception {
    // given four FRet rows and a tiny run (batches of 2, 8 tokens, no periodic checkpoint)
    Path fret = dir.resolve("fret.jsonl");
    Files.write(fret, List.of(
        "{\"task\":\"question answering\",\"query\":\"what do geckos eat\",\"positive\":\"Geckos eat insects.\",\"negative\":\"Stocks fell.\"}",
        "{\"task\":\"question answering\",\"query\":\"capital of france\",\"positive\":\"Paris is the capital.\",\"negative\":\"Geckos climb.\"}",
        "{\"task\":\"question answering\",\"query\":\"how do vaccines work\",\"positive\":\"They train immunity.\",\"negative\":\"Paris has museums.\"}",
        "{\"task\":\"question answering\",\"query\":\"why is the sky blue\",\"positive\":\"Rayleigh scattering.\",\"negative\":\"Vaccines are shots.\"}"));
    Path out = dir.resolve("run");
    String[] args = {"train", "--fret", fret.toString(), "--out", out.toString(), "--steps", String.valueOf(STEPS),
        "--batch-size", "2", "--micro-batch", "1", "--query-max-length", "8", "--passage-max-length", "8",
        "--warmup", "1", "--checkpoint-every", "0", "--no-eval"};
    Path err = dir.resolve("first.err");
    Path stdout = dir.resolve("first.out");

    // when the process gets SIGTERM once it has finished step 2
    Process first = new ProcessBuilder(command(args)).redirectError(err.toFile())
        .redirectOutput(stdout.toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    while (!read(err).contains("train: step 2/" + STEPS) && first.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(first.isAlive()).as(read(err)).isTrue();
    first.destroy(); // SIGTERM

    // then it stops (the bound is generous for a loaded machine; it takes a step or less)
    assertThat(first.waitFor(2, TimeUnit.MINUTES)).as(read(err)).isTrue();
    assertThat(first.exitValue()).as(read(err)).isEqualTo(TrainCommand.STOPPED);
    assertThat(read(err)).contains("signal received: stopping at the next step boundary");
    JsonNode stopped = lastJson(read(stdout));
    int step = stopped.get("steps").asInt();
    assertThat(stopped.get("stopped").asBoolean()).isTrue();
    assertThat(step).isBetween(2, STEPS - 1);
    Path checkpoint = out.resolve("checkpoints").resolve(String.format("step-%08d", step));
    assertThat(stopped.get("checkpoint").asText()).isEqualTo(checkpoint.toString());
    assertThat(checkpoint.resolve("manifest.properties")).isRegularFile();
    assertThat(names(out.resolve("checkpoints"))).containsExactly(checkpoint.getFileName().toString());
    assertThat(out.resolve("model")).doesNotExist();

    // when the same command runs again (in this JVM)
    ByteArrayOutputStream err2 = new ByteArrayOutputStream();
    ByteArrayOutputStream out2 = new ByteArrayOutputStream();
    int code = run(args, out2, err2);

    // then it resumed from the checkpoint and finished
    String log = err2.toString(StandardCharsets.UTF_8);
    assertThat(code).as(log).isZero();
    assertThat(log).contains("resumed from " + checkpoint + " at step " + step);
    assertThat(log).doesNotContain("train: step " + step + "/" + STEPS + " ").contains("train: step " + STEPS + "/");
    JsonNode done = lastJson(out2.toString(StandardCharsets.UTF_8));
    assertThat(done.get("steps").asInt()).isEqualTo(STEPS);
    assertThat(out.resolve("model/model.onnx")).isRegularFile();
  }

  static List<String> command(String[] args) {
    return ChildJvm.command(GeckoCli.class, List.of(args));
  }

  static int run(String[] args, ByteArrayOutputStream out, ByteArrayOutputStream err) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      return GeckoCli.execute(args);
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  static JsonNode lastJson(String stdout) throws IOException {
    String s = stdout.strip();
    return new ObjectMapper().readTree(s.substring(s.lastIndexOf('\n') + 1));
  }

  static String read(Path f) throws IOException {
    return Files.exists(f) ? Files.readString(f) : "";
  }

  static List<String> names(Path folder) throws IOException {
    try (Stream<Path> s = Files.list(folder)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
