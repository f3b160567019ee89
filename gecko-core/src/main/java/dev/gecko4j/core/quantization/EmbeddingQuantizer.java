package dev.gecko4j.core.quantization;

import dev.gecko4j.core.Embedding;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;

/**
 * Quantizes float vectors to bytes exactly as sentence-transformers' {@code
 * quantize_embeddings(embeddings, precision, ranges, calibration_embeddings)} does (same formulas,
 * float32 arithmetic, truncation toward zero, {@code numpy.packbits} bit order), so codes made here
 * and in Python are interchangeable:
 *
 * <ul>
 *   <li>{@link Precision#INT8}: {@code (byte) trunc((x - min) / step - 128)}, {@code step = (max -
 *       min) / 255};
 *   <li>{@link Precision#UINT8}: {@code trunc((x - min) / step)} as an unsigned byte;
 *   <li>{@link Precision#UBINARY}: bit {@code x > 0} of each dimension, eight to a byte, the first
 *       dimension in the highest bit, the last byte padded with zero bits;
 *   <li>{@link Precision#BINARY}: those bytes minus 128, as signed bytes.
 * </ul>
 *
 * <p>One deliberate difference: a value outside its calibrated range (below {@code min} or above
 * {@code max}, e.g. a query when the ranges came from a corpus sample) is clamped to the lowest or
 * highest code, where numpy's cast wraps it around to an unrelated code. A dimension whose range
 * is empty ({@code min == max}) maps values at or below {@code min} to the lowest code and above it
 * to the highest (numpy gives 0/0 there). {@link Precision#FLOAT32} is no byte precision: it is
 * refused.
 *
 * {@snippet lang=java :
 * List<Embedding> docs = embedder.embedAll(passages, TaskPrompt.document());
 * QuantizationRanges ranges = QuantizationRanges.calibrateEmbeddings(docs); // store with write()
 * List<byte[]> int8 = EmbeddingQuantizer.quantizeEmbeddings(docs, Precision.INT8, ranges);
 * List<byte[]> bits = EmbeddingQuantizer.quantizeEmbeddings(docs, Precision.UBINARY, null);
 * }
 *
 * <p>Stateless and thread-safe.
 */
public final class EmbeddingQuantizer {

  /** Below this many vectors, calibrating int8 ranges from the vectors themselves logs a warning. */
  public static final int MIN_CALIBRATION_SIZE = 100;

  private static final System.Logger LOG = System.getLogger(EmbeddingQuantizer.class.getName());

  private EmbeddingQuantizer() {}

  /**
   * Quantizes one vector.
   *
   * @param vector the vector; not null, finite values
   * @param precision the byte precision; not null, not {@link Precision#FLOAT32}
   * @param ranges the calibration of {@link Precision#INT8} / {@link Precision#UINT8}, of the
   *     vector's dimension; required for those, ignored (may be null) for the binary ones
   * @return the codes, {@link Precision#bytesPerVector} bytes
   * @throws IllegalArgumentException if the vector is null or holds a non-finite value, the
   *     precision is null or float32, or the ranges are missing or of another dimension
   */
  public static byte[] quantize(float[] vector, Precision precision, QuantizationRanges ranges) {
    if (vector == null) {
      throw new IllegalArgumentException("vector must not be null");
    }
    checkPrecision(precision, ranges, vector.length);
    for (int i = 0; i < vector.length; i++) {
      if (!Float.isFinite(vector[i])) {
        throw new IllegalArgumentException(
            "non-finite value at vector[" + i + "]=" + vector[i] + "; expected finite values");
      }
    }
    byte[] out = new byte[precision.bytesPerVector(Math.max(1, vector.length))];
    encode(vector, 0, vector.length, precision, ranges, out, 0);
    return out;
  }

  /**
   * Quantizes many vectors of one dimension. When {@code ranges} is null and the precision is
   * (u)int8, they are calibrated from {@code vectors} themselves, as sentence-transformers does
   * without {@code ranges} and {@code calibration_embeddings} (a warning is logged below {@value
   * #MIN_CALIBRATION_SIZE} vectors; prefer ranges from a larger sample, stored and reused).
   *
   * @param vectors the vectors; not null, no null, all of one dimension, finite values
   * @param precision the byte precision; not null, not {@link Precision#FLOAT32}
   * @param ranges the calibration, or null to compute it from {@code vectors}
   * @return one code array per vector, in order
   * @throws IllegalArgumentException if an argument is invalid (the message names the position of
   *     a bad vector)
   */
  public static List<byte[]> quantizeAll(List<float[]> vectors, Precision precision,
      QuantizationRanges ranges) {
    if (vectors == null) {
      throw new IllegalArgumentException("vectors must not be null");
    }
    if (precision == null) {
      throw new IllegalArgumentException("precision must not be null; expected one of "
          + List.of(Precision.values()));
    }
    if (vectors.isEmpty()) {
      return List.of();
    }
    if (ranges == null && (precision == Precision.INT8 || precision == Precision.UINT8)) {
      if (vectors.size() < MIN_CALIBRATION_SIZE) {
        LOG.log(Level.WARNING, "Computing " + precision.value() + " quantization ranges from "
            + vectors.size() + " vectors; quantization is more stable with ranges calibrated"
            + " from more vectors (QuantizationRanges.calibrate on a larger sample)");
      }
      ranges = QuantizationRanges.calibrate(vectors);
    }
    List<byte[]> out = new ArrayList<>(vectors.size());
    for (int i = 0; i < vectors.size(); i++) {
      float[] v = vectors.get(i);
      try {
        out.add(quantize(v, precision, ranges));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("vectors[" + i + "]: " + e.getMessage(), e);
      }
    }
    return out;
  }

