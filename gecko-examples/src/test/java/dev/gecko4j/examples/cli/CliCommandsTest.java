package dev.gecko4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gecko4j.core.internal.GeckoJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every {@code gecko} command, run as a user runs it (in-process through {@link GeckoCli#execute}):
 * on good input it exits 0 and its last stdout line is one JSON object with its results; on a bad
 * option it exits 2, prints the message and the usage on stderr, and its last stdout line is
 * {@code {"command": ..., "error": ..., "exit_code": 2}}. {@code train} and {@code diff} have their
 * own tests ({@link TrainCommandTest}, {@link TrainStopTest}, {@link DiffCommandTest}); {@code bench
 * spark} lives in gecko-spark. The runs are small (int8 model, a few texts) so the suite stays short.
 */
class CliCommandsTest {

  private static final Path DATA =
      Path.of(System.getProperty("gecko.shared.data", "../shared/data"));

  @TempDir
  Path dir;

  record Run(int code, String out, String err) {
    JsonNode lastJson() {
      List<String> lines = out.lines().filter(l -> !l.isBlank()).collect(Collectors.toList());
      assertThat(lines).as("stdout of the command").isNotEmpty();
      try {
        JsonNode json = GeckoJson.mapper().readTree(lines.get(lines.size() - 1));
        assertThat(json.isObject()).as("last stdout line is a JSON object: " + lines.get(lines.size() - 1)).isTrue();
        return json;
      } catch (IOException e) {
        throw new AssertionError("the last stdout line is not JSON: " + lines.get(lines.size() - 1), e);
      }
    }
  }

  static Run gecko(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    int code;
    try {
      code = GeckoCli.execute(args);
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private static Path shared(String relative) {
    Path p = DATA.resolve(relative);
    assumeTrue(Files.exists(p), "needs " + p + " (../shared/data beside the repository)");
    return p;
  }

  @Test
  void models_lists_the_four_bundled_models_and_marks_the_default() {
    Run r = gecko("models");

    assertThat(r.code()).isZero();
    JsonNode models = r.lastJson().get("models");
    assertThat(models).hasSize(4);
    assertThat(models.get(0).get("name").asText()).isEqualTo("bge-small-en-v1.5");
    assertThat(models.get(0).get("default").asBoolean()).isTrue();
  }

  @Test
  void quickstart_answers_its_four_searches_with_the_int8_model() {
    Run r = gecko("quickstart", "--model", "bge-small-en-v1.5-q", "--top", "1");

    assertThat(r.code()).as(r.err()).isZero();
    JsonNode json = r.lastJson();
    assertThat(json.get("documents").asInt()).isEqualTo(12);
    assertThat(json.get("searches")).hasSize(4);
    assertThat(json.get("searches").get(0).get("hits").get(0).get("title").asText())
        .isEqualTo("Gecko diet");
  }

  @Test
  void evaluate_scores_an_sts_file_with_a_spearman_correlation() throws IOException {
    Path sts = shared("sts/STSBenchmark.test.tsv");
    Path small = dir.resolve("sts-small.tsv");
    try (Stream<String> lines = Files.lines(sts)) {
      Files.write(small, lines.limit(41).collect(Collectors.toList()));
    }

    Run r = gecko("evaluate", "--model", "bge-small-en-v1.5-q", "--sts", small.toString());

    assertThat(r.code()).as(r.err()).isZero();
    JsonNode json = r.lastJson();
    assertThat(json.get("model").asText()).isEqualTo("bge-small-en-v1.5-q");
    assertThat(json.get("metric").asText()).containsIgnoringCase("spearman");
    assertThat(json.get("score").asDouble()).isBetween(0.3, 1.0);
  }

  @Test
  void soak_reports_its_memory_samples() {
    Run r = gecko("soak", "--model", "bge-small-en-v1.5-q", "--texts", "40", "--chunk", "20",
        "--warmup", "20");

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.lastJson().size()).isPositive();
  }

  @Test
  void lm_generate_and_score_run_the_stories260k_model() {
    Path lm = shared("models/stories260K");

    Run generated = gecko("lm", "generate", "--llm", "onnx:" + lm, "--prompt", "Once upon a time",
        "--greedy", "--max-new-tokens", "8");
    Run scored = gecko("lm", "score", "--llm", "onnx:" + lm, "--prompt", "Once upon a time",
        "--continuation", " there was");

    assertThat(generated.code()).as(generated.err()).isZero();
    assertThat(generated.lastJson().get("ids").size()).isBetween(1, 8);
    assertThat(scored.code()).as(scored.err()).isZero();
    assertThat(scored.lastJson().get("log_probability").asDouble()).isNegative();
  }

  @Test
  void mine_writes_training_rows_from_a_small_corpus_with_the_stories260k_model() throws IOException {
    Path lm = shared("models/stories260K");
    Path corpus = dir.resolve("corpus.jsonl");
    try (Stream<String> lines = Files.lines(shared("beir/scifact/corpus.jsonl"))) {
      Files.write(corpus, lines.limit(30).collect(Collectors.toList()));
    }
    Path out = dir.resolve("fret.jsonl");

    Run r = gecko("mine", "--corpus", corpus.toString(), "--llm", "onnx:" + lm, "--out", out.toString(),
        "--limit", "1", "--max-seeds", "3", "--model", "bge-small-en-v1.5-q", "--max-length", "64",
        "--cache", dir.resolve("cache").toString(), "--max-passage-chars", "200");

    assertThat(r.code()).as(r.err()).isZero();
    JsonNode json = r.lastJson();
    assertThat(json.get("mode").asText()).isEqualTo("generation");
    assertThat(json.get("stopped").asBoolean()).isFalse();
    assertThat(json.get("out").asText()).isEqualTo(out.toString());
  }

  @Test
  void bench_ann_compares_the_graph_with_the_flat_index_on_a_small_synthetic_set() {
    Run r = gecko("bench", "ann", "--vectors", "500", "--dimension", "16", "--clusters", "10",
        "--queries", "20", "--single-thread-queries", "5", "--skip-scifact");

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.lastJson().toString()).contains("\"vectors\":500", "\"recall_at_10\"",
        "\"ann_queries_per_s\"", "\"flat_queries_per_s\"", "\"speedup\"", "\"build_s\"",
        "\"sweep\"");
  }

  @Test
  void bench_ann_without_the_graph_compares_int8_and_binary_scans_with_the_float_scan() {
    Run r = gecko("bench", "ann", "--vectors", "600", "--dimension", "16", "--clusters", "10",
        "--queries", "20", "--single-thread-queries", "5", "--skip-scifact", "--skip-graph",
        "--rescore", "0,4,20");

    assertThat(r.code()).as(r.err()).isZero();
    JsonNode json = r.lastJson();
    assertThat(json.get("graph").asBoolean()).isFalse();
    assertThat(json.has("ann_queries_per_s")).isFalse();
    assertThat(json.get("flat_bytes_per_vector").asInt()).isEqualTo(64);
    assertThat(json.get("int8_bytes_per_vector").asInt()).isEqualTo(16);
    assertThat(json.get("binary_bytes_per_vector").asInt()).isEqualTo(8); // 16 bits in one long
    assertThat(json.get("int8_sweep")).hasSize(3);
    assertThat(json.get("binary_sweep").get(2).get("recall_at_10").asDouble())
        .as("20 x 10 candidates of 600 rescored exactly").isGreaterThan(0.9);
    assertThat(json.get("int8_recall_at_10").asDouble()).isBetween(0.0, 1.0);
  }

  @Test
  void bench_throughput_measures_a_short_workload() {
    Path data = shared("sts/STSBenchmark.test.tsv").getParent().getParent();

    Run r = gecko("bench", "throughput", "--runs", "1", "--warmup", "0", "--short-texts", "16",
        "--long-texts", "8", "--workloads", "short", "--skip-peer", "--skip-adapter",
        "--skip-batch1-ceiling", "--skip-int8", "--skip-sts", "--data", data.toString());

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.lastJson().size()).isPositive();
  }

  @ParameterizedTest(name = "gecko {0}")
  @CsvSource(delimiter = '|', value = {
      "quickstart --top 0                      | --top must be between 1 and",
      "evaluate --sts x.tsv --dim -1           | --dim must be >= 0, but is: -1",
      "soak --texts 10 --warmup 10             | 0 <= --warmup < --texts",
      "bench ann --vectors 5                   | --vectors must be >= 10",
      "bench ann --quantized uint8             | --quantized takes int8, binary or none",
      "bench ann --rescore -1                  | --rescore must be one or more integers in [0, 10000]",
      "evaluate --beir x --precision int4      | --precision: unknown precision 'int4'",
      "evaluate --beir x --rescore 4           | --rescore 4 needs --precision int8 or binary",
      "evaluate --sts x.tsv --precision int8   | --precision int8 applies to --beir retrieval only",
      "bench throughput --runs 0               | --runs must be between 1 and 1000, but is: 0",
      "mine --corpus c --llm x --out o --limit 0 | --limit must be >= 1, but is: 0",
      "lm generate --llm nonsense --max-new-tokens 1 | --llm: a language model spec must be kind:target",
      "lm generate --llm hf:gpt2 --max-new-tokens 1 | --llm: unknown language model kind 'hf' (in 'hf:gpt2'); kinds on the class path: ",
      "models --no-such-option                 | Unknown option: '--no-such-option'",
      "quickstart --top many                   | Invalid value for option '--top'",
      "rerank --model ce --query q             | give at least one --passage or a --passages-file",
      "rerank --model ce --query q --passage p --top 0 | --top must be >= 1, but is: 0",
      "evaluate --sts s.tsv --rerank ce        | --rerank needs --beir",
      "evaluate --beir b --rerank ce --rerank-top 0 | --rerank-top must be between 1 and 100, but is: 0",
  })
  void a_bad_option_prints_the_message_and_exits_2_with_an_error_object(String command,
      String message) {
    Run r = gecko(command.trim().split("\\s+"));

    assertThat(r.code()).as(r.err()).isEqualTo(GeckoCli.EXIT_USAGE);
    assertThat(r.err()).contains(message).doesNotContain("\tat dev.gecko4j");
    JsonNode json = r.lastJson();
    assertThat(json.get("error").asText()).contains(message);
    assertThat(json.get("exit_code").asInt()).isEqualTo(2);
  }

  @Test
  void a_bad_option_value_of_a_command_prints_its_usage() {
    Run r = gecko("quickstart", "--top", "0");

    assertThat(r.err()).contains("Usage: gecko quickstart");
  }

  @Test
  void a_failure_while_running_exits_1_with_the_message_and_no_stack_trace() {
    Path missing = dir.resolve("no-such-model");

    Run r = gecko("diff", missing.toString(), missing.toString());

    assertThat(r.code()).isIn(1, 2);
    assertThat(r.err()).contains(missing.toString()).doesNotContain("\tat dev.gecko4j");
    assertThat(r.lastJson().get("exit_code").asInt()).isEqualTo(r.code());
  }
}
