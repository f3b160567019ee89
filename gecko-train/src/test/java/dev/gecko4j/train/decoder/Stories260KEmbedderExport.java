package dev.gecko4j.train.decoder;

import dev.gecko4j.onnx.PaddingSide;
import dev.gecko4j.train.onnx.GraphEdit;
import dev.gecko4j.train.onnx.OnnxModel;
import dev.gecko4j.train.onnx.OnnxNode;
import dev.gecko4j.train.onnx.TensorData;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Locale;

/**
 * Re-exports stories260K (a real llama graph: RoPE, grouped-query attention, a causal mask; input
 * {@code input_ids}, output {@code logits}) as a decoder-only embedder in the layout of the
 * e5-mistral / Qwen3-Embedding ONNX exports, with the project's own ONNX writer ({@link
 * GraphEdit}):
 * <ul>
 *   <li>inputs {@code input_ids}, {@code attention_mask} and {@code position_ids} (int64 [batch,
 *       sequence]); the RoPE tables are gathered at {@code position_ids} instead of {@code
 *       Range(0, sequence)}, and the attention bias is the causal mask plus {@code (1 - mask) *
 *       -1e9} on the padded keys ({@code [batch, 1, 1, sequence]}), so padded positions are never
 *       attended to;</li>
 *   <li>output {@code last_hidden_state} [batch, sequence, 64]: the final RMS-normed hidden state
 *       (the input of the LM head, which is dropped);</li>
 *   <li>the folder of a sentence-transformers model: {@code modules.json} (Transformer, Pooling
 *       with {@code pooling_mode_lasttoken}, Normalize), {@code tokenizer_config.json} ({@code
 *       padding_side}, {@code add_eos_token: true}, {@code eos_token: </s>}, as e5-mistral's
 *       has), its {@code tokenizer.json} and {@code config.json}.</li>
 * </ul>
 * The graph's node names come from the numpy converter that wrote it; they are found by structure
 * (the Range of positions, the Trilu causal-mask chain, the LM head producing {@code logits}).
 */
public final class Stories260KEmbedderExport {

  /** The hidden size of stories260K. */
  public static final int HIDDEN = 64;

  private Stories260KEmbedderExport() {}

  /**
   * Writes the embedder folder from the command line, for the measured runs in BENCHMARKS.md:
   * {@code Stories260KEmbedderExport <stories260K folder> <out> [<query instruction>]}. With an
   * instruction, the folder's {@code config_sentence_transformers.json} carries E5-mistral's query
   * prompt {@code Instruct: <instruction>\nQuery: } (documents plain), which training and serving
   * both apply.
   *
   * @param args the source folder, the output folder and optionally the instruction
   * @throws IOException if a file cannot be read or written
   */
  public static void main(String[] args) throws IOException {
    if (args.length < 2 || args.length > 4 || (args.length == 4
        && !List.of("lasttoken", "mean").contains(args[3]))) {
      System.err.println("usage: Stories260KEmbedderExport <stories260K folder> <out>"
          + " [<query instruction> [lasttoken|mean]]");
      System.exit(2);
    }
    boolean mean = args.length == 4 && args[3].equals("mean");
    Path out = export(Path.of(args[0]), Path.of(args[1]), PaddingSide.RIGHT, true, mean);
    if (args.length >= 3) {
      String query = "Instruct: " + args[2] + "\nQuery: ";
      String json = dev.gecko4j.core.internal.GeckoJson.mapper().writeValueAsString(
          Map.of("prompts", new java.util.TreeMap<>(Map.of("query", query, "document", ""))));
      write(out.resolve("config_sentence_transformers.json"), json);
    }
    System.out.println("{\"out\": \"" + out + "\"}");
  }

  /**
   * Writes the embedder folder.
   *
   * @param source the stories260K folder ({@code model.onnx}, {@code tokenizer.json}, {@code
   *     config.json})
   * @param out the folder to write (created)
   * @param side the padding side its tokenizer config names
   * @return {@code out}
   * @throws IOException if a file cannot be read or written
   */
  public static Path export(Path source, Path out, PaddingSide side) throws IOException {
    return export(source, out, side, true);
  }