  /**
   * Quantizes the results of {@link dev.gecko4j.core.Embedder#embedAll} (see {@link
   * #quantizeAll}).
   *
   * @param embeddings the embeddings; not null, no null, all of one dimension
   * @param precision the byte precision; not null, not {@link Precision#FLOAT32}
   * @param ranges the calibration, or null to compute it from {@code embeddings}
   * @return one code array per embedding, in order
   * @throws IllegalArgumentException if an argument is invalid
   */
  public static List<byte[]> quantizeEmbeddings(List<Embedding> embeddings, Precision precision,
      QuantizationRanges ranges) {
    return quantizeAll(QuantizationRanges.arrays(embeddings), precision, ranges);
  }

  /**
   * Quantizes {@code vector[offset, offset+length)} into {@code dest} at {@code destOffset} (for
   * code that packs many vectors into one array, such as an index).
   *
   * @param vector the values; not null, finite in the range read
   * @param offset the first value read, {@code >= 0}
   * @param length the dimension, {@code >= 1}, within {@code vector}
   * @param precision the byte precision; not null, not {@link Precision#FLOAT32}
   * @param ranges the calibration of (u)int8, of dimension {@code length}; may be null for binary
   * @param dest the destination; room for {@link Precision#bytesPerVector} bytes at {@code
   *     destOffset}
   * @param destOffset the first byte written, {@code >= 0}
   * @throws IllegalArgumentException if a bound is out of range, a value is not finite, or the
   *     precision or ranges are invalid
   */
  public static void quantizeInto(float[] vector, int offset, int length, Precision precision,
      QuantizationRanges ranges, byte[] dest, int destOffset) {
    if (vector == null || dest == null) {
      throw new IllegalArgumentException("vector and dest must not be null");
    }
    checkPrecision(precision, ranges, length);
    if (offset < 0 || length < 1 || offset > vector.length - length) {
      throw new IllegalArgumentException("[" + offset + ", " + offset + "+" + length
          + ") is out of the vector's bounds [0, " + vector.length + ")");
    }
    int bytes = precision.bytesPerVector(length);
    if (destOffset < 0 || destOffset > dest.length - bytes) {
      throw new IllegalArgumentException("dest must hold " + bytes + " bytes from offset "
          + destOffset + ", but has length " + dest.length);
    }
    for (int i = offset; i < offset + length; i++) {
      if (!Float.isFinite(vector[i])) {
        throw new IllegalArgumentException("non-finite value at vector[" + i + "]=" + vector[i]);
      }
    }
    encode(vector, offset, length, precision, ranges, dest, destOffset);
  }

  private static void checkPrecision(Precision precision, QuantizationRanges ranges, int dim) {
    if (precision == null || precision == Precision.FLOAT32) {
      throw new IllegalArgumentException("precision must be one of int8, uint8, binary, ubinary,"
          + " but is: " + (precision == null ? "null" : precision.value()));
    }
    if (dim == 0) {
      throw new IllegalArgumentException("vector must have at least one dimension, but has 0");
    }
    if (precision == Precision.INT8 || precision == Precision.UINT8) {
      if (ranges == null) {
        throw new IllegalArgumentException(precision.value() + " quantization needs ranges"
            + " (QuantizationRanges.calibrate on a sample of the vectors), but ranges is null");
      }
      if (ranges.dimension() != dim) {
        throw new IllegalArgumentException("ranges have " + ranges.dimension()
            + " dimensions, but the vector has " + dim);
      }
    }
  }

  /**
   * Writes the codes of {@code v[off, off+dim)} at {@code out[outOff...]} (no validation; for
   * callers that validated already, such as the quantized index).
   */
  static void encode(float[] v, int off, int dim, Precision precision, QuantizationRanges ranges,
      byte[] out, int outOff) {
    switch (precision) {
      case INT8 -> {
        for (int i = 0; i < dim; i++) {
          out[outOff + i] = (byte) clampedCode(v[off + i], ranges, i, -128f, 127);
        }
      }
      case UINT8 -> {
        for (int i = 0; i < dim; i++) {
          out[outOff + i] = (byte) clampedCode(v[off + i], ranges, i, 0f, 255);
        }
      }
      case UBINARY, BINARY -> {
        int bias = precision == Precision.BINARY ? 128 : 0;
        for (int b = 0, nb = (dim + 7) / 8; b < nb; b++) {
          int bits = 0;
          for (int j = 0; j < 8; j++) {
            int i = b * 8 + j;
            bits = (bits << 1) | (i < dim && v[off + i] > 0 ? 1 : 0);
          }
          out[outOff + b] = (byte) (bits - bias);
        }
      }
      default -> throw new IllegalArgumentException("not a byte precision: " + precision);
    }
  }

  /** {@code trunc((x - min) / step + offset)} clamped to {@code [offset, top]}. */
  private static int clampedCode(float x, QuantizationRanges ranges, int i, float offset,
      int top) {
    float start = ranges.minUnchecked(i);
    float step = ranges.stepUnchecked(i);
    float t = (x - start) / step + offset; // float32 arithmetic, as numpy on float32 arrays
    if (!(t > offset)) { // below the range, or 0/0 on an empty range
      return (int) offset;
    }
    return t >= top ? top : (int) t; // (int) truncates toward zero, as numpy's astype
  }
}
