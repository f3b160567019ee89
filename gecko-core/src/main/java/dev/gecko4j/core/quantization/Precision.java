package dev.gecko4j.core.quantization;

import java.util.Arrays;
import java.util.Locale;

/**
 * The precisions of sentence-transformers' {@code quantize_embeddings}, with the same names
 * ({@link #value()}) and the same byte layouts.
 */
public enum Precision {
  /** The float vector itself, 4 bytes per dimension. */
  FLOAT32("float32"),
  /**
   * One signed byte per dimension: {@code trunc((x - min) / ((max - min) / 255) - 128)}, with the
   * per-dimension {@code min} and {@code max} of {@link QuantizationRanges}.
   */
  INT8("int8"),
  /** One unsigned byte per dimension: {@code trunc((x - min) / ((max - min) / 255))}. */
  UINT8("uint8"),
  /**
   * One bit per dimension ({@code x > 0}), packed eight to a byte with the first dimension in the
   * highest bit and zero bits padding the last byte ({@code numpy.packbits}), each byte stored
   * minus 128 as a signed byte.
   */
  BINARY("binary"),
  /** The bits of {@link #BINARY}, each packed byte stored as it is (0..255). */
  UBINARY("ubinary");

  private final String value;

  Precision(String value) {
    this.value = value;
  }

  /** {@return the name sentence-transformers uses, e.g. {@code int8}} */
  public String value() {
    return value;
  }

  /**
   * Returns the bytes one quantized vector of {@code dimension} values takes.
   *
   * @param dimension the dimension of the float vector, {@code >= 1}
   * @return {@code 4 * dimension} for float32, {@code dimension} for (u)int8, {@code
   *     ceil(dimension / 8)} for (u)binary
   * @throws IllegalArgumentException if {@code dimension < 1}
   */
  public int bytesPerVector(int dimension) {
    if (dimension < 1) {
      throw new IllegalArgumentException("dimension must be >= 1, but is: " + dimension);
    }
    return switch (this) {
      case FLOAT32 -> Math.multiplyExact(4, dimension);
      case INT8, UINT8 -> dimension;
      case BINARY, UBINARY -> (dimension + 7) / 8;
    };
  }

  /**
   * Returns the precision named {@code value} (as sentence-transformers names it, case ignored).
   *
   * @param value {@code float32}, {@code int8}, {@code uint8}, {@code binary} or {@code ubinary}
   * @return the precision
   * @throws IllegalArgumentException if {@code value} is null or not one of these
   */
  public static Precision parse(String value) {
    if (value != null) {
      String v = value.trim().toLowerCase(Locale.ROOT);
      for (Precision p : values()) {
        if (p.value.equals(v)) {
          return p;
        }
      }
    }
    throw new IllegalArgumentException("unknown precision '" + value + "'; expected one of "
        + Arrays.stream(values()).map(Precision::value).toList());
  }
}
