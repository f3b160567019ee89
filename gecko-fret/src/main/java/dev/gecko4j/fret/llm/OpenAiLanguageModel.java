package dev.gecko4j.fret.llm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gecko4j.core.lm.Capabilities;
import dev.gecko4j.core.lm.ContinuationScore;
import dev.gecko4j.core.lm.Generation;
import dev.gecko4j.core.lm.GenerationOptions;
import dev.gecko4j.core.lm.LanguageModel;
import dev.gecko4j.core.lm.LanguageModelException;
import dev.gecko4j.core.lm.ScoreRequest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.random.RandomGenerator;

/**
 * A {@link LanguageModel} that talks to an OpenAI-compatible HTTP server (OpenAI, vLLM, llama.cpp's
 * {@code llama-server}, ...) with {@code java.net.http} and Jackson.
 *
 * <h2>Generation</h2>
 *
 * <p>{@link Endpoint#CHAT}: {@code POST {baseUrl}/chat/completions}, the prompt as one user message,
 * one request per prompt, run concurrently (at most {@link Builder#maxConcurrency(int)} in flight).
 * {@link Endpoint#COMPLETIONS}: {@code POST {baseUrl}/completions} with the prompts as a list, so N
 * prompts cost one request (chunked by {@link Builder#maxBatchSize(int)}). Both send {@code
 * temperature}, {@code top_p}, {@code max_tokens}, {@code seed} and {@code stop}.
 *
 * <h2>Scoring</h2>
 *
 * <p>{@link #score} needs the log-probabilities of <em>prompt</em> tokens. It sends {@code
 * prompt + continuation} to {@code /completions} with {@code echo: true, logprobs: 1, max_tokens: 1}
 * (vLLM rejects {@code max_tokens: 0}; the one generated token is ignored) and reads {@code
 * choices[i].logprobs.token_logprobs} and {@code text_offset}. The continuation's tokens are those
 * whose text span ends after the prompt (in Unicode code points, which is what Python servers count):
 * a token straddling the join is scored as part of the continuation, as {@code
 * OnnxCausalLanguageModel} does. All requests go in one HTTP request (chunked by {@link
 * Builder#maxBatchSize(int)}).
 *
 * <p>Whether the server does this is detected by one probe request, cached ({@link #capabilities()}):
 * vLLM does; OpenAI's current models and llama.cpp's server do not (llama.cpp returns
 * log-probabilities of generated tokens only, also with {@code echo}; its native {@code /completion}
 * {@code n_probs} is likewise per generated token). Without it, {@link #score} throws {@link
 * UnsupportedOperationException} saying so, and {@link #labelLogProbabilities} is the way to rank:
 * it reads the first generated token's {@code top_logprobs} (chat: {@code logprobs: true,
 * top_logprobs: N}; completions: {@code logprobs: N}), which every one of these servers supports, for
 * short labels such as {@code "Yes"} / {@code "No"}.
 *
 * <h2>Failures</h2>
 *
 * <p>HTTP 429, 5xx and I/O errors (including timeouts) are retried up to {@link
 * Builder#maxRetries(int)} times with exponential backoff and full jitter, or after the server's
 * {@code Retry-After} (seconds or HTTP date) or {@code retry-after-ms}. Other 4xx fail at once with a
 * {@link LanguageModelException} carrying the server's {@code error.message}. Malformed JSON and empty
 * {@code choices} fail at once.
 *
 * <p>Thread-safe. {@link #close()} shuts the worker threads down; it is idempotent.
 */
public final class OpenAiLanguageModel implements LanguageModel {

  private static final System.Logger LOG = System.getLogger(OpenAiLanguageModel.class.getName());
  /** A reply with anything after its JSON object (two objects, garbage) is malformed. */
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final String PROBE_PROMPT = "The capital of France is";

  private final URI baseUri;
  private final String apiKey;
  private final Endpoint endpoint;
  private final Duration requestTimeout;
  private final int maxRetries;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final int maxBatchSize;
  private final int topLogprobs;
  private final Semaphore permits;
  private final Sleeper sleeper;
  private final Clock clock;
  private final RandomGenerator random;
  private final HttpClient http;
  private final ExecutorService workers;
  private final Boolean forcedScoring;
  private volatile String model;
  private volatile Capabilities capabilities;
  private volatile boolean closed;

  private OpenAiLanguageModel(Builder b) {
    String base = b.baseUrl.endsWith("/") ? b.baseUrl.substring(0, b.baseUrl.length() - 1) : b.baseUrl;
    this.baseUri = URI.create(base);
    this.apiKey = b.apiKey;
    this.model = b.model;
    this.endpoint = b.endpoint;
    this.requestTimeout = b.requestTimeout;
    this.maxRetries = b.maxRetries;
    this.initialBackoff = b.initialBackoff;
    this.maxBackoff = b.maxBackoff;
    this.maxBatchSize = b.maxBatchSize;
    this.topLogprobs = b.topLogprobs;
    this.permits = new Semaphore(b.maxConcurrency, true);
    this.sleeper = b.sleeper;
    this.clock = b.clock;
    this.random = b.random;
    this.forcedScoring = b.scoring;
    this.workers = JdkThreads.virtualOrCached("gecko-openai");
    this.http = HttpClient.newBuilder()
        .connectTimeout(b.connectTimeout)
        .version(HttpClient.Version.HTTP_1_1)
        .executor(workers)
        .build();
  }

