package dev.gecko4j.onnx;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gecko4j.core.internal.Args;
import dev.gecko4j.core.internal.GeckoJson;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads and writes the <a href="https://github.com/huggingface/safetensors">safetensors</a> format
 * in which sentence-transformers saves module weights (for example a {@code Dense} module's {@code
 * 2_Dense/model.safetensors} with {@code linear.weight} {@code [out, in]} and {@code linear.bias}
 * {@code [out]}): an 8-byte little-endian header length, a UTF-8 JSON header mapping each tensor
 * name to {@code {"dtype", "shape", "data_offsets": [begin, end]}} (offsets relative to the end of
 * the header, plus an optional {@code "__metadata__"} map of strings), then the raw little-endian
 * data.
 *
 * <p>Reading accepts {@code F32}, {@code F16}, {@code BF16} and {@code F64} tensors and widens
 * (or, for {@code F64}, rounds) them to {@code float}; any other dtype is refused naming the
 * tensor. Writing produces {@code F32} tensors in the order given, the header padded with spaces
 * to a multiple of 8 bytes as the reference implementation does, with {@code "__metadata__":
 * {"format": "pt"}} as PyTorch's {@code save_file} writes it.
 *
 * {@snippet lang=java :
 * Map<String, SafeTensors.Tensor> w = SafeTensors.read(dir.resolve("2_Dense/model.safetensors"));
 * float[] weight = w.get("linear.weight").values();   // row-major [out, in]
 * }
 */
public final class SafeTensors {

  private static final ObjectMapper JSON = GeckoJson.mapper();
  /** The largest header accepted (the reference implementation's limit is 100 MB). */
  static final long MAX_HEADER = 100L << 20;

  private SafeTensors() {}

  /**
   * One tensor: its shape and its values as row-major floats.
   *
   * @param shape the dimensions; not null, each {@code >= 0}
   * @param values the values, row-major, exactly the product of {@code shape}; not null (not
   *     copied)
   */
  public record Tensor(long[] shape, float[] values) {
    /**
     * Validates the tensor.
     *
     * @throws IllegalArgumentException if a value is null, a dimension is negative or the number
     *     of values is not the product of the shape
     */
    public Tensor {
      Args.notNull(shape, "shape");
      Args.notNull(values, "values");
      long n = 1;
      for (long d : shape) {
        if (d < 0) {
          throw new IllegalArgumentException("shape must have no negative dimension, but is: "
              + Arrays.toString(shape));
        }
        n = Math.multiplyExact(n, d);
      }
      if (n != values.length) {
        throw new IllegalArgumentException("values must hold " + n + " floats for shape "
            + Arrays.toString(shape) + ", but holds " + values.length);
      }
    }

    /**
     * A matrix {@code [rows, cols]} or a vector {@code [n]}.
     *
     * @param values row-major values; not null
     * @param shape the dimensions
     * @return the tensor
     * @throws IllegalArgumentException if the values do not fill the shape
     */
    public static Tensor of(float[] values, long... shape) {
      return new Tensor(shape, values);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Tensor t && Arrays.equals(shape, t.shape)
          && Arrays.equals(values, t.values);
    }

    @Override
    public int hashCode() {
      return 31 * Arrays.hashCode(shape) + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
      return "Tensor" + Arrays.toString(shape);
    }
  }

  /**
   * Reads every tensor of a safetensors file.
   *
   * @param file the {@code .safetensors} file; not null
   * @return the tensors by name, in the order of their data in the file, unmodifiable
   * @throws IllegalArgumentException if {@code file} is null
   * @throws ModelLoadException if the file is missing, unreadable, or not well-formed safetensors
   *     (the message names the file, what was found and what was expected)
   */
  public static Map<String, Tensor> read(Path file) {
    Args.notNull(file, "file");
    byte[] bytes = ModelSpec.readFile(file, "a safetensors file");
    return parse(bytes, file.toString());
  }

