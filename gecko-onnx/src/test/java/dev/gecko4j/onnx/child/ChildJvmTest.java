package dev.gecko4j.onnx.child;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gecko4j.core.testing.SharedData;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs gecko4j the way users' applications run it: a separate JVM started with a plain
 * {@code java -cp <classpath>} command line (Surefire's own forks hide long command lines behind a
 * manifest-only jar), with a command line of 64 KB as Spring Boot and Spark launches have, and
 * {@code HOME}/{@code user.home} and {@code java.io.tmpdir} pointed at empty folders, so that every
 * file the JVM leaves behind can be seen.
 *
 * <p>ONNX Runtime 1.29's telemetry crashed such a JVM with SIGSEGV (exit 139) as soon as the first
 * environment was created, wrote {@code ~/.cache/Microsoft/DeveloperTools/.onnxruntime/}, left an
 * empty {@code /tmp/mat-debug-<pid>.log}, and ONNX Runtime's loader left a {@code onnxruntime-java*}
 * folder in the temporary directory.
 */
class ChildJvmTest {

  private static final int PAD_CHARS = 64 * 1024;

  @TempDir Path home;
  @TempDir Path tmp;

  @Test
  void should_embed_and_exit_0_with_a_64_KB_command_line_leaving_only_the_DJL_cache() throws Exception {
    Child child = run(List.of());

    assertThat(child.exitCode).as("exit code; output:%n%s", child.output).isZero();
    assertThat(child.output).contains("OK d0");
    assertThat(child.commandLineChars).isGreaterThan(PAD_CHARS);
    assertNothingLeftBehind(child);
  }

  @Test
  void should_run_the_in_process_language_model_with_a_64_KB_command_line_leaving_nothing_behind()
      throws Exception {
    Path lm = SharedData.require("models", "stories260K");

    Child child = run(List.of(lm.toAbsolutePath().toString()));

    assertThat(child.exitCode).as("exit code; output:%n%s", child.output).isZero();
    assertThat(child.output).contains("LM ").contains("OK d0");
    assertNothingLeftBehind(child);
  }

  private void assertNothingLeftBehind(Child child) throws IOException {
    assertThat(listAll(home)).as("files under the child's HOME")
        .allMatch(p -> p.startsWith(".djl.ai"), "lie in the DJL cache (.djl.ai)");
    assertThat(listAll(tmp)).as("files left in the child's java.io.tmpdir / TMPDIR").isEmpty();
    assertThat(Path.of("/tmp", "mat-debug-" + child.pid + ".log")).doesNotExist();
  }

  private Child run(List<String> args) throws IOException, InterruptedException {
    String java = ProcessHandle.current().info().command().orElse(
        Path.of(System.getProperty("java.home"), "bin", "java").toString());
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    cmd.add("-Dgecko4j.test.pad=" + "x".repeat(PAD_CHARS));
    cmd.add("-Duser.home=" + home);
    cmd.add("-Djava.io.tmpdir=" + tmp);
    cmd.add("-cp");
    cmd.add(classpath);
    cmd.add(EmbedAndExit.class.getName());
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("HOME", home.toString());
    pb.environment().put("TMPDIR", tmp.toString());
    // What a user's shell has: none of the build's settings for DJL.
    pb.environment().remove("DJL_CACHE_DIR");
    pb.environment().remove("OPT_OUT_TRACKING");
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
    }
    Child c = new Child();
    c.pid = p.pid();
    c.exitCode = p.exitValue();
    c.output = new String(out, StandardCharsets.UTF_8);
    c.commandLineChars = String.join(" ", cmd).length();
    return c;
  }

  private static List<String> listAll(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(p -> !p.equals(root))
          .filter(p -> !Files.isDirectory(p))
          .map(p -> root.relativize(p).toString().replace(File.separatorChar, '/'))
          .sorted(Comparator.naturalOrder())
          .collect(Collectors.toList());
    }
  }

  private static final class Child {
    long pid;
    int exitCode;
    String output;
    int commandLineChars;
  }
}
