package dev.gecko4j.spark;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Function;

/**
 * Native-memory holders shared by the tasks of one JVM (a Spark executor, or the driver in {@code
 * local} mode): one value per key, opened by the first task that asks for it, closed by a JVM
 * shutdown hook (or by {@link #closeAll}).
 *
 * @param <K> the key (the settings a value is opened from)
 * @param <V> the value
 */
final class JvmCache<K, V extends AutoCloseable> {

  private static final System.Logger LOG = System.getLogger(JvmCache.class.getName());

  private final String what;
  private final ConcurrentMap<K, V> values = new ConcurrentHashMap<>();

  /**
   * Creates the cache and registers its shutdown hook.
   *
   * @param what what it holds, for logs and the hook's thread name
   */
  JvmCache(String what) {
    this.what = what;
    Runtime.getRuntime().addShutdownHook(new Thread(this::closeAll,
        "gecko-spark-close-" + what.replace(' ', '-')));
  }

  /** {@return the value of {@code key}, opened with {@code open} on first use} */
  V get(K key, Function<? super K, ? extends V> open) {
    return values.computeIfAbsent(key, open);
  }

  /** {@return how many values are open} */
  int size() {
    return values.size();
  }

  /** Closes and forgets every value; a failing close is logged, the others still close. */
  void closeAll() {
    for (K key : values.keySet()) {
      V v = values.remove(key);
      if (v != null) {
        try {
          v.close();
        } catch (Exception e) {
          LOG.log(System.Logger.Level.WARNING, "gecko-spark: closing " + what + " " + key
              + " failed", e);
        }
      }
    }
  }
}
