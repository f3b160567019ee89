package dev.gecko4j.examples.bench;

import dev.gecko4j.core.Pooling;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link Pooling#MEAN} over one encoder output of shape {@code [batch 32, seq 128, hidden 384]}
 * (a bge-small / MiniLM batch) with right padding (row lengths 32..128), into a preallocated
 * output. One operation pools the whole batch and reads {@code 32*128*384*4 = 6.29 MB} of token
 * states, so GB/s = ops/s x 0.00629.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -jar gecko-examples/target/benchmarks.jar
 * MeanPooling -f 1 -wi 3 -i 5}
 */
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
public class MeanPoolingBenchmark {

  private static final int BATCH = 32;
  private static final int SEQ = 128;
  private static final int HIDDEN = 384;

  private float[] hidden;
  private long[] mask;
  private float[] out;

  /** Creates the token states and mask, and checks one row against a hand-computed mean. */
  @Setup
  public void setup() {
    Random random = new Random(32);
    hidden = new float[BATCH * SEQ * HIDDEN];
    for (int i = 0; i < hidden.length; i++) {
      hidden[i] = (float) random.nextGaussian();
    }
    mask = new long[BATCH * SEQ];
    for (int b = 0; b < BATCH; b++) {
      int len = 32 + random.nextInt(SEQ - 32 + 1);
      for (int t = 0; t < len; t++) {
        mask[b * SEQ + t] = 1;
      }
    }
    out = new float[BATCH * HIDDEN];
    meanPool();
    int b = BATCH - 1;
    int len = 0;
    double sum = 0;
    for (int t = 0; t < SEQ; t++) {
      if (mask[b * SEQ + t] != 0) {
        len++;
        sum += hidden[(b * SEQ + t) * HIDDEN + 5];
      }
    }
    if (Math.abs(out[b * HIDDEN + 5] - sum / len) > 1e-4) {
      throw new IllegalStateException("mean pooling is wrong: " + out[b * HIDDEN + 5] + " != " + sum / len);
    }
  }

  /** Pools the whole batch. */
  @Benchmark
  public float[] meanPool() {
    Pooling.MEAN.pool(hidden, mask, BATCH, SEQ, HIDDEN, out, 0);
    return out;
  }
}
