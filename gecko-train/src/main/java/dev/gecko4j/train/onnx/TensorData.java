package dev.gecko4j.train.onnx;

import dev.gecko4j.core.internal.Args;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A dense tensor read from an ONNX {@code TensorProto}: name, element type, dimensions and the
 * little-endian element bytes.
 *
 * @param name the tensor's name (may be empty for attribute tensors)
 * @param dataType the ONNX {@code TensorProto.DataType} code ({@link #FLOAT}, {@link #INT64}, ...)
 * @param dims the dimensions (empty for a scalar)
 * @param data the elements as little-endian bytes
 */
public record TensorData(String name, int dataType, long[] dims, byte[] data) {
  /** ONNX data type code of float32. */
  public static final int FLOAT = 1;
  /** ONNX data type code of int32. */
  public static final int INT32 = 6;
  /** ONNX data type code of int64. */
  public static final int INT64 = 7;
  /** ONNX data type code of bool. */
  public static final int BOOL = 9;
  /** ONNX data type code of float64. */
  public static final int DOUBLE = 11;

  /**
   * Validates the components.
   *
   * @throws IllegalArgumentException if a component is null or the byte length does not match
   */
  public TensorData {
    Args.notNull(name, "name");
    if (dims == null || data == null) {
      throw new IllegalArgumentException("dims and data must not be null (tensor '" + name + "')");
    }
    for (long d : dims) {
      if (d < 0) {
        throw new IllegalArgumentException("tensor '" + name + "' has a negative dimension: " + Arrays.toString(dims));
      }
    }
    long n;
    try {
      n = elementCount(dims);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("tensor '" + name + "': " + e.getMessage());
    }
    int size = elementSize(dataType);
    if (size > 0 && (n > Integer.MAX_VALUE / size || n * size != data.length)) {
      throw new IllegalArgumentException("tensor '" + name + "' has " + data.length
          + " bytes, but its dims " + Arrays.toString(dims) + " need " + (n * size));
    }
  }

  /**
   * Returns the number of elements.
   *
   * @return the product of the dimensions (1 for a scalar)
   */
  public long size() {
    return elementCount(dims);
  }

  /**
   * Returns the elements as floats.
   *
   * @return a new array
   * @throws IllegalStateException if the tensor is not float32
   */
  public float[] floats() {
    if (dataType != FLOAT) {
      throw new IllegalStateException("tensor '" + name + "' has data type " + dataType + ", not float (1)");
    }
    float[] out = new float[data.length / 4];
    ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
    return out;
  }

  /**
   * Returns the elements as longs, widening int32 and bool.
   *
   * @return a new array
   * @throws IllegalStateException if the tensor is not an integer or bool tensor
   */
  public long[] longs() {
    ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    return switch (dataType) {
      case INT64 -> {
        long[] out = new long[data.length / 8];
        b.asLongBuffer().get(out);
        yield out;
      }
      case INT32 -> {
        long[] out = new long[data.length / 4];
        for (int i = 0; i < out.length; i++) {
          out[i] = b.getInt(i * 4);
        }
        yield out;
      }
      case BOOL -> {
        long[] out = new long[data.length];
        for (int i = 0; i < out.length; i++) {
          out[i] = data[i];
        }
        yield out;
      }
      default -> throw new IllegalStateException(
          "tensor '" + name + "' has data type " + dataType + ", not an integer type");
    };
  }

  /**
   * Encodes floats as little-endian bytes.
   *
   * @param values the values
   * @return a new byte array of length {@code 4 * values.length}
   */
  public static byte[] floatBytes(float[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(values);
    return b.array();
  }

  static long elementCount(long[] dims) {
    long n = 1;
    for (long d : dims) {
      try {
        n = Math.multiplyExact(n, d);
      } catch (ArithmeticException e) {
        throw new IllegalArgumentException("dims " + Arrays.toString(dims) + " hold more than 2^63 elements");
      }
    }
    return n;
  }

  static int elementSize(int dataType) {
    return switch (dataType) {
      case FLOAT, INT32 -> 4;
      case INT64, DOUBLE -> 8;
      case BOOL, 2, 3 -> 1;
      case 4, 5, 10, 16 -> 2;
      default -> -1;
    };
  }

  @Override
  public String toString() {
    return "TensorData[" + name + ", type " + dataType + ", dims " + Arrays.toString(dims) + "]";
  }
}
