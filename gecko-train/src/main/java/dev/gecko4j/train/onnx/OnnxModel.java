package dev.gecko4j.train.onnx;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * An ONNX model file read with a hand-written protobuf wire-format reader (field numbers from
 * {@code onnx/onnx.proto}: ModelProto.graph = 7, GraphProto.node = 1 / initializer = 5 / input = 11
 * / output = 12, NodeProto input = 1 / output = 2 / name = 3 / op_type = 4 / attribute = 5 /
 * domain = 7, TensorProto dims = 1 / data_type = 2 / float_data = 4 / int32_data = 5 /
 * int64_data = 7 / name = 8 / raw_data = 9). It keeps the file's bytes and the byte spans of the
 * graph's fields, so {@link #write} produces the same file with only the chosen initializers'
 * data replaced.
 */
public final class OnnxModel {
  private final byte[] bytes;
  /** {fieldNumber, start, end} of each top-level ModelProto field (start includes the tag). */
  private final List<int[]> modelFields = new ArrayList<>();
  /** {fieldNumber, start, end} of each GraphProto field; end exclusive. */
  private final List<int[]> graphFields = new ArrayList<>();
  private final List<OnnxNode> nodes = new ArrayList<>();
  private final Map<String, TensorData> initializers = new LinkedHashMap<>();
  /** initializer name -> index into graphFields. */
  private final Map<String, Integer> initializerField = new LinkedHashMap<>();
  private final List<String> inputs = new ArrayList<>();
  private final List<String> outputs = new ArrayList<>();
  private long opsetVersion = -1;

  private OnnxModel(byte[] bytes) {
    this.bytes = bytes;
    parseModel();
  }

  /**
   * Reads an ONNX model file.
   *
   * @param file the {@code .onnx} file
   * @return the parsed model
   * @throws IOException if the file cannot be read
   * @throws IllegalArgumentException if the file is not a well-formed ONNX model with a graph
   */
  public static OnnxModel read(Path file) throws IOException {
    if (file == null || !Files.isRegularFile(file)) {
      throw new IllegalArgumentException("file must be an existing ONNX file, but is: " + file);
    }
    return new OnnxModel(Files.readAllBytes(file));
  }

  /**
   * Parses an ONNX model from its bytes.
   *
   * @param bytes the serialized ModelProto (not copied)
   * @return the parsed model
   * @throws IllegalArgumentException if the bytes are not a well-formed ONNX model with a graph
   */
  public static OnnxModel parse(byte[] bytes) {
    if (bytes == null || bytes.length == 0) {
      throw new IllegalArgumentException("bytes must be a non-empty ONNX model");
    }
    return new OnnxModel(bytes);
  }

  /** @return the nodes in the file's (topological) order, unmodifiable */
  public List<OnnxNode> nodes() {
    return Collections.unmodifiableList(nodes);
  }

  /** @return the initializers by name in file order, unmodifiable */
  public Map<String, TensorData> initializers() {
    return Collections.unmodifiableMap(initializers);
  }

  /** @return the graph input names that are not initializers */
  public List<String> inputs() {
    return inputs.stream().filter(n -> !initializers.containsKey(n)).toList();
  }

  /** @return the graph output names */
  public List<String> outputs() {
    return Collections.unmodifiableList(outputs);
  }

  /** @return the default-domain opset version, or -1 when absent */
  public long opsetVersion() {
    return opsetVersion;
  }

  private void parseModel() {
    Wire w = new Wire(bytes, 0, bytes.length);
    int[] graphSpan = null;
    while (w.hasMore()) {
      int start = w.position();
      long key = w.readVarint();
      int field = (int) (key >>> 3);
      int type = (int) (key & 7);
      if (field == 7 && type == Wire.LEN) {
        graphSpan = w.readLengthDelimited();
      } else if (field == 8 && type == Wire.LEN) {
        int[] s = w.readLengthDelimited();
        parseOpset(s);
      } else {
        w.skip(type);
      }
      modelFields.add(new int[] {field, start, w.position()});
    }
    if (graphSpan == null) {
      throw new IllegalArgumentException("not an ONNX model: no graph (ModelProto field 7) found");
    }
    parseGraph(graphSpan[0], graphSpan[1]);
  }

  private void parseOpset(int[] s) {
    Wire w = new Wire(bytes, s[0], s[1]);
    String domain = "";
    long version = -1;
    while (w.hasMore()) {
      long key = w.readVarint();
      int field = (int) (key >>> 3);
      if (field == 1 && (key & 7) == Wire.LEN) {
        domain = w.readString();
      } else if (field == 2 && (key & 7) == Wire.VARINT) {
        version = w.readVarint();
      } else {
        w.skip((int) (key & 7));
      }
    }
    if (domain.isEmpty() || domain.equals("ai.onnx")) {
      opsetVersion = version;
    }
  }

