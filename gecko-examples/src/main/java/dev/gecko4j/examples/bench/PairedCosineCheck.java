package dev.gecko4j.examples.bench;

import dev.gecko4j.core.vector.VectorMath;
import dev.gecko4j.core.vector.internal.ScalarVectorSupport;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import org.apache.lucene.util.VectorUtil;

/**
 * A companion to {@link CosineBenchmark} for shared machines: it interleaves the three cosine
 * implementations (scalar kernel, gecko4j's {@link VectorMath#cosine} facade, Lucene's {@link
 * VectorUtil#cosine}) in short rounds within one JVM and times each round in <em>thread CPU
 * time</em>, so time the thread spends descheduled by other processes does not count, and load
 * changes hit all three alike. Reports the median ns per cosine and the ratios. It is not a JMH
 * benchmark (no forks, no blackhole; results are summed into a printed sink so the JIT keeps the
 * calls), so use it for ratios, and JMH for absolute numbers on a quiet machine.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -cp gecko-examples/target/benchmarks.jar
 * dev.gecko4j.examples.bench.PairedCosineCheck [dims...]} (default dims 128 384 768 1024).
 * Progress and a table go to stderr; the last stdout line is one JSON object.
 */
public final class PairedCosineCheck {

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final int WARMUP_ROUNDS = 60;
  private static final int MEASURED_ROUNDS = 41;

  private final float[] a;
  private final float[] b;
  private final ScalarVectorSupport scalar = new ScalarVectorSupport();
  private float sink;

  private PairedCosineCheck(int dim) {
    Random random = new Random(dim);
    a = new float[dim];
    b = new float[dim];
    for (int i = 0; i < dim; i++) {
      a[i] = (float) random.nextGaussian();
      b[i] = (float) random.nextGaussian();
    }
  }

  // one loop per implementation, so each call site stays monomorphic and is compiled on its own
  private void runScalar(int reps) {
    float s = 0;
    for (int i = 0; i < reps; i++) {
      s += scalar.cosine(a, b);
    }
    sink += s;
  }

  private void runPanama(int reps) {
    float s = 0;
    for (int i = 0; i < reps; i++) {
      s += VectorMath.cosine(a, b);
    }
    sink += s;
  }

  private void runLucene(int reps) {
    float s = 0;
    for (int i = 0; i < reps; i++) {
      s += VectorUtil.cosine(a, b);
    }
    sink += s;
  }

  private void run(int impl, int reps) {
    switch (impl) {
      case 0 -> runScalar(reps);
      case 1 -> runPanama(reps);
      default -> runLucene(reps);
    }
  }

  /** Returns the median ns per cosine of scalar, panama, lucene. */
  private double[] measure() {
    int reps = Math.max(1000, 20_000_000 / a.length);
    double[][] times = new double[3][MEASURED_ROUNDS];
    for (int round = 0; round < WARMUP_ROUNDS + 3 * MEASURED_ROUNDS; round++) {
      int impl = round % 3;
      // scalar is ~15x slower: fewer reps keep its rounds about as long as the others
      int n = impl == 0 ? reps / 10 : reps;
      long t0 = THREADS.getCurrentThreadCpuTime();
      run(impl, n);
      long dt = THREADS.getCurrentThreadCpuTime() - t0;
      int m = round - WARMUP_ROUNDS;
      if (m >= 0) {
        times[impl][m / 3] = dt / (double) n;
      }
    }
    double[] medians = new double[3];
    for (int i = 0; i < 3; i++) {
      Arrays.sort(times[i]);
      medians[i] = times[i][MEASURED_ROUNDS / 2];
    }
    return medians;
  }

  /**
   * Runs the check.
   *
   * @param args dimensions to measure; default 128 384 768 1024
   */
  public static void main(String[] args) {
    if (!VectorMath.implementation().equals("panama")) {
      throw new IllegalStateException(
          "VectorMath uses " + VectorMath.implementation()
              + "; run with --add-modules jdk.incubator.vector");
    }
    int[] dims = args.length == 0 ? new int[] {128, 384, 768, 1024}
        : Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
    StringBuilder json = new StringBuilder("{\"unit\":\"ns/op (thread CPU time, median)\",\"results\":[");
    System.err.println("  dim   scalar   panama   lucene  panama/scalar  panama/lucene");
    float sink = 0;
    for (int d = 0; d < dims.length; d++) {
      PairedCosineCheck check = new PairedCosineCheck(dims[d]);
      float p = VectorMath.cosine(check.a, check.b);
      float l = VectorUtil.cosine(check.a, check.b);
      float s = check.scalar.cosine(check.a, check.b);
      if (Math.abs(p - s) > 1e-5 || Math.abs(l - s) > 1e-5) {
        throw new IllegalStateException("cosines disagree: " + s + " " + p + " " + l);
      }
      double[] t = check.measure();
      sink += check.sink;
      System.err.printf(Locale.ROOT, "%5d %8.1f %8.1f %8.1f %14.2f %14.2f%n", dims[d], t[0], t[1],
          t[2], t[0] / t[1], t[2] / t[1]);
      json.append(String.format(Locale.ROOT,
          "%s{\"dim\":%d,\"scalar\":%.2f,\"panama\":%.2f,\"lucene\":%.2f,"
              + "\"panama_over_scalar\":%.2f,\"panama_over_lucene\":%.2f}",
          d == 0 ? "" : ",", dims[d], t[0], t[1], t[2], t[0] / t[1], t[2] / t[1]));
    }
    System.err.println("(sink " + sink + ")");
    System.out.println(json.append("]}"));
  }
}
