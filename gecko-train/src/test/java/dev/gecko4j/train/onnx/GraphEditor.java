package dev.gecko4j.train.onnx;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rewrites a real ONNX model into the layouts users download, with the project's own protobuf
 * wire code ({@link Wire}, {@link OnnxModel}): nodes added before or after the existing ones,
 * initializers added, graph inputs dropped, graph outputs replaced, and weights moved to an
 * external-data file ({@code model.onnx_data}) as {@code onnx.save(..., save_as_external_data=True)}
 * writes them. Field numbers from {@code onnx/onnx.proto}.
 */
final class GraphEditor {

  static final int FLOAT = 1;
  static final int INT64 = 7;
  static final int FLOAT16 = 10;

  private final byte[] model;
  private final List<byte[]> prepended = new ArrayList<>();
  private final List<byte[]> appended = new ArrayList<>();
  private final List<byte[]> newInitializers = new ArrayList<>();
  private final List<byte[]> newOutputs = new ArrayList<>();
  private final Set<String> droppedInputs = new HashSet<>();
  private final Set<String> droppedOutputs = new HashSet<>();
  private Path externalData;

  GraphEditor(byte[] model) {
    this.model = model;
  }

  GraphEditor dropInput(String name) {
    droppedInputs.add(name);
    return this;
  }

  GraphEditor dropOutput(String name) {
    droppedOutputs.add(name);
    return this;
  }

  /** Adds a graph output {@code [batch, ...]}: dims are Long values or String parameters. */
  GraphEditor addOutput(String name, int elemType, Object... dims) {
    newOutputs.add(valueInfo(name, elemType, dims));
    return this;
  }

  GraphEditor prependNode(String op, List<String> in, List<String> out, byte[]... attrs) {
    prepended.add(node(op, in, out, attrs));
    return this;
  }

  GraphEditor appendNode(String op, List<String> in, List<String> out, byte[]... attrs) {
    appended.add(node(op, in, out, attrs));
    return this;
  }

  GraphEditor addInitializer(String name, int dataType, long[] dims, byte[] raw) {
    newInitializers.add(tensor(name, dataType, dims, raw, null));
    return this;
  }

  /** Moves every initializer of more than 1 KiB into {@code file}, referenced by its file name. */
  GraphEditor externalData(Path file) {
    this.externalData = file;
    return this;
  }

  static byte[] intAttr(String name, long value) {
    ByteArrayOutputStream a = new ByteArrayOutputStream();
    string(a, 1, name);
    Wire.writeTag(a, 3, Wire.VARINT);
    Wire.writeVarint(a, value);
    Wire.writeTag(a, 20, Wire.VARINT);
    Wire.writeVarint(a, 2); // INT
    return a.toByteArray();
  }

  /** Writes the edited model to {@code file} (and its external data, if asked). */
  void write(Path file) throws IOException {
    Map<String, TensorData> inits = externalData != null ? OnnxModel.parse(model).initializers()
        : Map.of();
    OutputStream data = externalData != null ? Files.newOutputStream(externalData) : null;
    long[] offset = {0};
    try {
      ByteArrayOutputStream graph = new ByteArrayOutputStream(model.length);
      int[] graphSpan = graphSpan();
      Wire w = new Wire(model, graphSpan[0], graphSpan[1]);
      boolean nodesStarted = false;
      while (w.hasMore()) {
        int start = w.position();
        long key = w.readTag();
        int field = (int) (key >>> 3);
        int type = (int) (key & 7);
        if (type != Wire.LEN) {
          w.skip(type);
          graph.write(model, start, w.position() - start);
          continue;
        }
        int[] s = w.readLengthDelimited();
        if (field == 1 && !nodesStarted) {
          nodesStarted = true;
          for (byte[] n : prepended) {
            Wire.writeBytes(graph, 1, n, 0, n.length);
          }
        }
        if ((field == 11 && droppedInputs.contains(name(s)))
            || (field == 12 && droppedOutputs.contains(name(s)))) {
          continue;
        }
        if (field == 5 && data != null) {
          String n = tensorName(s);
          TensorData t = inits.get(n);
          if (t != null && t.data().length > 1024) {
            data.write(t.data());
            byte[] ext = tensor(t.name(), t.dataType(), t.dims(), null,
                new long[] {offset[0], t.data().length});
            offset[0] += t.data().length;
            Wire.writeBytes(graph, 5, ext, 0, ext.length);
            continue;
          }
        }
        graph.write(model, start, w.position() - start);
      }
      for (byte[] n : appended) {
        Wire.writeBytes(graph, 1, n, 0, n.length);
      }
      for (byte[] t : newInitializers) {
        Wire.writeBytes(graph, 5, t, 0, t.length);
      }
      for (byte[] o : newOutputs) {
        Wire.writeBytes(graph, 12, o, 0, o.length);
      }
      byte[] g = graph.toByteArray();
      try (OutputStream out = Files.newOutputStream(file)) {
        Wire top = new Wire(model, 0, model.length);
        while (top.hasMore()) {
          int start = top.position();
          long key = top.readTag();
          top.skip((int) (key & 7));
          if ((key >>> 3) == 7) {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            Wire.writeBytes(head, 7, g, 0, g.length);
            head.writeTo(out);
          } else {
            out.write(model, start, top.position() - start);
          }
        }
      }
    } finally {
      if (data != null) {
        data.close();
      }
    }
  }

