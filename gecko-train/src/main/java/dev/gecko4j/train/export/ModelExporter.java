package dev.gecko4j.train.export;

import dev.gecko4j.train.internal.ModelFolderExport;
import dev.gecko4j.train.checkpoint.FileSink;
import dev.gecko4j.train.TrainableEncoder;
import dev.gecko4j.core.internal.Args;
import dev.gecko4j.onnx.ModelSpec;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * Writes a trained encoder as a model folder in HuggingFace / sentence-transformers layout that
 * {@code OnnxEmbedder} loads: {@code model.onnx} (the original graph with the trained
 * initializers), {@code tokenizer.json} (and the base folder's {@code tokenizer_config.json}: its
 * padding side and appended EOS), {@code config.json}, {@code modules.json}
 * (Transformer, Pooling, Normalize), {@code 1_Pooling/config.json},
 * {@code sentence_bert_config.json} and, when the model has prompts, {@code
 * config_sentence_transformers.json} with {@code prompts: {query, document}}, so the folder
 * carries the base model's convention (e.g. BGE's instruction on queries only) to whoever loads
 * it. The configuration files are {@link dev.gecko4j.onnx.SentenceTransformersFolder#configFiles}'s. An encoder with
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
    return ModelFolderExport.export(encoder, directory, configJson, spec, FileSink.DISK);
  }

  static Path export(TrainableEncoder encoder, Path directory, byte[] configJson,
      int maxSeqLength, String queryPrompt, FileSink sink) {
    Args.notNull(encoder, "encoder");
    Args.inRange(maxSeqLength, 2, 8192, "maxSeqLength");
    return ModelFolderExport.export(encoder, directory, configJson,
        exportSpec(encoder, maxSeqLength, queryPrompt), sink);
  }
}
