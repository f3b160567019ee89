package dev.gecko4j.onnx.adapter;

import dev.gecko4j.onnx.ModelSource;
import dev.gecko4j.core.Embedder;
import dev.gecko4j.core.TaskPrompt;
import dev.gecko4j.core.internal.Args;
import dev.gecko4j.onnx.LongInputPolicy;
import dev.gecko4j.onnx.Models;
import dev.gecko4j.onnx.OnnxEmbedder;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The builder of gecko4j's framework embedding models (LangChain4j's and Spring AI's {@code
 * GeckoEmbeddingModel}): one source — a bundled model, a model folder, or an embedder the caller
 * owns; default the bundled {@code bge-small-en-v1.5} — plus the query task, a Matryoshka
 * dimension, and for a model it loads ONNX Runtime's intra-op threads and the long-input policy.
 * Setters return this builder and check their own argument; {@code build()} checks the
 * combination.
 *
 * @param <B> the concrete builder
 * @param <M> the embedding model it builds
 */
public abstract class EmbeddingModelBuilder<B extends EmbeddingModelBuilder<B, M>, M> {
  private final Function<AdaptedEmbedder, M> factory;
  private String model;
  private Path modelFolder;
  private Embedder embedder;
  private String queryTask = TaskPrompt.SEARCH_RESULT;
  private int dimension;
  private int intraOpThreads;
  private LongInputPolicy longInputPolicy = LongInputPolicy.TRUNCATE;

  /**
   * For subclasses.
   *
   * @param factory wraps the opened embedder into the embedding model; not null
   */
  protected EmbeddingModelBuilder(Function<AdaptedEmbedder, M> factory) {
    this.factory = Args.notNull(factory, "factory");
  }

  /** {@return this builder, as its concrete type} */
  @SuppressWarnings("unchecked")
  private B self() {
    return (B) this;
  }

  /**
   * Uses a bundled model (see {@link Models}), e.g. {@code bge-small-en-v1.5},
   * {@code bge-small-en-v1.5-q}, {@code e5-small-v2}.
   *
   * @param bundledName the model's name or constant name, ignoring case; not null
   * @return this builder
   * @throws IllegalArgumentException if no bundled model has that name (the message lists them)
   */
  public B model(String bundledName) {
    Models.byName(bundledName);
    this.model = bundledName;
    return self();
  }

  /**
   * Uses a HuggingFace / sentence-transformers model folder (for example one written by {@code
   * gecko train}), with the folder's pooling, maximum length and prompts.
   *
   * @param folder the folder; not null (checked when the model loads)
   * @return this builder
   * @throws IllegalArgumentException if {@code folder} is null
   */
  public B modelFolder(Path folder) {
    this.modelFolder = Args.notNull(folder, "modelFolder");
    return self();
  }

  /**
   * Uses an embedder the caller built and owns (for threads, token budget, long-input policy,
   * CUDA...): closing the embedding model does not close it.
   *
   * @param embedder the embedder; not null
   * @return this builder
   * @throws IllegalArgumentException if {@code embedder} is null
   */
  public B embedder(Embedder embedder) {
    this.embedder = Args.notNull(embedder, "embedder");
    return self();
  }

  /**
   * Sets the task of the query prompt (default {@value TaskPrompt#SEARCH_RESULT}; see {@link
   * TaskPrompt#KNOWN_TASKS}). Models whose convention has no task (BGE, E5) ignore it.
   *
   * @param task a non-blank task description
   * @return this builder
   * @throws IllegalArgumentException if {@code task} is null or blank
   */
  public B queryTask(String task) {
    if (task == null || task.isBlank()) {
      throw new IllegalArgumentException("queryTask must be a non-blank string, but is: "
          + (task == null ? "null" : "'" + task + "'") + "; known tasks are "
          + TaskPrompt.KNOWN_TASKS);
    }
    this.queryTask = task;
    return self();
  }

  /**
   * Sets a Matryoshka dimension: embeddings keep their first {@code dimension} values,
   * renormalised. Checked against the model's dimension when the model is built.
   *
   * @param dimension {@code >= 1}
   * @return this builder
   * @throws IllegalArgumentException if {@code dimension < 1}
   */
  public B dimension(int dimension) {
    this.dimension = Args.positive(dimension, "dimension");
    return self();
  }

  /**
   * Sets ONNX Runtime's intra-op threads of a model this builder loads (default 0: ONNX Runtime
   * chooses).
   *
   * @param threads between 0 and 1024
   * @return this builder
   * @throws IllegalArgumentException if out of range
   */
  public B intraOpThreads(int threads) {
    this.intraOpThreads = Args.inRange(threads, 0, 1024, "intraOpThreads");
    return self();
  }

  /**
   * Sets what a model this builder loads does with texts over its maximum length (default {@link
   * LongInputPolicy#TRUNCATE}).
   *
   * @param policy the policy; not null
   * @return this builder
   * @throws IllegalArgumentException if {@code policy} is null
   */
  public B longInputPolicy(LongInputPolicy policy) {
    if (policy == null) {
      throw new IllegalArgumentException("longInputPolicy must not be null; expected one of "
          + List.of(LongInputPolicy.values()));
    }
    this.longInputPolicy = policy;
    return self();
  }

  /**
   * Loads the model (unless an embedder was given) and builds the embedding model.
   *
   * @return the model
   * @throws IllegalStateException if more than one of model, modelFolder and embedder is set
   * @throws IllegalArgumentException if the dimension exceeds the embedder's
   * @throws dev.gecko4j.onnx.ModelLoadException if the model cannot be loaded
   */
  public final M build() {
    return factory.apply(open());
  }

  /** Loads the model (unless an embedder was given) and checks the combination. */
  private AdaptedEmbedder open() {
    int sources = (model != null ? 1 : 0) + (modelFolder != null ? 1 : 0)
        + (embedder != null ? 1 : 0);
    if (sources > 1) {
      throw new IllegalStateException("set only one of model(" + model + "), modelFolder("
          + modelFolder + ") and embedder(" + embedder + ")");
    }
    Embedder e = embedder;
    if (e == null) {
      OnnxEmbedder.Builder b = OnnxEmbedder.builder().intraOpThreads(intraOpThreads)
          .longInputPolicy(longInputPolicy);
      b = (modelFolder != null ? ModelSource.folder(modelFolder)
          : model != null ? ModelSource.of(model) : new ModelSource(Models.BGE_SMALL_EN_V15, null))
          .applyTo(b);
      e = b.build();
    }
    String name = AdaptedEmbedder.nameOf(e);
    int full = e.dimension();
    if (dimension > full) {
      if (embedder == null) {
        e.close();
      }
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "dimension must be between 1 and %d (the dimension of %s), but is: %d", full, name,
          dimension));
    }
    return new AdaptedEmbedder(e, embedder == null, dimension > 0 ? dimension : full,
        TaskPrompt.query(queryTask));
  }
}
