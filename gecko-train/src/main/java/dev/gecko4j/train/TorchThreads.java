package dev.gecko4j.train;

import java.util.function.BiFunction;

/**
 * Threading settings for the PyTorch engine, applied before it loads: intra-op threads
 * ({@code ai.djl.pytorch.num_threads}, default {@code min(2, cores)}), one inter-op thread, and
 * OpenMP's wait policy.
 *
 * <p>PyTorch's CPU build uses GNU OpenMP, whose workers by default spin for about 300,000
 * iterations at every barrier before sleeping. With as many workers as cores, any other busy
 * process (a second build, another trainer) makes each of the thousands of parallel regions per
 * step wait for a descheduled worker while the others burn the CPU it needs. Measured with
 * {@code dev.gecko4j.train.StepTiming} (batch 8, query 32, passage 128 tokens) on a 2-core
 * machine with two busy processes beside it: fwd+bwd 13.6 s with the default, 6.5 s with
 * {@code OMP_WAIT_POLICY=PASSIVE}, 4.6 s with {@code GOMP_SPINCOUNT=10000} (and 3.2-3.3 s on
 * the quiet machine either way; with another 2-thread PyTorch job beside it the default ranged
 * 3.6-41.6 s). libgomp reads the variable when the engine's native library loads, so it is set
 * in the process environment (POSIX {@code setenv}) unless the environment already has
 * {@code GOMP_SPINCOUNT} or {@code OMP_WAIT_POLICY}. System property {@code gecko.omp.spincount}
 * overrides the value; an empty value leaves OpenMP's default.
 *
 * <p>{@code setenv} goes through the FFM API, which gecko-train (baseline Java 17) has only in
 * {@code META-INF/versions/25} of its multi-release jar ({@code NativeSetenv}): on Java 17-24 the
 * variable is left to the launcher (bin/gecko exports it) and the reason is logged once at INFO.
 */
final class TorchThreads {
  private static final System.Logger LOG = System.getLogger(TorchThreads.class.getName());
  private static volatile boolean applied;

  private TorchThreads() {}

  /** Applies the settings once; later calls (or calls after the engine loaded) have no effect. */
  static synchronized void apply() {
    if (applied) {
      return;
    }
    applied = true;
    if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
      System.setProperty("ai.djl.pytorch.num_threads",
          String.valueOf(Math.min(2, Runtime.getRuntime().availableProcessors())));
    }
    if (System.getProperty("ai.djl.pytorch.num_interop_threads") == null) {
      System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    }
    String spin = System.getProperty("gecko.omp.spincount", "10000");
    if (spin.isBlank() || System.getenv("GOMP_SPINCOUNT") != null || System.getenv("OMP_WAIT_POLICY") != null) {
      return;
    }
    setenv("GOMP_SPINCOUNT", spin.strip());
  }

  private static void setenv(String name, String value) {
    int feature = Runtime.version().feature();
    if (feature < 25) {
      LOG.log(System.Logger.Level.INFO, "Java " + feature + " has no FFM setenv for gecko-train"
          + " (needs Java 25); " + name + " is not set, so OpenMP keeps its default spin unless"
          + " the environment sets it (bin/gecko does)");
      return;
    }
    try {
      @SuppressWarnings("unchecked")
      BiFunction<String, String, String> setenv = (BiFunction<String, String, String>) Class
          .forName("dev.gecko4j.train.NativeSetenv", true, TorchThreads.class.getClassLoader())
          .getConstructor().newInstance();
      LOG.log(System.Logger.Level.DEBUG, setenv.apply(name, value));
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      LOG.log(System.Logger.Level.DEBUG, "cannot set " + name + "; OpenMP keeps its default", e);
    }
  }
}
