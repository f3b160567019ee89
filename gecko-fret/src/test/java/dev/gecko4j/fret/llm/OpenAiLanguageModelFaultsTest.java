package dev.gecko4j.fret.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gecko4j.core.ProgressListener;
import dev.gecko4j.core.fret.FretOptions;
import dev.gecko4j.core.lm.Capabilities;
import dev.gecko4j.core.lm.GenerationOptions;
import dev.gecko4j.core.lm.LanguageModelException;
import dev.gecko4j.fret.FretMine;
import dev.gecko4j.core.testing.OpenAiLoopbackServer;
import dev.gecko4j.core.testing.OpenAiLoopbackServer.Reply;
import dev.gecko4j.fret.run.MiningListener;
import dev.gecko4j.fret.testing.LogCapture;
import dev.gecko4j.fret.testing.TrigramEmbedder;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults of a remote OpenAI-compatible server that a deployment meets: a body that stalls after
 * the headers, replies that are valid JSON but not completions, HTML or garbage with status 200,
 * and a server that echoes the API key back.
 */
class OpenAiLanguageModelFaultsTest {

  private static final String KEY = "sk-proj-SECRET-4f9a2c7e1b";

  @TempDir Path dir;

  @RegisterExtension final OpenAiLoopbackServer server = new OpenAiLoopbackServer();
  @RegisterExtension final LogCapture logs = new LogCapture();

