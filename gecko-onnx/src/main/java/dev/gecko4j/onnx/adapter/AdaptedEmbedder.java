package dev.gecko4j.onnx.adapter;

import dev.gecko4j.core.Embedder;
import dev.gecko4j.core.Embedding;
import dev.gecko4j.core.TaskPrompt;
import dev.gecko4j.onnx.OnnxEmbedder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The embedder behind a framework embedding model, with what the framework sees of it: its name,
 * its configured (possibly Matryoshka) dimension and its query prompt. Embeds to {@code float[]}
 * (which every framework's embedding type wraps), truncating and renormalising with {@link
 * Embedding#truncate(int)}. Thread-safe; closes the embedder only if it was built for this model.
 */
public final class AdaptedEmbedder implements AutoCloseable {
  private final Embedder embedder;
  private final boolean owned;
  private final String name;
  private final int dimension;
  private final TaskPrompt queryPrompt;

  AdaptedEmbedder(Embedder embedder, boolean owned, int dimension, TaskPrompt queryPrompt) {
    this.embedder = embedder;
    this.owned = owned;
    this.name = nameOf(embedder);
    this.dimension = dimension;
    this.queryPrompt = queryPrompt;
  }

  static String nameOf(Embedder e) {
    return e instanceof OnnxEmbedder o ? o.modelName() : e.name();
  }

  /** {@return the embedder} */
  public Embedder embedder() {
    return embedder;
  }

  /** {@return the model's name: the bundled name, the model folder's, or the embedder's} */
  public String name() {
    return name;
  }

  /** {@return the configured number of values per embedding} */
  public int dimension() {
    return dimension;
  }

  /** {@return the prompt queries are embedded with} */
  public TaskPrompt queryPrompt() {
    return queryPrompt;
  }

  /**
   * Returns the dimension a call asks for: the configured one when {@code asked} is null.
   *
   * @param asked a per-call dimension, or null
   * @return the dimension to embed at
   * @throws IllegalArgumentException if {@code asked} is not between 1 and the embedder's dimension
   */
  public int dimensionFor(Integer asked) {
    if (asked == null) {
      return dimension;
    }
    if (asked < 1 || asked > embedder.dimension()) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "dimensions must be between 1 and %d (the dimension of %s), but is: %d",
          embedder.dimension(), name, asked));
    }
    return asked;
  }

  /**
   * Embeds {@code texts} with their prompts in one call of the embedder, each vector truncated to
   * {@code dims} values and renormalised when {@code dims} is below the embedder's dimension.
   *
   * @param texts the texts; no element null
   * @param prompts one prompt per text
   * @param dims from {@link #dimensionFor(Integer)}
   * @return fresh arrays, one per text, in input order
   * @throws IllegalArgumentException if a text is null (naming its index)
   */
  public List<float[]> embed(List<String> texts, List<TaskPrompt> prompts, int dims) {
    return embedCounted(texts, prompts, dims).vectors();
  }

  /**
   * Embeds as {@link #embed(List, List, int)} does and counts the input tokens: those the model
   * read, as {@link OnnxEmbedder#embedAllCounted} counts them; for another {@link Embedder} (which
   * gecko4j does not tokenise for), 0.
   *
   * @param texts the texts; no element null
   * @param prompts one prompt per text
   * @param dims from {@link #dimensionFor(Integer)}
   * @return the vectors (fresh arrays, one per text, in input order) and the token count
   * @throws IllegalArgumentException if a text is null (naming its index)
   */
  public Vectors embedCounted(List<String> texts, List<TaskPrompt> prompts, int dims) {
    for (int i = 0; i < texts.size(); i++) {
      if (texts.get(i) == null) {
        throw new IllegalArgumentException("texts[" + i + "] must not be null");
      }
    }
    if (texts.isEmpty()) {
      return new Vectors(List.of(), 0);
    }
    List<Embedding> ours;
    long tokens = 0;
    if (embedder instanceof OnnxEmbedder onnx) {
      OnnxEmbedder.CountedEmbeddings counted = onnx.embedAllCounted(texts, prompts);
      ours = counted.embeddings();
      tokens = counted.inputTokens();
    } else {
      ours = embedder.embedAll(texts, prompts);
    }
    List<float[]> out = new ArrayList<>(ours.size());
    for (Embedding e : ours) {
      out.add(dims == e.dimension() ? e.toArray() : e.truncate(dims).toArray());
    }
    return new Vectors(out, tokens);
  }

  /**
   * Vectors with the input tokens read to make them.
   *
   * @param vectors one per text, in input order
   * @param inputTokens the tokens the model read ({@code 0} when the embedder is not gecko4j's
   *     ONNX embedder)
   */
  public record Vectors(List<float[]> vectors, long inputTokens) {
    /** {@return the token count as an {@code int}, saturated at {@link Integer#MAX_VALUE}} */
    public int inputTokensInt() {
      return (int) Math.min(Integer.MAX_VALUE, inputTokens);
    }
  }

  /** Closes the embedder if it was built for this model (not one the caller gave); idempotent. */
  @Override
  public void close() {
    if (owned) {
      embedder.close();
    }
  }

  /**
   * {@return {@code GeckoEmbeddingModel[<name>, <dimensionLabel>=<dimension>, queryTask='...']}}
   *
   * @param dimensionLabel the framework's word for the dimension
   */
  public String describe(String dimensionLabel) {
    return "GeckoEmbeddingModel[" + name + ", " + dimensionLabel + "=" + dimension + ", queryTask='"
        + queryPrompt.task() + "']";
  }
}