  /**
   * Writes the embedder folder, its {@code tokenizer_config.json} saying {@code add_eos_token} or
   * not (a folder that leaves the EOS to the model family's convention).
   *
   * @param source the stories260K folder
   * @param out the folder to write (created)
   * @param side the padding side its tokenizer config names
   * @param addEosToken what its tokenizer config says of {@code add_eos_token}
   * @return {@code out}
   * @throws IOException if a file cannot be read or written
   */
  public static Path export(Path source, Path out, PaddingSide side, boolean addEosToken)
      throws IOException {
    return export(source, out, side, addEosToken, false);
  }

  /**
   * Writes the embedder folder with last-token pooling (E5-mistral's) or mean pooling.
   *
   * @param source the stories260K folder
   * @param out the folder to write (created)
   * @param side the padding side its tokenizer config names
   * @param addEosToken what its tokenizer config says of {@code add_eos_token}
   * @param meanPooling mean pooling over the real tokens instead of the last token
   * @return {@code out}
   * @throws IOException if a file cannot be read or written
   */
  public static Path export(Path source, Path out, PaddingSide side, boolean addEosToken,
      boolean meanPooling) throws IOException {
    OnnxModel model = OnnxModel.read(source.resolve("model.onnx"));
    Files.createDirectories(out.resolve("1_Pooling"));
    model.write(out.resolve("model.onnx"), edit(model));
    Files.copy(source.resolve("tokenizer.json"), out.resolve("tokenizer.json"));
    Files.copy(source.resolve("config.json"), out.resolve("config.json"));
    write(out.resolve("tokenizer_config.json"), String.format(Locale.ROOT, """
        {
          "bos_token": "<s>",
          "eos_token": "</s>",
          "add_bos_token": true,
          "add_eos_token": %s,
          "padding_side": "%s",
          "model_max_length": 512
        }
        """, addEosToken, side.name().toLowerCase(Locale.ROOT)));
    write(out.resolve("modules.json"), """
        [
          {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
          {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
          {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}
        ]
        """);
    write(out.resolve("1_Pooling/config.json"), String.format(Locale.ROOT, """
        {
          "word_embedding_dimension": 64,
          "pooling_mode_cls_token": false,
          "pooling_mode_mean_tokens": %s,
          "pooling_mode_max_tokens": false,
          "pooling_mode_mean_sqrt_len_tokens": false,
          "pooling_mode_weightedmean_tokens": false,
          "pooling_mode_lasttoken": %s,
          "include_prompt": true
        }
        """, meanPooling, !meanPooling));
    write(out.resolve("sentence_bert_config.json"), """
        {"max_seq_length": 256, "do_lower_case": false}
        """);
    return out;
  }

