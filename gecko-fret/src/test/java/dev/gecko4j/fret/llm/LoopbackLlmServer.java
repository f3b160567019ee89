package dev.gecko4j.fret.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A test double for a remote OpenAI-compatible LLM server, on 127.0.0.1 with an ephemeral port. It
 * answers with scripted responses (status, headers, JSON body) shaped exactly as OpenAI and vLLM
 * answer, and records every request. A test holds one per test method, {@code @RegisterExtension
 * final LoopbackLlmServer server = new LoopbackLlmServer();}, and it is stopped after the method.
 */
final class LoopbackLlmServer implements AutoCloseable, AfterEachCallback {

  /** A scripted answer. */
  record Reply(int status, Map<String, String> headers, String body, long delayMillis) {
    static Reply json(String body) {
      return new Reply(200, Map.of(), body, 0);
    }

    static Reply status(int status, String body, Map<String, String> headers) {
      return new Reply(status, headers, body, 0);
    }
  }

  /** A recorded request. */
  record Recorded(String method, String path, Map<String, List<String>> headers, JsonNode body) {
    String header(String name) {
      for (Map.Entry<String, List<String>> e : headers.entrySet()) {
        if (e.getKey().equalsIgnoreCase(name)) {
          return e.getValue().get(0);
        }
      }
      return null;
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpServer server;
  private final Deque<Reply> script = new ArrayDeque<>();
  private final List<Recorded> requests = Collections.synchronizedList(new ArrayList<>());
  private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
  private final java.util.concurrent.atomic.AtomicInteger maxInFlight = new java.util.concurrent.atomic.AtomicInteger();
  private volatile Function<Recorded, Reply> fallback =
      r -> Reply.status(500, "{\"error\":{\"message\":\"no scripted reply\",\"type\":\"test\"}}", Map.of());

  LoopbackLlmServer() {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open a loopback port", e);
    }
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext("/", this::handle);
    server.start();
  }

  String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
  }

  synchronized LoopbackLlmServer then(Reply r) {
    script.addLast(r);
    return this;
  }

  LoopbackLlmServer otherwise(Function<Recorded, Reply> f) {
    fallback = f;
    return this;
  }

  List<Recorded> requests() {
    return List.copyOf(requests);
  }

  /** The most requests that were being answered at the same time. */
  int maxInFlight() {
    return maxInFlight.get();
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
    Recorded rec = new Recorded(ex.getRequestMethod(), ex.getRequestURI().getPath(),
        Map.copyOf(ex.getRequestHeaders()), body);
    requests.add(rec);
    Reply reply;
    synchronized (this) {
      reply = script.pollFirst();
    }
    if (reply == null) {
      reply = fallback.apply(rec);
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
      // the client timed out and closed the connection
    } finally {
      ex.close();
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    close();
  }
}
