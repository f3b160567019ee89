package dev.gecko4j.examples.bench;

import dev.gecko4j.core.Pooling;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * {@link Pooling#MEAN} over one encoder output of shape {@code [batch 32, seq 128, hidden 384]}
 * (a bge-small / MiniLM batch) with right padding (row lengths 32..128), into a preallocated
 * output. One operation pools the whole batch and reads {@code 32*128*384*4 = 6.29 MB} of token
 * states, so GB/s = ops/s x 0.00629.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -jar gecko-examples/target/benchmarks.jar
 * MeanPooling -f 1 -wi 3 -i 5}; other shapes with {@code -p seq=512} (and {@code batch},
 * {@code hiddenSize}).
 */
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
public class MeanPoolingBenchmark extends KernelBenchmark {

  /** Rows per batch. */
  @Param("32")
  public int batch;

  /** Tokens per row (padded length); rows hold 32 to {@code seq} real tokens. */
  @Param("128")
  public int seq;

  /** Hidden size (bge-small and MiniLM: 384). */
  @Param("384")
  public int hiddenSize;

  private float[] hidden;
  private long[] mask;
  private float[] out;

  /** Creates the token states and mask, and checks one row against a hand-computed mean. */
  @Setup
  public void setup() {
    if (batch < 1 || seq < 32 || hiddenSize < 6) {
      throw new IllegalArgumentException("batch >= 1, seq >= 32 and hiddenSize >= 6 expected, but are: "
          + batch + ", " + seq + ", " + hiddenSize);
    }
    Random random = new Random(32);
    hidden = new float[batch * seq * hiddenSize];
    for (int i = 0; i < hidden.length; i++) {
      hidden[i] = (float) random.nextGaussian();
    }
    mask = new long[batch * seq];
    for (int b = 0; b < batch; b++) {
      int len = 32 + random.nextInt(seq - 32 + 1);
      for (int t = 0; t < len; t++) {
        mask[b * seq + t] = 1;
      }
    }
    out = new float[batch * hiddenSize];
    meanPool();
    int b = batch - 1;
    int len = 0;
    double sum = 0;
    for (int t = 0; t < seq; t++) {
      if (mask[b * seq + t] != 0) {
        len++;
        sum += hidden[(b * seq + t) * hiddenSize + 5];
      }
    }
    if (Math.abs(out[b * hiddenSize + 5] - sum / len) > 1e-4) {
      throw new IllegalStateException("mean pooling is wrong: " + out[b * hiddenSize + 5] + " != " + sum / len);
    }
  }

  /** Pools the whole batch. */
  @Benchmark
  public float[] meanPool() {
    Pooling.MEAN.pool(hidden, mask, batch, seq, hiddenSize, out, 0);
    return out;
  }
}
