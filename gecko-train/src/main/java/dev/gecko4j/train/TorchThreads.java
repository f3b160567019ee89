package dev.gecko4j.train;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * Threading settings for the PyTorch engine, applied before it loads: intra-op threads
 * ({@code ai.djl.pytorch.num_threads}, default {@code min(2, cores)}), one inter-op thread, and
 * OpenMP's wait policy.
 *
 * <p>PyTorch's CPU build uses GNU OpenMP, whose workers by default spin for about 300,000
 * iterations at every barrier before sleeping. With as many workers as cores, any other busy
 * process (a second build, another trainer) makes each of the thousands of parallel regions per
 * step wait for a descheduled worker while the others burn the CPU it needs. Measured with
 * {@code dev.gecko4j.train.bench.StepTiming} (batch 8, query 32, passage 128 tokens) on a 2-core
 * machine with two busy processes beside it: fwd+bwd 13.6 s with the default, 6.5 s with
 * {@code OMP_WAIT_POLICY=PASSIVE}, 4.6 s with {@code GOMP_SPINCOUNT=10000} (and 3.2-3.3 s on
 * the quiet machine either way; with another 2-thread PyTorch job beside it the default ranged
 * 3.6-41.6 s). libgomp reads the variable when the engine's native library loads, so it is set
 * in the process environment (POSIX {@code setenv}) unless the environment already has
 * {@code GOMP_SPINCOUNT} or {@code OMP_WAIT_POLICY}. System property {@code gecko.omp.spincount}
 * overrides the value; an empty value leaves OpenMP's default.
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
    try {
      Linker linker = Linker.nativeLinker();
      Optional<MemorySegment> fn = linker.defaultLookup().find("setenv");
      if (fn.isEmpty()) {
        LOG.log(System.Logger.Level.DEBUG, "no setenv in this C library; {0} left unset", name);
        return;
      }
      MethodHandle setenv = linker.downcallHandle(fn.get(), FunctionDescriptor.of(ValueLayout.JAVA_INT,
          ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
      try (Arena arena = Arena.ofConfined()) {
        int rc = (int) setenv.invokeExact(arena.allocateFrom(name), arena.allocateFrom(value), 0);
        LOG.log(System.Logger.Level.DEBUG, "setenv {0}={1}: {2}", name, value, rc);
      }
    } catch (Throwable t) {
      LOG.log(System.Logger.Level.DEBUG, "cannot set " + name + "; OpenMP keeps its default", t);
    }
  }
}
