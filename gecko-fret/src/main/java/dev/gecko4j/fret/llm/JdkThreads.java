package dev.gecko4j.fret.llm;

import java.lang.reflect.Method;
import java.net.http.HttpClient;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The two JDK 21 calls the OpenAI client uses, with their Java 17 twins: virtual threads for the
 * blocking HTTP calls (a cached pool of daemon platform threads on 17), and {@code
 * HttpClient.shutdownNow()} (on 17 the client's threads end when it is collected).
 */
final class JdkThreads {

  private static final Method VIRTUAL = find(Executors.class, "newVirtualThreadPerTaskExecutor");
  private static final Method SHUTDOWN_NOW = find(HttpClient.class, "shutdownNow");

  private JdkThreads() {}

  private static Method find(Class<?> type, String name) {
    try {
      return type.getMethod(name);
    } catch (NoSuchMethodException e) {
      return null;
    }
  }

  /** {@return a virtual-thread-per-task executor on 21+, else a cached pool of daemon threads} */
  static ExecutorService virtualOrCached(String prefix) {
    if (VIRTUAL != null) {
      try {
        return (ExecutorService) VIRTUAL.invoke(null);
      } catch (ReflectiveOperationException | RuntimeException e) {
        // fall through to platform threads
      }
    }
    AtomicInteger n = new AtomicInteger();
    return Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /** Calls {@code http.shutdownNow()} where the JDK has it (21+). */
  static void shutdownNow(HttpClient http) {
    if (SHUTDOWN_NOW != null) {
      try {
        SHUTDOWN_NOW.invoke(http);
      } catch (ReflectiveOperationException | RuntimeException e) {
        // nothing more to release
      }
    }
  }
}
