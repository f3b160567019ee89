package dev.gecko4j.fret.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gecko4j.core.internal.GeckoJson;
import dev.gecko4j.core.testing.OpenAiLoopbackServer;
import dev.gecko4j.core.testing.OpenAiLoopbackServer.Reply;
import dev.gecko4j.fret.generate.E5TaskKind;
import dev.gecko4j.fret.generate.SynthRow;
import dev.gecko4j.fret.llm.OpenAiLanguageModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SynthRun} against a loopback server shaped like OpenAI's chat completions: valid replies
 * become rows, bad ones are dropped with their reason, a 500 is retried, and a second run over the
 * same files asks nothing again.
 */
class SynthRunTest {

  @TempDir Path dir;

  private final AtomicInteger serial = new AtomicInteger();
  private final AtomicInteger flaky = new AtomicInteger();
  private OpenAiLoopbackServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  /**
   * The scripted LLM: brainstorms five short-long tasks, one well-behaved and four that misbehave
   * by name; answers STS with a distinct triple each time.
   */
  private Reply answer(OpenAiLoopbackServer.Request r) {
    String p = r.prompt();
    if (p.startsWith("Brainstorm")) {
      return Reply.chat("Here are the tasks:\n[\"Find recipes for a dish\", \"malformed task\","
          + " \"missing-key task\", \"duplicate task\", \"flaky task\", \"Find recipes for a dish\"]");
    }
    int n = serial.incrementAndGet();
    if (p.contains("\"S1\"")) {
      return Reply.chat("{\"S1\": \"cats sleep a lot " + n + "\", \"S2\": \"cats nap often " + n
          + "\", \"S3\": \"dogs bark " + n + "\"}");
    }
    if (p.contains("task: malformed task")) {
      return Reply.chat("{\"user_query\": \"unterminated");
    }
    if (p.contains("task: missing-key task")) {
      return Reply.chat("{\"user_query\": \"q " + n + "\", \"positive_document\": \"p\"}");
    }
    if (p.contains("task: duplicate task")) {
      return Reply.chat("{\"user_query\": \"How tall is  Everest?\", \"positive_document\": \"8849"
          + " m\", \"hard_negative_document\": \"K2 is 8611 m\"}");
    }
    if (p.contains("task: flaky task") && flaky.getAndIncrement() == 0) {
      return Reply.error(500, "The server had an error while processing your request.");
    }
    return Reply.chat("```json\n{\"user_query\": \"query " + n + "\", \"positive_document\":"
        + " \"a good document " + n + "\", \"hard_negative_document\": \"a near miss " + n
        + "\"}\n```");
  }

  private OpenAiLanguageModel llm() {
    server = new OpenAiLoopbackServer(this::answer);
    return OpenAiLanguageModel.builder().baseUrl(server.baseUrl())
        .backoff(Duration.ofMillis(1), Duration.ofMillis(5)).build();
  }

  private SynthRun.Builder run(OpenAiLanguageModel llm, Path out) {
    return SynthRun.builder().llm(llm).output(out).kinds(List.of(E5TaskKind.SHORT_LONG,
        E5TaskKind.STS)).tasksPerKind(5).examplesPerTask(2).batchSize(3).seed(11);
  }

  @Test
  void should_write_valid_triplets_and_log_every_dropped_reply_with_its_reason() throws IOException {
    // given
    Path out = dir.resolve("synth.jsonl");
    try (OpenAiLanguageModel llm = llm()) {
      // when
      SynthStats stats = run(llm, out).build().run();

      // then: recipes 2 + duplicate 1 + flaky 2 (one after a retried 500) + STS 5 x 2
      List<SynthRow> rows = read(out);
      assertThat(rows).hasSize(15).extracting(SynthRow::id).doesNotHaveDuplicates();
      assertThat(stats.rows()).isEqualTo(15);
      assertThat(stats.rowsByKind()).isEqualTo(Map.of("short-long", 5L, "sts", 10L));
      assertThat(stats.dropped())
          .isEqualTo(Map.of("no_json", 2L, "missing_field", 2L, "duplicate", 1L));
      assertThat(stats.tasksByKind()).isEqualTo(Map.of("short-long", 5, "sts", 1));
      SynthRow first = rows.get(0);
      assertThat(first.id()).isEqualTo("e5:short-long:0:0");
      assertThat(first.task()).isEqualTo("Find recipes for a dish");
      assertThat(first.query()).startsWith("query ");
      assertThat(first.negative()).startsWith("a near miss");
      assertThat(first.placeholders()).containsKeys("query_type", "query_length", "clarity",
          "num_words", "difficulty", "language");
      assertThat(first.promptVersion()).isEqualTo(E5TaskKind.VERSION);
      assertThat(rows).filteredOn(r -> r.kind().equals("sts")).allSatisfy(r -> {
        assertThat(r.task()).isEqualTo("Retrieve semantically similar text.");
        assertThat(r.query()).startsWith("cats sleep");
      });
      // every drop logged with its reason and detail
      List<JsonNode> drops = jsonLines(MiningRun.dropLogOf(out));
      assertThat(drops).extracting(d -> d.get("id").asText() + " " + d.get("reason").asText())
          .containsExactly("e5:short-long:1:0 no_json", "e5:short-long:1:1 no_json",
              "e5:short-long:2:0 missing_field", "e5:short-long:2:1 missing_field",
              "e5:short-long:3:1 duplicate");
      assertThat(drops.get(2).get("detail").asText()).contains("no \"hard_negative_document\"");
      // the 500 was answered by a retry in the client
      assertThat(server.requests()).filteredOn(q -> q.prompt().contains("task: flaky task"))
          .hasSize(3);
      // the brainstorm answer kept, for a resumed run
      assertThat(jsonLines(SynthRun.taskLogOf(out))).singleElement()
          .satisfies(t -> assertThat(t.get("tasks")).hasSize(5));
    }
  }

