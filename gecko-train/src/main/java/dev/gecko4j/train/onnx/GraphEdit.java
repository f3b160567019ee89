package dev.gecko4j.train.onnx;

import dev.gecko4j.core.internal.Args;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Structural changes to an {@link OnnxModel}'s graph, written by {@link
 * OnnxModel#write(java.nio.file.Path, GraphEdit)}: what re-exporting a graph in another layout
 * needs (a decoder's final hidden state as an output, an {@code attention_mask} and {@code
 * position_ids} input, a pooled head) without protoc. Nodes are named by their first output
 * (unique in an ONNX graph). A mutable builder: each method records one change and returns {@code
 * this}; the changes are checked against the graph when it is written.
 *
 * {@snippet lang=java :
 * GraphEdit edit = new GraphEdit()
 *     .addInput("attention_mask", TensorData.INT64, "batch", "sequence")
 *     .insertAfter("t_13", GraphEdit.node("Cast", List.of("attention_mask"), List.of("mask_f"),
 *         Map.of("to", (long) TensorData.FLOAT)))
 *     .rewire("t_67", "t_13", "mask_4d")
 *     .removeNode("logits")
 *     .replaceOutputs(List.of(GraphEdit.output("last_hidden_state", TensorData.FLOAT,
 *         "batch", "sequence", "64")));
 * model.write(Path.of("model.onnx"), edit);
 * }
 */
public final class GraphEdit {

  /**
   * A node to insert.
   *
   * @param opType the operator (default domain)
   * @param inputs its inputs, in order ({@code ""} for an omitted optional input)
   * @param outputs its outputs, in order
   * @param intAttributes integer attributes by name (for example Cast's {@code to})
   */
  public record NewNode(String opType, List<String> inputs, List<String> outputs,
      Map<String, Long> intAttributes) {
    /**
     * Validates the node.
     *
     * @throws IllegalArgumentException if a component is null or blank, or it has no output
     */
    public NewNode {
      Args.notBlank(opType, "opType");
      Args.notNull(inputs, "inputs");
      Args.notNull(outputs, "outputs");
      Args.notNull(intAttributes, "intAttributes");
      if (outputs.isEmpty()) {
        throw new IllegalArgumentException("node " + opType + " must have at least one output");
      }
      inputs = List.copyOf(inputs);
      outputs = List.copyOf(outputs);
      intAttributes = Map.copyOf(intAttributes);
    }
  }

  /**
   * A graph input or output: name, element type and dimensions (a number is a fixed size,
   * anything else a symbolic one such as {@code batch}).
   *
   * @param name the value's name
   * @param elementType the ONNX element type ({@link TensorData#FLOAT}, {@link TensorData#INT64})
   * @param dims the dimensions, each a number or a symbol
   */
  public record ValueInfo(String name, int elementType, List<String> dims) {
    /**
     * Validates the value.
     *
     * @throws IllegalArgumentException if the name is blank, the type unknown or a dim blank
     */
    public ValueInfo {
      Args.notBlank(name, "name");
      if (TensorData.elementSize(elementType) <= 0) {
        throw new IllegalArgumentException("elementType must be an ONNX tensor type code such as "
            + TensorData.FLOAT + " (float) or " + TensorData.INT64 + " (int64), but is: "
            + elementType);
      }
      Args.notNull(dims, "dims");
      for (String d : dims) {
        Args.notBlank(d, "dim of " + name);
      }
      dims = List.copyOf(dims);
    }
  }

  private final Set<String> removed = new HashSet<>();
  private final Map<String, Map<String, String>> rewired = new HashMap<>();
  private final Map<String, List<NewNode>> inserted = new LinkedHashMap<>();
  private final List<TensorData> initializers = new ArrayList<>();
  private final List<ValueInfo> inputs = new ArrayList<>();
  private List<ValueInfo> outputs;
  private boolean prune;

  /**
   * A node to insert.
   *
   * @param opType the operator; not blank
   * @param inputs its inputs; not null
   * @param outputs its outputs; not empty
   * @param intAttributes its integer attributes; not null
   * @return the node
   * @throws IllegalArgumentException if a value is invalid
   */
  public static NewNode node(String opType, List<String> inputs, List<String> outputs,
      Map<String, Long> intAttributes) {
    return new NewNode(opType, inputs, outputs, intAttributes);
  }

