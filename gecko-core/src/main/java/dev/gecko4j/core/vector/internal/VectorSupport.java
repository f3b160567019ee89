package dev.gecko4j.core.vector.internal;

/**
 * Internal SPI of the vector kernels: one implementation per strategy ({@link ScalarVectorSupport},
 * {@code PanamaVectorSupport}, in src/main/java25), chosen once by {@link VectorSupportProvider}.
 *
 * <p>Kernels do not validate their arguments (lengths, offsets, finiteness): the public facade
 * {@link dev.gecko4j.core.vector.VectorMath} and {@link dev.gecko4j.core.index.FlatIndex} do.
 * Implementations are stateless and thread-safe. Not a public API: it may change at any time.
 */
public interface VectorSupport {

  /** {@return a short name of the strategy, {@code scalar} or {@code panama}} */
  String name();

  /** {@return the dot product of {@code a[aOff, aOff+len)} and {@code b[bOff, bOff+len)}} */
  float dot(float[] a, int aOff, float[] b, int bOff, int len);

  /**
   * Returns the cosine similarity of {@code a} and {@code b} (equal lengths); NaN if either is a
   * zero vector.
   */
  float cosine(float[] a, float[] b);

  /** {@return the cosine of {@code a[aOff, aOff+len)} and {@code b[bOff, bOff+len)}} */
  float cosine(float[] a, int aOff, float[] b, int bOff, int len);

  /** {@return the squared Euclidean distance of {@code a} and {@code b} (equal lengths)} */
  float squaredL2(float[] a, float[] b);

  /** {@return the sum of squares of {@code a[off, off+len)}} */
  float squaredNorm(float[] a, int off, int len);

  /** {@return the sum of {@code a[off, off+len)} (a plain streaming read, e.g. for benchmarks)} */
  float sum(float[] a, int off, int len);

  /** Multiplies {@code a[off, off+len)} by {@code factor} in place. */
  void scale(float[] a, int off, int len, float factor);

  /**
   * Dot products of one query against {@code rows} contiguous rows: {@code out[outOff + r] =
   * dot(q[qOff, qOff+dim), m[mOff + r*dim, mOff + (r+1)*dim))}.
   */
  default void dotMatrix(float[] q, int qOff, float[] m, int mOff, int rows, int dim, float[] out,
      int outOff) {
    for (int r = 0; r < rows; r++) {
      out[outOff + r] = dot(q, qOff, m, mOff + r * dim, dim);
    }
  }

  /** Like {@link #dotMatrix} but with cosine similarity per row. */
  default void cosineMatrix(float[] q, int qOff, float[] m, int mOff, int rows, int dim, float[] out,
      int outOff) {
    for (int r = 0; r < rows; r++) {
      out[outOff + r] = cosine(q, qOff, m, mOff + r * dim, dim);
    }
  }

  /**
   * Blocked dot products of {@code nq} contiguous queries against {@code rows} contiguous rows, so
   * that each loaded row serves several queries: {@code out[outOff + i*outStride + r] =
   * dot(query i, row r)} for {@code i < nq}, {@code r < rows}.
   *
   * @param qs queries, row-major, query {@code i} at {@code qOff + i*dim}
   * @param nq number of queries
   * @param m rows, row-major, row {@code r} at {@code mOff + r*dim}
   * @param rows number of rows
   * @param dim dimension of queries and rows
   * @param out scores
   * @param outOff offset of the score of query 0, row 0
   * @param outStride distance in {@code out} between the scores of two consecutive queries
   */
  void dotBlock(float[] qs, int qOff, int nq, float[] m, int mOff, int rows, int dim, float[] out,
      int outOff, int outStride);
  /**
   * Returns the dot product of the signed bytes {@code a[aOff, aOff+len)} and {@code b[bOff,
   * bOff+len)}, summed exactly in 32-bit integers (no overflow below 131,072 dimensions: each
   * product is at most 2^14 in magnitude).
   */
  int dotInt8(byte[] a, int aOff, byte[] b, int bOff, int len);

  /**
   * Returns the Hamming distance of two bit strings packed in longs: the number of set bits of
   * {@code a[aOff + i] ^ b[bOff + i]} for {@code i < len}.
   */
  int hamming(long[] a, int aOff, long[] b, int bOff, int len);

  /**
   * Int8 dot products of one query against {@code rows} contiguous rows: {@code out[outOff + r] =
   * dotInt8(q[qOff, qOff+dim), m[mOff + r*dim, mOff + (r+1)*dim))}.
   */
  default void dotInt8Matrix(byte[] q, int qOff, byte[] m, int mOff, int rows, int dim, int[] out,
      int outOff) {
    for (int r = 0; r < rows; r++) {
      out[outOff + r] = dotInt8(q, qOff, m, mOff + r * dim, dim);
    }
  }

  /**
   * Hamming distances of one packed query of {@code words} longs against {@code rows} contiguous
   * packed rows: {@code out[outOff + r] = hamming(q[qOff, qOff+words), m[mOff + r*words, ...))}.
   */
  default void hammingMatrix(long[] q, int qOff, long[] m, int mOff, int rows, int words,
      int[] out, int outOff) {
    for (int r = 0; r < rows; r++) {
      out[outOff + r] = hamming(q, qOff, m, mOff + r * words, words);
    }
  }

  /**
   * Hamming distances of one packed query of {@code words} longs against {@code blocks} blocks of
   * 8 rows stored word-interleaved (word {@code w} of row {@code 8b + j} at {@code m[mOff + (b *
   * words + w) * 8 + j]}), so that one vector of longs holds the same word of several rows:
   * {@code out[outOff + 8b + j] = hamming(query, row 8b + j)}.
   */
  default void hammingBlocks8(long[] q, int qOff, long[] m, int mOff, int blocks, int words,
      int[] out, int outOff) {
    for (int b = 0; b < blocks; b++) {
      int base = mOff + b * words * 8;
      for (int j = 0; j < 8; j++) {
        int d = 0;
        for (int w = 0; w < words; w++) {
          d += Long.bitCount(q[qOff + w] ^ m[base + w * 8 + j]);
        }
        out[outOff + 8 * b + j] = d;
      }
    }
  }
}
