package dev.gecko4j.onnx.lm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Test fixture: builds a KV-cache ONNX decoder from the weights of the plain stories260K llama
 * ({@code model.onnx} without a cache, see its {@code config.json}) in the layout HuggingFace
 * Optimum / transformers.js exports use for llama decoders:
 *
 * <ul>
 *   <li>inputs {@code input_ids} int64 {@code [batch, seq]}, {@code attention_mask} int64 {@code
 *       [batch, past + seq]}, {@code position_ids} int64 {@code [batch, seq]}, {@code
 *       past_key_values.{i}.key|value} float {@code [batch, n_kv_heads, past, head_dim]};
 *   <li>outputs {@code logits} {@code [batch, seq, vocab]} and {@code present.{i}.key|value}
 *       {@code [batch, n_kv_heads, past + seq, head_dim]}, keys stored after rotary.
 * </ul>
 *
 * <p>Query {@code s} (absolute cache index {@code past + s}) attends cache index {@code j} iff {@code
 * j <= past + s} and {@code attention_mask[b, j] == 1}. Rotary uses interleaved pairs (GPT-J /
 * original Meta) from the source's {@code cos_tab} / {@code sin_tab} gathered at {@code
 * position_ids}; the operators of the norms, rotary, attention and feed-forward are those of the
 * source graph, so an empty past reproduces its logits.
 *
 * <p>The weights (the source's initializers) are copied byte for byte; the protobuf is written by
 * hand (field numbers of {@code onnx/onnx.proto}). Nothing here is needed at run time: it only makes
 * a real KV-cache model for the tests from shared data, written to a temporary folder.
 */
final class KvLlamaFixture {

  private static final int FLOAT = 1;
  private static final int INT64 = 7;
  private static final int BOOL = 9;

  private final Map<String, byte[]> sourceInitializers;
  private final int layers;
  private final int heads;
  private final int kvHeads;
  private final int headSize;
  private final int dim;
  private final int vocab;
  private final float eps;

  private final List<byte[]> nodes = new ArrayList<>();
  private final Map<String, byte[]> initializers = new LinkedHashMap<>();
  private final Set<String> used = new LinkedHashSet<>();
  private int counter;
  private boolean symbolicKvHeads;

  private KvLlamaFixture(Path sourceDir) throws IOException {
    JsonNode c = new ObjectMapper().readTree(sourceDir.resolve("config.json").toFile());
    this.layers = c.get("n_layers").asInt();
    this.heads = c.get("n_heads").asInt();
    this.kvHeads = c.get("n_kv_heads").asInt();
    this.headSize = c.get("head_size").asInt();
    this.dim = c.get("dim").asInt();
    this.vocab = c.get("vocab_size").asInt();
    this.eps = (float) c.get("rms_norm_eps").asDouble();
    this.sourceInitializers = readInitializers(Files.readAllBytes(sourceDir.resolve("model.onnx")));
  }

  /**
   * Writes {@code model.onnx} (with KV cache), {@code tokenizer.json} and {@code config.json} to
   * {@code target}.
   *
   * @param sourceDir the stories260K folder ({@code model.onnx}, {@code config.json}, {@code
   *     tokenizer.json})
   * @param target the folder to write (created)
   * @throws IOException if a file cannot be read or written
   */
  static void write(Path sourceDir, Path target) throws IOException {
    write(sourceDir, target, false);
  }

  /**
   * As {@link #write(Path, Path)}; with {@code symbolicKvHeads} the past inputs declare their heads
   * dimension as a symbol instead of its size (a shape the language model must reject).
   */
  static void write(Path sourceDir, Path target, boolean symbolicKvHeads) throws IOException {
    Files.createDirectories(target);
    KvLlamaFixture fixture = new KvLlamaFixture(sourceDir);
    fixture.symbolicKvHeads = symbolicKvHeads;
    Files.write(target.resolve("model.onnx"), fixture.model());
    Files.copy(sourceDir.resolve("tokenizer.json"), target.resolve("tokenizer.json"));
    JsonNode c = new ObjectMapper().readTree(sourceDir.resolve("config.json").toFile());
    Files.writeString(target.resolve("config.json"), String.format(java.util.Locale.ROOT,
        "{\"architecture\": \"llama\", \"source\": \"built by the gecko4j test fixture KvLlamaFixture from %s\","
            + " \"kv_cache\": true, \"bos_token_id\": %d, \"eos_token_id\": %d, \"trained_seq_len\": %d}%n",
        sourceDir.getFileName(), c.get("bos_token_id").asInt(), c.get("eos_token_id").asInt(),
        c.get("trained_seq_len").asInt()));
  }

  /** Command line: {@code KvLlamaFixture <stories260K dir> <target dir>} (for measurements). */
  public static void main(String[] args) throws IOException {
    write(Path.of(args[0]), Path.of(args[1]));
  }

  // ---- the graph

  private byte[] model() {
    String x = op("Gather", weight("emb"), "input_ids");
    // rotary tables at the given positions: [B, S, half] -> [B, S, 1, half, 1]
    long[] csShape = {0, 0, 1, headSize / 2, 1};
    String cos = op("Reshape", op("Gather", weight("cos_tab"), "position_ids"), ints(csShape));
    String sin = op("Reshape", op("Gather", weight("sin_tab"), "position_ids"), ints(csShape));
    String bias = attentionBias();
    for (int l = 0; l < layers; l++) {
      String p = "blk." + l + ".";
      String h = rmsNorm(x, p + "attn_norm");
      String q = rotary(op("MatMul", h, weight(p + "attn_q.T")), heads, cos, sin);
      String kNew = rotary(op("MatMul", h, weight(p + "attn_k.T")), kvHeads, cos, sin);
      String vNew = op("Transpose", Map.of("perm", new long[] {0, 2, 1, 3}),
          op("Reshape", op("MatMul", h, weight(p + "attn_v.T")), ints(0, 0, kvHeads, headSize)));
      String k = named("Concat", "present." + l + ".key", Map.of("axis", 2L), "past_key_values." + l + ".key", kNew);
      String v = named("Concat", "present." + l + ".value", Map.of("axis", 2L), "past_key_values." + l + ".value", vNew);
      String scores = op("Add", op("Mul", op("MatMul", q,
          op("Transpose", Map.of("perm", new long[] {0, 1, 3, 2}), repeatKv(k))), scalar((float) (1 / Math.sqrt(headSize)))),
          bias);
      String att = op("MatMul", op("Softmax", Map.of("axis", -1L), scores), repeatKv(v));
      String merged = op("Reshape", op("Transpose", Map.of("perm", new long[] {0, 2, 1, 3}), att), ints(0, 0, dim));
      x = op("Add", x, op("MatMul", merged, weight(p + "attn_output.T")));
      String f = rmsNorm(x, p + "ffn_norm");
      String gate = op("MatMul", f, weight(p + "ffn_gate.T"));
      String up = op("MatMul", f, weight(p + "ffn_up.T"));
      String act = op("Mul", op("Mul", gate, op("Sigmoid", gate)), up);
      x = op("Add", x, op("MatMul", act, weight(p + "ffn_down.T")));
    }
    named("MatMul", "logits", Map.of(), rmsNorm(x, "out_norm"), weight("emb_T"));

    Msg graph = new Msg();
    for (byte[] n : nodes) {
      graph.bytes(1, n);
    }
    graph.str(2, "stories260K_kv");
    for (String name : used) {
      graph.bytes(5, sourceInitializers.get(name));
    }
    for (byte[] t : initializers.values()) {
      graph.bytes(5, t);
    }
    graph.msg(11, valueInfo("input_ids", INT64, "batch", "seq"));
    graph.msg(11, valueInfo("attention_mask", INT64, "batch", "total_seq"));
    graph.msg(11, valueInfo("position_ids", INT64, "batch", "seq"));
    for (int l = 0; l < layers; l++) {
      for (String kind : List.of("key", "value")) {
        Object headsDim = symbolicKvHeads ? "kv_heads" : kvHeads;
        graph.msg(11, valueInfo("past_key_values." + l + "." + kind, FLOAT, "batch", headsDim, "past_seq", headSize));
      }
    }
    graph.msg(12, valueInfo("logits", FLOAT, "batch", "seq", vocab));
    for (int l = 0; l < layers; l++) {
      for (String kind : List.of("key", "value")) {
        graph.msg(12, valueInfo("present." + l + "." + kind, FLOAT, "batch", kvHeads, "total_seq", headSize));
      }
    }
    return new Msg()
        .varint(1, 8) // ir_version
        .str(2, "gecko4j KvLlamaFixture")
        .msg(7, graph)
        .msg(8, new Msg().str(1, "").varint(2, 17)) // opset_import: default domain, 17
        .toBytes();
  }

  /** Additive attention bias {@code [B, 1, S, past + S]}: 0 where allowed, -1e9 elsewhere. */
  private String attentionBias() {
    String seq = op("Squeeze", op("Gather", op("Shape", "input_ids"), ints(1)), ints(0));
    String total = op("Squeeze", op("Gather", op("Shape", "attention_mask"), ints(1)), ints(0));
    String past = op("Sub", total, seq);
    String one = scalar(1L);
    String queryIndex = op("Unsqueeze", op("Range", past, total, one), ints(1)); // [S, 1]
    String keyIndex = op("Unsqueeze", op("Range", scalar(0L), total, one), ints(0)); // [1, T]
    String causal = op("LessOrEqual", keyIndex, queryIndex); // [S, T]
    String padding = op("Unsqueeze", op("Cast", Map.of("to", (long) BOOL), "attention_mask"), ints(1, 2)); // [B,1,1,T]
    return op("Where", op("And", causal, padding), scalar(0f), scalar(-1e9f));
  }

  /** {@code [B, S, h * d]} -> rotated (interleaved pairs) {@code [B, h, S, d]}. */
  private String rotary(String projected, int h, String cos, String sin) {
    String pairs = op("Reshape", projected, ints(0, 0, h, headSize / 2, 2));
    String[] ab = ops("Split", 2, Map.of("axis", -1L), pairs, ints(1, 1));
    String a = ab[0];
    String b = ab[1];
    String even = op("Sub", op("Mul", a, cos), op("Mul", b, sin));
    String odd = op("Add", op("Mul", a, sin), op("Mul", b, cos));
    String rotated = op("Reshape", op("Concat", Map.of("axis", -1L), even, odd), ints(0, 0, h, headSize));
    return op("Transpose", Map.of("perm", new long[] {0, 2, 1, 3}), rotated);
  }

  /** {@code [B, kv, T, d]} -> {@code [B, heads, T, d]}, query head {@code i} using kv head {@code i / group}. */
  private String repeatKv(String kv) {
    String tiled = op("Tile", op("Unsqueeze", kv, ints(2)), ints(1, 1, heads / kvHeads, 1, 1));
    return op("Reshape", tiled, ints(0, heads, -1, headSize));
  }

  private String rmsNorm(String x, String weightName) {
    String meanSquare = op("ReduceMean", Map.of("axes", new long[] {-1}, "keepdims", 1L), op("Pow", x, scalar(2f)));
    return op("Mul", op("Div", x, op("Sqrt", op("Add", meanSquare, scalar(eps)))), weight(weightName));
  }

  // ---- graph building helpers

  private String weight(String name) {
    if (!sourceInitializers.containsKey(name)) {
      throw new IllegalArgumentException("the source model has no initializer " + name);
    }
    used.add(name);
    return name;
  }

  private String op(String type, String... inputs) {
    return op(type, Map.of(), inputs);
  }

  private String op(String type, Map<String, Object> attrs, String... inputs) {
    return ops(type, 1, attrs, inputs)[0];
  }

  private String[] ops(String type, int outputs, Map<String, Object> attrs, String... inputs) {
    String[] out = new String[outputs];
    for (int i = 0; i < outputs; i++) {
      out[i] = "t" + (counter++);
    }
    addNode(type, out, attrs, inputs);
    return out;
  }

  private String named(String type, String output, Map<String, Object> attrs, String... inputs) {
    addNode(type, new String[] {output}, attrs, inputs);
    return output;
  }

  private void addNode(String type, String[] outputs, Map<String, Object> attrs, String[] inputs) {
    Msg n = new Msg();
    for (String in : inputs) {
      n.str(1, in);
    }
    for (String o : outputs) {
      n.str(2, o);
    }
    n.str(3, "n" + nodes.size()).str(4, type);
    for (Map.Entry<String, Object> a : attrs.entrySet()) {
      Msg attr = new Msg().str(1, a.getKey());
      if (a.getValue() instanceof Long i) {
        attr.varint(3, i).varint(20, 2); // i, type INT
      } else {
        for (long i : (long[]) a.getValue()) {
          attr.varint(8, i);
        }
        attr.varint(20, 7); // ints, type INTS
      }
      n.msg(5, attr);
    }
    nodes.add(n.toBytes());
  }

  /** An int64 constant of shape {@code [values.length]}. */
  private String ints(long... values) {
    ByteBuffer b = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (long v : values) {
      b.putLong(v);
    }
    return constant(INT64, new long[] {values.length}, b.array());
  }

  private String scalar(long value) {
    return constant(INT64, new long[0], ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value).array());
  }

  private String scalar(float value) {
    return constant(FLOAT, new long[0], ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(value).array());
  }

  private String constant(int type, long[] dims, byte[] raw) {
    String name = "c" + initializers.size();
    initializers.put(name, tensor(name, type, dims, raw));
    return name;
  }

  private static byte[] tensor(String name, int type, long[] dims, byte[] raw) {
    Msg t = new Msg();
    for (long d : dims) {
      t.varint(1, d);
    }
    return t.varint(2, type).str(8, name).bytes(9, raw).toBytes();
  }

  /** A ValueInfoProto; each dimension is a symbolic name (String) or a size (Integer). */
  private static Msg valueInfo(String name, int elemType, Object... dims) {
    Msg shape = new Msg();
    for (Object d : dims) {
      shape.msg(1, d instanceof String s ? new Msg().str(2, s) : new Msg().varint(1, (Integer) d));
    }
    Msg tensorType = new Msg().varint(1, elemType).msg(2, shape);
    return new Msg().str(1, name).msg(2, new Msg().msg(1, tensorType));
  }

  // ---- protobuf

  /** The initializers of a serialized ModelProto: name -> the TensorProto's bytes. */
  private static Map<String, byte[]> readInitializers(byte[] model) {
    Map<String, byte[]> out = new LinkedHashMap<>();
    for (int[] g : fields(model, 0, model.length, 7)) {
      for (int[] t : fields(model, g[0], g[1], 5)) {
        for (int[] n : fields(model, t[0], t[1], 8)) {
          out.put(new String(model, n[0], n[1] - n[0], StandardCharsets.UTF_8),
              java.util.Arrays.copyOfRange(model, t[0], t[1]));
        }
      }
    }
    return out;
  }

  /** The {start, end} payload spans of the length-delimited fields numbered {@code field}. */
  private static List<int[]> fields(byte[] b, int from, int to, int field) {
    List<int[]> spans = new ArrayList<>();
    int[] pos = {from};
    while (pos[0] < to) {
      long key = varint(b, pos);
      int type = (int) (key & 7);
      switch (type) {
        case 0 -> varint(b, pos);
        case 1 -> pos[0] += 8;
        case 5 -> pos[0] += 4;
        case 2 -> {
          int len = (int) varint(b, pos);
          if ((key >>> 3) == field) {
            spans.add(new int[] {pos[0], pos[0] + len});
          }
          pos[0] += len;
        }
        default -> throw new IllegalArgumentException("unsupported protobuf wire type " + type);
      }
    }
    return spans;
  }

  private static long varint(byte[] b, int[] pos) {
    long v = 0;
    for (int shift = 0; ; shift += 7) {
      byte x = b[pos[0]++];
      v |= (long) (x & 0x7f) << shift;
      if ((x & 0x80) == 0) {
        return v;
      }
    }
  }

  /** A protobuf message being written. */
  private static final class Msg {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Msg varint(int field, long v) {
      writeVarint((long) field << 3);
      writeVarint(v);
      return this;
    }

    Msg bytes(int field, byte[] data) {
      writeVarint(((long) field << 3) | 2);
      writeVarint(data.length);
      out.writeBytes(data);
      return this;
    }

    Msg str(int field, String s) {
      return bytes(field, s.getBytes(StandardCharsets.UTF_8));
    }

    Msg msg(int field, Msg m) {
      return bytes(field, m.toBytes());
    }

    byte[] toBytes() {
      return out.toByteArray();
    }

    private void writeVarint(long v) {
      while ((v & ~0x7fL) != 0) {
        out.write((int) ((v & 0x7f) | 0x80));
        v >>>= 7;
      }
      out.write((int) v);
    }
  }
}