  private int[] graphSpan() {
    Wire w = new Wire(model, 0, model.length);
    while (w.hasMore()) {
      long key = w.readTag();
      if ((key >>> 3) == 7 && (key & 7) == Wire.LEN) {
        return w.readLengthDelimited();
      }
      w.skip((int) (key & 7));
    }
    throw new IllegalArgumentException("no graph");
  }

  /** Field 1 (name) of a ValueInfoProto. */
  private String name(int[] s) {
    return firstString(s, 1);
  }

  /** Field 8 (name) of a TensorProto. */
  private String tensorName(int[] s) {
    return firstString(s, 8);
  }

  private String firstString(int[] s, int field) {
    Wire w = new Wire(model, s[0], s[1]);
    while (w.hasMore()) {
      long key = w.readTag();
      if ((key >>> 3) == field && (key & 7) == Wire.LEN) {
        return w.readString();
      }
      w.skip((int) (key & 7));
    }
    return "";
  }

  private static byte[] node(String op, List<String> in, List<String> out, byte[]... attrs) {
    ByteArrayOutputStream n = new ByteArrayOutputStream();
    for (String i : in) {
      string(n, 1, i);
    }
    for (String o : out) {
      string(n, 2, o);
    }
    string(n, 3, "gecko4j_" + op + "_" + out.get(0));
    string(n, 4, op);
    for (byte[] a : attrs) {
      Wire.writeBytes(n, 5, a, 0, a.length);
    }
    return n.toByteArray();
  }

  private static byte[] tensor(String name, int dataType, long[] dims, byte[] raw, long[] external) {
    ByteArrayOutputStream t = new ByteArrayOutputStream();
    for (long d : dims) {
      Wire.writeTag(t, 1, Wire.VARINT);
      Wire.writeVarint(t, d);
    }
    Wire.writeTag(t, 2, Wire.VARINT);
    Wire.writeVarint(t, dataType);
    string(t, 8, name);
    if (raw != null) {
      Wire.writeBytes(t, 9, raw, 0, raw.length);
    }
    if (external != null) {
      entry(t, "location", "model.onnx_data");
      entry(t, "offset", Long.toString(external[0]));
      entry(t, "length", Long.toString(external[1]));
      Wire.writeTag(t, 14, Wire.VARINT);
      Wire.writeVarint(t, 1); // EXTERNAL
    }
    return t.toByteArray();
  }

  private static void entry(ByteArrayOutputStream t, String key, String value) {
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    string(e, 1, key);
    string(e, 2, value);
    byte[] b = e.toByteArray();
    Wire.writeBytes(t, 13, b, 0, b.length);
  }

  private static byte[] valueInfo(String name, int elemType, Object... dims) {
    ByteArrayOutputStream shape = new ByteArrayOutputStream();
    for (Object d : dims) {
      ByteArrayOutputStream dim = new ByteArrayOutputStream();
      if (d instanceof String p) {
        string(dim, 2, p);
      } else {
        Wire.writeTag(dim, 1, Wire.VARINT);
        Wire.writeVarint(dim, ((Number) d).longValue());
      }
      byte[] b = dim.toByteArray();
      Wire.writeBytes(shape, 1, b, 0, b.length);
    }
    ByteArrayOutputStream tensorType = new ByteArrayOutputStream();
    Wire.writeTag(tensorType, 1, Wire.VARINT);
    Wire.writeVarint(tensorType, elemType);
    byte[] sb = shape.toByteArray();
    Wire.writeBytes(tensorType, 2, sb, 0, sb.length);
    ByteArrayOutputStream type = new ByteArrayOutputStream();
    byte[] tt = tensorType.toByteArray();
    Wire.writeBytes(type, 1, tt, 0, tt.length);
    ByteArrayOutputStream vi = new ByteArrayOutputStream();
    string(vi, 1, name);
    byte[] ty = type.toByteArray();
    Wire.writeBytes(vi, 2, ty, 0, ty.length);
    return vi.toByteArray();
  }

  private static void string(ByteArrayOutputStream out, int field, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    Wire.writeBytes(out, field, b, 0, b.length);
  }
}
