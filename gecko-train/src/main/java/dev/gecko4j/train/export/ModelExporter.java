package dev.gecko4j.train.export;

import dev.gecko4j.train.internal.EncoderInternals;
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
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Writes a trained encoder as a model folder in HuggingFace / sentence-transformers layout that
 * {@code OnnxEmbedder} loads: {@code model.onnx} (the original graph with the trained
 * initializers), {@code tokenizer.json} (and the base folder's {@code tokenizer_config.json}: its
 * padding side and appended EOS), {@code config.json}, {@code modules.json}
 * (Transformer, Pooling, Normalize), {@code 1_Pooling/config.json},
 * {@code sentence_bert_config.json} and, when the model has prompts, {@code
 * config_sentence_transformers.json} with {@code prompts: {query, document}}, so the folder
 * carries the base model's convention (e.g. BGE's instruction on queries only) to whoever loads
 * it. The configuration files are {@link SentenceTransformersFolder#configFiles}'s. An encoder with
 * a trained {@link dev.gecko4j.train.DenseLayer Dense head} also gets {@code 2_Dense/config.json}
 * and {@code 2_Dense/model.safetensors} ({@code linear.weight} {@code [out, in]}, {@code
 * linear.bias}) and a {@code modules.json} of Transformer, Pooling, Dense, Normalize, as
 * sentence-transformers saves such a model.
 *
 * <p>The folder is complete or absent: everything is written into {@code <name>.export-tmp}
 * beside it, each file forced to disk, then renamed into place with {@code ATOMIC_MOVE}; an earlier
 * export is moved aside ({@code <name>.export-old}) for that rename and deleted after it. A
 * failure (disk full, a failing fsync) names the file, removes the temporary folder and keeps the
 * earlier export. One export into a folder at a time.
 */
public final class ModelExporter {
  private ModelExporter() {}

  /**
   * The spec an export of {@code encoder} describes: its pooling, normalised, {@code maxLength}
   * tokens, {@code queryPrompt} on queries only.
   */
  public static ModelSpec exportSpec(TrainableEncoder encoder, int maxLength, String queryPrompt) {
    ModelSpec.Prompts prompts = queryPrompt == null || queryPrompt.isEmpty()
        ? ModelSpec.Prompts.NONE : new ModelSpec.Prompts(queryPrompt, "", "");
    return exportSpec(encoder, maxLength, prompts, "prefixes(query='" + queryPrompt + "')");
  }

  public static ModelSpec exportSpec(TrainableEncoder encoder, int maxLength, ModelSpec.Prompts prompts,
      String conventionName) {
    return encoder.spec().withSettings(encoder.pooling(), true, maxLength, prompts,
        prompts.isNone() ? "NONE" : conventionName);
  }

  /**
   * Exports {@code encoder} into {@code directory}. The folder is complete or absent: it is
   * written as a temporary folder beside it (each file forced to disk), then renamed into place
   * with {@code ATOMIC_MOVE}; an existing export there is replaced as a whole only after the new
   * one is complete, so a failed export (disk full) keeps the previous one.
   *
   * @param encoder the trained encoder
   * @param directory the model folder: absent, empty, or an earlier export (holding only the
   *     files an export writes)
   * @param configJson the source model's config.json, or null to write a minimal BERT config
   * @param maxSeqLength the max sequence length to record, 2..8192
   * @param queryPrompt prefix for retrieval queries (e.g. BGE's instruction), or null for none;
   *     written as the folder's {@code query} prompt
   * @return the folder
   * @throws UncheckedIOException naming the file if writing fails
   * @throws IllegalArgumentException if an argument is invalid, or {@code directory} holds files
   *     an export does not write (they would be lost)
   */
  public static Path export(TrainableEncoder encoder, Path directory, byte[] configJson,
      int maxSeqLength, String queryPrompt) {
    return export(encoder, directory, configJson, maxSeqLength, queryPrompt, FileSink.DISK);
  }

  /**
   * Exports {@code encoder} into {@code directory} as {@link #export(TrainableEncoder, Path,
   * byte[], int, String)} does, describing it with {@code spec}'s pooling, normalisation, maximum
   * length and prompts.
   *
   * @param encoder the trained encoder
   * @param directory the model folder (as above)
   * @param configJson the source model's config.json, or null to write a minimal BERT config
   * @param spec what the folder's configuration files say; not null
   * @return the folder
   * @throws UncheckedIOException naming the file if writing fails
   * @throws IllegalArgumentException if an argument is invalid
   */
  public static Path export(TrainableEncoder encoder, Path directory, byte[] configJson,
      ModelSpec spec) {
    return export(encoder, directory, configJson, spec, FileSink.DISK);
  }

  static Path export(TrainableEncoder encoder, Path directory, byte[] configJson,
      int maxSeqLength, String queryPrompt, FileSink sink) {
    Args.notNull(encoder, "encoder");
    Args.inRange(maxSeqLength, 2, 8192, "maxSeqLength");
    return export(encoder, directory, configJson, exportSpec(encoder, maxSeqLength, queryPrompt),
        sink);
  }

  public static Path export(TrainableEncoder encoder, Path directory, byte[] configJson,
      ModelSpec spec, FileSink sink) {
    Args.notNull(encoder, "encoder");
    Args.notNull(directory, "directory");
    Args.notNull(spec, "spec");
    Path target = directory.toAbsolutePath().normalize();
    Path parent = target.getParent();
    if (parent == null) {
      throw new IllegalArgumentException("directory must not be a file-system root, but is: " + directory);
    }
    Path tmp = parent.resolve(target.getFileName() + ".export-tmp");
    Path old = parent.resolve(target.getFileName() + ".export-old");
    try {
      checkReplaceable(target);
      Files.createDirectories(parent);
      DurableFiles.deleteTree(tmp);
      DurableFiles.deleteTree(old);
      Files.createDirectories(tmp.resolve("1_Pooling"));
      writeFolder(encoder, tmp, configJson, spec, sink);
      DurableFiles.fsyncDirectory(tmp.resolve("1_Pooling"));
      DurableFiles.fsyncDirectory(tmp);
    } catch (IOException e) {
      DurableFiles.deleteQuietly(tmp, e);
      throw new UncheckedIOException("cannot export the model to " + target + ": " + e.getMessage()
          + (Files.isDirectory(target) ? " (the earlier export there is kept)" : ""), e);
    }
    try {
      if (Files.exists(target)) {
        Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      DurableFiles.fsyncDirectory(parent);
    } catch (IOException e) {
      if (!Files.exists(target) && Files.isDirectory(old)) {
        try {
          Files.move(old, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException back) {
          e.addSuppressed(back);
        }
      }
      throw new UncheckedIOException("cannot move the exported model from " + tmp + " to " + target + ": "
          + e.getMessage(), e);
    }
    try {
      DurableFiles.deleteTree(old);
    } catch (IOException e) {
      throw new UncheckedIOException("exported " + target + " but cannot delete the earlier export, moved to "
          + old + ": " + e.getMessage(), e);
    }
    return target;
  }

  /** The names an export writes; a folder with anything else in it is not replaced. */
  private static final Set<String> EXPORT_FILES = Set.of("model.onnx", "tokenizer.json", "config.json",
      "modules.json", "1_Pooling", "sentence_bert_config.json", "config_sentence_transformers.json",
      "tokenizer_config.json");

  private static void checkReplaceable(Path target) throws IOException {
    if (!Files.exists(target)) {
      return;
    }
    if (!Files.isDirectory(target)) {
      throw new IllegalArgumentException("directory must be a folder or absent, but is a file: " + target);
    }
    try (Stream<Path> s = Files.list(target)) {
      List<String> foreign = s.map(p -> p.getFileName().toString()).filter(n -> !EXPORT_FILES.contains(n) && !n.matches("\\d+_Dense"))
          .sorted().toList();
      if (!foreign.isEmpty()) {
        throw new IllegalArgumentException("directory " + target + " holds files an export does not write "
            + foreign + "; replacing it would delete them: export into a new or empty folder");
      }
    }
  }

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
  static List<PipelineModule> modules(ModelSpec spec, List<PipelineModule.Dense> dense) {
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
  static String bertConfig(TrainableEncoder e) {
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
