package dev.gecko4j.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gecko4j.core.Pooling;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Objects;

/**
 * Writes a trained encoder as a model folder in HuggingFace / sentence-transformers layout that
 * {@code OnnxEmbedder} loads: {@code model.onnx} (the original graph with the trained
 * initializers), {@code tokenizer.json}, {@code config.json}, {@code modules.json}
 * (Transformer, Pooling, Normalize), {@code 1_Pooling/config.json},
 * {@code sentence_bert_config.json} and, when the model has a query prompt, {@code
 * config_sentence_transformers.json} with {@code prompts: {query, document}} and no default
 * prompt, so the folder carries the base model's convention (e.g. BGE's instruction on queries
 * only) to whoever loads it.
 */
public final class ModelExporter {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ModelExporter() {}

  /**
   * Exports {@code encoder} into {@code directory} (created; existing files replaced).
   *
   * @param encoder the trained encoder
   * @param directory the model folder
   * @param configJson the source model's config.json, or null to write a minimal BERT config
   * @param maxSeqLength the max sequence length to record, 2..512
   * @param queryPrompt prefix for retrieval queries (e.g. BGE's instruction), or null for none;
   *     written as the folder's {@code query} prompt
   * @return the folder
   * @throws UncheckedIOException if writing fails
   * @throws IllegalArgumentException if an argument is invalid
   */
  public static Path export(TrainableEncoder encoder, Path directory, byte[] configJson,
      int maxSeqLength, String queryPrompt) {
    Objects.requireNonNull(encoder, "encoder");
    Objects.requireNonNull(directory, "directory");
    if (maxSeqLength < 2 || maxSeqLength > 512) {
      throw new IllegalArgumentException("maxSeqLength must be between 2 and 512, but is: " + maxSeqLength);
    }
    try {
      Files.createDirectories(directory.resolve("1_Pooling"));
      Path tmp = directory.resolve("model.onnx.tmp");
      encoder.writeOnnx(tmp);
      Files.move(tmp, directory.resolve("model.onnx"), StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
      Files.write(directory.resolve("tokenizer.json"), encoder.tokenizerJson());
      Files.write(directory.resolve("config.json"),
          configJson != null ? configJson : bertConfig(encoder).getBytes(StandardCharsets.UTF_8));
      long hidden = encoder.shape("embeddings.word_embeddings.weight")[1];
      boolean cls = encoder.pooling() == Pooling.CLS;
      write(directory.resolve("1_Pooling/config.json"), String.format(Locale.ROOT, """
          {
            "word_embedding_dimension": %d,
            "pooling_mode_cls_token": %s,
            "pooling_mode_mean_tokens": %s,
            "pooling_mode_max_tokens": false,
            "pooling_mode_mean_sqrt_len_tokens": false
          }
          """, hidden, cls, !cls));
      write(directory.resolve("modules.json"), """
          [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}
          ]
          """);
      write(directory.resolve("sentence_bert_config.json"), String.format(Locale.ROOT,
          "{\"max_seq_length\": %d, \"do_lower_case\": false}%n", maxSeqLength));
      Path prompts = directory.resolve("config_sentence_transformers.json");
      if (queryPrompt != null && !queryPrompt.isEmpty()) {
        var root = JSON.createObjectNode();
        root.putObject("prompts").put("query", queryPrompt).put("document", "");
        root.putNull("default_prompt_name");
        root.put("similarity_fn_name", "cosine");
        write(prompts, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n");
      } else {
        Files.deleteIfExists(prompts);
      }
      return directory;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot export the model to " + directory, e);
    }
  }

  private static void write(Path file, String text) throws IOException {
    Files.writeString(file, text, StandardCharsets.UTF_8);
  }

  /** A minimal BERT config.json derived from the parameter shapes. */
  static String bertConfig(TrainableEncoder e) {
    long[] word = e.shape("embeddings.word_embeddings.weight");
    long[] pos = e.shape("embeddings.position_embeddings.weight");
    long[] types = e.shape("embeddings.token_type_embeddings.weight");
    long layers = e.parameters().keySet().stream()
        .filter(n -> n.startsWith("encoder.layer.") && n.endsWith(".attention.self.query.bias")).count();
    long inter = e.parameters().containsKey("encoder.layer.0.intermediate.dense.bias")
        ? e.shape("encoder.layer.0.intermediate.dense.bias")[0] : 4 * word[1];
    long heads = Math.max(1, word[1] / 32);
    return String.format(Locale.ROOT, """
        {
          "architectures": ["BertModel"],
          "model_type": "bert",
          "hidden_size": %d,
          "num_hidden_layers": %d,
          "num_attention_heads": %d,
          "intermediate_size": %d,
          "hidden_act": "gelu",
          "max_position_embeddings": %d,
          "type_vocab_size": %d,
          "vocab_size": %d,
          "layer_norm_eps": 1e-12,
          "pad_token_id": 0,
          "trained_by": "gecko4j"
        }
        """, word[1], layers, heads, inter, pos[0], types[0], word[0]);
  }
}
