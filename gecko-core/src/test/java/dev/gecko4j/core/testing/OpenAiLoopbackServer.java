package dev.gecko4j.core.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A test double for a remote OpenAI-compatible chat server (OpenAI, vLLM), on 127.0.0.1 with an
 * ephemeral port, for tests in any module (the client it talks to is the real one). It answers
 * {@code GET /v1/models} with the one model, {@code POST /v1/chat/completions} with what the
 * test's function makes of the request, and everything else with a 404 in OpenAI's error shape.
 * Bodies are shaped exactly as OpenAI's and vLLM's: {@code {"id": "chatcmpl-…", "object":
 * "chat.completion", "created", "model", "choices": [{"index": 0, "message": {"role": "assistant",
 * "content"}, "logprobs": null, "finish_reason": "stop"}], "usage": {…}}} and errors {@code
 * {"error": {"message", "type", "param", "code"}}}. Every request is recorded, with its headers.
 *
 * <p>For protocol and fault tests, replies can also be scripted: {@link #then} queues replies
 * (any status, headers and body, raw or malformed) that answer the next requests in order, whatever
 * their path, and {@link #otherwise} answers every request the script does not. A server made
 * with {@link #OpenAiLoopbackServer()} answers only from its script and {@code otherwise}
 * (anything else gets a 500). {@link #maxInFlight()} tells how many requests were answered at
 * once. As a JUnit extension ({@code @RegisterExtension final OpenAiLoopbackServer server = new
 * OpenAiLoopbackServer();}) it stops after each test method.
 */
public final class OpenAiLoopbackServer implements AutoCloseable, AfterEachCallback {

  /**
   * A recorded request.
   *
   * @param method the HTTP method
   * @param path the path, e.g. {@code /v1/chat/completions}
   * @param headers the request headers
   * @param body the JSON body, or null
   */
  public record Request(String method, String path, Map<String, List<String>> headers,
      JsonNode body) {
    /**
     * Returns the first value of a header, found case-insensitively.
     *
     * @param name the header name
     * @return the value, or null when the request has no such header
     */
    public String header(String name) {
      for (Map.Entry<String, List<String>> e : headers.entrySet()) {
        if (e.getKey().equalsIgnoreCase(name)) {
          return e.getValue().get(0);
        }
      }
      return null;
    }

    /** {@return the content of the last chat message, or "" when there is none} */
    public String prompt() {
      JsonNode m = body == null ? null : body.path("messages");
      return m == null || !m.isArray() || m.isEmpty() ? ""
          : m.get(m.size() - 1).path("content").asText("");
    }
  }

  /**
   * A scripted answer.
   *
   * @param status the HTTP status
   * @param headers response headers beside {@code Content-Type: application/json} (e.g.
   *     {@code Retry-After})
   * @param body the body, sent as is (JSON, or anything a broken proxy sends)
   * @param delayMillis how long to wait before answering
   */
  public record Reply(int status, Map<String, String> headers, String body, long delayMillis) {
    /**
     * A 200 with {@code body} as is.
     *
     * @param body the body
     * @return the reply
     */
    public static Reply json(String body) {
      return new Reply(200, Map.of(), body, 0);
    }

    /**
     * A reply with any status, body and headers.
     *
     * @param status the HTTP status
     * @param body the body
     * @param headers the extra response headers
     * @return the reply
     */
    public static Reply status(int status, String body, Map<String, String> headers) {
      return new Reply(status, headers, body, 0);
    }

    /**
     * A chat completion whose one choice's message holds {@code content}.
     *
     * @param content the assistant's text
     * @return the reply
     */
    public static Reply chat(String content) {
      ObjectNode r = JSON.createObjectNode();
      r.put("id", "chatcmpl-" + IDS.incrementAndGet());
      r.put("object", "chat.completion");
      r.put("created", 1_733_000_000L);
      r.put("model", MODEL);
      ObjectNode choice = r.putArray("choices").addObject();
      choice.put("index", 0);
      ObjectNode msg = choice.putObject("message");
      msg.put("role", "assistant");
      msg.put("content", content);
      choice.putNull("logprobs");
      choice.put("finish_reason", "stop");
      ObjectNode usage = r.putObject("usage");
      usage.put("prompt_tokens", 100);
      usage.put("completion_tokens", Math.max(1, content.length() / 4));
      usage.put("total_tokens", 100 + Math.max(1, content.length() / 4));
      return json(r.toString());
    }

    /**
     * An error in OpenAI's shape.
     *
     * @param status the HTTP status (e.g. 500)
     * @param message the error message
     * @return the reply
     */
    public static Reply error(int status, String message) {
      ObjectNode r = JSON.createObjectNode();
      ObjectNode e = r.putObject("error");
      e.put("message", message);
      e.put("type", status >= 500 ? "server_error" : "invalid_request_error");
      e.putNull("param");
      e.putNull("code");
      return new Reply(status, Map.of(), r.toString(), 0);
    }

    /**
     * Returns this reply sent after a delay.
     *
     * @param millis the delay
     * @return the delayed reply
     */
    public Reply delayed(long millis) {
      return new Reply(status, headers, body, millis);
    }
  }

  /** The model the server lists and answers as. */
  public static final String MODEL = "loopback-chat";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AtomicLong IDS = new AtomicLong();
  private final HttpServer server;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final Function<Request, Reply> chat;
  private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
  private final Deque<Reply> script = new ArrayDeque<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private volatile Function<Request, Reply> otherwise;

  /**
   * Starts a server that answers only from its script ({@link #then}) and {@link #otherwise};
   * other requests get a 500 in OpenAI's error shape.
   */
  public OpenAiLoopbackServer() {
    this(null);
  }

  /**
   * Starts a server whose chat completions {@code chat} answers.
   *
   * @param chat makes the reply to one chat request (called concurrently); null for a server that
   *     answers only from its script
   */
  public OpenAiLoopbackServer(Function<Request, Reply> chat) {
    this.chat = chat;
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open a loopback port", e);
    }
    server.setExecutor(threads);
    server.createContext("/", this::handle);
    server.start();
  }

  /** {@return the base URL clients are given, {@code http://127.0.0.1:<port>/v1}} */
  public String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
  }

  /**
   * Queues a reply for the next request not yet answered from the script, whatever its path.
   *
   * @param reply the reply
   * @return this server
   */
  public synchronized OpenAiLoopbackServer then(Reply reply) {
    script.addLast(reply);
    return this;
  }

  /**
   * Answers every request the script does not with {@code f}.
   *
   * @param f makes the reply (called concurrently)
   * @return this server
   */
  public OpenAiLoopbackServer otherwise(Function<Request, Reply> f) {
    otherwise = f;
    return this;
  }

  /** {@return the most requests that were being answered at the same time} */
  public int maxInFlight() {
    return maxInFlight.get();
  }

  /** {@return the requests so far, in arrival order} */
  public List<Request> requests() {
    synchronized (requests) {
      return List.copyOf(requests);
    }
  }

  private void handle(HttpExchange ex) throws IOException {
    // In flight: from the request's arrival until its answer starts to go out. Counting until
    // after ex.close() would also count a handler whose client already has the whole answer and
    // has sent its next request (a race a loaded machine loses).
    maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
    boolean[] answered = {false};
    try {
      answer(ex, () -> {
        if (!answered[0]) {
          answered[0] = true;
          inFlight.decrementAndGet();
        }
      });
    } finally {
      if (!answered[0]) {
        inFlight.decrementAndGet();
      }
    }
  }

  private void answer(HttpExchange ex, Runnable answering) throws IOException {
    byte[] in = ex.getRequestBody().readAllBytes();
    JsonNode body = in.length == 0 ? null : JSON.readTree(in);
    Request req = new Request(ex.getRequestMethod(), ex.getRequestURI().getPath(),
        Map.copyOf(ex.getRequestHeaders()), body);
    requests.add(req);
    Reply reply;
    synchronized (this) {
      reply = script.pollFirst();
    }
    Function<Request, Reply> fallback = otherwise;
    if (reply != null) {
      // scripted
    } else if (fallback != null) {
      reply = fallback.apply(req);
    } else if (chat == null) {
      reply = Reply.error(500, "no scripted reply for " + req.method() + " " + req.path());
    } else if (req.method().equals("GET") && req.path().equals("/v1/models")) {
      ObjectNode list = JSON.createObjectNode();
      list.put("object", "list");
      ObjectNode m = list.putArray("data").addObject();
      m.put("id", MODEL);
      m.put("object", "model");
      m.put("created", 1_733_000_000L);
      m.put("owned_by", "loopback");
      reply = Reply.json(list.toString());
    } else if (req.method().equals("POST") && req.path().equals("/v1/chat/completions")) {
      try {
        reply = chat.apply(req);
      } catch (RuntimeException e) {
        reply = Reply.error(500, "test server failed: " + e);
      }
    } else {
      reply = Reply.error(404, "Unknown request URL: " + req.method() + " " + req.path());
    }
    if (reply.delayMillis() > 0) {
      try {
        Thread.sleep(reply.delayMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    byte[] out = reply.body().getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "application/json");
    reply.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
    answering.run();
    try {
      ex.sendResponseHeaders(reply.status(), out.length == 0 ? -1 : out.length);
      if (out.length > 0) {
        try (OutputStream os = ex.getResponseBody()) {
          os.write(out);
        }
      }
    } catch (IOException clientGone) {
      // the client went away (a killed process)
    } finally {
      ex.close();
    }
  }

  /** Stops the server at once. */
  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }

  /** Stops the server after each test method, when registered as an extension. */
  @Override
  public void afterEach(ExtensionContext context) {
    close();
  }
}