  /** The graph changes described in the class comment. */
  static GraphEdit edit(OnnxModel model) {
    List<OnnxNode> nodes = model.nodes();
    String positions = only(nodes, n -> n.opType().equals("Range"), "the Range of positions")
        .outputs().get(0);
    String trilu = only(nodes, n -> n.opType().equals("Trilu"), "the causal Trilu").outputs().get(0);
    String inverted = only(nodes, n -> n.opType().equals("Sub") && n.inputs().contains(trilu),
        "1 - Trilu").outputs().get(0);
    OnnxNode causalNode = only(nodes, n -> n.opType().equals("Mul") && n.inputs().contains(inverted),
        "the causal bias (1 - Trilu) * neg");
    String causal = causalNode.outputs().get(0);
    String neg = causalNode.inputs().get(0).equals(inverted) ? causalNode.inputs().get(1)
        : causalNode.inputs().get(0);
    String one = only(nodes, n -> n.outputs().get(0).equals(inverted), "1 - Trilu").inputs().get(0);
    OnnxNode head = only(nodes, n -> n.outputs().contains("logits"), "the LM head");
    String finalNorm = head.inputs().get(0);

    GraphEdit edit = new GraphEdit()
        .addInput("attention_mask", TensorData.INT64, "batch", "sequence")
        .addInput("position_ids", TensorData.INT64, "batch", "sequence")
        .addInitializer(longs("gecko_shape_cs_batched", 0, 0, 1, 4, 1))
        .addInitializer(longs("gecko_axes_1_2", 1, 2));
    // RoPE at position_ids: Gather(table, Range) -> Gather(table, position_ids), and the reshape
    // keeps the batch dimension ([1, -1, 1, 4, 1] -> [0, 0, 1, 4, 1]).
    int gathers = 0;
    for (OnnxNode n : nodes) {
      if (n.opType().equals("Gather") && n.inputs().size() == 2
          && n.inputs().get(1).equals(positions)) {
        edit.rewire(n.outputs().get(0), positions, "position_ids");
        String gathered = n.outputs().get(0);
        OnnxNode reshape = only(nodes, r -> r.opType().equals("Reshape")
            && r.inputs().get(0).equals(gathered), "the reshape of a RoPE table");
        edit.rewire(reshape.outputs().get(0), reshape.inputs().get(1), "gecko_shape_cs_batched");
        gathers++;
      }
    }
    if (gathers != 2) {
      throw new IllegalStateException("expected the cos and sin tables gathered at the positions, "
          + "found " + gathers + " gathers");
    }
    edit.removeNode(positions);
    // Attention bias: causal [s, s] + padded keys [b, 1, 1, s] -> [b, 1, s, s].
    edit.insertAfter(causal,
        GraphEdit.node("Cast", List.of("attention_mask"), List.of("gecko_mask_f"),
            Map.of("to", (long) TensorData.FLOAT)),
        GraphEdit.node("Sub", List.of(one, "gecko_mask_f"), List.of("gecko_mask_inv"), Map.of()),
        GraphEdit.node("Mul", List.of("gecko_mask_inv", neg), List.of("gecko_mask_bias"), Map.of()),
        GraphEdit.node("Unsqueeze", List.of("gecko_mask_bias", "gecko_axes_1_2"),
            List.of("gecko_mask_4d"), Map.of()),
        GraphEdit.node("Add", List.of(causal, "gecko_mask_4d"), List.of("gecko_attention_bias"),
            Map.of()));
    int layers = 0;
    for (OnnxNode n : nodes) {
      if (n.opType().equals("Add") && n.inputs().contains(causal)) {
        edit.rewire(n.outputs().get(0), causal, "gecko_attention_bias");
        layers++;
      }
    }
    if (layers == 0) {
      throw new IllegalStateException("found no attention score that adds the causal bias " + causal);
    }
    // The final normed hidden state instead of the logits.
    OnnxNode normNode = only(nodes, n -> n.outputs().contains(finalNorm), "the final RMSNorm");
    edit.removeNode("logits")
        .insertAfter(normNode.outputs().get(0), GraphEdit.node("Identity", List.of(finalNorm),
            List.of("last_hidden_state"), Map.of()))
        .replaceOutputs(List.of(GraphEdit.output("last_hidden_state", TensorData.FLOAT, "batch",
            "sequence", Integer.toString(HIDDEN))))
        .pruneUnused();
    return edit;
  }

  private static OnnxNode only(List<OnnxNode> nodes, java.util.function.Predicate<OnnxNode> p,
      String what) {
    List<OnnxNode> found = nodes.stream().filter(n -> !n.outputs().isEmpty()).filter(p).toList();
    if (found.size() != 1) {
      throw new IllegalStateException("expected one node for " + what + ", found " + found.size());
    }
    return found.get(0);
  }

  private static TensorData longs(String name, long... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (long v : values) {
      b.putLong(v);
    }
    return new TensorData(name, TensorData.INT64, new long[] {values.length}, b.array());
  }

  private static void write(Path file, String text) throws IOException {
    Files.writeString(file, text, StandardCharsets.UTF_8);
  }
}