  /**
   * Starts a builder with nothing set.
   *
   * @return a builder; {@link Builder#baseUrl(String)} is required
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts a builder from the process environment: {@code OPENAI_BASE_URL} (default {@code
   * http://localhost:8000/v1}), {@code OPENAI_API_KEY} (optional) and {@code GECKO_LLM_MODEL}
   * (optional; without it the first model of {@code GET /models} is used).
   *
   * @return a builder; its values can still be overridden
   */
  public static Builder fromEnvironment() {
    return fromEnvironment(System.getenv());
  }

  /**
   * Starts a builder from the given environment map (see {@link #fromEnvironment()}).
   *
   * @param env the variables; not null
   * @return a builder
   * @throws IllegalArgumentException if {@code env} is null
   */
  public static Builder fromEnvironment(Map<String, String> env) {
    if (env == null) {
      throw new IllegalArgumentException("env must not be null");
    }
    Builder b = new Builder();
    b.baseUrl(Optional.ofNullable(env.get("OPENAI_BASE_URL")).filter(s -> !s.isBlank())
        .orElse("http://localhost:8000/v1"));
    String key = env.get("OPENAI_API_KEY");
    if (key != null && !key.isBlank()) {
      b.apiKey(key);
    }
    String m = env.get("GECKO_LLM_MODEL");
    if (m != null && !m.isBlank()) {
      b.model(m);
    }
    return b;
  }

  /** Builder for {@link OpenAiLanguageModel}; every setter validates its argument. */
  public static final class Builder {
    private String baseUrl;
    private String apiKey;
    private String model;
    private Endpoint endpoint = Endpoint.CHAT;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration requestTimeout = Duration.ofSeconds(120);
    private int maxRetries = 5;
    private Duration initialBackoff = Duration.ofMillis(500);
    private Duration maxBackoff = Duration.ofSeconds(30);
    private int maxConcurrency = 8;
    private int maxBatchSize = 32;
    private int topLogprobs = 20;
    private Sleeper sleeper = Sleeper.SYSTEM;
    private Clock clock = Clock.systemUTC();
    private RandomGenerator random = RandomGenerator.getDefault();
    private Boolean scoring;

    private Builder() {}

    /**
     * Sets the API base URL, the part before {@code /chat/completions}, e.g. {@code
     * http://localhost:8000/v1}.
     *
     * @param url an absolute http or https URL
     * @return this builder
     * @throws IllegalArgumentException if {@code url} is null or not an http(s) URL
     */
    public Builder baseUrl(String url) {
      URI u;
      try {
        u = url == null ? null : URI.create(url);
      } catch (IllegalArgumentException e) {
        u = null;
      }
      if (u == null || u.getScheme() == null || u.getHost() == null
          || !(u.getScheme().equals("http") || u.getScheme().equals("https"))) {
        throw new IllegalArgumentException(
            "baseUrl must be an absolute http(s) URL such as http://localhost:8000/v1, but is: " + url);
      }
      this.baseUrl = url;
      return this;
    }

    /**
     * Sets the API key, sent as {@code Authorization: Bearer <key>} (default: no header).
     *
     * @param key a non-blank key
     * @return this builder
     * @throws IllegalArgumentException if {@code key} is null or blank
     */
    public Builder apiKey(String key) {
      if (key == null || key.isBlank()) {
        throw new IllegalArgumentException("apiKey must be a non-blank string, but is: " + (key == null ? "null" : "blank"));
      }
      this.apiKey = key;
      return this;
    }

    /**
     * Sets the model name sent in every request (default: the first model of {@code GET /models}).
     *
     * @param name a non-blank model name
     * @return this builder
     * @throws IllegalArgumentException if {@code name} is null or blank
     */
    public Builder model(String name) {
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException("model must be a non-blank string, but is: " + name);
      }
      this.model = name;
      return this;
    }

    /**
     * Sets the endpoint used for generation (default {@link Endpoint#CHAT}).
     *
     * @param e the endpoint; not null
     * @return this builder
     * @throws IllegalArgumentException if {@code e} is null
     */
    public Builder endpoint(Endpoint e) {
      if (e == null) {
        throw new IllegalArgumentException("endpoint must not be null");
      }
      this.endpoint = e;
      return this;
    }

