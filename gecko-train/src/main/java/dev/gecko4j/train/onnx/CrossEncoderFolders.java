package dev.gecko4j.train.onnx;

import dev.gecko4j.core.internal.Args;
import dev.gecko4j.onnx.ModelSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Writes cross-encoder model folders (the layout {@code OnnxCrossEncoder} loads: {@code
 * model.onnx}, {@code tokenizer.json}, {@code config.json}) from a bi-encoder's ONNX graph: the
 * encoder, its first-token ({@code [CLS]}) state of {@code last_hidden_state}, and a linear head
 * {@code logits = cls · Wᵀ + b} of shape {@code [batch, labels]}, which is the shape of a
 * HuggingFace sequence-classification export.
 *
 * <p>{@link #initialize} is what loading an encoder as a sequence classifier gives before any
 * training ({@code AutoModelForSequenceClassification.from_pretrained(encoder)}: a new head drawn
 * from N(0, 0.02²), bias 0): the starting point of a cross-encoder, with real encoder weights but
 * no relevance judgement yet. It serves to try the reranking plumbing (Spring AI, LangChain4j,
 * {@code bin/gecko rerank}, the rerank benchmark) where no cross-encoder can be downloaded; its
 * scores rank passages arbitrarily. {@link #write} takes a trained head.
 *
 * {@snippet lang=java :
 * CrossEncoderFolders.initialize(Models.BGE_SMALL_EN_V15.spec(), 1, 42, Path.of("ce"));
 * try (OnnxCrossEncoder ce = OnnxCrossEncoder.builder().modelFolder(Path.of("ce")).build()) { ... }
 * }
 */
public final class CrossEncoderFolders {

  /** The standard deviation of a new head's weights (BERT's {@code initializer_range}). */
  public static final double INITIALIZER_RANGE = 0.02;

  private static final String HIDDEN = "last_hidden_state";

  private CrossEncoderFolders() {}

  /**
   * Writes a cross-encoder folder whose head is new (untrained): weights from N(0, 0.02²) drawn
   * with {@code seed}, bias 0; one label ({@code LABEL_0}, sigmoid declared) or {@code labels}
   * labels {@code LABEL_0..} (identity declared).
   *
   * @param encoder the bi-encoder whose graph has a {@code last_hidden_state} output; not null
   * @param labels the number of labels, 1 to 16
   * @param seed the seed of the head's weights
   * @param folder the folder to write (created; its three files replaced); not null
   * @return {@code folder}
   * @throws IllegalArgumentException naming a bad argument, or if the graph has no {@code
   *     last_hidden_state} output
   * @throws IOException if the folder cannot be written
   */
  public static Path initialize(ModelSpec encoder, int labels, long seed, Path folder)
      throws IOException {
    Args.notNull(encoder, "encoder");
    Args.inRange(labels, 1, 16, "labels");
    Args.notNull(folder, "folder");
    OnnxModel model = OnnxModel.parse(encoder.readModelBytes());
    int hidden = hiddenSize(model, encoder);
    SplittableRandom random = new SplittableRandom(seed);
    float[][] w = new float[labels][hidden];
    for (float[] row : w) {
      for (int j = 0; j < hidden; j++) {
        row[j] = (float) (gaussian(random) * INITIALIZER_RANGE);
      }
    }
    List<String> names = new ArrayList<>();
    for (int i = 0; i < labels; i++) {
      names.add("LABEL_" + i);
    }
    return write(model, encoder, w, new float[labels], names, labels == 1, folder);
  }

  /**
   * Writes a cross-encoder folder with the given head.
   *
   * @param encoder the bi-encoder whose graph has a {@code last_hidden_state} output; not null
   * @param weight the head's weights, one row of the hidden size per label; not empty
   * @param bias the head's bias, one per label
   * @param labels the label names (config.json {@code id2label}), one per row; not blank
   * @param sigmoid whether config.json declares a sigmoid activation (sentence-transformers'
   *     {@code CrossEncoder.predict} then returns probabilities), else identity (raw logits)
   * @param folder the folder to write; not null
   * @return {@code folder}
   * @throws IllegalArgumentException naming a bad argument or shape
   * @throws IOException if the folder cannot be written
   */
  public static Path write(ModelSpec encoder, float[][] weight, float[] bias, List<String> labels,
      boolean sigmoid, Path folder) throws IOException {
    Args.notNull(encoder, "encoder");
    Args.notNull(folder, "folder");
    OnnxModel model = OnnxModel.parse(encoder.readModelBytes());
    return write(model, encoder, weight, bias, labels, sigmoid, folder);
  }

  private static Path write(OnnxModel model, ModelSpec encoder, float[][] weight, float[] bias,
      List<String> labels, boolean sigmoid, Path folder) throws IOException {
    Args.notNull(weight, "weight");
    Args.notNull(bias, "bias");
    Args.noNulls(labels, "labels");
    int hidden = hiddenSize(model, encoder);
    if (weight.length == 0 || weight.length != bias.length || weight.length != labels.size()) {
      throw new IllegalArgumentException("weight, bias and labels must have one entry per label, "
          + "but have: " + weight.length + ", " + bias.length + ", " + labels.size());
    }
    float[] flat = new float[weight.length * hidden];
    for (int i = 0; i < weight.length; i++) {
      if (weight[i] == null || weight[i].length != hidden) {
        throw new IllegalArgumentException("weight[" + i + "] must have the hidden size " + hidden
            + " of " + encoder.modelLocation() + ", but has: "
            + (weight[i] == null ? "null" : weight[i].length));
      }
      Args.notBlank(labels.get(i), "labels[" + i + "]");
      System.arraycopy(weight[i], 0, flat, i * hidden, hidden);
    }
    int n = weight.length;
    GraphEdit edit = new GraphEdit()
        .addInitializer(new TensorData("gecko4j_cls_index", TensorData.INT64, new long[0],
            new byte[Long.BYTES]))
        .addInitializer(new TensorData("gecko4j_head_w", TensorData.FLOAT,
            new long[] {n, hidden}, TensorData.floatBytes(flat)))
        .addInitializer(new TensorData("gecko4j_head_b", TensorData.FLOAT, new long[] {n},
            TensorData.floatBytes(bias)))
        .insertAfter(HIDDEN,
            GraphEdit.node("Gather", List.of(HIDDEN, "gecko4j_cls_index"), List.of("gecko4j_cls"),
                Map.of("axis", 1L)),
            GraphEdit.node("Gemm", List.of("gecko4j_cls", "gecko4j_head_w", "gecko4j_head_b"),
                List.of("logits"), Map.of("transB", 1L)))
        .replaceOutputs(List.of(GraphEdit.output("logits", TensorData.FLOAT, "batch",
            Integer.toString(n))))
        .pruneUnused();
    Files.createDirectories(folder);
    model.write(folder.resolve("model.onnx"), edit);
    Files.write(folder.resolve("tokenizer.json"), encoder.readTokenizerBytes());
    Files.writeString(folder.resolve("config.json"), config(labels, sigmoid, encoder),
        StandardCharsets.UTF_8);
    return folder;
  }

  private static String config(List<String> labels, boolean sigmoid, ModelSpec encoder) {
    StringBuilder id2label = new StringBuilder();
    StringBuilder label2id = new StringBuilder();
    for (int i = 0; i < labels.size(); i++) {
      String sep = i == 0 ? "" : ", ";
      id2label.append(sep).append('"').append(i).append("\": ").append(json(labels.get(i)));
      label2id.append(sep).append(json(labels.get(i))).append(": ").append(i);
    }
    return "{\n"
        + "  \"architectures\": [\"BertForSequenceClassification\"],\n"
        + "  \"id2label\": {" + id2label + "},\n"
        + "  \"label2id\": {" + label2id + "},\n"
        + "  \"max_position_embeddings\": " + encoder.maxLength() + ",\n"
        + "  \"sentence_transformers\": {\"activation_fn\": \"torch.nn.modules."
        + (sigmoid ? "activation.Sigmoid" : "linear.Identity") + "\"},\n"
        + "  \"gecko4j_encoder\": " + json(encoder.name()) + "\n"
        + "}\n";
  }

  private static String json(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20) {
        b.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }

  /** The width of the graph's {@code last_hidden_state}, read from the word-embedding table. */
  private static int hiddenSize(OnnxModel model, ModelSpec encoder) {
    if (!model.outputs().contains(HIDDEN)) {
      throw new IllegalArgumentException("encoder " + encoder.modelLocation() + " must have a "
          + HIDDEN + " output, but has: " + model.outputs());
    }
    for (Map.Entry<String, TensorData> e : model.initializers().entrySet()) {
      if (e.getKey().endsWith("word_embeddings.weight") && e.getValue().dims().length == 2) {
        return Math.toIntExact(e.getValue().dims()[1]);
      }
    }
    throw new IllegalArgumentException("encoder " + encoder.modelLocation() + " must have a "
        + "*word_embeddings.weight initializer (a BERT-style encoder) to size the head, but has "
        + "none");
  }

  /** A standard normal draw (Box-Muller; deterministic for a seed on every JDK). */
  private static double gaussian(SplittableRandom random) {
    double u = 1.0 - random.nextDouble();
    double v = random.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}
