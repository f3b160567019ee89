package dev.gecko4j.fret.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gecko4j.core.lm.Capabilities;
import dev.gecko4j.core.lm.ContinuationScore;
import dev.gecko4j.core.lm.Generation;
import dev.gecko4j.core.lm.GenerationOptions;
import dev.gecko4j.core.lm.LanguageModelException;
import dev.gecko4j.core.lm.ScoreRequest;
import dev.gecko4j.core.testing.OpenAiLoopbackServer;
import dev.gecko4j.core.testing.OpenAiLoopbackServer.Reply;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Tests {@link OpenAiLanguageModel} against a loopback test double that answers with the JSON that
 * OpenAI and vLLM document (chat.completion, text_completion with logprobs, echo, error bodies).
 */
class OpenAiLanguageModelTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension final OpenAiLoopbackServer server = new OpenAiLoopbackServer();
  private final List<Duration> sleeps = Collections.synchronizedList(new ArrayList<>());

  private OpenAiLanguageModel.Builder client() {
    return OpenAiLanguageModel.builder()
        .baseUrl(server.baseUrl())
        .model("meta-llama/Llama-3.1-8B-Instruct")
        .apiKey("sk-test-123")
        .sleeper(sleeps::add)
        .random(new SplittableRandom(7))
        .requestTimeout(Duration.ofSeconds(5));
  }

  /** An OpenAI chat.completion, as in the API reference. */
  private static String chatCompletion(String content, String finishReason) {
    ObjectNode root = JSON.createObjectNode();
    root.put("id", "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT");
    root.put("object", "chat.completion");
    root.put("created", 1741569952);
    root.put("model", "meta-llama/Llama-3.1-8B-Instruct");
    ObjectNode choice = root.putArray("choices").addObject();
    choice.put("index", 0);
    ObjectNode message = choice.putObject("message");
    message.put("role", "assistant");
    message.put("content", content);
    message.putNull("refusal");
    message.putArray("annotations");
    choice.putNull("logprobs");
    choice.put("finish_reason", finishReason);
    ObjectNode usage = root.putObject("usage");
    usage.put("prompt_tokens", 19);
    usage.put("completion_tokens", 10);
    usage.put("total_tokens", 29);
    root.put("service_tier", "default");
    return root.toString();
  }

  /**
   * A vLLM text_completion answering {@code echo: true, logprobs: 1, max_tokens: 1}: the prompt's
   * tokens (first logprob null) followed by the one generated token, with text offsets.
   */
  private static ObjectNode echoChoice(int index, List<String> tokens, List<Double> logprobs) {
    ObjectNode choice = JSON.createObjectNode();
    choice.put("index", index);
    choice.put("text", String.join("", tokens).replace("<s>", ""));
    ObjectNode lp = choice.putObject("logprobs");
    ArrayNode offsets = lp.putArray("text_offset");
    ArrayNode values = lp.putArray("token_logprobs");
    ArrayNode toks = lp.putArray("tokens");
    ArrayNode top = lp.putArray("top_logprobs");
    int at = 0;
    for (int i = 0; i < tokens.size(); i++) {
      offsets.add(at);
      at += tokens.get(i).length();
      if (logprobs.get(i) == null) {
        values.addNull();
        top.addNull();
      } else {
        values.add(logprobs.get(i));
        top.addObject().put(tokens.get(i), logprobs.get(i));
      }
      toks.add(tokens.get(i));
    }
    choice.put("finish_reason", "length");
    choice.putNull("stop_reason");
    choice.putNull("prompt_logprobs");
    return choice;
  }

  private static String textCompletion(List<ObjectNode> choices) {
    ObjectNode root = JSON.createObjectNode();
    root.put("id", "cmpl-9f3c1a7e0b4d4c2f8a6e5d3b2c1a0f9e");
    root.put("object", "text_completion");
    root.put("created", 1718000000);
    root.put("model", "meta-llama/Llama-3.1-8B-Instruct");
    ArrayNode cs = root.putArray("choices");
    choices.forEach(cs::add);
    ObjectNode usage = root.putObject("usage");
    usage.put("prompt_tokens", 12);
    usage.put("total_tokens", 14);
    usage.put("completion_tokens", 2);
    return root.toString();
  }

  private static final List<String> PROBE_TOKENS = List.of("The", " capital", " of", " France", " is", " Paris");
  private static final List<Double> PROBE_LOGPROBS = java.util.Arrays.asList((Double) null, -9.42, -2.31, -0.12, -1.05, -0.84);

  private static Reply vllmProbeReply() {
    return Reply.json(textCompletion(List.of(echoChoice(0, PROBE_TOKENS, PROBE_LOGPROBS))));
  }

  private static String openAiError(String message, String type, String code) {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode e = root.putObject("error");
    e.put("message", message);
    e.put("type", type);
    e.putNull("param");
    if (code == null) {
      e.putNull("code");
    } else {
      e.put("code", code);
    }
    return root.toString();
  }

  @Test
  void should_generate_with_chat_completions_sending_sampling_options_and_the_api_key() {
    // given
    server.then(Reply.json(chatCompletion("A query about lizards.", "stop")));
    GenerationOptions opts = new GenerationOptions(64, 0.7, 0.9, List.of("\n\n"), 42);

    // when
    List<Generation> out;
    try (OpenAiLanguageModel lm = client().build()) {
      out = lm.generate(List.of("Write a query for: geckos climb walls."), opts);
    }

    // then
    assertThat(out).singleElement().satisfies(g -> {
      assertThat(g.text()).isEqualTo("A query about lizards.");
      assertThat(g.finishReason()).isEqualTo("stop");
      assertThat(g.tokenIds()).isEmpty();
    });
    OpenAiLoopbackServer.Request req = server.requests().get(0);
    assertThat(req.method()).isEqualTo("POST");
    assertThat(req.path()).isEqualTo("/v1/chat/completions");
    assertThat(req.header("Authorization")).isEqualTo("Bearer sk-test-123");
    JsonNode body = req.body();
    assertThat(body.path("model").asText()).isEqualTo("meta-llama/Llama-3.1-8B-Instruct");
    assertThat(body.path("messages").get(0).path("role").asText()).isEqualTo("user");
    assertThat(body.path("messages").get(0).path("content").asText()).isEqualTo("Write a query for: geckos climb walls.");
    assertThat(body.path("max_tokens").asInt()).isEqualTo(64);
    assertThat(body.path("temperature").asDouble()).isEqualTo(0.7);
    assertThat(body.path("top_p").asDouble()).isEqualTo(0.9);
    assertThat(body.path("seed").asLong()).isEqualTo(42);
    assertThat(body.path("stop").get(0).asText()).isEqualTo("\n\n");
  }

  @Test
  void should_send_many_prompts_in_one_completions_request_and_order_choices_by_index() {
    // given: choices come back out of order, as servers may send them
    ObjectNode c1 = JSON.createObjectNode().put("index", 1).put("text", " second").put("finish_reason", "length");
    c1.putNull("logprobs");
    ObjectNode c0 = JSON.createObjectNode().put("index", 0).put("text", " first").put("finish_reason", "stop");
    c0.putNull("logprobs");
    ObjectNode c2 = JSON.createObjectNode().put("index", 2).put("text", " third").put("finish_reason", "stop");
    c2.putNull("logprobs");
    server.then(Reply.json(textCompletion(List.of(c1, c0, c2))));

    // when
    List<Generation> out;
    try (OpenAiLanguageModel lm = client().endpoint(Endpoint.COMPLETIONS).build()) {
      out = lm.generate(List.of("a", "b", "c"), GenerationOptions.greedy(8));
    }

    // then
    assertThat(out).extracting(Generation::text).containsExactly(" first", " second", " third");
    assertThat(out).extracting(Generation::finishReason).containsExactly("stop", "length", "stop");
    assertThat(server.requests()).hasSize(1);
    assertThat(server.requests().get(0).path()).isEqualTo("/v1/completions");
    assertThat(server.requests().get(0).body().path("prompt")).hasSize(3);
    assertThat(server.requests().get(0).body().path("temperature").asDouble()).isZero();
  }

  @Test
  void should_score_continuations_from_vllm_echo_logprobs_in_one_request() {
    // given: the probe, then one batched scoring request for two candidates
    List<String> paris = List.of("The", " capital", " of", " France", " is", " Paris", ".");
    List<Double> parisLp = java.util.Arrays.asList((Double) null, -9.42, -2.31, -0.12, -1.05, -0.84, -1.72);
    List<String> london = List.of("The", " capital", " of", " France", " is", " Lon", "don", ",");
    List<Double> londonLp = java.util.Arrays.asList((Double) null, -9.42, -2.31, -0.12, -1.05, -7.5, -0.25, -3.0);
    server.then(vllmProbeReply())
        .then(Reply.json(textCompletion(List.of(echoChoice(0, paris, parisLp), echoChoice(1, london, londonLp)))));

    // when
    List<ContinuationScore> scores;
    Capabilities caps;
    try (OpenAiLanguageModel lm = client().endpoint(Endpoint.COMPLETIONS).build()) {
      caps = lm.capabilities();
      scores = lm.score(List.of(
          new ScoreRequest("The capital of France is", " Paris"),
          new ScoreRequest("The capital of France is", " London")));
    }

    // then
    assertThat(caps.canScore()).isTrue();
    assertThat(scores.get(0).tokenLogProbabilities()).containsExactly(-0.84);
    assertThat(scores.get(1).tokenLogProbabilities()).containsExactly(-7.5, -0.25);
    assertThat(scores.get(1).logProbability()).isCloseTo(-7.75, within(1e-12));
    assertThat(server.requests()).hasSize(2);
    JsonNode body = server.requests().get(1).body();
    assertThat(body.path("echo").asBoolean()).isTrue();
    assertThat(body.path("logprobs").asInt()).isEqualTo(1);
    assertThat(body.path("max_tokens").asInt()).isEqualTo(1);
    assertThat(body.path("prompt").get(1).asText()).isEqualTo("The capital of France is London");
  }

  @Test
  void should_find_the_continuation_when_offsets_count_a_bos_piece_and_a_token_straddles_the_join() {
    // given: older vLLM counts the raw "<s>" piece (3 characters) in text_offset; "Lil" + "y"
    // is tokenised as " Lily", straddling the join, so that token is the continuation
    List<String> tokens = List.of("<s>", "Her", " name", " is", " Lily", ".");
    List<Double> lp = java.util.Arrays.asList((Double) null, -5.0, -1.5, -0.5, -2.25, -0.75);
    ObjectNode choice = echoChoice(0, tokens, lp);

    // when
    ContinuationScore s = OpenAiWire.continuationScore(new ScoreRequest("Her name is Lil", "y"),
        OpenAiWire.bind(choice, OpenAiWire.Choice.class, "the test"));

    // then
    assertThat(s.tokenLogProbabilities()).containsExactly(-2.25);
  }

  @Test
  void should_detect_once_that_a_llama_cpp_server_returns_no_prompt_logprobs_and_refuse_to_score() {
    // given: llama.cpp's /v1/completions answers echo+logprobs with the generated token only
    ObjectNode only = JSON.createObjectNode().put("index", 0).put("text", " Paris").put("finish_reason", "length");
    ObjectNode lp = only.putObject("logprobs");
    lp.putArray("text_offset").add(0);
    lp.putArray("token_logprobs").add(-0.84);
    lp.putArray("tokens").add(" Paris");
    lp.putArray("top_logprobs").addObject().put(" Paris", -0.84);
    server.then(Reply.json(textCompletion(List.of(only))));

    // when
    try (OpenAiLanguageModel lm = client().build()) {
      Capabilities first = lm.capabilities();
      Capabilities second = lm.capabilities();

      // then
      assertThat(first.canScore()).isFalse();
      assertThat(first.canGenerate()).isTrue();
      assertThat(first.scoreLimitation()).contains("no prompt log-probabilities").contains("top_logprobs");
      assertThat(second).isEqualTo(first);
      assertThat(server.requests()).hasSize(1);
      assertThatThrownBy(() -> lm.score(List.of(new ScoreRequest("a", "b"))))
          .isInstanceOf(UnsupportedOperationException.class)
          .hasMessageContaining("no prompt log-probabilities");
    }
  }

  @Test
  void should_report_no_scoring_when_the_server_rejects_echo() {
    // given: OpenAI rejects echo with logprobs on current models
    server.then(Reply.status(400, openAiError(
        "Echo is not supported with logprobs for this model.", "invalid_request_error", null), Map.of()));

    // when
    try (OpenAiLanguageModel lm = client().build()) {
      Capabilities caps = lm.capabilities();

      // then
      assertThat(caps.canScore()).isFalse();
      assertThat(caps.scoreLimitation()).contains("Echo is not supported");
    }
  }

  @Test
  void should_retry_a_503_with_full_jitter_backoff_and_then_succeed() {
    // given
    server.then(Reply.status(503, openAiError("The server is overloaded", "server_error", null), Map.of()))
        .then(Reply.status(502, "<html>Bad Gateway</html>", Map.of()))
        .then(Reply.json(chatCompletion("ok", "stop")));

    // when
    Generation g;
    try (OpenAiLanguageModel lm = client().backoff(Duration.ofMillis(500), Duration.ofSeconds(30)).build()) {
      g = lm.generate(List.of("hi"), GenerationOptions.greedy(4)).get(0);
    }

    // then
    assertThat(g.text()).isEqualTo("ok");
    assertThat(server.requests()).hasSize(3);
    assertThat(sleeps).hasSize(2);
    assertThat(sleeps.get(0)).isBetween(Duration.ZERO, Duration.ofMillis(500));
    assertThat(sleeps.get(1)).isBetween(Duration.ZERO, Duration.ofMillis(1000));
  }

  @Test
  void should_honour_retry_after_in_seconds_and_as_an_http_date_on_429() {
    // given
    Instant now = Instant.parse("2026-11-22T15:00:00Z");
    server.then(Reply.status(429, openAiError("Rate limit reached for requests", "requests", "rate_limit_exceeded"),
            Map.of("Retry-After", "7")))
        .then(Reply.status(429, openAiError("Rate limit reached for requests", "requests", "rate_limit_exceeded"),
            Map.of("Retry-After", "Sun, 22 Nov 2026 15:00:12 GMT")))
        .then(Reply.json(chatCompletion("ok", "stop")));

    // when
    try (OpenAiLanguageModel lm = client().clock(Clock.fixed(now, ZoneOffset.UTC)).build()) {
      lm.generate(List.of("hi"), GenerationOptions.greedy(4));
    }

    // then
    assertThat(sleeps).containsExactly(Duration.ofSeconds(7), Duration.ofSeconds(12));
  }

  @Test
  void should_fail_at_once_on_400_with_the_servers_error_message() {
    // given
    server.then(Reply.status(400, openAiError(
        "This model's maximum context length is 8192 tokens. However, you requested 9000 tokens.",
        "invalid_request_error", "context_length_exceeded"), Map.of()));

    // when / then
    try (OpenAiLanguageModel lm = client().build()) {
      assertThatThrownBy(() -> lm.generate(List.of("hi"), GenerationOptions.greedy(4)))
          .isInstanceOf(LanguageModelException.class)
          .hasMessageContaining("HTTP 400")
          .hasMessageContaining("maximum context length is 8192 tokens");
    }
    assertThat(server.requests()).hasSize(1);
    assertThat(sleeps).isEmpty();
  }

  @Test
  void should_give_up_after_max_retries_naming_the_last_failure() {
    // given
    server.otherwise(r -> Reply.status(500, openAiError("Internal error", "server_error", null), Map.of()));

    // when / then
    try (OpenAiLanguageModel lm = client().maxRetries(2).build()) {
      assertThatThrownBy(() -> lm.generate(List.of("hi"), GenerationOptions.greedy(4)))
          .isInstanceOf(LanguageModelException.class)
          .hasMessageContaining("HTTP 500")
          .hasMessageContaining("Internal error")
          .hasMessageContaining("3 attempts");
    }
    assertThat(server.requests()).hasSize(3);
  }

  @Test
  void should_retry_a_request_that_times_out() {
    // given: the first answer comes after the client's timeout
    server.then(new Reply(200, Map.of(), chatCompletion("late", "stop"), 8_000))
        .then(Reply.json(chatCompletion("on time", "stop")));

    // when
    Generation g;
    try (OpenAiLanguageModel lm = client().requestTimeout(Duration.ofMillis(1500)).maxRetries(1).build()) {
      g = lm.generate(List.of("hi"), GenerationOptions.greedy(4)).get(0);
    }

    // then
    assertThat(g.text()).isEqualTo("on time");
    assertThat(sleeps).hasSize(1);
  }

  @Test
  void should_report_a_timeout_after_the_last_retry() {
    // given
    server.otherwise(r -> new Reply(200, Map.of(), chatCompletion("late", "stop"), 2_000));

    // when / then
    try (OpenAiLanguageModel lm = client().requestTimeout(Duration.ofMillis(200)).maxRetries(0).build()) {
      assertThatThrownBy(() -> lm.generate(List.of("hi"), GenerationOptions.greedy(4)))
          .isInstanceOf(LanguageModelException.class)
          .hasMessageContaining("HttpTimeoutException");
    }
  }

  @Test
  void should_fail_on_malformed_json_and_on_empty_choices_without_retrying() {
    // given
    server.then(Reply.json("{\"id\": \"chatcmpl-1\", \"choices\": [")).then(Reply.json(
        "{\"id\":\"chatcmpl-2\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"m\",\"choices\":[]}"));

    // when / then
    try (OpenAiLanguageModel lm = client().build()) {
      assertThatThrownBy(() -> lm.generate(List.of("hi"), GenerationOptions.greedy(4)))
          .isInstanceOf(LanguageModelException.class)
          .hasMessageContaining("malformed JSON");
      assertThatThrownBy(() -> lm.generate(List.of("hi"), GenerationOptions.greedy(4)))
          .isInstanceOf(LanguageModelException.class)
          .hasMessageContaining("no choices");
    }
    assertThat(server.requests()).hasSize(2);
  }

  @Test
  void should_read_label_log_probabilities_from_the_first_tokens_top_logprobs() {
    // given: an OpenAI chat completion with logprobs: true, top_logprobs: 20
    ObjectNode root = (ObjectNode) readTree(chatCompletion("Yes", "length"));
    ObjectNode choice = (ObjectNode) root.path("choices").get(0);
    ObjectNode content = choice.putObject("logprobs").putArray("content").addObject();
    content.put("token", "Yes").put("logprob", -0.31725305);
    content.putArray("bytes").add(89).add(101).add(115);
    ArrayNode top = content.putArray("top_logprobs");
    top.addObject().put("token", "Yes").put("logprob", -0.31725305).putArray("bytes").add(89).add(101).add(115);
    top.addObject().put("token", "No").put("logprob", -1.5190403).putArray("bytes").add(78).add(111);
    top.addObject().put("token", " Yes").put("logprob", -3.0).putArray("bytes").add(32).add(89).add(101).add(115);
    server.then(Reply.json(root.toString()));

    // when
    Map<String, Double> labels;
    try (OpenAiLanguageModel lm = client().build()) {
      labels = lm.labelLogProbabilities(List.of("Is this passage relevant? Answer Yes or No."),
          List.of("Yes", "No", "Maybe")).get(0);
    }

    // then
    double yes = Math.log(Math.exp(-0.31725305) + Math.exp(-3.0));
    assertThat(labels.get("Yes")).isCloseTo(yes, within(1e-12));
    assertThat(labels.get("No")).isCloseTo(-1.5190403, within(1e-12));
    assertThat(labels.get("Maybe")).isEqualTo(Double.NEGATIVE_INFINITY);
    JsonNode body = server.requests().get(0).body();
    assertThat(body.path("logprobs").asBoolean()).isTrue();
    assertThat(body.path("top_logprobs").asInt()).isEqualTo(20);
    assertThat(body.path("max_tokens").asInt()).isEqualTo(1);
  }

  @Test
  void should_configure_from_the_environment_and_ask_the_server_for_its_model() {
    // given
    server.then(Reply.json("{\"object\":\"list\",\"data\":[{\"id\":\"Qwen/Qwen2.5-7B-Instruct\",\"object\":\"model\","
        + "\"created\":1718000000,\"owned_by\":\"vllm\",\"root\":\"Qwen/Qwen2.5-7B-Instruct\",\"parent\":null,"
        + "\"max_model_len\":32768}]}"))
        .then(Reply.json(chatCompletion("ok", "stop")));

    // when
    try (OpenAiLanguageModel lm = OpenAiLanguageModel.fromEnvironment(
        Map.of("OPENAI_BASE_URL", server.baseUrl(), "OPENAI_API_KEY", "sk-env")).sleeper(sleeps::add).build()) {
      lm.generate(List.of("hi"), GenerationOptions.greedy(2));

      // then
      assertThat(lm.model()).isEqualTo("Qwen/Qwen2.5-7B-Instruct");
      assertThat(lm.name()).contains("Qwen/Qwen2.5-7B-Instruct");
    }
    assertThat(server.requests().get(0).method()).isEqualTo("GET");
    assertThat(server.requests().get(0).path()).isEqualTo("/v1/models");
    assertThat(server.requests().get(1).header("Authorization")).isEqualTo("Bearer sk-env");
    assertThat(server.requests().get(1).body().path("model").asText()).isEqualTo("Qwen/Qwen2.5-7B-Instruct");
  }

  @Test
  void should_reject_invalid_configuration_and_arguments() {
    assertThatThrownBy(() -> OpenAiLanguageModel.builder().baseUrl("localhost:8000"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("localhost:8000");
    assertThatThrownBy(() -> OpenAiLanguageModel.builder().maxRetries(-1))
        .hasMessageContaining("maxRetries must be between 0 and 100, but is: -1");
    assertThatThrownBy(() -> OpenAiLanguageModel.builder().build()).isInstanceOf(IllegalStateException.class);
    try (OpenAiLanguageModel lm = client().build()) {
      assertThatThrownBy(() -> lm.generate(java.util.Arrays.asList("a", null), GenerationOptions.greedy(1)))
          .hasMessageContaining("prompts[1]");
      lm.close();
      assertThatThrownBy(() -> lm.generate(List.of("a"), GenerationOptions.greedy(1)))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }
    assertThat(server.requests()).isEmpty();
  }

  @Test
  void should_keep_at_most_max_concurrency_chat_requests_in_flight() {
    // given: each answer takes a while, so parallel requests overlap on the server
    server.otherwise(r -> new Reply(200, Map.of(),
        chatCompletion("echo: " + r.body().path("messages").get(0).path("content").asText(), "stop"), 150));
    List<String> prompts = List.of("p0", "p1", "p2", "p3", "p4", "p5");

    // when
    List<Generation> out;
    try (OpenAiLanguageModel lm = client().maxConcurrency(2).build()) {
      out = lm.generate(prompts, GenerationOptions.greedy(4));
    }

    // then
    assertThat(out).extracting(Generation::text)
        .containsExactly("echo: p0", "echo: p1", "echo: p2", "echo: p3", "echo: p4", "echo: p5");
    assertThat(server.requests()).hasSize(6);
    assertThat(server.maxInFlight()).isBetween(1, 2);
  }

  @Test
  void should_read_label_log_probabilities_from_completions_top_logprobs() {
    // given: a text_completion with logprobs: 5 (OpenAI's legacy shape: a map per position)
    ObjectNode c = JSON.createObjectNode().put("index", 0).put("text", " No").put("finish_reason", "length");
    ObjectNode lp = c.putObject("logprobs");
    lp.putArray("tokens").add(" No");
    lp.putArray("token_logprobs").add(-0.2);
    lp.putArray("text_offset").add(40);
    lp.putArray("top_logprobs").addObject().put(" No", -0.2).put(" Yes", -1.8).put("No", -4.0);
    server.then(Reply.json(textCompletion(List.of(c))));

    // when
    Map<String, Double> labels;
    try (OpenAiLanguageModel lm = client().endpoint(Endpoint.COMPLETIONS).topLogprobs(5).build()) {
      labels = lm.labelLogProbabilities(List.of("Relevant? Answer Yes or No. Answer:"), List.of("Yes", "No")).get(0);
    }

    // then
    assertThat(labels.get("Yes")).isCloseTo(-1.8, within(1e-12));
    assertThat(labels.get("No")).isCloseTo(Math.log(Math.exp(-0.2) + Math.exp(-4.0)), within(1e-12));
    assertThat(server.requests().get(0).body().path("logprobs").asInt()).isEqualTo(5);
  }

  private static JsonNode readTree(String s) {
    try {
      return JSON.readTree(s);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
