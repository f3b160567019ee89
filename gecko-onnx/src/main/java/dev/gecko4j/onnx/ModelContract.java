package dev.gecko4j.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.util.List;
import java.util.Map;

/**
 * The load-time contract an embedding model must meet: int64 inputs {@code input_ids} and {@code
 * attention_mask} (and {@code token_type_ids} only when the graph asks for it, and {@code
 * position_ids} as decoder exports take them, made from the attention mask), and a float,
 * float16 or bfloat16 output (widened to float when read) of pooled sentence embeddings {@code
 * [batch, dim]} or of token states {@code [batch, sequence, hidden]}.
 *
 * <p>One rule chooses the output: {@code sentence_embedding} when the graph exports it (as ONNX
 * exports of whole sentence-transformers pipelines do, EmbeddingGemma's among them: it is the
 * pipeline's output, used as is, never pooled, projected or normalised again), else the first of
 * {@code last_hidden_state}, {@code token_embeddings}, {@code output_0}, pooled in the JVM.
 *
 * @param outputName the output that is read
 * @param outputIsPooled whether it is already pooled ({@code sentence_embedding})
 * @param hasTokenTypeIds whether the model takes {@code token_type_ids}
 * @param hasPositionIds whether the model takes {@code position_ids}
 */
record ModelContract(String outputName, boolean outputIsPooled, boolean hasTokenTypeIds,
    boolean hasPositionIds) {

  static final String INPUT_IDS = "input_ids";
  static final String ATTENTION_MASK = "attention_mask";
  static final String TOKEN_TYPE_IDS = "token_type_ids";
  static final String POSITION_IDS = "position_ids";
  private static final List<String> TOKEN_OUTPUTS =
      List.of("last_hidden_state", "token_embeddings", "output_0");
  static final String SENTENCE_OUTPUT = "sentence_embedding";
  /** The output types read (float16 and bfloat16 are widened to float). */
  private static final java.util.Set<OnnxJavaType> FLOATS =
      java.util.EnumSet.of(OnnxJavaType.FLOAT, OnnxJavaType.FLOAT16, OnnxJavaType.BFLOAT16);

  /**
   * Checks the session's inputs and outputs.
   *
   * @throws ModelLoadException naming what was found and what was expected
   */
  static ModelContract check(OrtSession session, String location) {
    Map<String, NodeInfo> inputs;
    Map<String, NodeInfo> outputs;
    try {
      inputs = session.getInputInfo();
      outputs = session.getOutputInfo();
    } catch (OrtException e) {
      throw new ModelLoadException(location, "cannot read the model's inputs and outputs ("
          + e.getMessage() + ")", e);
    }
    for (String required : List.of(INPUT_IDS, ATTENTION_MASK)) {
      if (!inputs.containsKey(required)) {
        throw new ModelLoadException(location, "found inputs " + inputs.keySet()
            + ", expected input_ids and attention_mask (token_type_ids optional)", null);
      }
    }
    for (Map.Entry<String, NodeInfo> in : inputs.entrySet()) {
      String name = in.getKey();
      if (!name.equals(INPUT_IDS) && !name.equals(ATTENTION_MASK) && !name.equals(TOKEN_TYPE_IDS)
          && !name.equals(POSITION_IDS)) {
        throw new ModelLoadException(location, "found inputs " + inputs.keySet()
            + ", expected only input_ids, attention_mask, token_type_ids and position_ids", null);
      }
      if (!(in.getValue().getInfo() instanceof TensorInfo ti) || ti.type != OnnxJavaType.INT64) {
        throw new ModelLoadException(location, "found input " + name + " of type "
            + in.getValue().getInfo() + ", expected an int64 tensor [batch, sequence]", null);
      }
    }
    String chosen = null;
    boolean pooled = false;
    if (outputs.containsKey(SENTENCE_OUTPUT)) {
      chosen = SENTENCE_OUTPUT;
      pooled = true;
    } else {
      for (String name : TOKEN_OUTPUTS) {
        if (outputs.containsKey(name)) {
          chosen = name;
          break;
        }
      }
    }
    if (chosen == null) {
      throw new ModelLoadException(location, "found outputs " + outputs.keySet()
          + ", expected one of " + TOKEN_OUTPUTS + " (token states [batch, sequence, hidden]) or "
          + SENTENCE_OUTPUT + " ([batch, hidden])", null);
    }
    NodeInfo out = outputs.get(chosen);
    int expectedRank = pooled ? 2 : 3;
    if (!(out.getInfo() instanceof TensorInfo ti) || !FLOATS.contains(ti.type)
        || ti.getShape().length != expectedRank) {
      throw new ModelLoadException(location, "found output " + chosen + " as "
          + out.getInfo() + ", expected a float, float16 or bfloat16 tensor of rank "
          + expectedRank, null);
    }
    return new ModelContract(chosen, pooled, inputs.containsKey(TOKEN_TYPE_IDS),
        inputs.containsKey(POSITION_IDS));
  }
}
