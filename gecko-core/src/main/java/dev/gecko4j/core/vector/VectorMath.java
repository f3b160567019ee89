package dev.gecko4j.core.vector;

import dev.gecko4j.core.vector.internal.ScalarVectorSupport;
import dev.gecko4j.core.vector.internal.VectorSupport;
import dev.gecko4j.core.vector.internal.VectorSupportProvider;

/**
 * Validated vector math on {@code float[]}: dot product, cosine, squared Euclidean distance,
 * norms, normalisation, and one query against a contiguous row-major matrix.
 *
 * <p>Every method checks its arguments (null, empty, dimensions, non-finite values) and throws an
 * {@link IllegalArgumentException} that names the bad value, e.g. {@code vector dimensions differ:
 * 384 != 383} or {@code non-finite value at a[3]=NaN}. The finiteness check costs nothing on the
 * happy path: a NaN or infinite input always makes the result non-finite, so the inputs are only
 * scanned (once, O(n)) to name the culprit when the result is not finite. A non-finite result from
 * finite inputs (float overflow beyond ~3.4e38) is returned as it is by {@link #dot}, {@link
 * #squaredL2} and {@link #dotMatrix}.
 *
 * <p>Norms and cosines are exact for any finite non-zero vector, however short or long: the sums
 * of squares are kept in float as usual, and only when one is below 1e-30 (components under
 * ~1e-15, whose squares lose digits as subnormal floats) or overflows is the result computed
 * again in double precision. So a vector of length 1e-39 has cosine 1 with itself, not NaN.
 *
 * <p>The work is done by SIMD kernels on the Vector API when the JVM runs with {@code
 * --add-modules jdk.incubator.vector}, and by plain-Java kernels otherwise (a WARNING is logged
 * once with the reason). The system property {@code gecko4j.vector.impl=scalar|panama} forces
 * either. Results of the two may differ in the last bits (different summation order).
 *
 * <p>All methods are thread-safe; the in-place {@link #normalize(float[])} writes only its
 * argument.
 */
public final class VectorMath {

  private static final VectorSupport IMPL = VectorSupportProvider.get();

  private VectorMath() {}

  /**
   * Returns the name of the kernels in use in this JVM: {@code panama} or {@code scalar}.
   *
   * @return the implementation name
   */
  public static String implementation() {
    return IMPL.name();
  }

  /**
   * Returns the dot product {@code sum(a[i] * b[i])}.
   *
   * @param a first vector; not null, not empty, all finite
   * @param b second vector; same dimension as {@code a}, all finite
   * @return the dot product
   * @throws IllegalArgumentException if a vector is null or empty, the dimensions differ, or a
   *     value is not finite
   */
  public static float dot(float[] a, float[] b) {
    checkPair(a, b);
    return checkFiniteResult(IMPL.dot(a, 0, b, 0, a.length), a, b);
  }

  /**
   * Returns the cosine similarity {@code dot(a, b) / (|a| * |b|)}, in {@code [-1, 1]} up to
   * rounding.
   *
   * @param a first vector; not null, not empty, all finite, not all zeros
   * @param b second vector; same dimension as {@code a}, all finite, not all zeros
   * @return the cosine similarity
   * @throws IllegalArgumentException if a vector is null, empty or all zeros, the dimensions
   *     differ, or a value is not finite
   */
  public static float cosine(float[] a, float[] b) {
    checkPair(a, b);
    float r = checkFiniteResult(IMPL.cosine(a, b), a, b);
    if (!Float.isFinite(r)) {
      checkNonZero(a, "a");
      checkNonZero(b, "b");
    }
    return r;
  }

  /**
   * Returns the squared Euclidean distance {@code sum((a[i] - b[i])^2)}.
   *
   * @param a first vector; not null, not empty, all finite
   * @param b second vector; same dimension as {@code a}, all finite
   * @return the squared distance, {@code >= 0}
   * @throws IllegalArgumentException if a vector is null or empty, the dimensions differ, or a
   *     value is not finite
   */
  public static float squaredL2(float[] a, float[] b) {
    checkPair(a, b);
    return checkFiniteResult(IMPL.squaredL2(a, b), a, b);
  }

  /**
   * Returns the Euclidean (L2) norm {@code sqrt(sum(v[i]^2))}.
   *
   * @param v the vector; not null, not empty, all finite
   * @return the norm, {@code >= 0}
   * @throws IllegalArgumentException if the vector is null or empty, or a value is not finite
   */
  public static float norm(float[] v) {
    checkVector(v, "v");
    return (float) Math.sqrt(squaredNorm(v));
  }

  /**
   * Scales {@code v} in place to unit L2 norm (see {@link #normalizeInPlace(float[], int, int)}
   * for how, and for the zero vector).
   *
   * @param v the vector; not null, not empty, all finite, not all zeros
   * @return {@code v}, for chaining
   * @throws IllegalArgumentException if the vector is null, empty or all zeros ({@code Cannot
   *     normalize a zero-length vector}), or a value is not finite
   */
  public static float[] normalize(float[] v) {
    checkVector(v, "v");
    checkFinite(v, "v");
    normalizeInPlace(v, 0, v.length);
    return v;
  }

