package dev.gecko4j.examples.bench;

import dev.gecko4j.core.vector.VectorMath;
import dev.gecko4j.core.vector.internal.ScalarVectorSupport;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.lucene.util.VectorUtil;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Cosine similarity of two float vectors, three ways, in the same JVM flags:
 *
 * <ul>
 *   <li>{@code scalar}: gecko4j's plain-Java reference kernel ({@code ScalarVectorSupport});
 *   <li>{@code panama}: gecko4j's public, validated {@link VectorMath#cosine} on the Vector API
 *       kernels (setup fails if the facade did not pick them);
 *   <li>{@code lucene}: Lucene's public {@link VectorUtil#cosine}, its Panama kernels when the
 *       module is present (it logs {@code Java vector incubator API enabled} at start).
 * </ul>
 *
 * <p>Each invocation takes the next of 64 vector pairs, allocated with small fillers in between so
 * that their start addresses cycle through every 8-byte offset modulo the 64-byte cache line.
 * With a single pair, the pair's alignment (which differs from fork to fork) decides how many
 * vector loads split across cache lines, and the implementations, measured in different forks,
 * would be compared at different alignments (seen here: up to 30% between forks).
 *
 * <p>Every configuration checks its result on every pair against a double-precision reference in
 * setup, so a broken kernel cannot look fast. Read the result as operations per microsecond; the ratios that
 * matter are panama/scalar and panama/lucene at the same {@code dim}.
 *
 * <p>Run (after {@code mvn -B -q -pl gecko-examples -am package -DskipTests}):
 *
 * <pre>{@code
 * java --add-modules jdk.incubator.vector -jar gecko-examples/target/benchmarks.jar Cosine -f 1 -wi 3 -i 5
 * }</pre>
 */
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Thread)
public class CosineBenchmark extends KernelBenchmark {

  /** Which implementation to measure. */
  @Param({"scalar", "panama", "lucene"})
  public String impl;

  /** Vector dimension: 384 and 768 are typical embedding sizes, 1024 large ones. */
  @Param({"128", "384", "768", "1024"})
  public int dim;

  private static final int PAIRS = 64;

  private float[][] as;
  private float[][] bs;
  private int next;
  private int kind;
  /** Keeps the fillers reachable so the layout stays as allocated. */
  private Object[] fillers;
  private final ScalarVectorSupport scalar = new ScalarVectorSupport();

  /** Creates the vectors and checks this configuration's result against a reference. */
  @Setup
  public void setup() {
    Random random = new Random(dim);
    as = new float[PAIRS][];
    bs = new float[PAIRS][];
    fillers = new Object[2 * PAIRS];
    for (int p = 0; p < PAIRS; p++) {
      fillers[2 * p] = new int[p % 16]; // shifts the next array by 8-byte steps
      as[p] = new float[dim];
      fillers[2 * p + 1] = new int[(p / 16) % 16];
      bs[p] = new float[dim];
      for (int i = 0; i < dim; i++) {
        as[p][i] = (float) random.nextGaussian();
        bs[p][i] = (float) random.nextGaussian();
      }
    }
    kind = switch (impl) {
      case "scalar" -> 0;
      case "panama" -> {
        if (!VectorMath.implementation().equals("panama")) {
          throw new IllegalStateException(
              "VectorMath uses " + VectorMath.implementation() + ", not panama; run with "
                  + "--add-modules jdk.incubator.vector");
        }
        yield 1;
      }
      case "lucene" -> 2;
      default -> throw new IllegalArgumentException("unknown impl " + impl);
    };
    for (int p = 0; p < PAIRS; p++) {
      float[] a = as[p];
      float[] b = bs[p];
      double dot = 0, na = 0, nb = 0;
      for (int i = 0; i < dim; i++) {
        dot += (double) a[i] * b[i];
        na += (double) a[i] * a[i];
        nb += (double) b[i] * b[i];
      }
      double expected = dot / Math.sqrt(na * nb);
      float actual = cosine();
      if (Math.abs(actual - expected) > 1e-5) {
        throw new IllegalStateException(
            impl + " cosine at dim " + dim + " is " + actual + ", expected " + expected);
      }
    }
    next = 0;
  }

  /** One cosine similarity, of the next pair. */
  @Benchmark
  public float cosine() {
    int p = next;
    next = (p + 1) & (PAIRS - 1);
    float[] a = as[p];
    float[] b = bs[p];
    return switch (kind) {
      case 0 -> scalar.cosine(a, b);
      case 1 -> VectorMath.cosine(a, b);
      default -> VectorUtil.cosine(a, b);
    };
  }
}
