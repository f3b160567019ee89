package dev.gecko4j.fret.llm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.gecko4j.core.internal.GeckoJson;
import dev.gecko4j.core.lm.LanguageModelException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.random.RandomGenerator;

/**
 * The HTTP side of {@link OpenAiLanguageModel}: one JSON request with retries and timeouts, and
 * requests run concurrently on its worker threads.
 *
 * <p>HTTP 429, 5xx and I/O errors (including timeouts) are retried up to {@code maxRetries} times
 * with exponential backoff and full jitter, or after the server's {@code Retry-After} (seconds or
 * HTTP date) or {@code retry-after-ms}. Other 4xx fail at once ({@link ServerRejected}, with the
 * server's error message). A 2xx body that is not one JSON object fails at once. The API key is
 * replaced by {@code ***} in everything the server sends back before it goes anywhere.
 */
final class OpenAiTransport implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(OpenAiLanguageModel.class.getName());

  /** A 4xx (other than 429) answer: not retried. */
  static final class ServerRejected extends LanguageModelException {
    private static final long serialVersionUID = 1L;
    private final int status;

    ServerRejected(int status, String message) {
      super(message);
      this.status = status;
    }

    /** {@return the HTTP status} */
    int status() {
      return status;
    }
  }

  /** A piece of work run on the worker threads. */
  interface Task<T, R> {
    R apply(T t);
  }

  private final URI baseUri;
  private final String apiKey;
  private final Duration requestTimeout;
  private final int maxRetries;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final Semaphore permits;
  private final Sleeper sleeper;
  private final Clock clock;
  private final RandomGenerator random;
  private final Runnable checkOpen;
  private final ExecutorService workers;
  private final HttpClient http;

  /**
   * Creates the transport and its worker threads.
   *
   * @param checkOpen called before every attempt; throws when the client was closed
   */
  OpenAiTransport(URI baseUri, String apiKey, Duration connectTimeout, Duration requestTimeout,
      int maxRetries, Duration initialBackoff, Duration maxBackoff, int maxConcurrency,
      Sleeper sleeper, Clock clock, RandomGenerator random, Runnable checkOpen) {
    this.baseUri = baseUri;
    this.apiKey = apiKey;
    this.requestTimeout = requestTimeout;
    this.maxRetries = maxRetries;
    this.initialBackoff = initialBackoff;
    this.maxBackoff = maxBackoff;
    this.permits = new Semaphore(maxConcurrency, true);
    this.sleeper = sleeper;
    this.clock = clock;
    this.random = random;
    this.checkOpen = checkOpen;
    this.workers = JdkThreads.virtualOrCached("gecko-openai");
    this.http = HttpClient.newBuilder()
        .connectTimeout(connectTimeout)
        .version(HttpClient.Version.HTTP_1_1)
        .executor(workers)
        .build();
  }

  /** {@return the base URI, without a trailing slash} */
  URI baseUri() {
    return baseUri;
  }

  /**
   * Sends one request with retries.
   *
   * @param method {@code GET} or {@code POST}
   * @param path the path after the base URL, e.g. {@code /completions}
   * @param body the request body, bound to JSON (a record of {@link OpenAiWire}), or null
   * @return the parsed JSON object of a 2xx answer
   * @throws ServerRejected on a 4xx other than 429
   * @throws LanguageModelException when the retries are spent, or on a malformed answer
   */
  JsonNode send(String method, String path, Object body) {
    URI uri = URI.create(baseUri + path);
    HttpRequest.Builder rb = HttpRequest.newBuilder(uri).timeout(requestTimeout)
        .header("Accept", "application/json");
    if (apiKey != null) {
      rb.header("Authorization", "Bearer " + apiKey);
    }
    if (body != null) {
      rb.header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(json(body), StandardCharsets.UTF_8));
    } else {
      rb.method(method, HttpRequest.BodyPublishers.noBody());
    }
    HttpRequest request = rb.build();
    String lastFailure = null;
    for (int attempt = 0; ; attempt++) {
      checkOpen.run();
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
        String message = OpenAiWire.errorMessage(text);
        lastFailure = String.format(Locale.ROOT, "HTTP %d from %s %s: %s", status, method, uri,
            message);
        if (status != 429 && status < 500) {
          throw new ServerRejected(status, lastFailure);
        }
        retryAfter = retryAfter(resp.headers());
      } catch (IOException e) {
        lastFailure = redact(String.format(Locale.ROOT, "%s for %s %s: %s",
            e.getClass().getSimpleName(), method, uri, e.getMessage()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new LanguageModelException("interrupted while calling " + method + " " + uri, e);
      }
      if (attempt >= maxRetries) {
        throw new LanguageModelException(lastFailure + String.format(Locale.ROOT,
            " (gave up after %d attempt%s)", attempt + 1, attempt == 0 ? "" : "s"));
      }
      Duration wait = retryAfter != null ? retryAfter : backoff(attempt);
      LOG.log(System.Logger.Level.WARNING, "{0}; retry {1} of {2} in {3} ms", lastFailure,
          attempt + 1, maxRetries, wait.toMillis());
      try {
        sleeper.sleep(wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new LanguageModelException("interrupted while waiting to retry " + method + " " + uri,
            e);
      }
    }
  }

  /**
   * Runs {@code task} on every item, concurrently (the HTTP permits bound what is in flight), and
   * returns the results in item order; the first failure cancels the rest and is thrown.
   */
  <T, R> List<R> parallel(List<T> items, Task<T, R> task) {
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

  /**
   * Sends one request and waits for the whole response, body included, at most {@code
   * requestTimeout} ({@link HttpRequest#timeout} alone only bounds the wait for the headers). On
   * timeout or interrupt the exchange is cancelled, which closes its connection.
   */
  private HttpResponse<String> exchange(HttpRequest request)
      throws IOException, InterruptedException {
    CompletableFuture<HttpResponse<String>> f =
        http.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    try {
      return f.get(requestTimeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      f.cancel(true);
      throw new HttpTimeoutException("no complete response (headers and body) within "
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
  private Duration retryAfter(HttpHeaders headers) {
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

  /** Parses a 2xx body: one JSON object, nothing after it. */
  private static JsonNode parse(String body, String what) {
    try {
      JsonNode n = GeckoJson.mapper().readTree(body);
      if (n == null || !n.isObject()) {
        throw new LanguageModelException(what + " returned a body that is not a JSON object: "
            + OpenAiWire.abbreviate(body));
      }
      return n;
    } catch (JsonProcessingException e) {
      throw new LanguageModelException(what + " returned malformed JSON (" + e.getOriginalMessage()
          + "): " + OpenAiWire.abbreviate(body), e);
    }
  }

  private static String json(Object body) {
    try {
      return GeckoJson.mapper().writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the request body " + body, e);
    }
  }

  /** Shuts the HTTP client and the worker threads down; idempotent. */
  @Override
  public void close() {
    JdkThreads.shutdownNow(http);
    workers.shutdownNow();
  }
}