  private void parseGraph(int from, int to) {
    Wire w = new Wire(bytes, from, to);
    while (w.hasMore()) {
      int start = w.position();
      long key = w.readVarint();
      int field = (int) (key >>> 3);
      int type = (int) (key & 7);
      if (type == Wire.LEN && (field == 1 || field == 5 || field == 11 || field == 12)) {
        int[] s = w.readLengthDelimited();
        switch (field) {
          case 1 -> nodes.add(parseNode(s[0], s[1]));
          case 5 -> {
            TensorData t = parseTensor(s[0], s[1]);
            initializers.put(t.name(), t);
            initializerField.put(t.name(), graphFields.size());
          }
          case 11 -> inputs.add(parseValueInfoName(s[0], s[1]));
          default -> outputs.add(parseValueInfoName(s[0], s[1]));
        }
      } else {
        w.skip(type);
      }
      graphFields.add(new int[] {field, start, w.position()});
    }
  }

  private String parseValueInfoName(int from, int to) {
    Wire w = new Wire(bytes, from, to);
    while (w.hasMore()) {
      long key = w.readVarint();
      if ((key >>> 3) == 1 && (key & 7) == Wire.LEN) {
        return w.readString();
      }
      w.skip((int) (key & 7));
    }
    return "";
  }

  private OnnxNode parseNode(int from, int to) {
    Wire w = new Wire(bytes, from, to);
    List<String> in = new ArrayList<>();
    List<String> out = new ArrayList<>();
    Map<String, OnnxAttribute> attrs = new LinkedHashMap<>();
    String name = "";
    String op = "";
    String domain = "";
    while (w.hasMore()) {
      long key = w.readVarint();
      int field = (int) (key >>> 3);
      int type = (int) (key & 7);
      if (type != Wire.LEN) {
        w.skip(type);
        continue;
      }
      switch (field) {
        case 1 -> in.add(w.readString());
        case 2 -> out.add(w.readString());
        case 3 -> name = w.readString();
        case 4 -> op = w.readString();
        case 5 -> {
          int[] s = w.readLengthDelimited();
          OnnxAttribute a = parseAttribute(s[0], s[1]);
          attrs.put(a.name(), a);
        }
        case 7 -> domain = w.readString();
        default -> w.skip(type);
      }
    }
    return new OnnxNode(name, op, domain, List.copyOf(in), List.copyOf(out), Map.copyOf(attrs));
  }

  private OnnxAttribute parseAttribute(int from, int to) {
    Wire w = new Wire(bytes, from, to);
    String name = "";
    int type = 0;
    float f = 0;
    long i = 0;
    String s = null;
    TensorData t = null;
    List<Float> floats = new ArrayList<>();
    List<Long> ints = new ArrayList<>();
    while (w.hasMore()) {
      long key = w.readVarint();
      int field = (int) (key >>> 3);
      int wt = (int) (key & 7);
      switch (field) {
        case 1 -> name = w.readString();
        case 20 -> type = (int) w.readVarint();
        case 2 -> f = Float.intBitsToFloat(w.readFixed32());
        case 3 -> i = w.readVarint();
        case 4 -> s = w.readString();
        case 5 -> {
          int[] sp = w.readLengthDelimited();
          t = parseTensor(sp[0], sp[1]);
        }
        case 7 -> {
          if (wt == Wire.LEN) {
            int[] sp = w.readLengthDelimited();
            Wire p = new Wire(bytes, sp[0], sp[1]);
            while (p.hasMore()) {
              floats.add(Float.intBitsToFloat(p.readFixed32()));
            }
          } else {
            floats.add(Float.intBitsToFloat(w.readFixed32()));
          }
        }
        case 8 -> {
          if (wt == Wire.LEN) {
            int[] sp = w.readLengthDelimited();
            Wire p = new Wire(bytes, sp[0], sp[1]);
            while (p.hasMore()) {
              ints.add(p.readVarint());
            }
          } else {
            ints.add(w.readVarint());
          }
        }
        default -> w.skip(wt);
      }
    }
    float[] fa = new float[floats.size()];
    for (int k = 0; k < fa.length; k++) {
      fa[k] = floats.get(k);
    }
    return new OnnxAttribute(name, type, f, i, s, t, fa,
        ints.stream().mapToLong(Long::longValue).toArray());
  }

