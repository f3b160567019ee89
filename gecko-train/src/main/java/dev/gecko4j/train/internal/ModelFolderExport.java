package dev.gecko4j.train.internal;

import dev.gecko4j.train.checkpoint.FileSink;
import dev.gecko4j.train.checkpoint.DurableFiles;
import dev.gecko4j.train.TrainableEncoder;
import dev.gecko4j.core.internal.Args;
import dev.gecko4j.onnx.ModelSpec;
import dev.gecko4j.onnx.PipelineModule;
import dev.gecko4j.onnx.SentenceTransformersFolder;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The export behind {@link dev.gecko4j.train.export.ModelExporter}, with the {@link FileSink}
 * (the disk, or a failing one in tests) as a parameter: gecko4j's trainer passes its own sink.
 * This package is not exported by {@code dev.gecko4j.train}: not API.
 */
public final class ModelFolderExport {
  private ModelFolderExport() {}

  /**
   * Exports {@code encoder} into {@code directory} through {@code sink}, as {@code
   * ModelExporter.export(encoder, directory, configJson, spec)} does through the disk.
   *
   * @param encoder the trained encoder
   * @param directory the model folder
   * @param configJson the source model's config.json, or null to write a minimal BERT config
   * @param spec what the folder's configuration files say; not null
   * @param sink where files are written
   * @return the folder
   * @throws UncheckedIOException naming the file if writing fails
   * @throws IllegalArgumentException if an argument is invalid
   */
  public static Path export(TrainableEncoder encoder, Path directory, byte[] configJson,
      ModelSpec spec, FileSink sink) {
    Args.notNull(encoder, "encoder");
    Args.notNull(directory, "directory");
    Args.notNull(spec, "spec");
    return DurableFiles.replaceFolder(directory,
        n -> EXPORT_FILES.contains(n) || n.matches("\\d+_Dense"), "the model", tmp -> {
          Files.createDirectories(tmp.resolve("1_Pooling"));
          writeFolder(encoder, tmp, configJson, spec, sink);
          DurableFiles.fsyncDirectory(tmp.resolve("1_Pooling"));
        });
  }

  /** The names an export writes; a folder with anything else in it is not replaced. */
  private static final Set<String> EXPORT_FILES = Set.of("model.onnx", "tokenizer.json", "config.json",
      "modules.json", "1_Pooling", "sentence_bert_config.json", "config_sentence_transformers.json",
      "tokenizer_config.json");

  private static void writeFolder(TrainableEncoder encoder, Path dir, byte[] configJson,
      ModelSpec spec, FileSink sink) throws IOException {
    Path onnx = dir.resolve("model.onnx");
    try (OutputStream out = sink.create(onnx)) {
      encoder.writeOnnx(out);
    } catch (IOException e) {
      throw DurableFiles.named(onnx, e);
    }
    DurableFiles.write(sink, dir.resolve("tokenizer.json"), encoder.tokenizerJson());
    // the tokenizer's needs beyond tokenizer.json (padding side, an appended EOS) travel along
    Path tokenizerConfig = spec.folder() == null ? null
        : spec.folder().resolve("tokenizer_config.json");
    if (tokenizerConfig != null && Files.isRegularFile(tokenizerConfig)) {
      DurableFiles.write(sink, dir.resolve("tokenizer_config.json"),
          Files.readAllBytes(tokenizerConfig));
    }
    DurableFiles.write(sink, dir.resolve("config.json"),
        configJson != null ? configJson : bertConfig(encoder).getBytes(StandardCharsets.UTF_8));
    int hidden = encoder.hiddenSize();
    // the description with the trained Dense weights: SentenceTransformersFolder writes the
    // modules, the Dense folders (config.json + model.safetensors) and the prompts
    ModelSpec trained = spec.withModules(modules(spec, encoder.denseLayers()));
    for (Map.Entry<String, byte[]> f : SentenceTransformersFolder.configFiles(trained, hidden)
        .entrySet()) {
      Path file = dir.resolve(f.getKey());
      Files.createDirectories(file.getParent());
      DurableFiles.write(sink, file, f.getValue());
    }
    for (PipelineModule.Dense d : encoder.denseLayers()) {
      DurableFiles.fsyncDirectory(dir.resolve(d.path()));
    }
  }

  /**
   * The pipeline of the export: the spec's Transformer and Pooling, the encoder's Dense layers
   * with their trained weights, and a Normalize named after its place when the spec normalises.
   */
  private static List<PipelineModule> modules(ModelSpec spec, List<PipelineModule.Dense> dense) {
    List<PipelineModule> m = new java.util.ArrayList<>();
    for (PipelineModule x : spec.modules()) {
      if (!(x instanceof PipelineModule.Dense) && !(x instanceof PipelineModule.Normalize)) {
        m.add(x);
      }
    }
    m.addAll(dense);
    if (spec.normalize()) {
      m.add(new PipelineModule.Normalize(m.size() + "_Normalize"));
    }
    return m;
  }

  /** A minimal BERT config.json derived from the parameter shapes. */
  private static String bertConfig(TrainableEncoder e) {
    java.util.Set<String> names = EncoderInternals.access().model(e).initializers().keySet(); // with LoRA, not all train
    if (!names.contains("embeddings.word_embeddings.weight")) {
      return String.format(Locale.ROOT, """
          {
            "hidden_size": %d,
            "trained_by": "gecko4j"
          }
          """, e.hiddenSize());
    }
    long[] word = e.shape("embeddings.word_embeddings.weight");
    long[] pos = e.shape("embeddings.position_embeddings.weight");
    long[] types = e.shape("embeddings.token_type_embeddings.weight");
    long layers = names.stream()
        .filter(n -> n.startsWith("encoder.layer.") && n.endsWith(".attention.self.query.bias")).count();
    long inter = names.contains("encoder.layer.0.intermediate.dense.bias")
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
