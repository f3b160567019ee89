package dev.gecko4j.train.onnx;

import dev.gecko4j.core.internal.Args;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
import java.util.function.LongConsumer;
import java.util.stream.LongStream;

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
  /** node index -> index into graphFields. */
  private final List<Integer> nodeField = new ArrayList<>();
  private final List<String> inputs = new ArrayList<>();
  private final List<String> outputs = new ArrayList<>();
  private long opsetVersion = -1;

  /** The largest file a Java array holds; protobuf itself caps a message at 2 GB. */
  static final long MAX_BYTES = Integer.MAX_VALUE - 8;

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
    long size = Files.size(file);
    if (size == 0 || size > MAX_BYTES) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "%s has %d bytes; an ONNX file read here must have 1 to %d bytes (larger models keep their "
              + "weights as external data, which is not supported)", file, size, MAX_BYTES));
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
      long key = w.readTag();
      int field = (int) (key >>> 3);
      int type = (int) (key & 7);
      if (field == 7 && type == Wire.LEN) {
        if (graphSpan != null) {
          throw new IllegalArgumentException("not an ONNX model: a second graph (ModelProto field 7) at byte " + start);
        }
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
      long key = w.readTag();
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
      long key = w.readTag();
      int field = (int) (key >>> 3);
      int type = (int) (key & 7);
      if (type == Wire.LEN && (field == 1 || field == 5 || field == 11 || field == 12)) {
        int[] s = w.readLengthDelimited();
        switch (field) {
          case 1 -> {
            nodes.add(parseNode(s[0], s[1]));
            nodeField.add(graphFields.size());
          }
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
      long key = w.readTag();
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
      long key = w.readTag();
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
    ByteArrayOutputStream floats = new ByteArrayOutputStream();
    LongStream.Builder ints = LongStream.builder();
    while (w.hasMore()) {
      long key = w.readTag();
      int field = (int) (key >>> 3);
      int wt = (int) (key & 7);
      if (field == 1 && wt == Wire.LEN) {
        name = w.readString();
      } else if (field == 20 && wt == Wire.VARINT) {
        type = (int) w.readVarint();
      } else if (field == 2 && wt == Wire.FIXED32) {
        f = Float.intBitsToFloat(w.readFixed32());
      } else if (field == 3 && wt == Wire.VARINT) {
        i = w.readVarint();
      } else if (field == 4 && wt == Wire.LEN) {
        s = w.readString();
      } else if (field == 5 && wt == Wire.LEN) {
        int[] sp = w.readLengthDelimited();
        t = parseTensor(sp[0], sp[1]);
      } else if (field == 7 && (wt == Wire.LEN || wt == Wire.FIXED32)) {
        fixed32s(w, wt, floats);
      } else if (field == 8 && (wt == Wire.LEN || wt == Wire.VARINT)) {
        varints(w, wt, ints::add);
      } else {
        w.skip(wt);
      }
    }
    float[] fa = new float[floats.size() / 4];
    ByteBuffer.wrap(floats.toByteArray()).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(fa);
    return new OnnxAttribute(name, type, f, i, s, t, fa, ints.build().toArray());
  }

  /** Copies a packed (LEN) or single (FIXED32) repeated fixed32 field's bytes. */
  private void fixed32s(Wire w, int wt, ByteArrayOutputStream out) {
    if (wt == Wire.LEN) {
      int[] sp = w.readLengthDelimited();
      if ((sp[1] - sp[0]) % 4 != 0) {
        throw new IllegalArgumentException(String.format(Locale.ROOT,
            "packed fixed32 field at byte %d has %d bytes, not a multiple of 4", sp[0], sp[1] - sp[0]));
      }
      out.write(bytes, sp[0], sp[1] - sp[0]);
    } else {
      int p = w.position();
      w.skip(wt);
      out.write(bytes, p, 4);
    }
  }

  /** Reads a packed (LEN) or single (VARINT) repeated varint field. */
  private static void varints(Wire w, int wt, LongConsumer sink) {
    if (wt == Wire.LEN) {
      int[] sp = w.readLengthDelimited();
      Wire p = new Wire(w.buffer(), sp[0], sp[1]);
      while (p.hasMore()) {
        sink.accept(p.readVarint());
      }
    } else {
      sink.accept(w.readVarint());
    }
  }

  private TensorData parseTensor(int from, int to) {
    Wire w = new Wire(bytes, from, to);
    LongStream.Builder dims = LongStream.builder();
    int dataType = 0;
    String name = "";
    byte[] raw = null;
    ByteArrayOutputStream typed = new ByteArrayOutputStream();
    while (w.hasMore()) {
      int at = w.position();
      long key = w.readTag();
      int field = (int) (key >>> 3);
      int wt = (int) (key & 7);
      if (field == 1 && (wt == Wire.LEN || wt == Wire.VARINT)) {
        varints(w, wt, dims::add);
      } else if (field == 2 && wt == Wire.VARINT) {
        dataType = (int) w.readVarint();
      } else if (field == 8 && wt == Wire.LEN) {
        name = w.readString();
      } else if (field == 9 && wt == Wire.LEN) {
        int[] sp = w.readLengthDelimited();
        raw = Arrays.copyOfRange(bytes, sp[0], sp[1]);
      } else if (field == 4 && (wt == Wire.LEN || wt == Wire.FIXED32)) {
        fixed32s(w, wt, typed); // float_data: the fixed32 little-endian words as they are
      } else if ((field == 5 || field == 7) && (wt == Wire.LEN || wt == Wire.VARINT)) {
        int width = field == 5 ? 4 : 8; // int32_data / int64_data as varints
        varints(w, wt, v -> {
          for (int b = 0; b < width; b++) {
            typed.write((int) (v >>> (8 * b)) & 0xff);
          }
        });
      } else if (field == 14 && wt == Wire.VARINT) {
        if (w.readVarint() == 1) {
          throw new IllegalArgumentException("tensor at byte " + at + " uses external data, which is not supported");
        }
      } else {
        w.skip(wt);
      }
    }
    long[] shape = dims.build().toArray();
    for (long d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("tensor '" + name + "' at byte " + from + " has a negative dimension: "
            + Arrays.toString(shape));
      }
    }
    byte[] data = raw != null ? raw : typed.toByteArray();
    return new TensorData(name, dataType, shape, data);
  }

  /**
   * Writes this model to {@code file} with the data of the named float initializers replaced; all
   * other bytes (graph, other initializers, metadata) are copied unchanged. The file is written in
   * place: for a file that is complete or absent after a crash, write to a temporary file with
   * {@link #write(OutputStream, Map)}, force it and rename it (as the trainer's exporter does).
   *
   * @param file the output file (created or replaced)
   * @param replacements new values by initializer name; each must name a float initializer and
   *     have exactly its element count
   * @throws IOException if the file cannot be written
   * @throws IllegalArgumentException if a replacement names no float initializer or has the wrong
   *     length
   */
  public void write(Path file, Map<String, float[]> replacements) throws IOException {
    Args.notNull(file, "file");
    Args.notNull(replacements, "replacements");
    byte[] graphBytes = graphWith(replacements);
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
      writeModel(out, graphBytes);
    }
  }

  /**
   * Writes this model to {@code out} with the data of the named float initializers replaced, as
   * {@link #write(Path, Map)} does; the stream is not closed.
   *
   * @param out the destination
   * @param replacements new values by initializer name
   * @throws IOException if the stream fails
   * @throws IllegalArgumentException if a replacement names no float initializer or has the wrong
   *     length
   */
  public void write(OutputStream out, Map<String, float[]> replacements) throws IOException {
    Args.notNull(out, "out");
    Args.notNull(replacements, "replacements");
    writeModel(out, graphWith(replacements));
  }

  private byte[] graphWith(Map<String, float[]> replacements) {
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
    return graph.toByteArray();
  }

  /**
   * Writes this model with the structural changes of {@code edit} (nodes removed, rewired or
   * inserted, initializers and inputs added, outputs replaced); every field the edit does not touch
   * is copied byte for byte. The stream is not closed.
   *
   * @param out the destination; not null
   * @param edit the changes; not null
   * @throws IOException if the stream fails
   * @throws IllegalArgumentException if the edit names a node output, initializer or input that
   *     does not fit this graph (see {@link GraphEdit})
   */
  public void write(OutputStream out, GraphEdit edit) throws IOException {
    Args.notNull(out, "out");
    Args.notNull(edit, "edit");
    writeModel(out, edit.apply(this));
  }

  /**
   * Writes this model with the changes of {@code edit} to {@code file} (created or replaced), as
   * {@link #write(OutputStream, GraphEdit)} does.
   *
   * @param file the output file; not null
   * @param edit the changes; not null
   * @throws IOException if the file cannot be written
   * @throws IllegalArgumentException if the edit does not fit this graph
   */
  public void write(Path file, GraphEdit edit) throws IOException {
    Args.notNull(file, "file");
    Args.notNull(edit, "edit");
    byte[] graphBytes = edit.apply(this);
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
      writeModel(out, graphBytes);
    }
  }

  /** {@return the raw bytes of the file} (shared, for {@link GraphEdit}) */
  byte[] bytes() {
    return bytes;
  }

  /** {@return the {field, start, end} spans of the graph's fields} (for {@link GraphEdit}) */
  List<int[]> graphFields() {
    return graphFields;
  }

  /** {@return the index into {@link #graphFields()} of the initializer {@code name}} */
  int initializerField(String name) {
    return initializerField.get(name);
  }

  /** {@return the index into {@link #graphFields()} of node {@code i}} */
  int nodeField(int i) {
    return nodeField.get(i);
  }

  private void writeModel(OutputStream out, byte[] graphBytes) throws IOException {
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

  /** Re-encodes an initializer field: all TensorProto fields but its data, then raw_data. */
  private byte[] encodeTensor(int[] graphField, TensorData t, float[] values) {
    Wire outer = new Wire(bytes, graphField[1], graphField[2]);
    outer.readVarint();
    int[] span = outer.readLengthDelimited();
    ByteArrayOutputStream out = new ByteArrayOutputStream(values.length * 4 + 256);
    Wire w = new Wire(bytes, span[0], span[1]);
    while (w.hasMore()) {
      int start = w.position();
      long key = w.readTag();
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