  /**
   * Scales {@code a[off, off + len)} in place to unit L2 norm: the one L2 normalisation of gecko4j
   * (embedders, {@link dev.gecko4j.core.Embedding#normalize()}, indexes). The sum of squares, its
   * inverse square root and each product are computed in double precision and each value is
   * rounded to float once, so the result is exact for any finite non-zero vector however tiny
   * (components of 1e-40 are not lost to a float factor {@code 1/|v|} that overflows) or huge.
   *
   * <p><b>Zero vectors</b> have no direction and are rejected everywhere in gecko4j with {@code
   * Cannot normalize a zero-length vector}, never silently returned unnormalised. Values are not
   * checked for finiteness here (a NaN gives NaNs): {@link #normalize(float[])} checks them.
   *
   * @param a the array; not null
   * @param off the first element, {@code >= 0}
   * @param len the number of elements, {@code >= 1}, with {@code off + len <= a.length}
   * @throws IllegalArgumentException if {@code a} is null, the range is outside it or empty, or
   *     the values are all zeros
   */
  public static void normalizeInPlace(float[] a, int off, int len) {
    if (a == null) {
      throw new IllegalArgumentException("a must not be null");
    }
    if (off < 0 || len < 1 || off > a.length - len) {
      throw new IllegalArgumentException("range [off, off + len) must be a non-empty range of a "
          + "(length " + a.length + "), but is: off=" + off + ", len=" + len);
    }
    double s = 0;
    for (int i = off, end = off + len; i < end; i++) {
      s += (double) a[i] * a[i];
    }
    if (s == 0) {
      throw new IllegalArgumentException("Cannot normalize a zero-length vector");
    }
    double inverse = 1.0 / Math.sqrt(s);
    for (int i = off, end = off + len; i < end; i++) {
      a[i] = (float) (a[i] * inverse);
    }
  }

  /**
   * Returns a unit-length copy of {@code v}; {@code v} is not changed.
   *
   * @param v the vector; not null, not empty, all finite, not all zeros
   * @return a new normalised array
   * @throws IllegalArgumentException as {@link #normalize(float[])}
   */
  public static float[] normalizedCopy(float[] v) {
    checkVector(v, "v");
    return normalize(v.clone());
  }

  /**
   * Computes the dot product of {@code query} with each row of a contiguous row-major matrix
   * {@code [rows, dim]}: {@code out[r] = dot(query, matrix[r*dim .. (r+1)*dim))} with {@code dim =
   * query.length}.
   *
   * @param query the query; not null, not empty, all finite
   * @param matrix the rows, back to back; length exactly {@code rows * query.length}, all finite
   * @param rows number of rows, {@code >= 1}
   * @param out receives the scores; length {@code >= rows}
   * @throws IllegalArgumentException if an array is null, the query is empty, {@code rows < 1},
   *     the matrix length is not {@code rows * query.length}, {@code out} is too short, or a value
   *     is not finite
   */
  public static void dotMatrix(float[] query, float[] matrix, int rows, float[] out) {
    checkMatrix(query, matrix, rows, out);
    IMPL.dotMatrix(query, 0, matrix, 0, rows, query.length, out, 0);
    checkMatrixResult(query, matrix, rows, out, false);
  }

  /**
   * Computes the cosine similarity of {@code query} with each row of a contiguous row-major matrix
   * {@code [rows, dim]}, as {@link #dotMatrix} does for the dot product. For many queries against
   * the same rows, normalise the rows once and use {@link #dotMatrix} (or {@link
   * dev.gecko4j.core.index.FlatIndex}) instead.
   *
   * @param query the query; not null, not empty, all finite, not all zeros
   * @param matrix the rows, back to back; length exactly {@code rows * query.length}, all finite,
   *     no row all zeros
   * @param rows number of rows, {@code >= 1}
   * @param out receives the scores; length {@code >= rows}
   * @throws IllegalArgumentException as {@link #dotMatrix}, or if the query or a row is all zeros
   */
  public static void cosineMatrix(float[] query, float[] matrix, int rows, float[] out) {
    checkMatrix(query, matrix, rows, out);
    IMPL.cosineMatrix(query, 0, matrix, 0, rows, query.length, out, 0);
    checkMatrixResult(query, matrix, rows, out, true);
  }

  /**
   * Sum of squares: the float kernel's, or again in double precision when the float sum overflows
   * (values above ~1.8e19) or is below {@link ScalarVectorSupport#MIN_SAFE_SQUARED_NORM} (values
   * below ~1e-15, whose squares may lose their digits as subnormal floats).
   */
  private static double squaredNorm(float[] v) {
    float s = IMPL.squaredNorm(v, 0, v.length);
    if (s >= ScalarVectorSupport.MIN_SAFE_SQUARED_NORM && s <= Float.MAX_VALUE) {
      return s;
    }
    checkFinite(v, "v");
    double d = 0;
    for (float x : v) {
      d += (double) x * x;
    }
    return d;
  }