  /**
   * Parses the bytes of a safetensors file.
   *
   * @param bytes the file's bytes; not null
   * @param location where they came from, for messages; not blank
   * @return the tensors by name, in the order of their data, unmodifiable
   * @throws IllegalArgumentException if an argument is null or blank
   * @throws ModelLoadException if the bytes are not well-formed safetensors
   */
  public static Map<String, Tensor> parse(byte[] bytes, String location) {
    Args.notNull(bytes, "bytes");
    Args.notBlank(location, "location");
    if (bytes.length < 8) {
      throw new ModelLoadException(location, "found " + bytes.length
          + " bytes, expected a safetensors file (8-byte header length, JSON header, data)", null);
    }
    ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    long headerLength = buf.getLong(0);
    if (headerLength < 2 || headerLength > MAX_HEADER || headerLength > bytes.length - 8L) {
      throw new ModelLoadException(location, "found a header length of " + headerLength
          + " in a file of " + bytes.length + " bytes, expected 2 to "
          + Math.min(MAX_HEADER, bytes.length - 8L), null);
    }
    JsonNode header;
    try {
      header = JSON.readTree(new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new ModelLoadException(location, "found a header that is not JSON ("
          + SentenceTransformersFolder.firstLine(e.getMessage()) + "), expected a JSON object", e);
    }
    if (header == null || !header.isObject()) {
      throw new ModelLoadException(location, "found a header that is not a JSON object, expected "
          + "{name: {dtype, shape, data_offsets}}", null);
    }
    long dataStart = 8 + headerLength;
    long dataLength = bytes.length - dataStart;
    List<Map.Entry<String, long[]>> order = new ArrayList<>();
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    Iterator<Map.Entry<String, JsonNode>> fields = header.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> f = fields.next();
      String name = f.getKey();
      if (name.equals("__metadata__")) {
        continue;
      }
      JsonNode t = f.getValue();
      String dtype = t.path("dtype").asText("");
      int width = switch (dtype) {
        case "F32" -> 4;
        case "F16", "BF16" -> 2;
        case "F64" -> 8;
        default -> throw new ModelLoadException(location, "found tensor '" + name + "' of dtype '"
            + dtype + "', expected one of [F32, F16, BF16, F64]", null);
      };
      JsonNode shapeNode = t.path("shape");
      JsonNode offsets = t.path("data_offsets");
      if (!shapeNode.isArray() || !offsets.isArray() || offsets.size() != 2) {
        throw new ModelLoadException(location, "found tensor '" + name + "' as " + t
            + ", expected {dtype, shape: [...], data_offsets: [begin, end]}", null);
      }
      long[] shape = new long[shapeNode.size()];
      long count = 1;
      for (int i = 0; i < shape.length; i++) {
        shape[i] = shapeNode.get(i).asLong(-1);
        if (shape[i] < 0 || !shapeNode.get(i).canConvertToLong()) {
          throw new ModelLoadException(location, "found tensor '" + name + "' with shape "
              + shapeNode + ", expected non-negative integer dimensions", null);
        }
        count = Math.multiplyExact(count, shape[i]);
      }
      long begin = offsets.get(0).asLong(-1);
      long end = offsets.get(1).asLong(-1);
      if (begin < 0 || end < begin || end > dataLength || end - begin != count * width
          || count > Integer.MAX_VALUE - 8) {
        throw new ModelLoadException(location, String.format(Locale.ROOT,
            "found tensor '%s' at data_offsets [%d, %d] for %d %s values, expected %d bytes "
                + "within the %d data bytes", name, begin, end, count, dtype, count * width,
            dataLength), null);
      }
      float[] v = new float[(int) count];
      int at = (int) (dataStart + begin);
      for (int i = 0; i < v.length; i++, at += width) {
        v[i] = switch (dtype) {
          case "F32" -> buf.getFloat(at);
          case "F64" -> (float) buf.getDouble(at);
          case "BF16" -> Float.intBitsToFloat((buf.getShort(at) & 0xffff) << 16);
          default -> halfToFloat(buf.getShort(at));
        };
      }
      order.add(Map.entry(name, new long[] {begin}));
      tensors.put(name, new Tensor(shape, v));
    }
    order.sort((a, b) -> Long.compare(a.getValue()[0], b.getValue()[0]));
    Map<String, Tensor> sorted = new LinkedHashMap<>();
    for (Map.Entry<String, long[]> e : order) {
      sorted.put(e.getKey(), tensors.get(e.getKey()));
    }
    return Collections.unmodifiableMap(sorted);
  }

  /**
   * Writes float32 tensors as a safetensors file, atomically (a temporary file beside it, then a
   * rename).
   *
   * @param file the file to create or replace; not null
   * @param tensors the tensors by name, written in this order; not null, no null name or tensor,
   *     no name {@code __metadata__}
   * @throws IllegalArgumentException if an argument is invalid
   * @throws IOException if writing fails
   */
  public static void write(Path file, Map<String, Tensor> tensors) throws IOException {
    Args.notNull(file, "file");
    byte[] bytes = toBytes(tensors);
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Path tmp = Files.createTempFile(parent, file.getFileName().toString(), ".tmp");
    try {
      try (OutputStream out = Files.newOutputStream(tmp)) {
        out.write(bytes);
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * Encodes float32 tensors in the safetensors format.
   *
   * @param tensors the tensors by name, in this order; not null, no null name or tensor, no name
   *     {@code __metadata__}
   * @return the file's bytes
   * @throws IllegalArgumentException if an argument is invalid
   */
  public static byte[] toBytes(Map<String, Tensor> tensors) {
    Args.notNull(tensors, "tensors");
    ObjectNode header = JSON.createObjectNode();
    header.putObject("__metadata__").put("format", "pt");
    long offset = 0;
    for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
      Args.notNull(e.getKey(), "tensor name");
      if (e.getKey().equals("__metadata__")) {
        throw new IllegalArgumentException("tensor name must not be __metadata__ (reserved)");
      }
      Args.notNull(e.getValue(), "tensor '" + e.getKey() + "'");
      ObjectNode t = header.putObject(e.getKey());
      t.put("dtype", "F32");
      var shape = t.putArray("shape");
      for (long d : e.getValue().shape()) {
        shape.add(d);
      }
      long end = offset + 4L * e.getValue().values().length;
      t.putArray("data_offsets").add(offset).add(end);
      offset = end;
    }
    byte[] json;
    try {
      json = JSON.writeValueAsBytes(header);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write the safetensors header", e);
    }
    int padded = (json.length + 7) / 8 * 8;
    if (offset + padded + 8 > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("tensors must fit in a 2 GB file, but need "
          + (offset + padded + 8) + " bytes");
    }
    ByteBuffer out = ByteBuffer.allocate((int) (8 + padded + offset)).order(ByteOrder.LITTLE_ENDIAN);
    out.putLong(padded);
    out.put(json);
    for (int i = json.length; i < padded; i++) {
      out.put((byte) ' ');
    }
    for (Tensor t : tensors.values()) {
      for (float v : t.values()) {
        out.putFloat(v);
      }
    }
    return out.array();
  }

  /** IEEE 754 half precision to float (exact: every half is a float). */
  static float halfToFloat(short h) {
    int bits = h & 0xffff;
    int sign = (bits & 0x8000) << 16;
    int exp = (bits >>> 10) & 0x1f;
    int mant = bits & 0x3ff;
    if (exp == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
    }
    if (exp == 0) {
      float f = mant * 0x1p-24f;
      return sign != 0 ? -f : f;
    }
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }
}
