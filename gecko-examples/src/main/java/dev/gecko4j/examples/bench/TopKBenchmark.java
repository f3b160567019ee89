package dev.gecko4j.examples.bench;

import dev.gecko4j.core.index.FlatIndex;
import dev.gecko4j.core.index.QuantizedFlatIndex;
import dev.gecko4j.core.quantization.Precision;
import dev.gecko4j.core.index.Hit;
import dev.gecko4j.core.vector.Similarity;
import dev.gecko4j.core.vector.VectorMath;
import dev.gecko4j.core.vector.internal.VectorSupport;
import dev.gecko4j.core.vector.internal.VectorSupportProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Exact top-10 over 100,000 unit vectors of dimension 384 in a {@link FlatIndex} (cosine), next to
 * a plain streaming read of the same number of bytes, in one run, so the scan's memory efficiency
 * is a ratio measured under the same conditions.
 *
 * <ul>
 *   <li>{@code search}: one query, calling thread only. One operation scans 100,000 x 384 x 4 B =
 *       153.6 MB, so scanned GB/s = ops/s x 0.1536, and queries/s = ops/s.
 *   <li>{@code streamingRead}: sums the same 153.6 MB (a copy of the same vectors in one array)
 *       with gecko4j's SIMD sum kernel (Vector API, 4 accumulators), one thread: the read
 *       bandwidth this thread can get. GB/s = ops/s x 0.1536. The goal is {@code search} GB/s >= 60% of this.
 *   <li>{@code searchBatch64}: 64 queries in one {@link FlatIndex#searchBatch} call, all cores;
 *       queries/s = ops/s x 64. It reads each corpus block once per block of 16 queries, so it is
 *       bound by arithmetic, not memory; compare it with {@code search} as queries/s.
 *   <li>{@code searchInt8}, {@code searchBinary} (and their {@code searchBatch64} twins): the same
 *       queries on a {@link QuantizedFlatIndex} of int8 codes (384 B per vector) or sign bits (48 B),
 *       the best 40 candidates rescored from the float index; compare as queries/s with {@code
 *       search} ({@code gecko bench ann} measures their recall).
 * </ul>
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -jar gecko-examples/target/benchmarks.jar
 * TopK -f 1 -wi 3 -i 5}
 */
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
public class TopKBenchmark extends KernelBenchmark {

  /** Corpus size. */
  public static final int ROWS = 100_000;
  /** Vector dimension. */
  public static final int DIM = 384;
  /** Hits per query. */
  public static final int K = 10;
  /** Bytes of vectors one full scan reads. */
  public static final long BYTES_PER_SCAN = (long) ROWS * DIM * Float.BYTES;

  private static final VectorSupport KERNELS = VectorSupportProvider.get();

  private FlatIndex index;
  private QuantizedFlatIndex int8;
  private QuantizedFlatIndex binary;
  private float[] flat;
  private List<float[]> queries;
  private int next;

  /** Builds the index and the flat copy, and checks one search against a brute-force scan. */
  @Setup
  public void setup() {
    Random random = new Random(100);
    index = new FlatIndex(DIM, Similarity.COSINE);
    int8 = QuantizedFlatIndex.builder(DIM, Similarity.COSINE).precision(Precision.INT8)
        .rescoreFactor(4).rescoreFrom(index).build();
    binary = QuantizedFlatIndex.builder(DIM, Similarity.COSINE).precision(Precision.BINARY)
        .rescoreFactor(4).rescoreFrom(index).build();
    flat = new float[ROWS * DIM];
    float[] v = new float[DIM];
    for (int r = 0; r < ROWS; r++) {
      for (int d = 0; d < DIM; d++) {
        v[d] = (float) random.nextGaussian();
      }
      VectorMath.normalize(v);
      System.arraycopy(v, 0, flat, r * DIM, DIM);
      index.add("doc-" + r, v);
      int8.add("doc-" + r, v);
      binary.add("doc-" + r, v);
    }
    if (!KERNELS.name().equals("panama")) {
      throw new IllegalStateException("run with --add-modules jdk.incubator.vector");
    }
    queries = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      float[] q = new float[DIM];
      for (int d = 0; d < DIM; d++) {
        q[d] = (float) random.nextGaussian();
      }
      queries.add(VectorMath.normalize(q));
    }
    // check: the best hit equals a brute-force scan of the flat copy
    float[] scores = new float[ROWS];
    VectorMath.dotMatrix(queries.get(0), flat, ROWS, scores);
    int best = 0;
    for (int r = 1; r < ROWS; r++) {
      if (scores[r] > scores[best]) {
        best = r;
      }
    }
    Hit hit = index.search(queries.get(0), K).get(0);
    if (hit.ordinal() != best || index.searchBatch(queries, K).get(0).get(0).ordinal() != best) {
      throw new IllegalStateException("top-1 is " + hit + ", brute force says " + best);
    }
  }

  /** One query, one thread: a full scan of 153.6 MB plus a bounded heap. */
  @Benchmark
  public List<Hit> search() {
    float[] q = queries.get(next);
    next = (next + 1) & 63;
    return index.search(q, K);
  }

  /** One query on the int8 codes, 40 candidates rescored, one thread. */
  @Benchmark
  public List<Hit> searchInt8() {
    float[] q = queries.get(next);
    next = (next + 1) & 63;
    return int8.search(q, K);
  }

  /** One query on the sign bits, 40 candidates rescored, one thread. */
  @Benchmark
  public List<Hit> searchBinary() {
    float[] q = queries.get(next);
    next = (next + 1) & 63;
    return binary.search(q, K);
  }

  /** 64 queries on the int8 codes in one batch, on all cores. */
  @Benchmark
  public List<List<Hit>> searchBatch64Int8() {
    return int8.searchBatch(queries, K);
  }

  /** 64 queries on the sign bits in one batch, on all cores. */
  @Benchmark
  public List<List<Hit>> searchBatch64Binary() {
    return binary.searchBatch(queries, K);
  }

  /** 64 queries in one batch, on all cores. */
  @Benchmark
  public List<List<Hit>> searchBatch64() {
    return index.searchBatch(queries, K);
  }

  /**
   * Sums the same 153.6 MB with the SIMD sum kernel (4 accumulators): the streaming-read
   * bandwidth.
   */
  @Benchmark
  public float streamingRead() {
    return KERNELS.sum(flat, 0, flat.length);
  }
}