  /**
   * A graph output.
   *
   * @param name its name; not blank
   * @param elementType its element type code
   * @param dims its dimensions, numbers or symbols
   * @return the value
   * @throws IllegalArgumentException if a value is invalid
   */
  public static ValueInfo output(String name, int elementType, String... dims) {
    Args.notNull(dims, "dims");
    return new ValueInfo(name, elementType, List.of(dims));
  }

  /**
   * Removes the node whose first output is {@code output}.
   *
   * @param output the node's first output; not blank
   * @return this edit
   */
  public GraphEdit removeNode(String output) {
    Args.notBlank(output, "output");
    removed.add(output);
    return this;
  }

  /**
   * Makes the node whose first output is {@code node} read {@code to} wherever it read {@code
   * from}.
   *
   * @param node the node's first output; not blank
   * @param from the input it reads now; not blank
   * @param to the input it reads instead; not blank
   * @return this edit
   */
  public GraphEdit rewire(String node, String from, String to) {
    Args.notBlank(node, "node");
    Args.notBlank(from, "from");
    Args.notBlank(to, "to");
    rewired.computeIfAbsent(node, k -> new HashMap<>()).put(from, to);
    return this;
  }

  /**
   * Inserts nodes right after the node whose first output is {@code after}, in the order given
   * (after nodes inserted there before).
   *
   * @param after the first output of the node they follow; not blank
   * @param nodes the nodes; not null
   * @return this edit
   */
  public GraphEdit insertAfter(String after, NewNode... nodes) {
    Args.notBlank(after, "after");
    Args.notNull(nodes, "nodes");
    for (NewNode n : nodes) {
      Args.notNull(n, "node");
      inserted.computeIfAbsent(after, k -> new ArrayList<>()).add(n);
    }
    return this;
  }

  /**
   * Adds an initializer.
   *
   * @param tensor the tensor, with a name no initializer has; not null
   * @return this edit
   */
  public GraphEdit addInitializer(TensorData tensor) {
    Args.notNull(tensor, "tensor");
    Args.notBlank(tensor.name(), "tensor name");
    initializers.add(tensor);
    return this;
  }

  /**
   * Adds a graph input after the existing ones.
   *
   * @param name its name; not blank
   * @param elementType its element type code
   * @param dims its dimensions, numbers or symbols
   * @return this edit
   */
  public GraphEdit addInput(String name, int elementType, String... dims) {
    Args.notNull(dims, "dims");
    inputs.add(new ValueInfo(name, elementType, List.of(dims)));
    return this;
  }

  /**
   * Replaces all graph outputs.
   *
   * @param outputs the new outputs; not empty
   * @return this edit
   */
  public GraphEdit replaceOutputs(List<ValueInfo> outputs) {
    Args.notNull(outputs, "outputs");
    if (outputs.isEmpty()) {
      throw new IllegalArgumentException("outputs must not be empty");
    }
    this.outputs = List.copyOf(outputs);
    return this;
  }

  /**
   * Drops, when the graph is written, every node none of whose outputs is needed for the graph's
   * outputs, and every initializer no kept node reads (what ONNX Runtime would otherwise remove
   * with a warning at each load).
   *
   * @return this edit
   */
  public GraphEdit pruneUnused() {
    prune = true;
    return this;
  }