    /**
     * Sets the TCP connect timeout (default 10 s).
     *
     * @param d positive duration
     * @return this builder
     * @throws IllegalArgumentException if {@code d} is null, zero or negative
     */
    public Builder connectTimeout(Duration d) {
      this.connectTimeout = positive("connectTimeout", d);
      return this;
    }

    /**
     * Sets the timeout of one HTTP exchange, from sending the request until the whole response
     * body has arrived (default 120 s): a server that sends headers and then stalls the body is cut
     * off at this deadline too. A timeout counts as an I/O error and is retried.
     *
     * @param d positive duration
     * @return this builder
     * @throws IllegalArgumentException if {@code d} is null, zero or negative
     */
    public Builder requestTimeout(Duration d) {
      this.requestTimeout = positive("requestTimeout", d);
      return this;
    }

    /**
     * Sets how many times a failed request (429, 5xx, I/O error) is retried (default 5).
     *
     * @param n between 0 and 100
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder maxRetries(int n) {
      if (n < 0 || n > 100) {
        throw new IllegalArgumentException("maxRetries must be between 0 and 100, but is: " + n);
      }
      this.maxRetries = n;
      return this;
    }

    /**
     * Sets the backoff: retry {@code k} (from 0) waits a uniformly random time in {@code [0,
     * min(max, initial * 2^k)]} (full jitter), unless the server sends {@code Retry-After}.
     *
     * @param initial the first cap, positive
     * @param max the largest cap, at least {@code initial}
     * @return this builder
     * @throws IllegalArgumentException if either is null or not positive, or {@code max < initial}
     */
    public Builder backoff(Duration initial, Duration max) {
      positive("initial backoff", initial);
      positive("max backoff", max);
      if (max.compareTo(initial) < 0) {
        throw new IllegalArgumentException(
            "max backoff must be >= initial backoff " + initial + ", but is: " + max);
      }
      this.initialBackoff = initial;
      this.maxBackoff = max;
      return this;
    }

    /**
     * Sets the most HTTP requests in flight at once (default 8), a {@link Semaphore}.
     *
     * @param n between 1 and 1024
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder maxConcurrency(int n) {
      if (n < 1 || n > 1024) {
        throw new IllegalArgumentException("maxConcurrency must be between 1 and 1024, but is: " + n);
      }
      this.maxConcurrency = n;
      return this;
    }

    /**
     * Sets the most prompts per {@code /completions} request (default 32).
     *
     * @param n between 1 and 2048
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder maxBatchSize(int n) {
      if (n < 1 || n > 2048) {
        throw new IllegalArgumentException("maxBatchSize must be between 1 and 2048, but is: " + n);
      }
      this.maxBatchSize = n;
      return this;
    }

    /**
     * Sets how many alternatives {@link #labelLogProbabilities} asks for (default 20, OpenAI's
     * maximum for chat; the legacy completions endpoint allows at most 5 on OpenAI).
     *
     * @param n between 1 and 20
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder topLogprobs(int n) {
      if (n < 1 || n > 20) {
        throw new IllegalArgumentException("topLogprobs must be between 1 and 20, but is: " + n);
      }
      this.topLogprobs = n;
      return this;
    }

    /**
     * Declares whether the server returns prompt log-probabilities, skipping the probe request
     * (default: probe once, on first need).
     *
     * @param supported true for servers such as vLLM, false for OpenAI or llama.cpp
     * @return this builder
     */
    public Builder scoringSupported(boolean supported) {
      this.scoring = supported;
      return this;
    }

    /**
     * Sets what waits between retries (tests pass one that returns at once).
     *
     * @param s the sleeper; not null
     * @return this builder
     * @throws IllegalArgumentException if {@code s} is null
     */
    public Builder sleeper(Sleeper s) {
      if (s == null) {
        throw new IllegalArgumentException("sleeper must not be null");
      }
      this.sleeper = s;
      return this;
    }

    /**
     * Sets the clock that HTTP-date {@code Retry-After} values are measured against.
     *
     * @param c the clock; not null
     * @return this builder
     * @throws IllegalArgumentException if {@code c} is null
     */
    public Builder clock(Clock c) {
      if (c == null) {
        throw new IllegalArgumentException("clock must not be null");
      }
      this.clock = c;
      return this;
    }

    /**
     * Sets the random source of the backoff jitter.
     *
     * @param r the generator; not null
     * @return this builder
     * @throws IllegalArgumentException if {@code r} is null
     */
    public Builder random(RandomGenerator r) {
      if (r == null) {
        throw new IllegalArgumentException("random must not be null");
      }
      this.random = r;
      return this;
    }

    /**
     * Builds the client (no request is sent yet).
     *
     * @return the client; close it
     * @throws IllegalStateException if no base URL was set
     */
    public OpenAiLanguageModel build() {
      if (baseUrl == null) {
        throw new IllegalStateException("baseUrl must be set (e.g. http://localhost:8000/v1)");
      }
      return new OpenAiLanguageModel(this);
    }