  private OpenAiLanguageModel.Builder client(String baseUrl) {
    return OpenAiLanguageModel.builder().baseUrl(baseUrl).model("m").apiKey(KEY)
        .sleeper(d -> {}).requestTimeout(Duration.ofSeconds(5));
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void should_bound_the_whole_exchange_when_the_server_stalls_the_body_after_the_headers()
      throws Exception {
    // given a server that sends status and headers and part of the body, then stalls for a minute
    CountDownLatch release = new CountDownLatch(1);
    List<Integer> connections = Collections.synchronizedList(new ArrayList<>());
    try (ServerSocket ss = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread t = new Thread(() -> {
        while (!ss.isClosed()) {
          try {
            Socket s = ss.accept();
            connections.add(1);
            Thread h = new Thread(() -> stall(s, release));
            h.setDaemon(true);
            h.start();
          } catch (java.io.IOException closed) {
            return;
          }
        }
      });
      t.setDaemon(true);
      t.start();
      String base = "http://127.0.0.1:" + ss.getLocalPort() + "/v1";
      // when a 1 s timeout with one retry is configured
      try (OpenAiLanguageModel lm = client(base).requestTimeout(Duration.ofSeconds(1)).maxRetries(1)
          .build()) {
        // then the call fails by the deadline (the test's 30 s limit is far below the stall)
        assertThatThrownBy(() -> lm.generate(List.of("hi"), GenerationOptions.greedy(4)))
            .isInstanceOf(LanguageModelException.class)
            .hasMessageContaining("HttpTimeoutException")
            .hasMessageContaining("headers and body")
            .hasMessageContaining("gave up after 2 attempts");
      } finally {
        release.countDown();
      }
      assertThat(connections).hasSize(2);
    }
  }

  private static void stall(Socket s, CountDownLatch release) {
    try (s) {
      InputStream in = s.getInputStream();
      // read the request head and its body (Content-Length)
      StringBuilder head = new StringBuilder();
      while (!head.toString().endsWith("\r\n\r\n")) {
        int b = in.read();
        if (b < 0) {
          return;
        }
        head.append((char) b);
      }
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)")
          .matcher(head);
      if (m.find()) {
        in.readNBytes(Integer.parseInt(m.group(1)));
      }
      OutputStream out = s.getOutputStream();
      out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 4000\r\n\r\n"
          + "{\"id\":\"chatcmpl-1\",\"object\":").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      release.await(60, TimeUnit.SECONDS);
    } catch (Exception gone) {
      // the client cancelled the exchange
    }
  }

  private static final Reply PROBE = Reply.json("{\"id\":\"cmpl-2\",\"object\":\"text_completion\","
      + "\"choices\":[{\"index\":0,\"text\":\"The capital of France is Paris\",\"logprobs\":"
      + "{\"tokens\":[\"The\",\" capital\",\" of\",\" France\",\" is\",\" Paris\"],"
      + "\"token_logprobs\":[null,-9.4,-2.3,-0.1,-1.0,-0.8],\"text_offset\":[0,3,11,14,21,24]},"
      + "\"finish_reason\":\"length\"}]}");

  @Test
  void should_not_cache_a_probe_reply_without_choices_as_no_prompt_log_probabilities() {
    // given a valid JSON object that is not a completion, then a vLLM echo reply
    server.then(Reply.json("{\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"model\":\"m\"}"))
        .then(PROBE);
    // when
    try (OpenAiLanguageModel lm = client(server.baseUrl()).endpoint(Endpoint.COMPLETIONS).build()) {
      Capabilities first = lm.capabilities();
      Capabilities second = lm.capabilities();
      // then the first names the malformed reply, and is not kept: the second probes again
      assertThat(first.canScore()).isFalse();
      assertThat(first.scoreLimitation()).contains("probe failed").contains("no choices")
          .doesNotContain("no prompt log-probabilities");
      assertThat(second.canScore()).isTrue();
      assertThat(server.requests()).hasSize(2);
    }
  }

  @Test
  void should_name_a_choice_without_text_in_the_probe_reply() {
    server.then(Reply.json("{\"id\":\"cmpl-1\",\"choices\":[{\"index\":0,\"finish_reason\":\"length\"}]}"));
    try (OpenAiLanguageModel lm = client(server.baseUrl()).build()) {
      Capabilities c = lm.capabilities();
      assertThat(c.scoreLimitation()).contains("a choice without text")
          .doesNotContain("no prompt log-probabilities");
    }
  }

  @Test
  void should_fail_clearly_on_html_or_trailing_garbage_with_status_200() {
    server.then(new Reply(200, Map.of(), "<html><body>502 Bad Gateway</body></html>", 0))
        .then(Reply.json("{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,"
            + "\"message\":{\"role\":\"assistant\",\"content\":\"ok\"},\"finish_reason\":\"stop\"}]}"
            + "{\"id\":\"chatcmpl-2\"}"));
    try (OpenAiLanguageModel lm = client(server.baseUrl()).build()) {
      assertThatThrownBy(() -> lm.generate(List.of("hi"), GenerationOptions.greedy(4)))
          .isInstanceOf(LanguageModelException.class)
          .hasMessageContaining("malformed JSON").hasMessageContaining("<html>");
      assertThatThrownBy(() -> lm.generate(List.of("hi"), GenerationOptions.greedy(4)))
          .isInstanceOf(LanguageModelException.class)
          .hasMessageContaining("malformed JSON");
    }
  }

  @Test
  void should_never_write_the_api_key_to_logs_exceptions_rows_drops_or_the_run_json()
      throws Exception {
    // given a server that can score, but answers generations with errors echoing the key back,
    // as some proxies do
    java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
    server.otherwise(r -> r.body() != null && r.body().has("echo") ? PROBE
        : calls.incrementAndGet() % 2 == 0
        ? Reply.status(401, "{\"error\":{\"message\":\"Incorrect API key provided: " + KEY
            + ".\",\"type\":\"invalid_request_error\"}}", Map.of())
        : Reply.status(503, "upstream said: Authorization: Bearer " + KEY, Map.of()));
    Path corpus = dir.resolve("corpus.jsonl");
    Files.writeString(corpus, "{\"_id\":\"d1\",\"title\":\"Geckos\",\"text\":\"Geckos eat insects.\"}\n"
        + "{\"_id\":\"d2\",\"title\":\"Rain\",\"text\":\"Rain falls from clouds.\"}\n"
        + "{\"_id\":\"d3\",\"title\":\"Tea\",\"text\":\"Tea is brewed from leaves.\"}\n");
    Path out = dir.resolve("run/rows.jsonl");
    ByteArrayOutputStream progress = new ByteArrayOutputStream();
    List<String> seen = new ArrayList<>();
    // when a whole generation-mode run goes against it
    String json;
    try (OpenAiLanguageModel lm = client(server.baseUrl()).maxRetries(1).build();
        TrigramEmbedder embedder = new TrigramEmbedder()) {
      seen.add(lm.toString());
      seen.add(lm.name());
      seen.add(lm.capabilities().toString());
      try {
        lm.generate(List.of("hi"), GenerationOptions.greedy(4));
      } catch (LanguageModelException e) {
        seen.add(e.toString());
      }
      FretMine mine = new FretMine(corpus, null, null, dir.resolve("cache"), out, 3,
          Long.MAX_VALUE, FretOptions.defaults().withNeighbours(2));
      FretMine.Result r = mine.run(embedder, lm, ProgressListener.NONE,
          MiningListener.printing(new PrintStream(progress, true, StandardCharsets.UTF_8), 1));
      json = r.stats().toJson();
    }
    // then the run happened (its drops name the failure) and nothing it wrote holds the key
    List<String> written = new ArrayList<>();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        written.add(f + ": " + new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1));
      }
    }
    String drops = Files.readString(dir.resolve("run/rows.jsonl.drops.jsonl"));
    assertThat(drops).contains("llm_error").contains("***");
    assertThat(json).contains("\"llm_error\"");
    assertThat(logs.lines()).isNotEmpty();
    assertThat(String.join("\n", written)).doesNotContain(KEY);
    assertThat(String.join("\n", logs.lines())).doesNotContain(KEY);
    assertThat(String.join("\n", seen)).doesNotContain(KEY);
    assertThat(progress.toString(StandardCharsets.UTF_8)).doesNotContain(KEY);
    assertThat(json).doesNotContain(KEY);
    // while the key was sent where it belongs
    assertThat(server.requests().get(0).header("Authorization")).isEqualTo("Bearer " + KEY);
  }
}
