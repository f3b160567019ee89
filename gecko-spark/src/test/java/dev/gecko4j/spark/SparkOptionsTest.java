package dev.gecko4j.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gecko4j.core.internal.GeckoJson;
import dev.gecko4j.core.testing.ChildJvm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The options of the gecko-spark programs ({@code gecko spark fret}, {@code gecko bench spark}):
 * how they parse, and that a bad one ends the program with its message, a JSON last line and exit
 * code 2 before any Spark work, as the CLI's commands do.
 */
class SparkOptionsTest {

  private static final List<String> KNOWN = List.of("corpus", "partitions", "overwrite");
  private static final Set<String> FLAGS = Set.of("overwrite");

  private static SparkOptions parse(String... args) {
    return SparkOptions.parse(args, KNOWN, FLAGS);
  }

  @Test
  void valuesComeAsSeparateWordsOrAfterAnEqualsSignAndFlagsTakeNone() {
    SparkOptions o = parse("--corpus", "c.jsonl", "--partitions=1_000", "--overwrite");

    assertThat(o.required("corpus")).isEqualTo("c.jsonl");
    assertThat(o.integer("partitions", 8, 1, 100_000)).isEqualTo(1000);
    assertThat(o.flag("overwrite")).isTrue();
  }

  @Test
  void absentOptionsTakeTheirDefaults() {
    SparkOptions o = parse();

    assertThat(o.get("corpus", "dflt")).isEqualTo("dflt");
    assertThat(o.integer("partitions", 8, 1, 100_000)).isEqualTo(8);
    assertThat(o.flag("overwrite")).isFalse();
  }

  @Test
  void anUnknownOrIncompleteOptionIsNamedWithTheOptionsThereAre() {
    assertThatThrownBy(() -> parse("--corpsu", "c.jsonl"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown or incomplete option '--corpsu'; options are "
            + "[--corpus VALUE, --partitions VALUE, --overwrite]");
    assertThatThrownBy(() -> parse("--corpus"))
        .hasMessageStartingWith("unknown or incomplete option '--corpus'");
    assertThatThrownBy(() -> parse("c.jsonl"))
        .hasMessageStartingWith("unknown or incomplete option 'c.jsonl'");
  }

  @Test
  void aMissingRequiredOptionAndABadIntegerAreNamed() {
    assertThatThrownBy(() -> parse().required("corpus")).hasMessage("--corpus is required");
    assertThatThrownBy(() -> parse("--partitions", "many").integer("partitions", 8, 1, 10))
        .hasMessage("--partitions must be an integer, but is: 'many'");
    assertThatThrownBy(() -> parse("--partitions", "0").integer("partitions", 8, 1, 10))
        .hasMessage("--partitions must be between 1 and 10, but is: 0");
  }

  /** The child's exit code and stdout lines. */
  private record Run(int exitCode, List<String> stdout, String stderr) {
    JsonNode lastLine() throws IOException {
      return GeckoJson.mapper().readTree(stdout.get(stdout.size() - 1));
    }
  }

  private static Run run(Class<?> main, Path dir, String... args) throws Exception {
    Path out = Files.createTempFile(dir, main.getSimpleName(), ".out");
    Path err = Files.createTempFile(dir, main.getSimpleName(), ".err");
    Process p = new ProcessBuilder(ChildJvm.command(main, List.of(args)))
        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("child JVM ended").isTrue();
    return new Run(p.exitValue(), Files.readAllLines(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  @Test
  void sparkFretExitsTwoWithAJsonLineOnAnUnknownOption(@TempDir Path dir) throws Exception {
    Run r = run(SparkFretCommand.class, dir, "--corpsu", "c.jsonl");

    assertThat(r.exitCode()).isEqualTo(2);
    JsonNode last = r.lastLine();
    assertThat(last.path("command").asText()).isEqualTo("spark fret");
    assertThat(last.path("exit_code").asInt()).isEqualTo(2);
    assertThat(last.path("error").asText()).startsWith("unknown or incomplete option '--corpsu'");
    assertThat(r.stderr()).contains("gecko spark fret: unknown or incomplete option '--corpsu'");
  }

  @Test
  void sparkFretNamesAMissingCorpusAndQueriesWithoutQrels(@TempDir Path dir) throws Exception {
    Run missing = run(SparkFretCommand.class, dir, "--llm", "onnx:x", "--out", "o");
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.lastLine().path("error").asText()).isEqualTo("--corpus is required");

    Path corpus = Files.writeString(dir.resolve("corpus.jsonl"),
        "{\"_id\": \"d1\", \"title\": \"\", \"text\": \"Geckos eat insects.\"}\n");
    Run half = run(SparkFretCommand.class, dir, "--corpus", corpus.toString(),
        "--queries", "q.jsonl", "--llm", "onnx:x", "--out", "o");
    assertThat(half.exitCode()).isEqualTo(2);
    assertThat(half.lastLine().path("error").asText())
        .startsWith("--queries and --qrels go together (relabel mode)");
  }

  @Test
  void benchSparkExitsTwoWithAJsonLineOnABadInteger(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("corpus.jsonl"),
        "{\"_id\": \"d1\", \"title\": \"\", \"text\": \"Geckos eat insects.\"}\n");
    Run r = run(SparkEmbeddingBench.class, dir, "--data", dir.toString(), "--limit", "lots");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.lastLine().path("command").asText()).isEqualTo("bench spark");
    assertThat(r.lastLine().path("error").asText())
        .isEqualTo("--limit must be an integer, but is: 'lots'");
  }
}