    private static Duration positive(String what, Duration d) {
      if (d == null || d.isZero() || d.isNegative()) {
        throw new IllegalArgumentException(what + " must be a positive duration, but is: " + d);
      }
      return d;
    }
  }

  // ----------------------------------------------------------------------------------- the SPI

  /** Returns {@code openai:<model>@<base url>} (the model as resolved so far). */
  @Override
  public String name() {
    return "openai:" + (model == null ? "?" : model) + "@" + baseUri;
  }

  /**
   * Returns the model name, asking {@code GET /models} for the first one if none was configured.
   *
   * @return the model name
   * @throws LanguageModelException if the server cannot be asked or lists no model
   */
  public String model() {
    String m = model;
    if (m == null) {
      synchronized (this) {
        if (model == null) {
          JsonNode list = send("GET", "/models", null);
          JsonNode first = list.path("data").path(0).path("id");
          if (!first.isTextual()) {
            throw new LanguageModelException("GET " + baseUri + "/models lists no model (no data[0].id); "
                + "set the model explicitly (builder model(...) or GECKO_LLM_MODEL)");
          }
          model = first.asText();
          LOG.log(System.Logger.Level.INFO, "using model {0} from {1}/models", model, baseUri);
        }
        m = model;
      }
    }
    return m;
  }

  /**
   * Returns what the server can do. The first call probes {@code /completions} with {@code echo:
   * true, logprobs: 1} (unless {@link Builder#scoringSupported(boolean)} said) and caches a definite
   * answer; a probe that fails with an I/O error or 5xx is reported but not cached.
   */
  @Override
  public Capabilities capabilities() {
    ensureOpen();
    Capabilities c = capabilities;
    if (c != null) {
      return c;
    }
    if (forcedScoring != null) {
      c = forcedScoring
          ? new Capabilities(true, true, "")
          : new Capabilities(true, false, "configured as unable to return prompt log-probabilities; "
              + "use labelLogProbabilities (first-token top_logprobs)");
      capabilities = c;
      return c;
    }
    synchronized (this) {
      if (capabilities != null) {
        return capabilities;
      }
      try {
        JsonNode r = send("POST", "/completions", scoreBody(List.of(PROBE_PROMPT)));
        // a reply without choices[0].text is malformed, which says nothing about log-probabilities:
        // it fails below as a LanguageModelException (reported, not cached)
        JsonNode choice = choices(r, 1, "POST " + baseUri + "/completions (scoring probe)").get(0);
        if (!choice.path("text").isTextual()) {
          throw new LanguageModelException("POST " + baseUri + "/completions (scoring probe) returned"
              + " a choice without text: " + abbreviate(choice.toString()));
        }
        JsonNode lp = choice.path("logprobs");
        int entries = lp.path("token_logprobs").size();
        String text = choice.path("text").asText("");
        if (text.startsWith(PROBE_PROMPT) && entries >= 2 && lp.path("text_offset").size() == entries) {
          capabilities = new Capabilities(true, true, "");
        } else {
          capabilities = new Capabilities(true, false, String.format(Locale.ROOT,
              "server returns no prompt log-probabilities (POST /completions with echo:true, logprobs:1 "
                  + "gave %d logprob entries%s); only first-token top_logprobs (labelLogProbabilities)",
              entries, text.startsWith(PROBE_PROMPT) ? "" : " and did not echo the prompt"));
        }
      } catch (ServerRejected e) {
        if (e.status == 401 || e.status == 403) {
          // a bad key says nothing about what the server can do: do not cache
          return new Capabilities(true, false, "scoring probe was refused: " + e.getMessage());
        }
        capabilities = new Capabilities(true, false,
            "server rejected POST /completions with echo:true, logprobs:1 (" + e.getMessage()
                + "); only first-token top_logprobs (labelLogProbabilities)");
      } catch (LanguageModelException e) {
        LOG.log(System.Logger.Level.WARNING, "scoring probe failed, will try again: " + e.getMessage());
        return new Capabilities(true, false, "scoring probe failed: " + e.getMessage());
      }
      LOG.log(System.Logger.Level.INFO, "{0}: {1}", baseUri, capabilities);
      return capabilities;
    }
  }

  @Override
  public List<Generation> generate(List<String> prompts, GenerationOptions options) {
    checkList("prompts", prompts);
    if (options == null) {
      throw new IllegalArgumentException("options must not be null");
    }
    ensureOpen();
    if (prompts.isEmpty()) {
      return List.of();
    }
    String m = model();
    if (endpoint == Endpoint.COMPLETIONS) {
      List<List<String>> chunks = chunks(prompts);
      List<List<Generation>> parts = parallel(chunks, chunk -> {
        ObjectNode body = samplingBody(m, options);
        ArrayNode ps = body.putArray("prompt");
        chunk.forEach(ps::add);
        JsonNode r = send("POST", "/completions", body);
        List<JsonNode> choices = choices(r, chunk.size(), "/completions");
        List<Generation> out = new ArrayList<>(chunk.size());
        for (JsonNode c : choices) {
          out.add(generation(c.path("text"), c, "/completions", options));
        }
        return out;
      });
      return parts.stream().flatMap(List::stream).toList();
    }
    return parallel(prompts, p -> {
      ObjectNode body = samplingBody(m, options);
      body.putArray("messages").addObject().put("role", "user").put("content", p);
      JsonNode r = send("POST", "/chat/completions", body);
      JsonNode c = choices(r, 1, "/chat/completions").get(0);
      return generation(c.path("message").path("content"), c, "/chat/completions", options);
    });
  }

  /**
   * {@inheritDoc}
   *
   * <p>Sends all requests in {@code ceil(n / maxBatchSize)} {@code /completions} requests with
   * {@code echo: true, logprobs: 1, max_tokens: 1}.
   */
  @Override
  public List<ContinuationScore> score(List<ScoreRequest> requests) {
    checkList("requests", requests);
    ensureOpen();
    Capabilities c = capabilities();
    if (!c.canScore()) {
      throw new UnsupportedOperationException("cannot score continuations with " + name() + ": "
          + c.scoreLimitation());
    }
    if (requests.isEmpty()) {
      return List.of();
    }
    String m = model();
    List<List<ScoreRequest>> chunks = chunks(requests);
    List<List<ContinuationScore>> parts = parallel(chunks, chunk -> {
      List<String> texts = chunk.stream().map(r -> r.prompt() + r.continuation()).toList();
      ObjectNode body = scoreBody(texts);
      body.put("model", m);
      JsonNode resp = send("POST", "/completions", body);
      List<JsonNode> choices = choices(resp, chunk.size(), "/completions");
      List<ContinuationScore> out = new ArrayList<>(chunk.size());
      for (int i = 0; i < chunk.size(); i++) {
        out.add(continuationScore(chunk.get(i), choices.get(i)));
      }
      return out;
    });
    return parts.stream().flatMap(List::stream).toList();
  }

  /**
   * Returns, for each prompt, the log-probability of each label as the <em>first</em> generated
   * token, read from that token's {@code top_logprobs} (chat: {@code logprobs: true, top_logprobs:
   * N}; completions: {@code logprobs: N}; {@code max_tokens: 1}, temperature 0). Alternatives that
   * equal a label after trimming white space ({@code "Yes"}, {@code " Yes"}) are added up
   * (log-sum-exp). A label not among the top N gets {@link Double#NEGATIVE_INFINITY}. Meant for
   * short labels that are one token each, as in relevance classification; a multi-token label is
   * matched only by its first token's text, so use {@link #score} for those where the server can.
   *
   * @param prompts the prompts; not null, no null element
   * @param labels the labels, non-empty, distinct after trimming
   * @return one map per prompt, label to natural-log probability, in label order
   * @throws IllegalArgumentException if an argument is null or a label blank
   * @throws LanguageModelException if the server fails or returns no top_logprobs
   */
  @Override
  public List<Map<String, Double>> labelLogProbabilities(List<String> prompts, List<String> labels) {
    checkList("prompts", prompts);
    checkList("labels", labels);
    if (labels.isEmpty()) {
      throw new IllegalArgumentException("labels must not be empty");
    }
    for (int i = 0; i < labels.size(); i++) {
      if (labels.get(i).isBlank()) {
        throw new IllegalArgumentException("labels[" + i + "] must not be blank");
      }
    }
    ensureOpen();
    String m = model();
    GenerationOptions one = GenerationOptions.greedy(1);
    if (endpoint == Endpoint.COMPLETIONS) {
      List<List<Map<String, Double>>> parts = parallel(chunks(prompts), chunk -> {
        ObjectNode body = samplingBody(m, one);
        chunk.forEach(body.putArray("prompt")::add);
        body.put("logprobs", topLogprobs);
        JsonNode r = send("POST", "/completions", body);
        List<Map<String, Double>> out = new ArrayList<>();
        for (JsonNode c : choices(r, chunk.size(), "/completions")) {
          JsonNode top = c.path("logprobs").path("top_logprobs").path(0);
          if (!top.isObject()) {
            throw new LanguageModelException("/completions returned no logprobs.top_logprobs[0] for "
                + "label scoring; the server does not support logprobs");
          }
          Map<String, Double> alts = new LinkedHashMap<>();
          top.properties().forEach(e -> alts.put(e.getKey(), e.getValue().asDouble()));
          out.add(matchLabels(alts, labels));
        }
        return out;
      });
      return parts.stream().flatMap(List::stream).toList();
    }
    return parallel(prompts, p -> {
      ObjectNode body = samplingBody(m, one);
      body.putArray("messages").addObject().put("role", "user").put("content", p);
      body.put("logprobs", true);
      body.put("top_logprobs", topLogprobs);
      JsonNode r = send("POST", "/chat/completions", body);
      JsonNode c = choices(r, 1, "/chat/completions").get(0);
      JsonNode top = c.path("logprobs").path("content").path(0).path("top_logprobs");
      if (!top.isArray() || top.isEmpty()) {
        throw new LanguageModelException("/chat/completions returned no logprobs.content[0].top_logprobs "
            + "for label scoring; the server does not support logprobs");
      }
      Map<String, Double> alts = new LinkedHashMap<>();
      for (JsonNode t : top) {
        alts.merge(t.path("token").asText(), t.path("logprob").asDouble(), OpenAiLanguageModel::logAdd);
      }
      return matchLabels(alts, labels);
    });
  }

  /** Shuts the worker threads down; idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    JdkThreads.shutdownNow(http);
    workers.shutdownNow();
  }

  // --------------------------------------------------------------------------------- internals

  /** A 4xx (other than 429) answer: not retried. */
  private static final class ServerRejected extends LanguageModelException {
    private static final long serialVersionUID = 1L;
    private final int status;

    ServerRejected(int status, String message) {
      super(message);
      this.status = status;
    }
  }

  private interface Task<T, R> {
    R apply(T t);
  }

  private <T, R> List<R> parallel(List<T> items, Task<T, R> task) {
    if (items.size() == 1) {
      return List.of(task.apply(items.get(0)));
    }
    List<Future<R>> futures = new ArrayList<>(items.size());
    for (T item : items) {
      futures.add(workers.submit(() -> task.apply(item)));
    }
    List<R> out = new ArrayList<>(items.size());
    try {
      for (Future<R> f : futures) {
        out.add(f.get());
      }
    } catch (InterruptedException e) {
      futures.forEach(f -> f.cancel(true));
      Thread.currentThread().interrupt();
      throw new LanguageModelException("interrupted while waiting for " + baseUri, e);
    } catch (ExecutionException e) {
      futures.forEach(f -> f.cancel(true));
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new LanguageModelException(e.getCause().getMessage(), e.getCause());
    }
    return out;
  }

  private <T> List<List<T>> chunks(List<T> items) {
    List<List<T>> out = new ArrayList<>();
    for (int i = 0; i < items.size(); i += maxBatchSize) {
      out.add(items.subList(i, Math.min(items.size(), i + maxBatchSize)));
    }
    return out;
  }

  private ObjectNode samplingBody(String m, GenerationOptions o) {
    ObjectNode body = JSON.createObjectNode();
    body.put("model", m);
    body.put("max_tokens", o.maxNewTokens());
    body.put("temperature", o.temperature());
    body.put("top_p", o.topP());
    body.put("seed", o.seed());
    if (!o.stop().isEmpty()) {
      o.stop().forEach(body.putArray("stop")::add);
    }
    return body;
  }

  private ObjectNode scoreBody(List<String> texts) {
    ObjectNode body = JSON.createObjectNode();
    if (model != null) {
      body.put("model", model);
    } else {
      body.put("model", model());
    }
    ArrayNode ps = body.putArray("prompt");
    texts.forEach(ps::add);
    body.put("echo", true);
    body.put("logprobs", 1);
    body.put("max_tokens", 1);
    body.put("temperature", 0.0);
    return body;
  }

  private static List<JsonNode> choices(JsonNode r, int expected, String path) {
    JsonNode cs = r.path("choices");
    if (!cs.isArray() || cs.isEmpty()) {
      throw new LanguageModelException(path + " returned no choices (expected " + expected + "): "
          + abbreviate(r.toString()));
    }
    JsonNode[] byIndex = new JsonNode[expected];
    int pos = 0;
    for (JsonNode c : cs) {
      int idx = c.path("index").isInt() ? c.path("index").asInt() : pos;
      pos++;
      if (idx < 0 || idx >= expected) {
        throw new LanguageModelException(String.format(Locale.ROOT,
            "%s returned a choice with index %d, expected 0 to %d", path, idx, expected - 1));
      }
      byIndex[idx] = c;
    }
    for (int i = 0; i < expected; i++) {
      if (byIndex[i] == null) {
        throw new LanguageModelException(String.format(Locale.ROOT,
            "%s returned %d choices, but %d prompts were sent (choice %d is missing)", path, cs.size(), expected, i));
      }
    }
    return List.of(byIndex);
  }

  private static Generation generation(JsonNode text, JsonNode choice, String path, GenerationOptions o) {
    if (!text.isTextual()) {
      throw new LanguageModelException(path + " returned a choice without text: " + abbreviate(choice.toString()));
    }
    String t = text.asText();
    String finish = choice.path("finish_reason").isTextual() ? choice.path("finish_reason").asText() : "stop";
    // Servers stop at stop strings and leave them out; cut again in case one leaves one in.
    for (String s : o.stop()) {
      int at = t.indexOf(s);
      if (at >= 0) {
        t = t.substring(0, at);
        finish = "stop";
      }
    }
    return new Generation(t, List.of(), finish);
  }

  /**
   * Sums the token log-probabilities of the continuation, found by text offsets in code points.
   *
   * <p>The last entry is the one generated token ({@code max_tokens: 1}); its offset is where the
   * server's echoed text ends. Servers differ in what they count (older vLLM counts raw pieces,
   * including a BOS {@code "<s>"}), so offsets are taken relative to that end: the prompt ends at
   * {@code lastOffset - (codePoints(prompt + continuation) - codePoints(prompt))}.
   */
  static ContinuationScore continuationScore(ScoreRequest req, JsonNode choice) {
    JsonNode lp = choice.path("logprobs");
    JsonNode values = lp.path("token_logprobs");
    JsonNode offsets = lp.path("text_offset");
    if (!values.isArray() || !offsets.isArray() || values.size() != offsets.size() || values.size() < 2) {
      throw new LanguageModelException("/completions returned no usable logprobs (token_logprobs and "
          + "text_offset of equal length, prompt tokens included) for scoring: " + abbreviate(choice.toString()));
    }
    String full = req.prompt() + req.continuation();
    int continuationLen = full.codePointCount(0, full.length()) - req.prompt().codePointCount(0, req.prompt().length());
    int n = values.size() - 1; // entries before the generated token
    int end = offsets.get(n).asInt();
    int boundary = end - continuationLen;
    List<Double> picked = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int tokenEnd = offsets.get(i + 1).asInt();
      if (tokenEnd <= boundary || tokenEnd == offsets.get(i).asInt()) {
        continue; // a prompt token, or an empty special token
      }
      JsonNode v = values.get(i);
      if (!v.isNumber()) {
        throw new LanguageModelException(String.format(Locale.ROOT,
            "/completions returned no log-probability for continuation token %d (offset %d); the first "
                + "token of a text cannot be scored: give a non-empty prompt", i, offsets.get(i).asInt()));
      }
      picked.add(Math.min(0.0, v.asDouble()));
    }
    if (picked.isEmpty()) {
      throw new LanguageModelException("/completions returned no token for the continuation '"
          + abbreviate(req.continuation()) + "' (text_offset does not reach past the prompt)");
    }
    return ContinuationScore.ofTokens(picked.stream().mapToDouble(Double::doubleValue).toArray());
  }

  private static Map<String, Double> matchLabels(Map<String, Double> alternatives, List<String> labels) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (String label : labels) {
      out.put(label, Double.NEGATIVE_INFINITY);
    }
    for (Map.Entry<String, Double> a : alternatives.entrySet()) {
      String token = a.getKey().strip();
      for (String label : labels) {
        if (label.strip().equals(token)) {
          out.put(label, logAdd(out.get(label), a.getValue()));
        }
      }
    }
    return out;
  }

  private static double logAdd(double a, double b) {
    if (a == Double.NEGATIVE_INFINITY) {
      return b;
    }
    if (b == Double.NEGATIVE_INFINITY) {
      return a;
    }
    double max = Math.max(a, b);
    return max + Math.log(Math.exp(a - max) + Math.exp(b - max));
  }

  /** Sends one request with retries; returns the parsed JSON body of a 2xx answer. */
  private JsonNode send(String method, String path, JsonNode body) {
    URI uri = URI.create(baseUri + path);
    HttpRequest.Builder rb = HttpRequest.newBuilder(uri).timeout(requestTimeout)
        .header("Accept", "application/json");
    if (apiKey != null) {
      rb.header("Authorization", "Bearer " + apiKey);
    }
    if (body != null) {
      rb.header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
    } else {
      rb.method(method, HttpRequest.BodyPublishers.noBody());
    }
    HttpRequest request = rb.build();
    String lastFailure = null;
    for (int attempt = 0; ; attempt++) {
      ensureOpen();
      Duration retryAfter = null;
      try {
        HttpResponse<String> resp;
        permits.acquire();
        try {
          resp = exchange(request);
        } finally {
          permits.release();
        }
        int status = resp.statusCode();
        // a server (or a proxy in front of it) may echo the key, e.g. in a 401 body: never pass it on
        String text = redact(resp.body());
        if (status >= 200 && status < 300) {
          return parse(text, method + " " + uri);
        }
        String message = errorMessage(text);
        lastFailure = String.format(Locale.ROOT, "HTTP %d from %s %s: %s", status, method, uri, message);
        if (status != 429 && status < 500) {
          throw new ServerRejected(status, lastFailure);
        }
        retryAfter = retryAfter(resp.headers());
      } catch (IOException e) {
        lastFailure = redact(String.format(Locale.ROOT, "%s for %s %s: %s", e.getClass().getSimpleName(),
            method, uri, e.getMessage()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new LanguageModelException("interrupted while calling " + method + " " + uri, e);
      }
      if (attempt >= maxRetries) {
        throw new LanguageModelException(lastFailure + String.format(Locale.ROOT, " (gave up after %d attempt%s)",
            attempt + 1, attempt == 0 ? "" : "s"));
      }
      Duration wait = retryAfter != null ? retryAfter : backoff(attempt);
      LOG.log(System.Logger.Level.WARNING, "{0}; retry {1} of {2} in {3} ms", lastFailure, attempt + 1,
          maxRetries, wait.toMillis());
      try {
        sleeper.sleep(wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new LanguageModelException("interrupted while waiting to retry " + method + " " + uri, e);
      }
    }
  }

  /**
   * Sends one request and waits for the whole response, body included, at most {@code
   * requestTimeout} ({@link HttpRequest#timeout} alone only bounds the wait for the headers). On
   * timeout or interrupt the exchange is cancelled, which closes its connection.
   */
  private HttpResponse<String> exchange(HttpRequest request) throws IOException, InterruptedException {
    CompletableFuture<HttpResponse<String>> f =
        http.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    try {
      return f.get(requestTimeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      f.cancel(true);
      throw new java.net.http.HttpTimeoutException("no complete response (headers and body) within "
          + requestTimeout.toMillis() + " ms");
    } catch (InterruptedException e) {
      f.cancel(true);
      throw e;
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof IOException) {
        throw (IOException) c;
      }
      if (c instanceof RuntimeException) {
        throw (RuntimeException) c;
      }
      throw new IOException(c);
    }
  }

  /** Replaces every occurrence of the API key in {@code s} by {@code ***}. */
  private String redact(String s) {
    if (s == null || apiKey == null || s.indexOf(apiKey) < 0) {
      return s;
    }
    return s.replace(apiKey, "***");
  }

  /** Full jitter: uniform in [0, min(maxBackoff, initialBackoff * 2^attempt)]. */
  Duration backoff(int attempt) {
    long cap = initialBackoff.toMillis() << Math.min(attempt, 30);
    if (cap <= 0 || cap > maxBackoff.toMillis()) {
      cap = maxBackoff.toMillis();
    }
    return Duration.ofMillis((long) (random.nextDouble() * cap));
  }

  /** Reads {@code retry-after-ms}, or {@code Retry-After} as seconds or an HTTP date; null if absent. */
  private Duration retryAfter(java.net.http.HttpHeaders headers) {
    Optional<String> ms = headers.firstValue("retry-after-ms");
    if (ms.isPresent()) {
      try {
        return Duration.ofMillis(Math.max(0, (long) Double.parseDouble(ms.get().trim())));
      } catch (NumberFormatException ignored) {
        // fall through to Retry-After
      }
    }
    Optional<String> ra = headers.firstValue("retry-after");
    if (ra.isEmpty()) {
      return null;
    }
    String v = ra.get().trim();
    try {
      return Duration.ofMillis(Math.max(0, (long) (Double.parseDouble(v) * 1000)));
    } catch (NumberFormatException notSeconds) {
      try {
        Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        Duration d = Duration.between(clock.instant(), at);
        return d.isNegative() ? Duration.ZERO : d;
      } catch (DateTimeParseException notDate) {
        LOG.log(System.Logger.Level.DEBUG, "ignoring unparseable Retry-After: " + v);
        return null;
      }
    }
  }

  private static JsonNode parse(String body, String what) {
    try {
      JsonNode n = JSON.readTree(body);
      if (n == null || !n.isObject()) {
        throw new LanguageModelException(what + " returned a body that is not a JSON object: " + abbreviate(body));
      }
      return n;
    } catch (JsonProcessingException e) {
      throw new LanguageModelException(what + " returned malformed JSON (" + e.getOriginalMessage() + "): "
          + abbreviate(body), e);
    }
  }

  /** OpenAI's {@code {"error": {"message": ...}}}, vLLM's older {@code {"message": ...}}, or the raw body. */
  private static String errorMessage(String body) {
    try {
      JsonNode n = JSON.readTree(body);
      if (n != null) {
        JsonNode e = n.path("error");
        if (e.isObject() && e.path("message").isTextual()) {
          String type = e.path("type").isTextual() ? " (" + e.path("type").asText() + ")" : "";
          return e.path("message").asText() + type;
        }
        if (e.isTextual()) {
          return e.asText();
        }
        if (n.path("message").isTextual()) {
          return n.path("message").asText();
        }
      }
    } catch (JsonProcessingException ignored) {
      // not JSON: report the body itself
    }
    return abbreviate(body == null ? "" : body);
  }

  private static String abbreviate(String s) {
    return s.length() <= 300 ? s : s.substring(0, 300) + "...";
  }

  private static void checkList(String what, List<?> list) {
    if (list == null) {
      throw new IllegalArgumentException(what + " must not be null");
    }
    Iterator<?> it = list.iterator();
    for (int i = 0; it.hasNext(); i++) {
      if (it.next() == null) {
        throw new IllegalArgumentException(what + "[" + i + "] must not be null");
      }
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("the language model " + name() + " is closed");
    }
  }
}
