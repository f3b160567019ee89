package dev.gecko4j.core.eval;

import dev.gecko4j.core.Embedder;
import dev.gecko4j.core.Embedding;
import dev.gecko4j.core.ProgressListener;
import dev.gecko4j.core.TaskPrompt;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** Shared helpers of the evaluators: dimension checks and checked batch embedding. */
final class Batches {

  private Batches() {}

  /** Resolves a requested dimension (0 = the embedder's) against the embedder's dimension. */
  static int resolveDimension(Embedder embedder, int requested) {
    int full = embedder.dimension();
    if (requested == 0) {
      return full;
    }
    if (requested > full) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "dimension must be between 1 and the embedder's dimension %d, but is: %d",
          full, requested));
    }
    return requested;
  }

  /**
   * Embeds one batch and checks the result: one embedding per text, each with at least
   * {@code dimension} values; truncates (and renormalises) to {@code dimension} when smaller than
   * the embedding, or only normalises when {@code normalise} is set.
   */
  static Embedding[] embed(Embedder embedder, List<String> texts, List<TaskPrompt> prompts,
      int dimension, boolean normalise) {
    List<Embedding> out = embedder.embedAll(texts, prompts);
    if (out == null || out.size() != texts.size()) {
      throw new IllegalStateException(String.format(Locale.ROOT,
          "embedder %s returned %s embeddings for %d texts; expected one per text",
          embedder.getClass().getName(), out == null ? "null" : out.size(), texts.size()));
    }
    Embedding[] result = new Embedding[out.size()];
    for (int i = 0; i < result.length; i++) {
      Embedding e = out.get(i);
      if (e == null || e.dimension() < dimension) {
        throw new IllegalStateException(String.format(Locale.ROOT,
            "embedder %s returned %s for text %d; expected an embedding of at least %d dimensions",
            embedder.getClass().getName(), e == null ? "null" : e.dimension() + " dimensions", i,
            dimension));
      }
      if (dimension < e.dimension() || normalise) {
        e = e.truncate(dimension);
      }
      result[i] = e;
    }
    return result;
  }

  /**
   * Embeds {@code texts}, all with {@code prompt}, in batches of {@code batchSize} with
   * {@link #embed}, telling {@code listener} after each batch under {@code stage}.
   */
  static Embedding[] embedInBatches(Embedder embedder, List<String> texts, TaskPrompt prompt,
      int dimension, boolean normalise, int batchSize, ProgressListener listener, String stage) {
    Embedding[] embeddings = new Embedding[texts.size()];
    for (int from = 0; from < texts.size(); from += batchSize) {
      int to = Math.min(texts.size(), from + batchSize);
      Embedding[] out = embed(embedder, texts.subList(from, to),
          Collections.nCopies(to - from, prompt), dimension, normalise);
      System.arraycopy(out, 0, embeddings, from, out.length);
      listener.onProgress(stage, to, texts.size());
    }
    return embeddings;
  }

  static int checkBatchSize(int batchSize) {
    if (batchSize < 1 || batchSize > 65_536) {
      throw new IllegalArgumentException(
          "batchSize must be between 1 and 65536, but is: " + batchSize);
    }
    return batchSize;
  }

  static int checkDimension(int dimension) {
    if (dimension < 0) {
      throw new IllegalArgumentException(
          "dimension must be 0 (the embedder's) or positive, but is: " + dimension);
    }
    return dimension;
  }

  static ProgressListener checkListener(ProgressListener listener) {
    if (listener == null) {
      throw new IllegalArgumentException("listener must not be null; use ProgressListener.NONE");
    }
    return listener;
  }
}