  // ---- validation -------------------------------------------------------------------------

  private static void checkVector(float[] v, String name) {
    if (v == null) {
      throw new IllegalArgumentException(name + " must not be null");
    }
    if (v.length == 0) {
      throw new IllegalArgumentException(name + " must have at least one dimension, but has 0");
    }
  }

  /**
   * Returns the dot product of two int8 vectors (such as {@link
   * dev.gecko4j.core.quantization.Precision#INT8} codes), summed exactly in 32-bit integers.
   *
   * @param a first vector; not null, not empty
   * @param b second vector; same length as {@code a}
   * @return the integer dot product
   * @throws IllegalArgumentException if a vector is null or empty, or the lengths differ
   */
  public static int dotProduct(byte[] a, byte[] b) {
    if (a == null || b == null || a.length == 0 || a.length != b.length) {
      throw new IllegalArgumentException("expected two non-empty byte vectors of one length, but"
          + " got lengths " + (a == null ? "null" : a.length) + " and "
          + (b == null ? "null" : b.length));
    }
    return IMPL.dotInt8(a, 0, b, 0, a.length);
  }

  /**
   * Returns the Hamming distance of two bit strings packed in longs (such as sign bits of
   * binary-quantized vectors): the number of bit positions where they differ.
   *
   * @param a first bit string; not null, not empty
   * @param b second bit string; same length as {@code a}
   * @return the number of differing bits, in {@code [0, 64 * a.length]}
   * @throws IllegalArgumentException if an array is null or empty, or the lengths differ
   */
  public static int hammingDistance(long[] a, long[] b) {
    if (a == null || b == null || a.length == 0 || a.length != b.length) {
      throw new IllegalArgumentException("expected two non-empty bit strings of one length, but"
          + " got lengths " + (a == null ? "null" : a.length) + " and "
          + (b == null ? "null" : b.length));
    }
    return IMPL.hamming(a, 0, b, 0, a.length);
  }

  private static void checkPair(float[] a, float[] b) {
    checkVector(a, "a");
    checkVector(b, "b");
    if (a.length != b.length) {
      throw new IllegalArgumentException(
          "vector dimensions differ: " + a.length + " != " + b.length);
    }
  }

  /**
   * Returns {@code r}, the result of a pairwise operation on {@code a} and {@code b}, after
   * naming the first non-finite input value if {@code r} is not finite (a non-finite result
   * that no input explains, as cosine's of a zero vector, is returned for the caller to check).
   */
  private static float checkFiniteResult(float r, float[] a, float[] b) {
    if (!Float.isFinite(r)) {
      checkFinite(a, "a");
      checkFinite(b, "b");
    }
    return r;
  }

  private static void checkFinite(float[] v, String name) {
    for (int i = 0; i < v.length; i++) {
      if (!Float.isFinite(v[i])) {
        throw new IllegalArgumentException("non-finite value at " + name + "[" + i + "]=" + v[i]);
      }
    }
  }

  private static void checkNonZero(float[] v, String name) {
    for (float x : v) {
      if (x != 0f) {
        return;
      }
    }
    throw new IllegalArgumentException(
        "cosine is undefined for a zero-length vector, but " + name + " is all zeros");
  }

  private static void checkMatrix(float[] query, float[] matrix, int rows, float[] out) {
    checkVector(query, "query");
    if (matrix == null) {
      throw new IllegalArgumentException("matrix must not be null");
    }
    if (out == null) {
      throw new IllegalArgumentException("out must not be null");
    }
    if (rows < 1) {
      throw new IllegalArgumentException("rows must be >= 1, but is: " + rows);
    }
    long expected = (long) rows * query.length;
    if (matrix.length != expected) {
      throw new IllegalArgumentException(
          "matrix must have length rows*dim=" + rows + "*" + query.length + "=" + expected
              + ", but has " + matrix.length);
    }
    if (out.length < rows) {
      throw new IllegalArgumentException(
          "out must have length >= rows=" + rows + ", but has " + out.length);
    }
  }

  private static void checkMatrixResult(float[] query, float[] matrix, int rows, float[] out,
      boolean cosine) {
    int dim = query.length;
    for (int r = 0; r < rows; r++) {
      if (!Float.isFinite(out[r])) {
        checkFinite(query, "query");
        for (int i = r * dim, end = i + dim; i < end; i++) {
          if (!Float.isFinite(matrix[i])) {
            throw new IllegalArgumentException(
                "non-finite value at matrix[" + i + "]=" + matrix[i] + " (row " + r + ")");
          }
        }
        if (cosine) {
          checkNonZero(query, "query");
          boolean zero = true;
          for (int i = r * dim, end = i + dim; i < end && zero; i++) {
            zero = matrix[i] == 0f;
          }
          if (zero) {
            throw new IllegalArgumentException(
                "cosine is undefined for a zero-length vector, but matrix row " + r
                    + " is all zeros");
          }
        }
      }
    }
  }
}
