package dev.gecko4j.examples.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Launches the consumer tests' child JVMs and compilers as a user's shell would: a plain command
 * line, stdout and stderr together in a file, DJL's cache in the test's folder, a five-minute limit.
 */
final class ChildJvm {
  private ChildJvm() {}

  /** What a command did: its exit code and everything it printed. */
  record Result(int exit, String output) {}

  /** {@return the JDK 17 {@code java} ({@code -Dgecko.jdk17.java} or Debian's)} */
  static Path jdk17() {
    return Path.of(System.getProperty("gecko.jdk17.java",
        "/usr/lib/jvm/java-17-openjdk-amd64/bin/java"));
  }

  /** {@return the JDK 25 {@code java} ({@code -Dgecko.jdk25.java} or Temurin's)} */
  static Path jdk25() {
    return Path.of(System.getProperty("gecko.jdk25.java",
        "/usr/lib/jvm/temurin-25-jdk-amd64/bin/java"));
  }

  /**
   * Runs {@code cmd} to its end.
   *
   * @param dir the folder for the output file and DJL's cache
   * @param cmd the command line
   * @return its exit code and output
   * @throws AssertionError if it runs longer than five minutes (it is killed)
   */
  static Result run(Path dir, List<String> cmd) throws IOException, InterruptedException {
    Path log = Files.createTempFile(dir, "out", ".txt");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    pb.environment().put("DJL_CACHE_DIR", dir.resolve("djl").toString());
    pb.environment().put("OPT_OUT_TRACKING", "true");
    Process p = pb.start();
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("timed out: " + cmd);
    }
    return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
  }

  /**
   * Runs a program that ends with one JSON object on its last line and returns that object.
   *
   * @param dir the folder for the output file and DJL's cache
   * @param cmd the command line
   * @return the last line, parsed
   * @throws AssertionError if the program exits with a non-zero code (with its output)
   */
  static JsonNode lastJsonLine(Path dir, List<String> cmd) throws Exception {
    Result r = run(dir, cmd);
    assertThat(r.exit()).as("%s exited with %d:%n%s", cmd, r.exit(), r.output()).isZero();
    String[] lines = r.output().strip().split("\n");
    return new ObjectMapper().readTree(lines[lines.length - 1]);
  }
}
