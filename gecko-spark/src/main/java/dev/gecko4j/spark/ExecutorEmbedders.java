package dev.gecko4j.spark;

import dev.gecko4j.onnx.OnnxEmbedder;
import java.util.concurrent.atomic.LongAdder;

/**
 * The embedders of one JVM (a Spark executor, or the driver in {@code local} mode): one per
 * distinct {@link EmbedderSettings}, created lazily by the first task that needs it, shared by
 * every later task of the JVM (an {@link OnnxEmbedder} is thread-safe), and closed by a JVM
 * shutdown hook.
 */
final class ExecutorEmbedders {

  private static final System.Logger LOG = System.getLogger(ExecutorEmbedders.class.getName());
  private static final JvmCache<EmbedderSettings, OnnxEmbedder> EMBEDDERS =
      new JvmCache<>("embedders");

  /** Nanoseconds this JVM's tasks spent inside {@code embedAll} (tokenising and ONNX Runtime). */
  static final LongAdder EMBED_NANOS = new LongAdder();
  /** Texts this JVM's tasks embedded. */
  static final LongAdder TEXTS = new LongAdder();

  private ExecutorEmbedders() {
  }

  /** {@return this JVM's embedder for {@code settings}, built on first use} */
  static OnnxEmbedder get(EmbedderSettings settings) {
    return EMBEDDERS.get(settings, s -> {
      long t0 = System.nanoTime();
      OnnxEmbedder e = s.build();
      LOG.log(System.Logger.Level.INFO, () -> String.format(java.util.Locale.ROOT,
          "gecko-spark: built %s in %.1f s for %s", e, (System.nanoTime() - t0) / 1e9, s));
      return e;
    });
  }

  /** {@return how many embedders this JVM holds} */
  static int size() {
    return EMBEDDERS.size();
  }

  /** Closes and forgets every embedder (the shutdown hook; also usable by tests). */
  static void closeAll() {
    EMBEDDERS.closeAll();
  }
}
