package dev.gecko4j.train.export;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * Writes float32 tensors in the safetensors format: an 8-byte little-endian header length, a
 * JSON header ({@code {"name": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}}},
 * padded with spaces to a multiple of 8 bytes as the reference implementation pads it), then the
 * tensors' little-endian bytes in header order.
 */
final class SafeTensors {
  private SafeTensors() {}

  /**
   * Encodes {@code tensors} (name to values, in order) with their {@code shapes}.
   *
   * @throws IllegalArgumentException if a tensor has no shape or a shape does not match its size
   */
  static byte[] write(Map<String, float[]> tensors, Map<String, long[]> shapes) {
    StringBuilder header = new StringBuilder("{");
    long offset = 0;
    for (Map.Entry<String, float[]> t : tensors.entrySet()) {
      long[] shape = shapes.get(t.getKey());
      long n = shape == null ? -1 : Arrays.stream(shape).reduce(1, Math::multiplyExact);
      if (n != t.getValue().length) {
        throw new IllegalArgumentException("tensor " + t.getKey() + " has " + t.getValue().length
            + " values, but its shape is " + Arrays.toString(shape));
      }
      if (header.length() > 1) {
        header.append(',');
      }
      long end = offset + 4L * n;
      header.append('"').append(t.getKey()).append("\":{\"dtype\":\"F32\",\"shape\":")
          .append(Arrays.toString(shape).replace(" ", "")).append(",\"data_offsets\":[")
          .append(offset).append(',').append(end).append("]}");
      offset = end;
    }
    header.append('}');
    while ((header.length() + 8) % 8 != 0) {
      header.append(' ');
    }
    byte[] h = header.toString().getBytes(StandardCharsets.UTF_8);
    ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(8 + h.length + offset))
        .order(ByteOrder.LITTLE_ENDIAN);
    out.putLong(h.length).put(h);
    for (float[] v : tensors.values()) {
      for (float f : v) {
        out.putFloat(f);
      }
    }
    return out.array();
  }
}
