package dev.gecko4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gecko4j.core.internal.GeckoJson;
import dev.gecko4j.core.testing.ChildJvm;
import dev.gecko4j.core.testing.OpenAiLoopbackServer;
import dev.gecko4j.core.testing.OpenAiLoopbackServer.Reply;
import dev.gecko4j.fret.generate.SynthRow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gecko synth} against a loopback server shaped like OpenAI's / vLLM's chat completions (the
 * real OpenAI client on the other side): valid triplets for all seven kinds, malformed replies,
 * replies missing keys and duplicates dropped with their reason, an HTTP 500 retried; a run killed
 * with SIGKILL and rerun ends with each row once, exactly the rows of an uninterrupted run; and
 * {@code gecko train --fret} trains on the rows.
 */
class SynthCommandTest {

  /** Rows of the script below at 4 tasks per kind, 2 examples per task (see {@link #answer}). */
  static final int ROWS = 27;

  @TempDir Path dir;

  private final AtomicInteger serial = new AtomicInteger();
  private final AtomicBoolean failedOnce = new AtomicBoolean();
  private OpenAiLoopbackServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  /**
   * The scripted LLM. Every brainstorm lists four tasks: a good one, one whose examples are not
   * JSON, one whose examples miss a key and one whose examples all repeat one query (across kinds
   * too, so only the first is kept). STS and bitext (fixed tasks) always answer well. The first
   * example request of all gets a 500. Per 4 x 2 run: 5 brainstormed kinds x (2 good) + 1 + 2 x 8
   * = 27 rows; 10 no_json, 10 missing_field, 9 duplicate.
   */
  private Reply answer(OpenAiLoopbackServer.Request r, long delayMillis) {
    String p = r.prompt();
    if (p.startsWith("Brainstorm")) {
      return Reply.chat("[\"Find good documents for a question\", \"malformed task\","
          + " \"missing-key task\", \"duplicate task\"]").delayed(delayMillis);
    }
    if (failedOnce.compareAndSet(false, true)) {
      return Reply.error(500, "The server had an error while processing your request.");
    }
    int n = serial.incrementAndGet();
    List<String> keys = p.contains("\"user_query\"")
        ? List.of("user_query", "positive_document", "hard_negative_document")
        : p.contains("\"input_text\"") ? List.of("input_text", "label", "misleading_label")
        : p.contains("\"input\"") ? List.of("input", "positive_document")
        : List.of("S1", "S2", "S3");
    String content;
    if (p.contains("task: malformed task")) {
      content = "Sure! {\"" + keys.get(0) + "\": \"cut off";
    } else if (p.contains("task: missing-key task")) {
      content = "{\"" + keys.get(0) + "\": \"only a query " + n + "\"}";
    } else {
      StringBuilder json = new StringBuilder("```json\n{");
      for (int i = 0; i < keys.size(); i++) {
        String value = i == 0 && p.contains("task: duplicate task") ? "the same query"
            : List.of("query", "a relevant text", "a near miss").get(i) + " " + n;
        json.append(i == 0 ? "" : ", ").append('"').append(keys.get(i)).append("\": \"")
            .append(value).append('"');
      }
      content = json.append("}\n```").toString();
    }
    return Reply.chat(content).delayed(delayMillis);
  }

