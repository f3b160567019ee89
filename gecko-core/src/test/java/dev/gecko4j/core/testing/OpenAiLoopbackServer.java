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
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * A test double for a remote OpenAI-compatible chat server (OpenAI, vLLM), on 127.0.0.1 with an
 * ephemeral port, for tests in any module (the client it talks to is the real one). It answers
 * {@code GET /v1/models} with the one model, {@code POST /v1/chat/completions} with what the
 * test's function makes of the request, and everything else with a 404 in OpenAI's error shape.
 * Bodies are shaped exactly as OpenAI's and vLLM's: {@code {"id": "chatcmpl-…", "object":
 * "chat.completion", "created", "model", "choices": [{"index": 0, "message": {"role": "assistant",
 * "content"}, "logprobs": null, "finish_reason": "stop"}], "usage": {…}}} and errors {@code
 * {"error": {"message", "type", "param", "code"}}}. Every request is recorded.
 */
public final class OpenAiLoopbackServer implements AutoCloseable {

  /**
   * A recorded request.
   *
   * @param method the HTTP method
   * @param path the path, e.g. {@code /v1/chat/completions}
   * @param body the JSON body, or null
   */
  public record Request(String method, String path, JsonNode body) {
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
   * @param body the JSON body
   * @param delayMillis how long to wait before answering
   */
  public record Reply(int status, String body, long delayMillis) {
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
      return new Reply(200, r.toString(), 0);
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
      return new Reply(status, r.toString(), 0);
    }

    /**
     * Returns this reply sent after a delay.
     *
     * @param millis the delay
     * @return the delayed reply
     */
    public Reply delayed(long millis) {
      return new Reply(status, body, millis);
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

  /**
   * Starts a server whose chat completions {@code chat} answers.
   *
   * @param chat makes the reply to one chat request (called concurrently)
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

  /** {@return the requests so far, in arrival order} */
  public List<Request> requests() {
    synchronized (requests) {
      return List.copyOf(requests);
    }
  }

  private void handle(HttpExchange ex) throws IOException {
    byte[] in = ex.getRequestBody().readAllBytes();
    JsonNode body = in.length == 0 ? null : JSON.readTree(in);
    Request req = new Request(ex.getRequestMethod(), ex.getRequestURI().getPath(), body);
    requests.add(req);
    Reply reply;
    if (req.method().equals("GET") && req.path().equals("/v1/models")) {
      ObjectNode list = JSON.createObjectNode();
      list.put("object", "list");
      ObjectNode m = list.putArray("data").addObject();
      m.put("id", MODEL);
      m.put("object", "model");
      m.put("created", 1_733_000_000L);
      m.put("owned_by", "loopback");
      reply = new Reply(200, list.toString(), 0);
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
}
