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
 * Dot product of two int8 vectors (the kernel of the int8 {@code QuantizedFlatIndex} scan), three
 * ways, as {@link CosineBenchmark} measures the float cosine:
 *
 * <ul>
 *   <li>{@code scalar}: gecko4j's plain-Java kernel;
 *   <li>{@code panama}: gecko4j's public {@link VectorMath#dotProduct(byte[], byte[])} on the
 *       Vector API kernels (setup fails if the facade did not pick them);
 *   <li>{@code lucene}: Lucene 10.6's public {@link VectorUtil#dotProduct(byte[], byte[])}, the
 *       kernel of its scalar-quantized HNSW.
 * </ul>
 *
 * <p>Each invocation takes the next of 64 vector pairs (start addresses cycling through the
 * 8-byte offsets of a cache line, see {@link CosineBenchmark}); every configuration checks its
 * result on every pair against a plain loop in setup.
 *
 * <pre>{@code
 * java --add-modules jdk.incubator.vector -jar gecko-examples/target/benchmarks.jar Int8Dot \
 *   -p dim=384,768 -p impl=panama,lucene -f 2
 * }</pre>
 */
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Thread)
public class Int8DotBenchmark extends KernelBenchmark {

  /** Which implementation to measure. */
  @Param({"scalar", "panama", "lucene"})
  public String impl;

  /** Vector dimension (one byte per dimension). */
  @Param({"128", "384", "768", "1024"})
  public int dim;

  private static final int PAIRS = 64;

  private byte[][] as;
  private byte[][] bs;
  private int next;
  private int kind;
  /** Keeps the fillers reachable so the layout stays as allocated. */
  private Object[] fillers;
  private final ScalarVectorSupport scalar = new ScalarVectorSupport();

  /** Creates the vectors and checks this configuration's result against a plain loop. */
  @Setup
  public void setup() {
    Random random = new Random(dim);
    as = new byte[PAIRS][];
    bs = new byte[PAIRS][];
    fillers = new Object[2 * PAIRS];
    for (int p = 0; p < PAIRS; p++) {
      fillers[2 * p] = new long[p % 8];
      as[p] = new byte[dim];
      fillers[2 * p + 1] = new long[(p / 8) % 8];
      bs[p] = new byte[dim];
      random.nextBytes(as[p]);
      random.nextBytes(bs[p]);
    }
    kind = switch (impl) {
      case "scalar" -> 0;
      case "panama" -> {
        if (!VectorMath.implementation().equals("panama")) {
          throw new IllegalStateException("VectorMath uses " + VectorMath.implementation()
              + ", not panama; run with --add-modules jdk.incubator.vector");
        }
        yield 1;
      }
      case "lucene" -> 2;
      default -> throw new IllegalArgumentException("unknown impl " + impl);
    };
    for (int p = 0; p < PAIRS; p++) {
      int expected = 0;
      for (int i = 0; i < dim; i++) {
        expected += as[p][i] * bs[p][i];
      }
      int actual = dot();
      if (actual != expected) {
        throw new IllegalStateException(impl + " int8 dot at dim " + dim + " is " + actual
            + ", expected " + expected);
      }
    }
    next = 0;
  }

  /** One int8 dot product, of the next pair. */
  @Benchmark
  public int dot() {
    int p = next;
    next = (p + 1) & (PAIRS - 1);
    byte[] a = as[p];
    byte[] b = bs[p];
    return switch (kind) {
      case 0 -> scalar.dotInt8(a, 0, b, 0, a.length);
      case 1 -> VectorMath.dotProduct(a, b);
      default -> VectorUtil.dotProduct(a, b);
    };
  }
}
