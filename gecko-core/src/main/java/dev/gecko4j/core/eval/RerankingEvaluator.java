package dev.gecko4j.core.eval;

import dev.gecko4j.core.Embedder;
import dev.gecko4j.core.Embedding;
import dev.gecko4j.core.TaskPrompt;
import dev.gecko4j.core.internal.Args;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Evaluates an {@link Embedder} on a {@link RerankingDataset} as MTEB's reranking evaluator does
 * (mteb 1.12): queries with no relevant or no irrelevant candidate are dropped; each remaining
 * query's candidates are ordered by cosine similarity to the query; per query the average
 * precision ({@code average_precision_score}) and the reciprocal rank of the first relevant
 * candidate within the top {@link Builder#mrrAt} (10); the main score {@code map} is the mean AP,
 * {@code mrr} the mean reciprocal rank. Queries are embedded as {@code TaskPrompt.query(task)} and
 * candidates as {@code TaskPrompt.document()} ({@code task} defaults to "search result"; MTEB's
 * 1.12 runs gave the bundled models no prefix here, as {@code TaskPrompt.symmetric} would on all
 * of them: choose with {@link Builder#symmetric}).
 *
 * <p>Instances are immutable and thread-safe (the listener is called on the evaluating thread).
 */
public class RerankingEvaluator extends EmbeddingEvaluator {

  private final int mrrAt;
  private final boolean symmetric;

  /**
   * Creates the evaluator from its builder.
   *
   * @param b the builder; not null
   */
  protected RerankingEvaluator(Builder b) {
    super(b);
    this.mrrAt = b.mrrAt;
    this.symmetric = b.symmetric;
  }

  /** {@return a builder with MRR@10, symmetric prompts, batch size 128} */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Embeds queries and candidates at the configured {@link #dimension()} and scores the ordering.
   *
   * @param embedder the embedder; not null, not closed
   * @param dataset the dataset; not null
   * @return MAP (main) and MRR@k
   * @throws IllegalArgumentException if an argument is null, the configured dimension exceeds the
   *     embedder's, or no query has both a relevant and an irrelevant candidate
   */
  public RerankingResult evaluate(Embedder embedder, RerankingDataset dataset) {
    Args.notNull(embedder, "embedder");
    int dim = resolveDimension(embedder);
    return evaluateDimensions(embedder, dataset, List.of(dim)).get(dim);
  }

  /**
   * Like {@link #evaluate} for several Matryoshka dimensions, embedding once at the largest.
   *
   * @param embedder the embedder; not null, not closed
   * @param dataset the dataset; not null
   * @param dimensions the dimensions, each 0 (the embedder's) or between 1 and its dimension,
   *     without repeats
   * @return the result per resolved dimension, in the given order
   * @throws IllegalArgumentException if an argument is null, a dimension is out of range or
   *     repeated, or no query has both a relevant and an irrelevant candidate
   */
  public Map<Integer, RerankingResult> evaluateDimensions(Embedder embedder,
      RerankingDataset dataset, List<Integer> dimensions) {
    Args.notNull(embedder, "embedder");
    Args.notNull(dataset, "dataset");
    List<Integer> dims = Matryoshka.resolve(embedder, dimensions);
    List<RerankingSample> kept = dataset.samples().stream()
        .filter(s -> !s.positive().isEmpty() && !s.negative().isEmpty()).toList();
    if (kept.isEmpty()) {
      throw new IllegalArgumentException("dataset " + dataset.name() + " has no query with both a "
          + "positive and a negative candidate; MTEB drops such queries, so nothing is left");
    }
    List<String> queries = kept.stream().map(RerankingSample::query).toList();
    List<String> docs = new ArrayList<>();
    kept.forEach(s -> {
      docs.addAll(s.positive());
      docs.addAll(s.negative());
    });
    int largest = Matryoshka.largest(dims);
    TaskPrompt qp = symmetric ? TaskPrompt.symmetric(TaskPrompt.SEARCH_RESULT)
        : TaskPrompt.query(TaskPrompt.SEARCH_RESULT);
    TaskPrompt dp = symmetric ? TaskPrompt.symmetric(TaskPrompt.SEARCH_RESULT)
        : TaskPrompt.document();
    Embedding[] qe = embed(embedder, queries, qp, largest, "queries");
    Embedding[] de = embed(embedder, docs, dp, largest, "documents");
    Map<Integer, RerankingResult> out = new LinkedHashMap<>();
    for (int dim : dims) {
      double[][] q = Matryoshka.vectors(qe, dim);
      double[][] d = Matryoshka.vectors(de, dim);
      double map = 0;
      double mrr = 0;
      int off = 0;
      for (int i = 0; i < kept.size(); i++) {
        RerankingSample s = kept.get(i);
        int m = s.positive().size() + s.negative().size();
        boolean[] rel = new boolean[m];
        double[] sim = new double[m];
        for (int j = 0; j < m; j++) {
          rel[j] = j < s.positive().size();
          sim[j] = cosine(q[i], d[off + j]);
        }
        off += m;
        map += RankingMetrics.averagePrecision(rel, sim);
        mrr += RankingMetrics.reciprocalRankAt(rel, sim, mrrAt);
      }
      out.put(dim, new RerankingResult(dataset.name(), map / kept.size(), mrr / kept.size(),
          mrrAt, kept.size(), dim));
    }
    return out;
  }

  private static double cosine(double[] a, double[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
      na += a[i] * a[i];
      nb += b[i] * b[i];
    }
    return dot / Math.max(Math.sqrt(na) * Math.sqrt(nb), 1e-12);
  }

  /** Builds a {@link RerankingEvaluator}; each setter validates its argument. */
  public static class Builder extends EmbeddingEvaluator.Builder<Builder, RerankingEvaluator> {

    private int mrrAt = 10;
    private boolean symmetric = true;

    /** Starts with MRR@10, symmetric prompts and batch size 128. */
    protected Builder() {
      super(128);
    }

    /**
     * Sets the cut-off of the reciprocal rank.
     *
     * @param k at least 1; default 10 (MTEB's)
     * @return this builder
     * @throws IllegalArgumentException if below 1
     */
    public Builder mrrAt(int k) {
      this.mrrAt = Args.atLeast(k, 1, "k");
      return this;
    }

    /**
     * Chooses the prompts: symmetric (true, default; what MTEB 1.12 gave the bundled models) or
     * query / document (false; for models whose convention prompts the two sides differently).
     *
     * @param symmetric whether both sides get the symmetric prompt
     * @return this builder
     */
    public Builder symmetric(boolean symmetric) {
      this.symmetric = symmetric;
      return this;
    }

    @Override
    public RerankingEvaluator build() {
      return new RerankingEvaluator(this);
    }
  }
}