  @Test
  void should_ask_nothing_again_when_run_over_its_own_output() throws IOException {
    // given a finished run
    Path out = dir.resolve("synth.jsonl");
    try (OpenAiLanguageModel llm = llm()) {
      run(llm, out).build().run();
      String before = Files.readString(out);
      int requests = server.requests().size();

      // when the same run starts again
      SynthStats again = run(llm, out).build().run();

      // then it finds every row and drop and asks the model nothing
      assertThat(server.requests()).hasSize(requests);
      assertThat(again.resumedRows()).isEqualTo(15);
      assertThat(again.rowsThisRun()).isZero();
      assertThat(again.dropped())
          .isEqualTo(Map.of("no_json", 2L, "missing_field", 2L, "duplicate", 1L));
      assertThat(Files.readString(out)).isEqualTo(before);
    }
  }

  @Test
  void should_cut_a_torn_line_and_ask_again_only_the_unit_it_held() throws IOException {
    // given a finished run whose last row was torn by a kill (and its drops lost)
    Path out = dir.resolve("synth.jsonl");
    try (OpenAiLanguageModel llm = llm()) {
      run(llm, out).build().run();
      List<String> lines = Files.readAllLines(out);
      String last = lines.get(lines.size() - 1);
      Files.writeString(out, String.join("\n", lines.subList(0, lines.size() - 1)) + "\n"
          + last.substring(0, last.length() / 2));
      int requests = server.requests().size();

      // when
      SynthStats again = run(llm, out).build().run();

      // then only that unit was asked again, and the file holds every id once
      assertThat(server.requests()).hasSize(requests + 1);
      assertThat(again.truncatedBytes()).isEqualTo(last.length() / 2);
      assertThat(read(out)).hasSize(15).extracting(SynthRow::id).doesNotHaveDuplicates();
    }
  }

  @Test
  void should_log_a_failed_call_as_llm_error_and_ask_it_again_in_the_next_run() throws IOException {
    // given a server that refuses the flaky task's examples with a 400 (not retried) while down
    AtomicInteger refused = new AtomicInteger();
    java.util.concurrent.atomic.AtomicBoolean down = new java.util.concurrent.atomic.AtomicBoolean(true);
    server = new OpenAiLoopbackServer(r -> {
      if (down.get() && r.prompt().contains("task: flaky task")) {
        refused.incrementAndGet();
        return Reply.error(400, "This model's maximum context length is 4096 tokens.");
      }
      return answer(r);
    });
    flaky.set(1); // no 500 in this test
    Path out = dir.resolve("synth.jsonl");
    try (OpenAiLanguageModel llm = OpenAiLanguageModel.builder().baseUrl(server.baseUrl())
        .build()) {
      // when a first run meets the failures
      SynthStats first = run(llm, out).build().run();

      // then its two units are logged as llm_error, once each, and not written
      assertThat(refused.get()).isEqualTo(2);
      assertThat(first.dropped()).containsEntry("llm_error", 2L);
      assertThat(first.rows()).isEqualTo(13);
      assertThat(jsonLines(MiningRun.dropLogOf(out)))
          .filteredOn(d -> d.get("reason").asText().equals("llm_error"))
          .extracting(d -> d.get("id").asText())
          .containsExactly("e5:short-long:4:0", "e5:short-long:4:1");

      // when the server is back and the run starts again
      down.set(false);
      SynthStats second = run(llm, out).build().run();

      // then only those two are asked again, and written
      assertThat(second.rowsThisRun()).isEqualTo(2);
      assertThat(second.rows()).isEqualTo(15);
      assertThat(second.dropped()).doesNotContainKey("llm_error")
          .isEqualTo(Map.of("no_json", 2L, "missing_field", 2L, "duplicate", 1L));
      assertThat(read(out)).extracting(SynthRow::id).doesNotHaveDuplicates()
          .contains("e5:short-long:4:0", "e5:short-long:4:1");
    }
  }

  @Test
  void should_refuse_a_run_without_its_sizes_naming_them() {
    assertThatThrownBy(() -> SynthRun.builder().output(dir.resolve("x")).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("llm, output, tasksPerKind and examplesPerTask are required, but llm is"
            + " missing, output " + dir.resolve("x") + ", tasksPerKind 0, examplesPerTask 0");
    assertThatThrownBy(() -> SynthRun.builder().tasksPerKind(0))
        .hasMessage("tasksPerKind must be between 1 and 100000, but is: 0");
    assertThatThrownBy(() -> SynthRun.builder().kinds(List.of(E5TaskKind.STS, E5TaskKind.STS)))
        .hasMessage("kinds must be a non-empty list of distinct kinds, but is: [STS, STS]");
  }

  private static List<SynthRow> read(Path f) throws IOException {
    List<SynthRow> rows = new ArrayList<>();
    for (String l : Files.readAllLines(f)) {
      rows.add(SynthRow.fromJson(l));
    }
    return rows;
  }

  private static List<JsonNode> jsonLines(Path f) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    for (String l : Files.readAllLines(f)) {
      out.add(GeckoJson.mapper().readTree(l));
    }
    return out;
  }
}
