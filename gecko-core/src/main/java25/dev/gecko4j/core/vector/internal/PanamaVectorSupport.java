package dev.gecko4j.core.vector.internal;

import java.lang.management.ManagementFactory;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * SIMD kernels on the Vector API ({@code jdk.incubator.vector}, {@link
 * FloatVector#SPECIES_PREFERRED}): a vector body up to {@code loopBound} with several independent
 * accumulators (so the FMA latency is hidden), then a scalar tail, ending with the same formula
 * as {@link ScalarVectorSupport}.
 *
 * <p>This class is only loaded, by reflection, by {@link VectorSupportProvider} after it checked
 * that the incubator module is readable; its static fields touch the Vector API, which is safe for
 * that reason only. Never reference it directly from code that runs without the module.
 */
public final class PanamaVectorSupport implements VectorSupport {

  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
  private static final int L = SPECIES.length();
  /** 512-bit machines (AVX-512) have 32 vector registers: room for 4 accumulator sets. */
  private static final boolean WIDE = SPECIES.vectorBitSize() >= 512;
  /**
   * The cosine uses the 4 accumulator sets below this length and 2 from it on: in interleaved
   * development checks 4 sets were faster at 384 and 2 at 768 (JMH figures in BENCHMARKS.md).
   */
  private static final int WIDE_COSINE_MAX_LEN = 512;
  /** Without hardware FMA, {@code FloatVector.fma} is emulated and very slow: use mul + add. */
  private static final boolean USE_FMA = hasHardwareFma();
  // Lane swaps for a pairwise (tree) sum of 16 lanes (AVX-512), used instead of
  // reduceLanes(ADD) by the single-sum kernels (dot, sum, squaredL2, dotBlock): 4 shuffle+add
  // steps. The cosine, with three sums to reduce, uses reduceLanes (see there).
  // Int8 dot product, Lucene's shapes: bytes loaded at a quarter of the preferred width, widened
  // to shorts (half width) for an exact 16-bit multiply (|a*b| <= 2^14), the products widened to
  // full-width ints for the sums; whole arrays take Lucene's loop (one accumulator),
  // offsets the four-accumulator unrolled loop (see BENCHMARKS.md for both in JMH). Needs a
  // preferred width of 256 bits or more (a quarter of 128 bits is no vector shape): else scalar.
  // (Development checks, interleaved in one JVM, not kept as a command: about 1.0-1.04x Lucene's
  // kernel; JMH figures in BENCHMARKS.md.)
  private static final int BITS = SPECIES.vectorBitSize();
  private static final boolean INT8_SIMD = BITS >= 256;
  private static final VectorSpecies<Byte> BYTES =
      INT8_SIMD ? VectorSpecies.of(byte.class, VectorShape.forBitSize(BITS / 4)) : null;
  private static final VectorSpecies<Short> SHORTS =
      INT8_SIMD ? VectorSpecies.of(short.class, VectorShape.forBitSize(BITS / 2)) : null;
  private static final VectorSpecies<Integer> INTS =
      INT8_SIMD ? VectorSpecies.of(int.class, VectorShape.forBitSize(BITS)) : null;
  private static final int BL = INT8_SIMD ? BYTES.length() : 1;
  private static final VectorSpecies<Long> LONGS = LongVector.SPECIES_PREFERRED;
  private static final int LL = LONGS.length();
  private static final VectorShuffle<Float> SWAP8 = swap(8);
  private static final VectorShuffle<Float> SWAP4 = swap(4);
  private static final VectorShuffle<Float> SWAP2 = swap(2);
  private static final VectorShuffle<Float> SWAP1 = swap(1);

  private static VectorShuffle<Float> swap(int distance) {
    return VectorShuffle.fromOp(SPECIES, i -> (i ^ distance) & (L - 1));
  }

  /** Sums the lanes of {@code v}: a pairwise tree on 16 lanes, {@code reduceLanes} otherwise. */
  private static float sum(FloatVector v) {
    if (L != 16) {
      return v.reduceLanes(VectorOperators.ADD);
    }
    v = v.add(v.rearrange(SWAP8));
    v = v.add(v.rearrange(SWAP4));
    v = v.add(v.rearrange(SWAP2));
    v = v.add(v.rearrange(SWAP1));
    return v.lane(0);
  }

  /**
   * Creates the Panama kernels.
   *
   * @throws UnsupportedOperationException if the preferred vector is narrower than 128 bits (the
   *     provider then falls back to {@link ScalarVectorSupport})
   */
  public PanamaVectorSupport() {
    if (SPECIES.vectorBitSize() < 128) {
      throw new UnsupportedOperationException(
          "Vector bit size is less than 128: " + SPECIES.vectorBitSize());
    }
  }

  private static boolean hasHardwareFma() {
    try {
      var bean = ManagementFactory.getPlatformMXBean(
          com.sun.management.HotSpotDiagnosticMXBean.class);
      return Boolean.parseBoolean(bean.getVMOption("UseFMA").getValue());
    } catch (RuntimeException | LinkageError e) {
      return true;
    }
  }

  /** {@return the number of float lanes of the preferred species on this machine} */
  public static int lanes() {
    return L;
  }

  @Override
  public String name() {
    return "panama";
  }

  private static FloatVector fma(FloatVector a, FloatVector b, FloatVector acc) {
    return USE_FMA ? a.fma(b, acc) : a.mul(b).add(acc);
  }

  private static float fma(float a, float b, float acc) {
    return USE_FMA ? Math.fma(a, b, acc) : a * b + acc;
  }

  @Override
  public float dot(float[] a, int aOff, float[] b, int bOff, int len) {
    int i = 0;
    float sum = 0;
    if (len >= 2 * L) {
      int bound = SPECIES.loopBound(len);
      FloatVector s0 = FloatVector.zero(SPECIES);
      FloatVector s1 = FloatVector.zero(SPECIES);
      FloatVector s2 = FloatVector.zero(SPECIES);
      FloatVector s3 = FloatVector.zero(SPECIES);
      for (int unrolled = bound - 4 * L; i <= unrolled; i += 4 * L) {
        s0 = fma(FloatVector.fromArray(SPECIES, a, aOff + i),
            FloatVector.fromArray(SPECIES, b, bOff + i), s0);
        s1 = fma(FloatVector.fromArray(SPECIES, a, aOff + i + L),
            FloatVector.fromArray(SPECIES, b, bOff + i + L), s1);
        s2 = fma(FloatVector.fromArray(SPECIES, a, aOff + i + 2 * L),
            FloatVector.fromArray(SPECIES, b, bOff + i + 2 * L), s2);
        s3 = fma(FloatVector.fromArray(SPECIES, a, aOff + i + 3 * L),
            FloatVector.fromArray(SPECIES, b, bOff + i + 3 * L), s3);
      }
      for (; i < bound; i += L) {
        s0 = fma(FloatVector.fromArray(SPECIES, a, aOff + i),
            FloatVector.fromArray(SPECIES, b, bOff + i), s0);
      }
      sum = sum(s0.add(s1).add(s2.add(s3)));
    }
    for (; i < len; i++) {
      sum = fma(a[aOff + i], b[bOff + i], sum);
    }
    return sum;
  }

  @Override
  public float cosine(float[] a, float[] b) {
    // a copy of the offset variant without offsets: C2 compiles this shape faster (short dims)
    int len = a.length;
    int i = 0;
    float sum = 0, norm1 = 0, norm2 = 0;
    if (len >= 2 * L) {
      int bound = SPECIES.loopBound(len);
      // Three sums (a.b, a.a, b.b) in one pass over both arrays, with 4 (AVX-512: 32 registers)
      // or 2 accumulator sets so consecutive FMAs do not wait on each other.
      FloatVector d0 = FloatVector.zero(SPECIES), d1 = d0, d2 = d0, d3 = d0;
      FloatVector x0 = d0, x1 = d0, x2 = d0, x3 = d0;
      FloatVector y0 = d0, y1 = d0, y2 = d0, y3 = d0;
      if (WIDE && len < WIDE_COSINE_MAX_LEN) {
        for (int unrolled = bound - 4 * L; i <= unrolled; i += 4 * L) {
          FloatVector va = FloatVector.fromArray(SPECIES, a, i);
          FloatVector vb = FloatVector.fromArray(SPECIES, b, i);
          d0 = fma(va, vb, d0);
          x0 = fma(va, va, x0);
          y0 = fma(vb, vb, y0);
          va = FloatVector.fromArray(SPECIES, a, i + L);
          vb = FloatVector.fromArray(SPECIES, b, i + L);
          d1 = fma(va, vb, d1);
          x1 = fma(va, va, x1);
          y1 = fma(vb, vb, y1);
          va = FloatVector.fromArray(SPECIES, a, i + 2 * L);
          vb = FloatVector.fromArray(SPECIES, b, i + 2 * L);
          d2 = fma(va, vb, d2);
          x2 = fma(va, va, x2);
          y2 = fma(vb, vb, y2);
          va = FloatVector.fromArray(SPECIES, a, i + 3 * L);
          vb = FloatVector.fromArray(SPECIES, b, i + 3 * L);
          d3 = fma(va, vb, d3);
          x3 = fma(va, va, x3);
          y3 = fma(vb, vb, y3);
        }
      } else {
        for (int unrolled = bound - 2 * L; i <= unrolled; i += 2 * L) {
          FloatVector va = FloatVector.fromArray(SPECIES, a, i);
          FloatVector vb = FloatVector.fromArray(SPECIES, b, i);
          d0 = fma(va, vb, d0);
          x0 = fma(va, va, x0);
          y0 = fma(vb, vb, y0);
          va = FloatVector.fromArray(SPECIES, a, i + L);
          vb = FloatVector.fromArray(SPECIES, b, i + L);
          d1 = fma(va, vb, d1);
          x1 = fma(va, va, x1);
          y1 = fma(vb, vb, y1);
        }
      }
      for (; i < bound; i += L) {
        FloatVector va = FloatVector.fromArray(SPECIES, a, i);
        FloatVector vb = FloatVector.fromArray(SPECIES, b, i);
        d0 = fma(va, vb, d0);
        x0 = fma(va, va, x0);
        y0 = fma(vb, vb, y0);
      }
      // reduceLanes here, not the shuffle tree of sum(FloatVector): the three independent
      // reductions overlap (faster at 384 and 768 in interleaved development checks; JMH figures
      // in BENCHMARKS.md, "Quantized embeddings")
      sum = d0.add(d1).add(d2.add(d3)).reduceLanes(VectorOperators.ADD);
      norm1 = x0.add(x1).add(x2.add(x3)).reduceLanes(VectorOperators.ADD);
      norm2 = y0.add(y1).add(y2.add(y3)).reduceLanes(VectorOperators.ADD);
    }
    for (; i < len; i++) {
      float x = a[i];
      float y = b[i];
      sum = fma(x, y, sum);
      norm1 = fma(x, x, norm1);
      norm2 = fma(y, y, norm2);
    }
    return ScalarVectorSupport.cosineOf(sum, norm1, norm2, a, 0, b, 0, len);
  }


  @Override
  public float cosine(float[] a, int aOff, float[] b, int bOff, int len) {
    int i = 0;
    float sum = 0, norm1 = 0, norm2 = 0;
    if (len >= 2 * L) {
      int bound = SPECIES.loopBound(len);
      // Three sums (a.b, a.a, b.b) in one pass over both arrays, with 4 (AVX-512: 32 registers)
      // or 2 accumulator sets so consecutive FMAs do not wait on each other.
      FloatVector d0 = FloatVector.zero(SPECIES), d1 = d0, d2 = d0, d3 = d0;
      FloatVector x0 = d0, x1 = d0, x2 = d0, x3 = d0;
      FloatVector y0 = d0, y1 = d0, y2 = d0, y3 = d0;
      if (WIDE && len < WIDE_COSINE_MAX_LEN) {
        for (int unrolled = bound - 4 * L; i <= unrolled; i += 4 * L) {
          FloatVector va = FloatVector.fromArray(SPECIES, a, aOff + i);
          FloatVector vb = FloatVector.fromArray(SPECIES, b, bOff + i);
          d0 = fma(va, vb, d0);
          x0 = fma(va, va, x0);
          y0 = fma(vb, vb, y0);
          va = FloatVector.fromArray(SPECIES, a, aOff + i + L);
          vb = FloatVector.fromArray(SPECIES, b, bOff + i + L);
          d1 = fma(va, vb, d1);
          x1 = fma(va, va, x1);
          y1 = fma(vb, vb, y1);
          va = FloatVector.fromArray(SPECIES, a, aOff + i + 2 * L);
          vb = FloatVector.fromArray(SPECIES, b, bOff + i + 2 * L);
          d2 = fma(va, vb, d2);
          x2 = fma(va, va, x2);
          y2 = fma(vb, vb, y2);
          va = FloatVector.fromArray(SPECIES, a, aOff + i + 3 * L);
          vb = FloatVector.fromArray(SPECIES, b, bOff + i + 3 * L);
          d3 = fma(va, vb, d3);
          x3 = fma(va, va, x3);
          y3 = fma(vb, vb, y3);
        }
      } else {
        for (int unrolled = bound - 2 * L; i <= unrolled; i += 2 * L) {
          FloatVector va = FloatVector.fromArray(SPECIES, a, aOff + i);
          FloatVector vb = FloatVector.fromArray(SPECIES, b, bOff + i);
          d0 = fma(va, vb, d0);
          x0 = fma(va, va, x0);
          y0 = fma(vb, vb, y0);
          va = FloatVector.fromArray(SPECIES, a, aOff + i + L);
          vb = FloatVector.fromArray(SPECIES, b, bOff + i + L);
          d1 = fma(va, vb, d1);
          x1 = fma(va, va, x1);
          y1 = fma(vb, vb, y1);
        }
      }
      for (; i < bound; i += L) {
        FloatVector va = FloatVector.fromArray(SPECIES, a, aOff + i);
        FloatVector vb = FloatVector.fromArray(SPECIES, b, bOff + i);
        d0 = fma(va, vb, d0);
        x0 = fma(va, va, x0);
        y0 = fma(vb, vb, y0);
      }
      // reduceLanes here, not the shuffle tree of sum(FloatVector): the three independent
      // reductions overlap (faster at 384 and 768 in interleaved development checks; JMH figures
      // in BENCHMARKS.md, "Quantized embeddings")
      sum = d0.add(d1).add(d2.add(d3)).reduceLanes(VectorOperators.ADD);
      norm1 = x0.add(x1).add(x2.add(x3)).reduceLanes(VectorOperators.ADD);
      norm2 = y0.add(y1).add(y2.add(y3)).reduceLanes(VectorOperators.ADD);
    }
    for (; i < len; i++) {
      float x = a[aOff + i];
      float y = b[bOff + i];
      sum = fma(x, y, sum);
      norm1 = fma(x, x, norm1);
      norm2 = fma(y, y, norm2);
    }
    return ScalarVectorSupport.cosineOf(sum, norm1, norm2, a, aOff, b, bOff, len);
  }

  @Override
  public float squaredL2(float[] a, float[] b) {
    int len = a.length;
    int i = 0;
    float sum = 0;
    if (len >= 2 * L) {
      int bound = SPECIES.loopBound(len);
      FloatVector s0 = FloatVector.zero(SPECIES), s1 = s0, s2 = s0, s3 = s0;
      for (int unrolled = bound - 4 * L; i <= unrolled; i += 4 * L) {
        FloatVector e0 = FloatVector.fromArray(SPECIES, a, i)
            .sub(FloatVector.fromArray(SPECIES, b, i));
        FloatVector e1 = FloatVector.fromArray(SPECIES, a, i + L)
            .sub(FloatVector.fromArray(SPECIES, b, i + L));
        FloatVector e2 = FloatVector.fromArray(SPECIES, a, i + 2 * L)
            .sub(FloatVector.fromArray(SPECIES, b, i + 2 * L));
        FloatVector e3 = FloatVector.fromArray(SPECIES, a, i + 3 * L)
            .sub(FloatVector.fromArray(SPECIES, b, i + 3 * L));
        s0 = fma(e0, e0, s0);
        s1 = fma(e1, e1, s1);
        s2 = fma(e2, e2, s2);
        s3 = fma(e3, e3, s3);
      }
      for (; i < bound; i += L) {
        FloatVector e = FloatVector.fromArray(SPECIES, a, i)
            .sub(FloatVector.fromArray(SPECIES, b, i));
        s0 = fma(e, e, s0);
      }
      sum = sum(s0.add(s1).add(s2.add(s3)));
    }
    for (; i < len; i++) {
      float d = a[i] - b[i];
      sum = fma(d, d, sum);
    }
    return sum;
  }

  @Override
  public float squaredNorm(float[] a, int off, int len) {
    return dot(a, off, a, off, len);
  }

  @Override
  public float sum(float[] a, int off, int len) {
    int i = 0;
    float total = 0;
    if (len >= 2 * L) {
      int bound = SPECIES.loopBound(len);
      FloatVector s0 = FloatVector.zero(SPECIES), s1 = s0, s2 = s0, s3 = s0;
      for (int unrolled = bound - 4 * L; i <= unrolled; i += 4 * L) {
        s0 = s0.add(FloatVector.fromArray(SPECIES, a, off + i));
        s1 = s1.add(FloatVector.fromArray(SPECIES, a, off + i + L));
        s2 = s2.add(FloatVector.fromArray(SPECIES, a, off + i + 2 * L));
        s3 = s3.add(FloatVector.fromArray(SPECIES, a, off + i + 3 * L));
      }
      for (; i < bound; i += L) {
        s0 = s0.add(FloatVector.fromArray(SPECIES, a, off + i));
      }
      total = sum(s0.add(s1).add(s2.add(s3)));
    }
    for (; i < len; i++) {
      total += a[off + i];
    }
    return total;
  }

  @Override
  public void scale(float[] a, int off, int len, float factor) {
    int i = 0;
    for (int bound = SPECIES.loopBound(len); i < bound; i += L) {
      FloatVector.fromArray(SPECIES, a, off + i).mul(factor).intoArray(a, off + i);
    }
    for (; i < len; i++) {
      a[off + i] *= factor;
    }
  }

  @Override
  public void dotBlock(float[] qs, int qOff, int nq, float[] m, int mOff, int rows, int dim,
      float[] out, int outOff, int outStride) {
    int i = 0;
    for (; i + 4 <= nq; i += 4) {
      int q = qOff + i * dim;
      int o = outOff + i * outStride;
      int r = 0;
      for (; r + 2 <= rows; r += 2) {
        dot4x2(qs, q, m, mOff + r * dim, dim, out, o + r, outStride);
      }
      for (; r < rows; r++) {
        for (int j = 0; j < 4; j++) {
          out[o + j * outStride + r] = dot(qs, q + j * dim, m, mOff + r * dim, dim);
        }
      }
    }
    for (; i < nq; i++) {
      dotMatrix(qs, qOff + i * dim, m, mOff, rows, dim, out, outOff + i * outStride);
    }
  }

  /**
   * Four queries (at {@code q}, {@code q+dim}, ...) against two rows (at {@code r}, {@code r+dim}):
   * each loaded row vector serves four FMAs, and the eight accumulators hide the FMA latency.
   */
  private static void dot4x2(float[] qs, int q, float[] m, int r, int dim, float[] out, int o,
      int stride) {
    FloatVector a0 = FloatVector.zero(SPECIES), a1 = a0, a2 = a0, a3 = a0;
    FloatVector b0 = a0, b1 = a0, b2 = a0, b3 = a0;
    int q1 = q + dim, q2 = q + 2 * dim, q3 = q + 3 * dim, r1 = r + dim;
    int i = 0;
    for (int bound = SPECIES.loopBound(dim); i < bound; i += L) {
      FloatVector x = FloatVector.fromArray(SPECIES, m, r + i);
      FloatVector y = FloatVector.fromArray(SPECIES, m, r1 + i);
      FloatVector v = FloatVector.fromArray(SPECIES, qs, q + i);
      a0 = fma(v, x, a0);
      b0 = fma(v, y, b0);
      v = FloatVector.fromArray(SPECIES, qs, q1 + i);
      a1 = fma(v, x, a1);
      b1 = fma(v, y, b1);
      v = FloatVector.fromArray(SPECIES, qs, q2 + i);
      a2 = fma(v, x, a2);
      b2 = fma(v, y, b2);
      v = FloatVector.fromArray(SPECIES, qs, q3 + i);
      a3 = fma(v, x, a3);
      b3 = fma(v, y, b3);
    }
    float sa0 = sum(a0), sb0 = sum(b0);
    float sa1 = sum(a1), sb1 = sum(b1);
    float sa2 = sum(a2), sb2 = sum(b2);
    float sa3 = sum(a3), sb3 = sum(b3);
    for (; i < dim; i++) {
      float x = m[r + i];
      float y = m[r1 + i];
      sa0 = fma(qs[q + i], x, sa0);
      sb0 = fma(qs[q + i], y, sb0);
      sa1 = fma(qs[q1 + i], x, sa1);
      sb1 = fma(qs[q1 + i], y, sb1);
      sa2 = fma(qs[q2 + i], x, sa2);
      sb2 = fma(qs[q2 + i], y, sb2);
      sa3 = fma(qs[q3 + i], x, sa3);
      sb3 = fma(qs[q3 + i], y, sb3);
    }
    out[o] = sa0;
    out[o + 1] = sb0;
    out[o + stride] = sa1;
    out[o + stride + 1] = sb1;
    out[o + 2 * stride] = sa2;
    out[o + 2 * stride + 1] = sb2;
    out[o + 3 * stride] = sa3;
    out[o + 3 * stride + 1] = sb3;
  }
  @Override
  public int dotInt8(byte[] a, int aOff, byte[] b, int bOff, int len) {
    if (aOff == 0 && bOff == 0) {
      return dotInt8(a, b, len);
    }
    int i = 0;
    int sum = 0;
    if (INT8_SIMD && len >= 2 * BL) {
      IntVector s0 = IntVector.zero(INTS), s1 = s0, s2 = s0, s3 = s0;
      int bound = BYTES.loopBound(len);
      for (int unrolled = bound - 4 * BL; i <= unrolled; i += 4 * BL) {
        ShortVector p0 = widen(a, aOff + i).mul(widen(b, bOff + i));
        ShortVector p1 = widen(a, aOff + i + BL).mul(widen(b, bOff + i + BL));
        ShortVector p2 = widen(a, aOff + i + 2 * BL).mul(widen(b, bOff + i + 2 * BL));
        ShortVector p3 = widen(a, aOff + i + 3 * BL).mul(widen(b, bOff + i + 3 * BL));
        s0 = s0.add(p0.convertShape(VectorOperators.S2I, INTS, 0));
        s1 = s1.add(p1.convertShape(VectorOperators.S2I, INTS, 0));
        s2 = s2.add(p2.convertShape(VectorOperators.S2I, INTS, 0));
        s3 = s3.add(p3.convertShape(VectorOperators.S2I, INTS, 0));
      }
      for (; i < bound; i += BL) {
        ShortVector p = widen(a, aOff + i).mul(widen(b, bOff + i));
        s0 = s0.add(p.convertShape(VectorOperators.S2I, INTS, 0));
      }
      sum = s0.add(s1).add(s2.add(s3)).reduceLanes(VectorOperators.ADD);
    }
    for (; i < len; i++) {
      sum += a[aOff + i] * b[bOff + i];
    }
    return sum;
  }

  /** The offset-free copy of {@link #dotInt8(byte[], int, byte[], int, int)} (whole arrays). */
  private static int dotInt8(byte[] a, byte[] b, int len) {
    int i = 0;
    int sum = 0;
    if (INT8_SIMD && len >= 2 * BL) {
      // Lucene's loop shape: one step per iteration, a plain bound, one accumulator
      IntVector s0 = IntVector.zero(INTS);
      int bound = BYTES.loopBound(len);
      for (; i < bound; i += BL) {
        s0 = s0.add(widen(a, i).mul(widen(b, i)).convertShape(VectorOperators.S2I, INTS, 0));
      }
      sum = s0.reduceLanes(VectorOperators.ADD);
    }
    for (; i < len; i++) {
      sum += a[i] * b[i];
    }
    return sum;
  }

  /** Loads {@link #BL} bytes at {@code off} and sign-extends them to shorts. */
  private static ShortVector widen(byte[] a, int off) {
    return (ShortVector) ByteVector.fromArray(BYTES, a, off)
        .convertShape(VectorOperators.B2S, SHORTS, 0);
  }

  @Override
  public int hamming(long[] a, int aOff, long[] b, int bOff, int len) {
    int i = 0;
    int d = 0;
    if (len >= 2 * LL) {
      LongVector c0 = LongVector.zero(LONGS), c1 = c0;
      int bound = LONGS.loopBound(len);
      for (int unrolled = bound - 2 * LL; i <= unrolled; i += 2 * LL) {
        c0 = c0.add(LongVector.fromArray(LONGS, a, aOff + i)
            .lanewise(VectorOperators.XOR, LongVector.fromArray(LONGS, b, bOff + i))
            .lanewise(VectorOperators.BIT_COUNT));
        c1 = c1.add(LongVector.fromArray(LONGS, a, aOff + i + LL)
            .lanewise(VectorOperators.XOR, LongVector.fromArray(LONGS, b, bOff + i + LL))
            .lanewise(VectorOperators.BIT_COUNT));
      }
      for (; i < bound; i += LL) {
        c0 = c0.add(LongVector.fromArray(LONGS, a, aOff + i)
            .lanewise(VectorOperators.XOR, LongVector.fromArray(LONGS, b, bOff + i))
            .lanewise(VectorOperators.BIT_COUNT));
      }
      d = (int) c0.add(c1).reduceLanes(VectorOperators.ADD);
    }
    for (; i < len; i++) {
      d += Long.bitCount(a[aOff + i] ^ b[bOff + i]);
    }
    return d;
  }

  @Override
  public void hammingMatrix(long[] q, int qOff, long[] m, int mOff, int rows, int words,
      int[] out, int outOff) {
    if (words < 2 * LL) {
      // short codes (up to 1,024 bits on AVX-512): one row is a few POPCNTs, which the scalar
      // loop issues back to back; vector lanes would only add the horizontal sums
      ScalarVectorSupport.hammingRows(q, qOff, m, mOff, rows, words, out, outOff);
    } else {
      for (int r = 0; r < rows; r++) {
        out[outOff + r] = hamming(q, qOff, m, mOff + r * words, words);
      }
    }
  }

  private static final VectorSpecies<Integer> BLOCK_INTS =
      VectorSpecies.of(int.class, VectorShape.forBitSize(Math.max(64, 32 * LL)));

  @Override
  public void hammingBlocks8(long[] q, int qOff, long[] m, int mOff, int blocks, int words,
      int[] out, int outOff) {
    if (LL > 8 || 8 % LL != 0) {
      VectorSupport.super.hammingBlocks8(q, qOff, m, mOff, blocks, words, out, outOff);
      return;
    }
    // one lane per row: XOR with the broadcast query word, lane-wise POPCNT, summed over words
    for (int b = 0; b < blocks; b++) {
      int base = mOff + b * words * 8;
      for (int h = 0; h < 8; h += LL) {
        LongVector acc = LongVector.zero(LONGS);
        for (int w = 0; w < words; w++) {
          acc = acc.add(LongVector.fromArray(LONGS, m, base + w * 8 + h)
              .lanewise(VectorOperators.XOR, q[qOff + w])
              .lanewise(VectorOperators.BIT_COUNT));
        }
        acc.convertShape(VectorOperators.L2I, BLOCK_INTS, 0).reinterpretAsInts()
            .intoArray(out, outOff + 8 * b + h);
      }
    }
  }
}
