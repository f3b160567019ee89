package dev.gecko4j.core.eval;

import dev.gecko4j.core.Embedder;
import dev.gecko4j.core.ProgressListener;

/**
 * What every evaluator shares: it embeds a dataset's texts in batches of {@link #batchSize()}
 * texts, at the Matryoshka {@link #dimension()}, telling a {@link ProgressListener} as it goes.
 * {@link StsEvaluator} and {@link RetrievalEvaluator} add what they score; their builders extend
 * {@link Builder}, which holds these three settings.
 *
 * <p>Instances are immutable and thread-safe (the listener is called on the evaluating thread).
 */
public abstract sealed class EmbeddingEvaluator permits StsEvaluator, RetrievalEvaluator {

  private final int batchSize;
  private final int dimension;
  private final ProgressListener listener;

  EmbeddingEvaluator(Builder<?, ?> b) {
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
  final ProgressListener listener() {
    return listener;
  }

  /**
   * The settings every evaluator's builder has. Setters return the concrete builder and check
   * their argument at once; {@link #build()} makes the evaluator.
   *
   * @param <B> the concrete builder
   * @param <E> the evaluator it builds
   */
  public abstract static sealed class Builder<B extends Builder<B, E>, E extends EmbeddingEvaluator>
      permits StsEvaluator.Builder, RetrievalEvaluator.Builder {

    private int batchSize;
    private int dimension = 0;
    private ProgressListener listener = ProgressListener.NONE;

    Builder(int defaultBatchSize) {
      this.batchSize = defaultBatchSize;
    }

    /**
     * Sets the number of texts per {@link Embedder#embedAll} call.
     *
     * @param batchSize between 1 and 65536; default 128 for STS, 256 for retrieval
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
    private B self() {
      return (B) this;
    }
  }
}
