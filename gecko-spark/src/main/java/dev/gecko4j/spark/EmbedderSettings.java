package dev.gecko4j.spark;

import dev.gecko4j.onnx.ModelSource;
import dev.gecko4j.onnx.Models;
import dev.gecko4j.onnx.OnnxEmbedder;
import java.io.Serializable;
import java.nio.file.Path;

/**
 * What an executor needs to build its {@link OnnxEmbedder}: shipped to executors inside the
 * partition function and used as the key of the executor's embedder cache, so tasks with the
 * same settings share one embedder.
 *
 * @param model a bundled model name (see {@link Models#byName}); ignored when {@code modelFolder}
 *     is set
 * @param modelFolder a model folder readable on every executor, or {@code null}
 * @param dimension Matryoshka dimension, 0 for the model's own
 * @param maxLength token limit per text, 0 for the model's own
 * @param tokenBudget padded tokens per ONNX batch, 0 for the embedder's default
 * @param intraOpThreads ONNX Runtime threads per embedder, 0 for ONNX Runtime's choice
 */
record EmbedderSettings(String model, String modelFolder, int dimension, int maxLength,
    int tokenBudget, int intraOpThreads) implements Serializable {

  private static final long serialVersionUID = 1L;

  /** {@return a new embedder with these settings} The caller owns (and closes) it. */
  OnnxEmbedder build() {
    OnnxEmbedder.Builder b = OnnxEmbedder.builder();
    b = (modelFolder != null ? ModelSource.folder(Path.of(modelFolder)) : ModelSource.of(model))
        .applyTo(b);
    if (dimension > 0) {
      b = b.dimension(dimension);
    }
    if (maxLength > 0) {
      b = b.maxLength(maxLength);
    }
    if (tokenBudget > 0) {
      b = b.tokenBudget(tokenBudget);
    }
    b = b.intraOpThreads(intraOpThreads);
    return b.build();
  }
}