  private TensorData parseTensor(int from, int to) {
    Wire w = new Wire(bytes, from, to);
    List<Long> dims = new ArrayList<>();
    int dataType = 0;
    String name = "";
    byte[] raw = null;
    ByteArrayOutputStream typed = new ByteArrayOutputStream();
    while (w.hasMore()) {
      long key = w.readVarint();
      int field = (int) (key >>> 3);
      int wt = (int) (key & 7);
      switch (field) {
        case 1 -> {
          if (wt == Wire.LEN) {
            int[] sp = w.readLengthDelimited();
            Wire p = new Wire(bytes, sp[0], sp[1]);
            while (p.hasMore()) {
              dims.add(p.readVarint());
            }
          } else {
            dims.add(w.readVarint());
          }
        }
        case 2 -> dataType = (int) w.readVarint();
        case 8 -> name = w.readString();
        case 9 -> {
          int[] sp = w.readLengthDelimited();
          raw = Arrays.copyOfRange(bytes, sp[0], sp[1]);
        }
        case 4 -> { // float_data, packed or not: copy the fixed32 little-endian words
          if (wt == Wire.LEN) {
            int[] sp = w.readLengthDelimited();
            typed.write(bytes, sp[0], sp[1] - sp[0]);
          } else {
            int p = w.position();
            w.skip(wt);
            typed.write(bytes, p, 4);
          }
        }
        case 5, 7 -> { // int32_data / int64_data as varints
          List<Long> vals = new ArrayList<>();
          if (wt == Wire.LEN) {
            int[] sp = w.readLengthDelimited();
            Wire p = new Wire(bytes, sp[0], sp[1]);
            while (p.hasMore()) {
              vals.add(p.readVarint());
            }
          } else {
            vals.add(w.readVarint());
          }
          int width = field == 5 ? 4 : 8;
          for (long v : vals) {
            for (int b = 0; b < width; b++) {
              typed.write((int) (v >>> (8 * b)) & 0xff);
            }
          }
        }
        case 14 -> {
          long loc = w.readVarint();
          if (loc == 1) {
            throw new IllegalArgumentException("tensor uses external data, which is not supported");
          }
        }
        default -> w.skip(wt);
      }
    }
    byte[] data = raw != null ? raw : typed.toByteArray();
    return new TensorData(name, dataType, dims.stream().mapToLong(Long::longValue).toArray(), data);
  }

  /**
   * Writes this model to {@code file} with the data of the named float initializers replaced; all
   * other bytes (graph, other initializers, metadata) are copied unchanged.
   *
   * @param file the output file (created or replaced)
   * @param replacements new values by initializer name; each must name a float initializer and
   *     have exactly its element count
   * @throws IOException if the file cannot be written
   * @throws IllegalArgumentException if a replacement names no float initializer or has the wrong
   *     length
   */
  public void write(Path file, Map<String, float[]> replacements) throws IOException {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(replacements, "replacements");
    for (Map.Entry<String, float[]> e : replacements.entrySet()) {
      TensorData t = initializers.get(e.getKey());
      if (t == null || t.dataType() != TensorData.FLOAT) {
        throw new IllegalArgumentException("replacement '" + e.getKey() + "' names no float initializer");
      }
      if (e.getValue() == null || e.getValue().length != t.size()) {
        throw new IllegalArgumentException(String.format(Locale.ROOT,
            "replacement '%s' must have %d values, but has %s", e.getKey(), t.size(),
            e.getValue() == null ? "null" : String.valueOf(e.getValue().length)));
      }
    }
    Map<Integer, String> replacedField = new LinkedHashMap<>();
    for (String name : replacements.keySet()) {
      replacedField.put(initializerField.get(name), name);
    }
    ByteArrayOutputStream graph = new ByteArrayOutputStream(bytes.length);
    for (int k = 0; k < graphFields.size(); k++) {
      int[] f = graphFields.get(k);
      String name = replacedField.get(k);
      if (name == null) {
        graph.write(bytes, f[1], f[2] - f[1]);
      } else {
        byte[] tensor = encodeTensor(f, initializers.get(name), replacements.get(name));
        Wire.writeBytes(graph, 5, tensor, 0, tensor.length);
      }
    }
    byte[] graphBytes = graph.toByteArray();
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
      for (int[] f : modelFields) {
        if (f[0] == 7) {
          ByteArrayOutputStream head = new ByteArrayOutputStream();
          Wire.writeTag(head, 7, Wire.LEN);
          Wire.writeVarint(head, graphBytes.length);
          head.writeTo(out);
          out.write(graphBytes);
        } else {
          out.write(bytes, f[1], f[2] - f[1]);
        }
      }
    }
  }

  /** Re-encodes an initializer field: all TensorProto fields but its data, then raw_data. */
  private byte[] encodeTensor(int[] graphField, TensorData t, float[] values) {
    Wire outer = new Wire(bytes, graphField[1], graphField[2]);
    outer.readVarint();
    int[] span = outer.readLengthDelimited();
    ByteArrayOutputStream out = new ByteArrayOutputStream(values.length * 4 + 256);
    Wire w = new Wire(bytes, span[0], span[1]);
    while (w.hasMore()) {
      int start = w.position();
      long key = w.readVarint();
      int field = (int) (key >>> 3);
      w.skip((int) (key & 7));
      if (field != 4 && field != 9) {
        out.write(bytes, start, w.position() - start);
      }
    }
    byte[] data = TensorData.floatBytes(values);
    Wire.writeBytes(out, 9, data, 0, data.length);
    return out.toByteArray();
  }

  /** @return a short description (opset, node and initializer counts) */
  @Override
  public String toString() {
    return String.format(Locale.ROOT, "OnnxModel[opset %d, %d nodes, %d initializers, inputs %s, outputs %s]",
        opsetVersion, nodes.size(), initializers.size(), inputs(), outputs);
  }

  static String utf8(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