  private String[] synth(Path out) {
    return new String[] {"synth", "--llm",
        "openai:" + server.baseUrl() + "?model=" + OpenAiLoopbackServer.MODEL, "--out",
        out.toString(), "--tasks-per-kind", "4", "--examples-per-task", "2", "--seed", "7",
        "--batch-size", "2"};
  }

  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void should_write_valid_rows_and_drop_bad_replies_by_reason() throws IOException {
    // given
    server = new OpenAiLoopbackServer(r -> answer(r, 0));
    Path out = dir.resolve("synth.jsonl");

    // when
    CliCommandsTest.Run run = CliCommandsTest.gecko(synth(out));

    // then
    assertThat(run.code()).as(run.err()).isZero();
    JsonNode json = run.lastJson();
    assertThat(json.get("rows").asInt()).isEqualTo(ROWS);
    assertThat(json.get("resumed_rows").asInt()).isZero();
    assertThat(json.get("dropped").toString())
        .isEqualTo("{\"duplicate\":9,\"missing_field\":10,\"no_json\":10}");
    assertThat(json.get("rows_by_kind").toString()).isEqualTo("{\"bitext\":8,\"classification\":2,"
        + "\"long-long\":2,\"long-short\":2,\"short-long\":3,\"short-short\":2,\"sts\":8}");
    assertThat(run.err()).contains("synth: dropped e5:short-long:1:0 (no_json)",
        "synth: dropped e5:short-long:2:0 (missing_field): no \"positive_document\"");
    List<SynthRow> rows = rows(out);
    assertThat(rows).hasSize(ROWS).extracting(SynthRow::id).doesNotHaveDuplicates();
    assertThat(rows).allSatisfy(row -> assertThat(row.query()).isNotEqualTo(row.positive()));
    assertThat(rows).filteredOn(row -> row.kind().equals("classification")).first()
        .satisfies(row -> {
          assertThat(row.positive()).startsWith("a relevant text");
          assertThat(row.negative()).startsWith("a near miss");
          assertThat(row.placeholders()).containsKeys("num_words", "clarity", "difficulty");
        });
    assertThat(rows).filteredOn(row -> row.kind().equals("short-short"))
        .allSatisfy(row -> assertThat(row.negative()).isNull());
    // the 500 was retried by the client: one more request than units and brainstorms
    assertThat(server.requests()).filteredOn(q -> q.path().endsWith("/chat/completions"))
        .hasSize(56 + 5 + 1);
  }

  @Test
  @Tag("jdk-independent") // JDK 17 only: a data-format check, the trainer's JDKs are tested elsewhere
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void should_train_on_the_rows_it_writes() throws IOException {
    // given the rows of a synth run
    server = new OpenAiLoopbackServer(r -> answer(r, 0));
    Path out = dir.resolve("synth.jsonl");
    CliCommandsTest.Run run = CliCommandsTest.gecko(synth(out));
    assertThat(run.code()).as(run.err()).isZero();

    // when gecko train reads them as FRet rows (a few steps, tiny lengths, bundled bge-small)
    CliCommandsTest.Run train = CliCommandsTest.gecko("train", "--fret", out.toString(), "--out",
        dir.resolve("model").toString(), "--steps", "2", "--batch-size", "4", "--micro-batch", "2",
        "--query-max-length", "8", "--passage-max-length", "8", "--warmup", "1",
        "--checkpoint-every", "0", "--no-eval");

    // then it trains on them and exports a model
    assertThat(train.code()).as(train.err()).isZero();
    assertThat(train.err()).contains("synth.jsonl=" + ROWS + " rows");
    JsonNode trained = train.lastJson();
    assertThat(trained.get("steps").asInt()).isEqualTo(2);
    assertThat(trained.get("final_loss").asDouble()).isFinite().isPositive();
    assertThat(dir.resolve("model/model/model.onnx")).isRegularFile();
  }