  /** Builds the new GraphProto bytes of {@code model}. */
  byte[] apply(OnnxModel model) {
    Map<String, Integer> nodeByOutput = new HashMap<>();
    List<OnnxNode> nodes = model.nodes();
    Set<String> known = new HashSet<>(model.inputs());
    known.addAll(model.initializers().keySet());
    for (int i = 0; i < nodes.size(); i++) {
      List<String> outs = nodes.get(i).outputs();
      if (!outs.isEmpty()) {
        nodeByOutput.put(outs.get(0), i);
      }
      known.addAll(outs);
    }
    List<String> missing = new ArrayList<>();
    for (String n : removed) {
      if (!nodeByOutput.containsKey(n)) {
        missing.add(n);
      }
    }
    for (String n : rewired.keySet()) {
      if (!nodeByOutput.containsKey(n)) {
        missing.add(n);
      }
    }
    for (String n : inserted.keySet()) {
      if (!nodeByOutput.containsKey(n)) {
        missing.add(n);
      }
    }
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException("no node of the graph has the first output " + missing);
    }
    for (TensorData t : initializers) {
      if (known.contains(t.name())) {
        throw new IllegalArgumentException("initializer '" + t.name()
            + "' clashes with a value the graph already has");
      }
    }
    for (Map.Entry<String, Map<String, String>> e : rewired.entrySet()) {
      List<String> in = nodes.get(nodeByOutput.get(e.getKey())).inputs();
      for (String from : e.getValue().keySet()) {
        if (!in.contains(from)) {
          throw new IllegalArgumentException(String.format(Locale.ROOT,
              "node '%s' reads %s, not '%s'", e.getKey(), in, from));
        }
      }
    }
    Map<Integer, Integer> fieldToNode = new HashMap<>();
    for (int i = 0; i < nodes.size(); i++) {
      fieldToNode.put(model.nodeField(i), i);
    }
    Set<String> used = prune ? usedValues(model, nodes) : null;
    byte[] bytes = model.bytes();
    List<int[]> fields = model.graphFields();
    Map<Integer, String> initializerAt = new HashMap<>();
    if (prune) {
      for (String name : model.initializers().keySet()) {
        initializerAt.put(model.initializerField(name), name);
      }
    }
    ByteArrayOutputStream graph = new ByteArrayOutputStream(bytes.length + 4096);
    int inserts = 0;
    for (int k = 0; k < fields.size(); k++) {
      int[] f = fields.get(k);
      Integer nodeIndex = fieldToNode.get(k);
      if (nodeIndex == null) {
        if (f[0] == 12 && outputs != null) {
          continue; // replaced below
        }
        String init = initializerAt.get(k);
        if (init != null && !used.contains(init)) {
          continue;
        }
        graph.write(bytes, f[1], f[2] - f[1]);
        continue;
      }
      OnnxNode node = nodes.get(nodeIndex);
      String id = node.outputs().isEmpty() ? "" : node.outputs().get(0);
      if (!removed.contains(id) && (used == null || node.outputs().stream().anyMatch(used::contains))) {
        Map<String, String> renames = rewired.get(id);
        if (renames == null) {
          graph.write(bytes, f[1], f[2] - f[1]);
        } else {
          byte[] n = renamedNode(bytes, f, node, renames);
          Wire.writeBytes(graph, 1, n, 0, n.length);
        }
      }
      for (NewNode n : inserted.getOrDefault(id, List.of())) {
        if (used != null && n.outputs().stream().noneMatch(used::contains)) {
          continue;
        }
        byte[] enc = encodeNode(n, "gecko_edit_" + inserts++);
        Wire.writeBytes(graph, 1, enc, 0, enc.length);
      }
    }
    for (TensorData t : initializers) {
      if (used != null && !used.contains(t.name())) {
        continue;
      }
      byte[] enc = encodeTensor(t);
      Wire.writeBytes(graph, 5, enc, 0, enc.length);
    }
    for (ValueInfo v : inputs) {
      byte[] enc = encodeValueInfo(v);
      Wire.writeBytes(graph, 11, enc, 0, enc.length);
    }
    if (outputs != null) {
      for (ValueInfo v : outputs) {
        byte[] enc = encodeValueInfo(v);
        Wire.writeBytes(graph, 12, enc, 0, enc.length);
      }
    }
    return graph.toByteArray();
  }

  /**
   * The values the edited graph needs for its outputs: a backward walk over the edited node list
   * (original nodes not removed, with their inputs renamed, and the inserted ones after them).
   */
  private Set<String> usedValues(OnnxModel model, List<OnnxNode> nodes) {
    List<List<String>[]> order = new ArrayList<>(); // {outputs, inputs}
    for (OnnxNode node : nodes) {
      String id = node.outputs().isEmpty() ? "" : node.outputs().get(0);
      if (!removed.contains(id)) {
        Map<String, String> renames = rewired.getOrDefault(id, Map.of());
        List<String> in = node.inputs().stream().map(i -> renames.getOrDefault(i, i)).toList();
        order.add(pair(node.outputs(), in));
      }
      for (NewNode n : inserted.getOrDefault(id, List.of())) {
        order.add(pair(n.outputs(), n.inputs()));
      }
    }
    Set<String> used = new HashSet<>();
    if (outputs != null) {
      outputs.forEach(v -> used.add(v.name()));
    } else {
      used.addAll(model.outputs());
    }
    for (int i = order.size() - 1; i >= 0; i--) {
      List<String>[] e = order.get(i);
      if (e[0].stream().anyMatch(used::contains)) {
        used.addAll(e[1]);
      }
    }
    return used;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static List<String>[] pair(List<String> outputs, List<String> inputs) {
    return new List[] {outputs, inputs};
  }

  /** The node's fields with its inputs (NodeProto field 1) renamed, the rest copied. */
  private static byte[] renamedNode(byte[] bytes, int[] field, OnnxNode node,
      Map<String, String> renames) {
    Wire outer = new Wire(bytes, field[1], field[2]);
    outer.readVarint();
    int[] span = outer.readLengthDelimited();
    ByteArrayOutputStream out = new ByteArrayOutputStream(span[1] - span[0] + 64);
    for (String in : node.inputs()) {
      writeString(out, 1, renames.getOrDefault(in, in));
    }
    Wire w = new Wire(bytes, span[0], span[1]);
    while (w.hasMore()) {
      int start = w.position();
      long key = w.readTag();
      w.skip((int) (key & 7));
      if ((key >>> 3) != 1) {
        out.write(bytes, start, w.position() - start);
      }
    }
    return out.toByteArray();
  }

  private static byte[] encodeNode(NewNode n, String name) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (String in : n.inputs()) {
      writeString(out, 1, in);
    }
    for (String o : n.outputs()) {
      writeString(out, 2, o);
    }
    writeString(out, 3, name);
    writeString(out, 4, n.opType());
    for (Map.Entry<String, Long> a : new java.util.TreeMap<>(n.intAttributes()).entrySet()) {
      ByteArrayOutputStream attr = new ByteArrayOutputStream();
      writeString(attr, 1, a.getKey());
      Wire.writeTag(attr, 3, Wire.VARINT);
      Wire.writeVarint(attr, a.getValue());
      Wire.writeTag(attr, 20, Wire.VARINT);
      Wire.writeVarint(attr, 2); // AttributeProto.INT
      byte[] b = attr.toByteArray();
      Wire.writeBytes(out, 5, b, 0, b.length);
    }
    return out.toByteArray();
  }

  private static byte[] encodeTensor(TensorData t) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(t.data().length + 64);
    for (long d : t.dims()) {
      Wire.writeTag(out, 1, Wire.VARINT);
      Wire.writeVarint(out, d);
    }
    Wire.writeTag(out, 2, Wire.VARINT);
    Wire.writeVarint(out, t.dataType());
    writeString(out, 8, t.name());
    Wire.writeBytes(out, 9, t.data(), 0, t.data().length);
    return out.toByteArray();
  }

  private static byte[] encodeValueInfo(ValueInfo v) {
    ByteArrayOutputStream shape = new ByteArrayOutputStream();
    for (String d : v.dims()) {
      ByteArrayOutputStream dim = new ByteArrayOutputStream();
      if (d.chars().allMatch(Character::isDigit)) {
        Wire.writeTag(dim, 1, Wire.VARINT);
        Wire.writeVarint(dim, Long.parseLong(d));
      } else {
        writeString(dim, 2, d);
      }
      byte[] b = dim.toByteArray();
      Wire.writeBytes(shape, 1, b, 0, b.length);
    }
    ByteArrayOutputStream tensor = new ByteArrayOutputStream();
    Wire.writeTag(tensor, 1, Wire.VARINT);
    Wire.writeVarint(tensor, v.elementType());
    byte[] s = shape.toByteArray();
    Wire.writeBytes(tensor, 2, s, 0, s.length);
    ByteArrayOutputStream type = new ByteArrayOutputStream();
    byte[] t = tensor.toByteArray();
    Wire.writeBytes(type, 1, t, 0, t.length);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    writeString(out, 1, v.name());
    byte[] ty = type.toByteArray();
    Wire.writeBytes(out, 2, ty, 0, ty.length);
    return out.toByteArray();
  }

  private static void writeString(ByteArrayOutputStream out, int field, String s) {
    byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    Wire.writeBytes(out, field, b, 0, b.length);
  }
}
