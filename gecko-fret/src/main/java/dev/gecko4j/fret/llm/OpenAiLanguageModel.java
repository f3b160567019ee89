package dev.gecko4j.fret.llm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gecko4j.core.internal.Args;
import dev.gecko4j.core.lm.Capabilities;
import dev.gecko4j.core.lm.ContinuationScore;
import dev.gecko4j.core.lm.Generation;
import dev.gecko4j.core.lm.GenerationOptions;
import dev.gecko4j.core.lm.LanguageModel;
import dev.gecko4j.core.lm.LanguageModelException;
import dev.gecko4j.core.lm.ScoreRequest;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
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
 *
 * <p>The parts: {@link OpenAiTransport} (HTTP, retries, timeouts, concurrency), {@link OpenAiWire}
 * (the request and reply bodies as Jackson-bound records) and {@link ScoringProbe} (what the
 * server can do).
 */
public final class OpenAiLanguageModel implements LanguageModel {

  private static final System.Logger LOG = System.getLogger(OpenAiLanguageModel.class.getName());

  private final URI baseUri;
  private final Endpoint endpoint;
  private final int maxBatchSize;
  private final int topLogprobs;
  private final OpenAiTransport transport;
  private final ScoringProbe probe;
  private volatile String model;
  private volatile boolean closed;

  private OpenAiLanguageModel(Builder b) {
    String base = b.baseUrl.endsWith("/") ? b.baseUrl.substring(0, b.baseUrl.length() - 1) : b.baseUrl;
    this.baseUri = URI.create(base);
    this.model = b.model;
    this.endpoint = b.endpoint;
    this.maxBatchSize = b.maxBatchSize;
    this.topLogprobs = b.topLogprobs;
    this.transport = new OpenAiTransport(baseUri, b.apiKey, b.connectTimeout, b.requestTimeout,
        b.maxRetries, b.initialBackoff, b.maxBackoff, b.maxConcurrency, b.sleeper, b.clock, b.random,
        this::ensureOpen);
    this.probe = new ScoringProbe(transport, this::model, b.scoring);
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
    Args.notNull(env, "env");
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
      Args.notNull(e, "endpoint");
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
     * Sets what waits between retries (tests pass one that returns at once); package-private, a
     * test seam.
     *
     * @param s the sleeper; not null
     * @return this builder
     * @throws IllegalArgumentException if {@code s} is null
     */
    Builder sleeper(Sleeper s) {
      Args.notNull(s, "sleeper");
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
      Args.notNull(c, "clock");
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
      Args.notNull(r, "random");
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
      Args.require(d != null && !d.isZero() && !d.isNegative(),
          "%s must be a positive duration, but is: %s", what, d);
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
          String what = "GET " + baseUri + "/models";
          OpenAiWire.ModelList list =
              OpenAiWire.bind(transport.send("GET", "/models", null), OpenAiWire.ModelList.class, what);
          String first = list.data() == null || list.data().isEmpty() || list.data().get(0) == null
              ? null : list.data().get(0).id();
          if (first == null) {
            throw new LanguageModelException(what + " lists no model (no data[0].id); "
                + "set the model explicitly (builder model(...) or GECKO_LLM_MODEL)");
          }
          model = first;
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
    return probe.capabilities();
  }

  @Override
  public List<Generation> generate(List<String> prompts, GenerationOptions options) {
    Args.noNulls(prompts, "prompts");
    Args.notNull(options, "options");
    ensureOpen();
    if (prompts.isEmpty()) {
      return List.of();
    }
    String m = model();
    if (endpoint == Endpoint.COMPLETIONS) {
      List<List<Generation>> parts = transport.parallel(chunks(prompts), chunk -> {
        JsonNode r = transport.send("POST", "/completions",
            OpenAiWire.CompletionRequest.sampling(m, options, chunk));
        List<Generation> out = new ArrayList<>(chunk.size());
        for (OpenAiWire.Choice c : OpenAiWire.choices(r, chunk.size(), "/completions")) {
          out.add(OpenAiWire.generation(c.text(), c, "/completions", options));
        }
        return out;
      });
      return parts.stream().flatMap(List::stream).toList();
    }
    return transport.parallel(prompts, p -> {
      JsonNode r = transport.send("POST", "/chat/completions",
          OpenAiWire.ChatRequest.of(m, options, p));
      OpenAiWire.Choice c = OpenAiWire.choices(r, 1, "/chat/completions").get(0);
      return OpenAiWire.generation(OpenAiWire.chatText(c), c, "/chat/completions", options);
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
    Args.noNulls(requests, "requests");
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
    List<List<ContinuationScore>> parts = transport.parallel(chunks(requests), chunk -> {
      List<String> texts = chunk.stream().map(r -> r.prompt() + r.continuation()).toList();
      JsonNode resp = transport.send("POST", "/completions",
          OpenAiWire.CompletionRequest.scoring(m, texts));
      List<OpenAiWire.Choice> choices = OpenAiWire.choices(resp, chunk.size(), "/completions");
      List<ContinuationScore> out = new ArrayList<>(chunk.size());
      for (int i = 0; i < chunk.size(); i++) {
        out.add(OpenAiWire.continuationScore(chunk.get(i), choices.get(i)));
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
    Args.noNulls(prompts, "prompts");
    Args.noNulls(labels, "labels");
    Args.require(!labels.isEmpty(), "labels must not be empty");
    for (int i = 0; i < labels.size(); i++) {
      Args.require(!labels.get(i).isBlank(), "labels[%s] must not be blank", i);
    }
    ensureOpen();
    String m = model();
    GenerationOptions one = GenerationOptions.greedy(1);
    if (endpoint == Endpoint.COMPLETIONS) {
      List<List<Map<String, Double>>> parts = transport.parallel(chunks(prompts), chunk -> {
        JsonNode r = transport.send("POST", "/completions",
            OpenAiWire.CompletionRequest.sampling(m, one, chunk).withLogprobs(topLogprobs));
        List<Map<String, Double>> out = new ArrayList<>();
        for (OpenAiWire.Choice c : OpenAiWire.choices(r, chunk.size(), "/completions")) {
          out.add(OpenAiWire.matchLabels(OpenAiWire.completionAlternatives(c), labels));
        }
        return out;
      });
      return parts.stream().flatMap(List::stream).toList();
    }
    return transport.parallel(prompts, p -> {
      JsonNode r = transport.send("POST", "/chat/completions",
          OpenAiWire.ChatRequest.of(m, one, p).withTopLogprobs(topLogprobs));
      OpenAiWire.Choice c = OpenAiWire.choices(r, 1, "/chat/completions").get(0);
      return OpenAiWire.matchLabels(OpenAiWire.chatAlternatives(c), labels);
    });
  }

  /** Shuts the worker threads down; idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    transport.close();
  }

  /** Full jitter: uniform in [0, min(maxBackoff, initialBackoff * 2^attempt)]. */
  Duration backoff(int attempt) {
    return transport.backoff(attempt);
  }

  private <T> List<List<T>> chunks(List<T> items) {
    List<List<T>> out = new ArrayList<>();
    for (int i = 0; i < items.size(); i += maxBatchSize) {
      out.add(items.subList(i, Math.min(items.size(), i + maxBatchSize)));
    }
    return out;
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("the language model " + name() + " is closed");
    }
  }
}
