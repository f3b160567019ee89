package dev.gecko4j.core.eval;

import dev.gecko4j.core.Embedder;
import dev.gecko4j.core.Embedding;
import dev.gecko4j.core.ProgressListener;
import dev.gecko4j.core.TaskPrompt;
import dev.gecko4j.core.internal.Args;
import java.util.List;

/**
 * What every evaluator shares: it embeds a dataset's texts in batches of {@link #batchSize()}
 * texts, at the Matryoshka {@link #dimension()}, telling a {@link ProgressListener} as it goes.
 * Each task family is a subclass that adds what it scores ({@link StsEvaluator},
 * {@link RetrievalEvaluator}, {@link ClassificationEvaluator}, {@link ClusteringEvaluator},
 * {@link PairClassificationEvaluator}, {@link RerankingEvaluator}); their builders extend
 * {@link Builder}, which holds these three settings. The class is open: a new family (in this
 * library or a user's) extends it and embeds through {@link #embed}.
 *
 * <p>Instances are immutable and thread-safe (the listener is called on the evaluating thread).
 */
public abstract class EmbeddingEvaluator {

  private final int batchSize;
  private final int dimension;
  private final ProgressListener listener;

  /**
   * Copies the builder's settings.
   *
   * @param b the builder; not null
   */
  protected EmbeddingEvaluator(Builder<?, ?> b) {
    if (b == null) {
      throw new IllegalArgumentException("builder must not be null");
    }
    this.batchSize = b.batchSize;
    this.dimension = b.dimension;
    this.listener = b.listener;
  }

  /** {@return the number of texts per {@link Embedder#embedAll} call} */
  public final int batchSize() {
    return batchSize;
  }

  /** {@return the Matryoshka dimension, or 0 for the embedder's full dimension} */
  public final int dimension() {
    return dimension;
  }

  /** {@return the listener told about embedding progress} */
  protected final ProgressListener listener() {
    return listener;
  }

  /**
   * Embeds texts in batches of {@link #batchSize()} with one prompt, telling the listener after
   * each batch. Embeddings are checked (one per text, at least {@code dimension} values) and
   * truncated to {@code dimension} (then renormalised) when shorter than the embedder's output.
   *
   * @param embedder the embedder; not null
   * @param texts the texts; not null
   * @param prompt the prompt for every text; not null
   * @param dimension the dimension to keep, between 1 and the embedder's dimension
   * @param stage the stage name told to the listener; not null
   * @return one embedding per text, in order
   * @throws IllegalArgumentException if an argument is null or {@code dimension} is out of range
   * @throws IllegalStateException if the embedder returns the wrong number of embeddings or too
   *     few dimensions
   */
  protected final Embedding[] embed(Embedder embedder, List<String> texts, TaskPrompt prompt,
      int dimension, String stage) {
    Args.notNull(embedder, "embedder");
    Args.notNull(texts, "texts");
    Args.notNull(prompt, "prompt");
    Args.notNull(stage, "stage");
    Args.inRange(dimension, 1, embedder.dimension(), "dimension");
    return Batches.embedInBatches(embedder, texts, prompt, dimension, false, batchSize, listener,
        stage);
  }

  /**
   * Resolves the configured {@link #dimension()} against the embedder.
   *
   * @param embedder the embedder; not null
   * @return the embedder's dimension when {@link #dimension()} is 0, else {@link #dimension()}
   * @throws IllegalArgumentException if the configured dimension exceeds the embedder's
   */
  protected final int resolveDimension(Embedder embedder) {
    Args.notNull(embedder, "embedder");
    return Batches.resolveDimension(embedder, dimension);
  }

  /**
   * The settings every evaluator's builder has. Setters return the concrete builder and check
   * their argument at once; {@link #build()} makes the evaluator.
   *
   * @param <B> the concrete builder
   * @param <E> the evaluator it builds
   */
  public abstract static class Builder<B extends Builder<B, E>, E extends EmbeddingEvaluator> {

    private int batchSize;
    private int dimension = 0;
    private ProgressListener listener = ProgressListener.NONE;

    /**
     * Starts a builder.
     *
     * @param defaultBatchSize the family's default batch size, between 1 and 65536
     * @throws IllegalArgumentException if it is out of range
     */
    protected Builder(int defaultBatchSize) {
      this.batchSize = Batches.checkBatchSize(defaultBatchSize);
    }

    /**
     * Sets the number of texts per {@link Embedder#embedAll} call.
     *
     * @param batchSize between 1 and 65536; default 128 for STS and the other symmetric families,
     *     256 for retrieval
     * @return this builder
     * @throws IllegalArgumentException if {@code batchSize} is out of range
     */
    public final B batchSize(int batchSize) {
      this.batchSize = Batches.checkBatchSize(batchSize);
      return self();
    }

    /**
     * Sets the Matryoshka dimension: embeddings are truncated to their first {@code dimension}
     * values and renormalised before scoring.
     *
     * @param dimension 0 for the embedder's full dimension (default), else at least 1 and at most
     *     the embedder's dimension (checked when evaluating)
     * @return this builder
     * @throws IllegalArgumentException if {@code dimension} is negative
     */
    public final B dimension(int dimension) {
      this.dimension = Batches.checkDimension(dimension);
      return self();
    }

    /**
     * Sets the listener told about embedding progress (stage {@code "sentences"} for STS,
     * {@code "queries"} and {@code "documents"} for retrieval).
     *
     * @param listener the listener; not null (use {@link ProgressListener#NONE} for none)
     * @return this builder
     * @throws IllegalArgumentException if {@code listener} is null
     */
    public final B listener(ProgressListener listener) {
      this.listener = Batches.checkListener(listener);
      return self();
    }

    /** {@return the evaluator} */
    public abstract E build();

    @SuppressWarnings("unchecked")
    protected final B self() {
      return (B) this;
    }
  }
}
