package dev.gecko4j.core.vector.internal;

/**
 * Plain-Java kernels: the reference every other {@link VectorSupport} is tested against, and the
 * fallback when the Vector API ({@code jdk.incubator.vector}) is not available. The dot product is
 * unrolled with 4 independent accumulators; the summation order differs from the Panama kernels,
 * so results differ in the last bits (tests compare them with a tolerance relative to magnitude).
 */
public final class ScalarVectorSupport implements VectorSupport {

  /** Creates the scalar kernels (stateless). */
  public ScalarVectorSupport() {}

  @Override
  public String name() {
    return "scalar";
  }

  @Override
  public float dot(float[] a, int aOff, float[] b, int bOff, int len) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int i = 0;
    for (int bound = len & ~3; i < bound; i += 4) {
      s0 = Math.fma(a[aOff + i], b[bOff + i], s0);
      s1 = Math.fma(a[aOff + i + 1], b[bOff + i + 1], s1);
      s2 = Math.fma(a[aOff + i + 2], b[bOff + i + 2], s2);
      s3 = Math.fma(a[aOff + i + 3], b[bOff + i + 3], s3);
    }
    for (; i < len; i++) {
      s0 = Math.fma(a[aOff + i], b[bOff + i], s0);
    }
    return (s0 + s1) + (s2 + s3);
  }

  @Override
  public float cosine(float[] a, float[] b) {
    return cosine(a, 0, b, 0, a.length);
  }

  @Override
  public float cosine(float[] a, int aOff, float[] b, int bOff, int len) {
    float sum = 0, norm1 = 0, norm2 = 0;
    for (int i = 0; i < len; i++) {
      float x = a[aOff + i];
      float y = b[bOff + i];
      sum = Math.fma(x, y, sum);
      norm1 = Math.fma(x, x, norm1);
      norm2 = Math.fma(y, y, norm2);
    }
    return cosineOf(sum, norm1, norm2, a, aOff, b, bOff, len);
  }

  /**
   * Smallest float sum of squares trusted as it is: below it the squares of the components may be
   * subnormal (values under ~1e-19 square to under the smallest normal float, 1.2e-38) and lose
   * their digits, so a cosine of two vectors of length 1e-11 could come out as 1.01.
   */
  public static final float MIN_SAFE_SQUARED_NORM = 1e-30f;

  /**
   * The cosine from its three sums, the same formula in every implementation. Two float square
   * roots instead of one double square root of the product: as exact as the float sums, no
   * overflow of {@code norm1 * norm2}, and cheaper (the divide and square-root unit is a bottleneck
   * of short kernels). When a sum of squares is below {@link #MIN_SAFE_SQUARED_NORM}, not finite
   * (overflow above ~1.8e19 per component) or NaN, the cosine is computed again in double precision
   * from the arrays ({@link #cosineInDouble}): that rare path costs one compare on the common one.
   * NaN when a vector is all zeros.
   */
  static float cosineOf(float dot, float norm1, float norm2, float[] a, int aOff, float[] b,
      int bOff, int len) {
    if (norm1 >= MIN_SAFE_SQUARED_NORM && norm2 >= MIN_SAFE_SQUARED_NORM
        && norm1 <= Float.MAX_VALUE && norm2 <= Float.MAX_VALUE) {
      return dot / ((float) Math.sqrt(norm1) * (float) Math.sqrt(norm2));
    }
    return cosineInDouble(a, aOff, b, bOff, len);
  }

  /**
   * The cosine with sums in double precision, which neither underflow nor overflow for any finite
   * float components; NaN when a vector is all zeros or a value is NaN.
   */
  static float cosineInDouble(float[] a, int aOff, float[] b, int bOff, int len) {
    double dot = 0, norm1 = 0, norm2 = 0;
    for (int i = 0; i < len; i++) {
      double x = a[aOff + i];
      double y = b[bOff + i];
      dot += x * y;
      norm1 += x * x;
      norm2 += y * y;
    }
    return (float) (dot / (Math.sqrt(norm1) * Math.sqrt(norm2)));
  }

  @Override
  public float squaredL2(float[] a, float[] b) {
    float s0 = 0, s1 = 0;
    int i = 0;
    for (int bound = a.length & ~1; i < bound; i += 2) {
      float d0 = a[i] - b[i];
      float d1 = a[i + 1] - b[i + 1];
      s0 = Math.fma(d0, d0, s0);
      s1 = Math.fma(d1, d1, s1);
    }
    for (; i < a.length; i++) {
      float d = a[i] - b[i];
      s0 = Math.fma(d, d, s0);
    }
    return s0 + s1;
  }

  @Override
  public float squaredNorm(float[] a, int off, int len) {
    return dot(a, off, a, off, len);
  }

  @Override
  public float sum(float[] a, int off, int len) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int i = 0;
    for (int bound = len & ~3; i < bound; i += 4) {
      s0 += a[off + i];
      s1 += a[off + i + 1];
      s2 += a[off + i + 2];
      s3 += a[off + i + 3];
    }
    for (; i < len; i++) {
      s0 += a[off + i];
    }
    return (s0 + s1) + (s2 + s3);
  }

  @Override
  public void scale(float[] a, int off, int len, float factor) {
    for (int i = off, end = off + len; i < end; i++) {
      a[i] *= factor;
    }
  }

  @Override
  public void dotBlock(float[] qs, int qOff, int nq, float[] m, int mOff, int rows, int dim,
      float[] out, int outOff, int outStride) {
    for (int i = 0; i < nq; i++) {
      dotMatrix(qs, qOff + i * dim, m, mOff, rows, dim, out, outOff + i * outStride);
    }
  }
  @Override
  public int dotInt8(byte[] a, int aOff, byte[] b, int bOff, int len) {
    int s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int i = 0;
    for (int bound = len & ~3; i < bound; i += 4) {
      s0 += a[aOff + i] * b[bOff + i];
      s1 += a[aOff + i + 1] * b[bOff + i + 1];
      s2 += a[aOff + i + 2] * b[bOff + i + 2];
      s3 += a[aOff + i + 3] * b[bOff + i + 3];
    }
    for (; i < len; i++) {
      s0 += a[aOff + i] * b[bOff + i];
    }
    return (s0 + s1) + (s2 + s3);
  }

  @Override
  public int hamming(long[] a, int aOff, long[] b, int bOff, int len) {
    int d0 = 0, d1 = 0;
    int i = 0;
    for (int bound = len & ~1; i < bound; i += 2) {
      d0 += Long.bitCount(a[aOff + i] ^ b[bOff + i]);
      d1 += Long.bitCount(a[aOff + i + 1] ^ b[bOff + i + 1]);
    }
    if (i < len) {
      d0 += Long.bitCount(a[aOff + i] ^ b[bOff + i]);
    }
    return d0 + d1;
  }

  @Override
  public void hammingMatrix(long[] q, int qOff, long[] m, int mOff, int rows, int words,
      int[] out, int outOff) {
    hammingRows(q, qOff, m, mOff, rows, words, out, outOff);
  }

  /**
   * Hamming distances of one query against contiguous rows, with the common packed widths (4 and 6
   * longs: 256 and 384 bits) unrolled so that each row is one straight run of
   * XOR and population counts (Long.bitCount is the POPCNT instruction on x86 and aarch64).
   */
  static void hammingRows(long[] q, int qOff, long[] m, int mOff, int rows, int words, int[] out,
      int outOff) {
    if (words == 6) {
      long q0 = q[qOff], q1 = q[qOff + 1], q2 = q[qOff + 2], q3 = q[qOff + 3], q4 = q[qOff + 4],
          q5 = q[qOff + 5];
      for (int r = 0, o = mOff; r < rows; r++, o += 6) {
        out[outOff + r] = (Long.bitCount(q0 ^ m[o]) + Long.bitCount(q1 ^ m[o + 1]))
            + (Long.bitCount(q2 ^ m[o + 2]) + Long.bitCount(q3 ^ m[o + 3]))
            + (Long.bitCount(q4 ^ m[o + 4]) + Long.bitCount(q5 ^ m[o + 5]));
      }
    } else if (words == 4) {
      long q0 = q[qOff], q1 = q[qOff + 1], q2 = q[qOff + 2], q3 = q[qOff + 3];
      for (int r = 0, o = mOff; r < rows; r++, o += 4) {
        out[outOff + r] = (Long.bitCount(q0 ^ m[o]) + Long.bitCount(q1 ^ m[o + 1]))
            + (Long.bitCount(q2 ^ m[o + 2]) + Long.bitCount(q3 ^ m[o + 3]));
      }
    } else {
      for (int r = 0; r < rows; r++) {
        int d0 = 0, d1 = 0;
        int o = mOff + r * words;
        int i = 0;
        for (int bound = words & ~1; i < bound; i += 2) {
          d0 += Long.bitCount(q[qOff + i] ^ m[o + i]);
          d1 += Long.bitCount(q[qOff + i + 1] ^ m[o + i + 1]);
        }
        if (i < words) {
          d0 += Long.bitCount(q[qOff + i] ^ m[o + i]);
        }
        out[outOff + r] = d0 + d1;
      }
    }
  }
}
