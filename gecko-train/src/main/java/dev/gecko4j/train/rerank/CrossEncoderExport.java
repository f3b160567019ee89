package dev.gecko4j.train.rerank;

import dev.gecko4j.train.internal.EncoderInternals;
import dev.gecko4j.train.TrainableEncoder;
import dev.gecko4j.train.checkpoint.DurableFiles;
import dev.gecko4j.train.checkpoint.FileSink;
import dev.gecko4j.train.onnx.GraphEdit;
import dev.gecko4j.train.onnx.OnnxModel;
import dev.gecko4j.train.onnx.OnnxNode;
import dev.gecko4j.train.onnx.TensorData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Writes a trained cross-encoder as a HuggingFace sequence-classification ONNX folder, the layout
 * sentence-transformers' {@code CrossEncoder} and {@code OnnxCrossEncoder} read:
 *
 * <ul>
 *   <li>{@code model.onnx}: the encoder graph with the trained weights, then {@code Gather} of the
 *       [CLS] state (position 0 of the token states) and {@code Gemm} with the head, output {@code
 *       logits} float {@code [batch, 1]}; the token-state output and anything only it needed (a
 *       pooler) are dropped;
 *   <li>{@code tokenizer.json} of the base model, {@code tokenizer_config.json} with {@code
 *       model_max_length} the training length;
 *   <li>{@code config.json}: the base model's config (or a minimal one) with {@code architectures}
 *       {@code ["BertForSequenceClassification"]} (for BERT) , {@code id2label} {@code {"0":
 *       "LABEL_0"}}, {@code label2id}, and {@code sentence_transformers.activation_fn} {@code
 *       torch.nn.modules.activation.Sigmoid} (a one-label model's default there).
 * </ul>
 *
 * The folder is complete or absent: written beside the target, each file forced to disk, renamed
 * into place; an earlier export is replaced only once the new one is complete.
 */
final class CrossEncoderExport {
  private CrossEncoderExport() {}

  /** The names an export writes; a folder with anything else in it is not replaced. */
  static final Set<String> FILES = Set.of("model.onnx", "tokenizer.json", "config.json",
      "tokenizer_config.json");

  static Path write(CrossEncoderTrainer trainer, Path directory) {
    return DurableFiles.replaceFolder(directory, FILES::contains, "the cross-encoder",
        tmp -> writeFiles(trainer, tmp));
  }


  private static void writeFiles(CrossEncoderTrainer trainer, Path dir) throws IOException {
    TrainableEncoder encoder = trainer.encoder();
    // the graph with the trained weights, then the head appended after the token states
    ByteArrayOutputStream trained = new ByteArrayOutputStream();
    EncoderInternals.access().model(encoder).write(trained, encoder.graphParameters());
    OnnxModel model = OnnxModel.parse(trained.toByteArray());
    String states = encoder.outputName();
    String producer = null;
    for (OnnxNode n : model.nodes()) {
      if (n.outputs().contains(states)) {
        producer = n.outputs().get(0);
      }
    }
    if (producer == null) {
      throw new IllegalArgumentException("no node of the graph writes the token states '"
          + states + "'");
    }
    int hidden = trainer.hiddenSize();
    float[] head = trainer.head();
    float[] w = java.util.Arrays.copyOf(head, hidden);
    float[] b = {head[hidden]};
    byte[] zero = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0).array();
    GraphEdit edit = new GraphEdit()
        .addInitializer(new TensorData("gecko4j_cls_index", TensorData.INT64, new long[0], zero))
        .addInitializer(new TensorData("classifier.weight", TensorData.FLOAT,
            new long[] {1, hidden}, TensorData.floatBytes(w)))
        .addInitializer(new TensorData("classifier.bias", TensorData.FLOAT, new long[] {1},
            TensorData.floatBytes(b)))
        .insertAfter(producer,
            GraphEdit.node("Gather", List.of(states, "gecko4j_cls_index"), List.of("gecko4j_cls"),
                Map.of("axis", 1L)),
            GraphEdit.node("Gemm", List.of("gecko4j_cls", "classifier.weight", "classifier.bias"),
                List.of("logits"), Map.of("transB", 1L)))
        .replaceOutputs(List.of(GraphEdit.output("logits", TensorData.FLOAT, "batch", "1")))
        .pruneUnused();
    Path onnx = dir.resolve("model.onnx");
    try (OutputStream out = FileSink.DISK.create(onnx)) {
      model.write(out, edit);
    } catch (IOException e) {
      throw DurableFiles.named(onnx, e);
    }
    DurableFiles.write(FileSink.DISK, dir.resolve("tokenizer.json"), encoder.tokenizerJson());
    DurableFiles.write(FileSink.DISK, dir.resolve("tokenizer_config.json"),
        String.format(Locale.ROOT, "{%n  \"model_max_length\": %d,%n  \"trained_by\": \"gecko4j\"%n}%n",
            trainer.maxLength()).getBytes(StandardCharsets.UTF_8));
    DurableFiles.write(FileSink.DISK, dir.resolve("config.json"),
        config(encoder, trainer.maxLength()).getBytes(StandardCharsets.UTF_8));
  }

  /** The base config with the sequence-classification fields set. */
  static String config(TrainableEncoder encoder, int maxLength) throws IOException {
    com.fasterxml.jackson.databind.ObjectMapper json = dev.gecko4j.core.internal.GeckoJson.mapper();
    com.fasterxml.jackson.databind.node.ObjectNode c;
    Path base = encoder.spec().folder() == null ? null
        : encoder.spec().folder().resolve("config.json");
    if (base != null && Files.isRegularFile(base)) {
      c = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(base.toFile());
    } else {
      c = json.createObjectNode();
      c.put("model_type", encoder.parameters().containsKey("embeddings.word_embeddings.weight")
          ? "bert" : "unknown");
      c.put("hidden_size", encoder.hiddenSize());
    }
    if ("bert".equals(c.path("model_type").asText())) {
      c.putArray("architectures").add("BertForSequenceClassification");
    }
    c.putObject("id2label").put("0", "LABEL_0");
    c.putObject("label2id").put("LABEL_0", 0);
    c.put("base_model", encoder.spec().name());
    c.put("max_length", maxLength);
    c.put("trained_by", "gecko4j");
    c.putObject("sentence_transformers")
        .put("activation_fn", "torch.nn.modules.activation.Sigmoid");
    return json.writerWithDefaultPrettyPrinter().writeValueAsString(c) + "\n";
  }
}