  @Test
  @Tag("jdk-independent") // JDK 17 only: see the root pom's jdk25 execution
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void should_end_with_each_row_once_after_a_sigkill_and_a_rerun() throws Exception {
    // given a server that answers each request after 100 ms
    server = new OpenAiLoopbackServer(r -> answer(r, 100));
    Path out = dir.resolve("synth.jsonl");
    List<String> command = ChildJvm.command(GeckoCli.class, List.of(synth(out)));

    // when a first run is killed (SIGKILL) once it has written a few rows
    Process first = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(dir.resolve("first.log").toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (lines(out) < 4 && first.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    first.destroyForcibly();
    first.waitFor();
    long rowsAtKill = lines(out);
    // and the same command runs again to the end
    Process second = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(dir.resolve("second.log").toFile()).start();
    boolean finished = second.waitFor(3, TimeUnit.MINUTES);

    // then the second resumed from the rows the first left and finished them
    String log1 = Files.readString(dir.resolve("first.log"));
    String log2 = Files.readString(dir.resolve("second.log"));
    assertThat(finished).as(log2).isTrue();
    assertThat(second.exitValue()).as(log2).isZero();
    assertThat(rowsAtKill).as(log1).isBetween(4L, ROWS - 1L);
    assertThat(log2).contains("synth: resuming with " + rowsAtKill + " rows");
    String last = log2.strip().substring(log2.strip().lastIndexOf('\n') + 1);
    JsonNode json = GeckoJson.mapper().readTree(last);
    assertThat(json.get("rows").asLong()).isEqualTo(ROWS);
    assertThat(json.get("resumed_rows").asLong()).isEqualTo(rowsAtKill);
    assertThat(json.get("dropped").toString())
        .isEqualTo("{\"duplicate\":9,\"missing_field\":10,\"no_json\":10}");
    // and the file holds each row once: exactly the ids of an uninterrupted run
    List<SynthRow> rows = rows(out);
    assertThat(rows).hasSize(ROWS).extracting(SynthRow::id).doesNotHaveDuplicates();
    assertThat(Files.readString(out)).endsWith("\n");
    Path reference = dir.resolve("reference.jsonl");
    CliCommandsTest.Run ref = CliCommandsTest.gecko(synth(reference));
    assertThat(ref.code()).as(ref.err()).isZero();
    assertThat(ids(rows)).isEqualTo(ids(rows(reference)));
    // and every unit ended once: as a row or as a final drop
    Map<String, Integer> ends = new TreeMap<>();
    rows.forEach(row -> ends.merge(row.id(), 1, Integer::sum));
    for (String line : Files.readAllLines(dir.resolve("synth.jsonl.drops.jsonl"))) {
      JsonNode d = GeckoJson.mapper().readTree(line);
      if (!d.get("reason").asText().equals("llm_error")) {
        ends.merge(d.get("id").asText(), 1, Integer::sum);
      }
    }
    assertThat(ends).hasSize(56).allSatisfy((id, n) -> assertThat(n).as(id).isEqualTo(1));
  }

  @Test
  void should_refuse_an_unknown_kind_naming_the_valid_ones_before_asking_the_llm() {
    CliCommandsTest.Run run = CliCommandsTest.gecko("synth", "--llm", "openai:http://127.0.0.1:9/v1",
        "--out", dir.resolve("x.jsonl").toString(), "--tasks-per-kind", "1", "--kinds",
        "short-long,retrieval");

    assertThat(run.code()).isEqualTo(GeckoCli.EXIT_USAGE);
    assertThat(run.err()).contains("--kinds: task kind must be one of [short-long, long-short,"
        + " short-short, long-long, sts, classification, bitext], but is: 'retrieval'");
    assertThat(run.lastJson().get("exit_code").asInt()).isEqualTo(GeckoCli.EXIT_USAGE);
    assertThat(dir.resolve("x.jsonl")).doesNotExist();
  }

  @Test
  void should_refuse_a_zero_task_count_naming_it() {
    CliCommandsTest.Run run = CliCommandsTest.gecko("synth", "--llm", "openai:http://127.0.0.1:9/v1",
        "--out", dir.resolve("x.jsonl").toString(), "--tasks-per-kind", "0");

    assertThat(run.code()).isEqualTo(GeckoCli.EXIT_USAGE);
    assertThat(run.err()).contains("tasksPerKind must be between 1 and 100000, but is: 0");
  }

  private static List<SynthRow> rows(Path f) throws IOException {
    List<SynthRow> rows = new ArrayList<>();
    for (String l : Files.readAllLines(f)) {
      rows.add(SynthRow.fromJson(l));
    }
    return rows;
  }

  private static Set<String> ids(List<SynthRow> rows) {
    Set<String> ids = new HashSet<>();
    rows.forEach(r -> ids.add(r.id()));
    return ids;
  }

  private static long lines(Path f) throws IOException {
    if (!Files.exists(f)) {
      return 0;
    }
    long n = 0;
    for (byte b : Files.readAllBytes(f)) {
      if (b == '\n') {
        n++;
      }
    }
    return n;
  }
}
