package dev.gecko4j.core.train;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The contrastive loss of a training run, as a value a user constructs and composes (the
 * sentence-transformers way: one loss wraps another) and passes to {@link
 * TrainingConfig.Builder#loss(ContrastiveLoss)}. It describes the formula; the trainer
 * ({@code gecko-train}) computes it on its tensor engine. The {@link TrainingConfig.Loss} enum is
 * a shorthand for two of these ({@link TrainingConfig.Loss#toContrastiveLoss(double)}).
 *
 * <p>Every loss sees a batch of {@code B} aligned rows {@code (q_i, p_i, n_i)} (query, positive,
 * optional hard negative) and scores pairs by cosine similarity {@code s} over a temperature
 * {@code τ}.
 *
 * <table class="striped">
 *   <caption>The losses and their sentence-transformers counterparts</caption>
 *   <thead><tr><th>gecko4j</th><th>sentence-transformers</th></tr></thead>
 *   <tbody>
 *     <tr><td>{@link #gecko(double)}</td><td>(Gecko, eq. 3: MNRL plus same-tower query–query
 *         negatives, only the row's own hard negative)</td></tr>
 *     <tr><td>{@link #inBatch(double)}</td><td>{@code MultipleNegativesRankingLoss} on (anchor,
 *         positive) pairs</td></tr>
 *     <tr><td>{@link #multipleNegativesRanking(double)}</td><td>{@code
 *         MultipleNegativesRankingLoss(model, scale)} on triplets: every row's negative is a
 *         candidate for every query ({@code τ = 1/scale}, default scale 20)</td></tr>
 *     <tr><td>{@link InfoNce#withSymmetric(boolean) withSymmetric(true)}</td><td>{@code
 *         MultipleNegativesSymmetricRankingLoss}: the mean of query→document and
 *         document→query</td></tr>
 *     <tr><td>{@link #matryoshka(ContrastiveLoss, int...)}</td><td>{@code MatryoshkaLoss(model,
 *         loss, matryoshka_dims, matryoshka_weights)}</td></tr>
 *     <tr><td>{@link #sum(Term...)}</td><td>several losses added with weights</td></tr>
 *     <tr><td>{@link TrainingConfig#microBatchSize()} below the batch size</td><td>{@code
 *         CachedMultipleNegativesRankingLoss(mini_batch_size)}: GradCache, the same loss value
 *         with the memory of a micro-batch, for every loss here</td></tr>
 *   </tbody>
 * </table>
 *
 * {@snippet lang=java :
 * ContrastiveLoss loss = ContrastiveLoss.matryoshka(ContrastiveLoss.gecko(0.02),
 *     new int[] {384, 256, 128}, new double[] {1, 1, 0.5});
 * TrainingConfig config = TrainingConfig.builder("bge-small-en-v1.5", out).loss(loss).build();
 * }
 *
 * <p>The implementations are the immutable records nested here; the trainer computes those and,
 * for a formula none of them covers, gecko-train's engine-level {@code
 * dev.gecko4j.train.djl.DjlContrastiveLoss} (which extends this interface and is bound to the DJL
 * engine, outside the stable API). Any other implementation is rejected by the trainer when the
 * run starts.
 */
public interface ContrastiveLoss {

  /**
   * Returns whether hard negatives enter the loss when the batch has them; when false the trainer
   * does not encode them.
   *
   * @return true if the rows' {@code n_i} are used
   */
  boolean usesNegatives();

  /**
   * Gecko's loss (Lee et al., 2024, eq. 3): in-batch positives, same-tower query–query negatives
   * and the row's own hard negative.
   *
   * @param temperature τ, in (0, 10] (Gecko does not publish its value; 0.05 as in E5 and GTE)
   * @return the loss
   * @throws IllegalArgumentException if τ is out of range
   */
  static InfoNce gecko(double temperature) {
    return new InfoNce(temperature, HardNegatives.OWN_ROW, true, false);
  }

  /**
   * Plain in-batch InfoNCE (Gecko's pre-finetuning): each query against every row's positive.
   *
   * @param temperature τ, in (0, 10]
   * @return the loss
   * @throws IllegalArgumentException if τ is out of range
   */
  static InfoNce inBatch(double temperature) {
    return new InfoNce(temperature, HardNegatives.NONE, false, false);
  }

  /**
   * sentence-transformers' {@code MultipleNegativesRankingLoss}: each query against every row's
   * positive and every row's hard negative, similarities multiplied by {@code scale}.
   *
   * @param scale the inverse temperature, {@code >= 0.1} (sentence-transformers' default is 20)
   * @return the loss, with {@code τ = 1/scale}
   * @throws IllegalArgumentException if scale is not finite or below 0.1
   */
  static InfoNce multipleNegativesRanking(double scale) {
    if (!(scale >= 0.1) || Double.isInfinite(scale)) {
      throw new IllegalArgumentException("scale must be finite and >= 0.1 (τ = 1/scale in (0, 10]),"
          + " but is: " + scale);
    }
    return new InfoNce(1.0 / scale, HardNegatives.ALL_ROWS, false, false);
  }

  /**
   * Matryoshka representation learning with weight 1 for every dimension: {@code inner} on the
   * first {@code d} dimensions, for each {@code d}, summed.
   *
   * @param inner the loss applied to each truncation; not null
   * @param dims truncation sizes, each {@code >= 1}, distinct, at least one
   * @return the loss
   * @throws IllegalArgumentException if an argument is invalid
   */
  static Matryoshka matryoshka(ContrastiveLoss inner, int... dims) {
    if (dims == null) {
      throw new IllegalArgumentException("dims must name at least one dimension, but is: null");
    }
    double[] w = new double[dims.length];
    Arrays.fill(w, 1.0);
    return matryoshka(inner, dims, w);
  }

  /**
   * Matryoshka representation learning: {@code L = Σ_k w_k · inner(x[:, :d_k])}.
   *
   * @param inner the loss applied to each truncation; not null
   * @param dims truncation sizes, each {@code >= 1}, distinct, at least one
   * @param weights one finite weight {@code >= 0} per dimension
   * @return the loss
   * @throws IllegalArgumentException if an argument is invalid
   */
  static Matryoshka matryoshka(ContrastiveLoss inner, int[] dims, double[] weights) {
    if (dims == null || weights == null) {
      throw new IllegalArgumentException("dims and weights must not be null, but are: "
          + Arrays.toString(dims) + ", " + Arrays.toString(weights));
    }
    return new Matryoshka(inner, Arrays.stream(dims).boxed().toList(),
        Arrays.stream(weights).boxed().toList());
  }

  /**
   * A weighted sum of losses on the same batch: {@code L = Σ_k w_k · L_k}.
   *
   * @param terms the losses with their weights, at least one
   * @return the loss
   * @throws IllegalArgumentException if {@code terms} is empty or holds null
   */
  static WeightedSum sum(Term... terms) {
    if (terms == null) {
      throw new IllegalArgumentException("terms must name at least one loss, but is: null");
    }
    return new WeightedSum(Arrays.asList(terms));
  }

  /**
   * One term of a {@link #sum(Term...)}.
   *
   * @param loss the loss; not null
   * @param weight its finite weight, {@code >= 0}
   * @return the term
   * @throws IllegalArgumentException if an argument is invalid
   */
  static Term term(ContrastiveLoss loss, double weight) {
    return new Term(loss, weight);
  }

  /** Which hard negatives enter the softmax of an {@link InfoNce} loss. */
  enum HardNegatives {
    /** None: rows' negatives are not encoded. */
    NONE,
    /** The row's own negative {@code n_i} only (Gecko). */
    OWN_ROW,
    /** Every row's negative {@code n_j} (sentence-transformers' MultipleNegativesRankingLoss). */
    ALL_ROWS
  }

  /**
   * In-batch InfoNCE with cosine similarity over a temperature. For query {@code q_i} the softmax
   * runs over the candidates {@code s(q_i, p_j)/τ} for every row {@code j}, plus {@code s(q_i,
   * q_j)/τ} for {@code j ≠ i} when {@code queryQueryNegatives}, plus the hard negatives {@code
   * hardNegatives} selects; the loss is the mean of {@code -log softmax} at {@code p_i}. When
   * {@code symmetric}, the document→query direction ({@code p_i} against every {@code q_j}) is
   * added and the two are averaged.
   *
   * @param temperature τ, in (0, 10]
   * @param hardNegatives which hard negatives are candidates; not null
   * @param queryQueryNegatives whether the other rows' queries are candidates (Gecko's same-tower
   *     negatives)
   * @param symmetric whether the document→query direction is averaged in
   */
  record InfoNce(double temperature, HardNegatives hardNegatives, boolean queryQueryNegatives,
      boolean symmetric) implements ContrastiveLoss {

    /**
     * Validates the fields.
     *
     * @throws IllegalArgumentException if τ is not in (0, 10] or hardNegatives is null
     */
    public InfoNce {
      if (!(temperature > 0 && temperature <= 10)) {
        throw new IllegalArgumentException("temperature must be in (0, 10], but is: " + temperature);
      }
      if (hardNegatives == null) {
        throw new IllegalArgumentException("hardNegatives must be one of "
            + Arrays.toString(HardNegatives.values()) + ", but is: null");
      }
    }

    @Override
    public boolean usesNegatives() {
      return hardNegatives != HardNegatives.NONE;
    }

    /**
     * Returns this loss with another temperature; this one is not changed.
     *
     * @param t τ, in (0, 10]
     * @return the new loss
     * @throws IllegalArgumentException if τ is out of range
     */
    public InfoNce withTemperature(double t) {
      return new InfoNce(t, hardNegatives, queryQueryNegatives, symmetric);
    }

    /**
     * Returns this loss with other hard negatives; this one is not changed.
     *
     * @param h which hard negatives are candidates; not null
     * @return the new loss
     * @throws IllegalArgumentException if {@code h} is null
     */
    public InfoNce withHardNegatives(HardNegatives h) {
      return new InfoNce(temperature, h, queryQueryNegatives, symmetric);
    }

    /**
     * Returns this loss with or without query–query negatives; this one is not changed.
     *
     * @param on whether the other rows' queries are candidates
     * @return the new loss
     */
    public InfoNce withQueryQueryNegatives(boolean on) {
      return new InfoNce(temperature, hardNegatives, on, symmetric);
    }

    /**
     * Returns this loss with or without the document→query direction; this one is not changed.
     *
     * @param on whether the document→query direction is averaged in
     * @return the new loss
     */
    public InfoNce withSymmetric(boolean on) {
      return new InfoNce(temperature, hardNegatives, queryQueryNegatives, on);
    }
  }

  /**
   * Matryoshka representation learning (Kusupati et al., 2022): {@code L = Σ_k w_k ·
   * inner(x[:, :d_k])}, the inner loss on the first {@code d_k} dimensions of every embedding.
   * The trainer checks, when the run starts, that every {@code d_k} is at most the model's
   * embedding dimension.
   *
   * @param inner the loss applied to each truncation; not null
   * @param dims truncation sizes, each {@code >= 1}, distinct, at least one; unmodifiable
   * @param weights one finite weight {@code >= 0} per dimension; unmodifiable
   */
  record Matryoshka(ContrastiveLoss inner, List<Integer> dims, List<Double> weights)
      implements ContrastiveLoss {

    /**
     * Validates and copies the fields.
     *
     * @throws IllegalArgumentException if an argument is invalid
     */
    public Matryoshka {
      if (inner == null) {
        throw new IllegalArgumentException("inner must not be null");
      }
      if (dims == null || dims.isEmpty()) {
        throw new IllegalArgumentException("dims must name at least one dimension, but is: " + dims);
      }
      if (weights == null || weights.size() != dims.size()) {
        throw new IllegalArgumentException("weights must have one entry per dim (" + dims.size()
            + "), but has " + (weights == null ? "null" : weights.size()));
      }
      for (Integer d : dims) {
        if (d == null || d < 1) {
          throw new IllegalArgumentException("dims must be >= 1, but contain: " + d);
        }
      }
      if (dims.stream().distinct().count() != dims.size()) {
        throw new IllegalArgumentException("dims must be distinct, but are: " + dims);
      }
      for (Double w : weights) {
        if (w == null || !(w >= 0) || w.isInfinite()) {
          throw new IllegalArgumentException("weights must be finite and >= 0, but contain: " + w);
        }
      }
      dims = List.copyOf(dims);
      weights = List.copyOf(weights);
    }

    @Override
    public boolean usesNegatives() {
      return inner.usesNegatives();
    }
  }

  /**
   * One weighted term of a {@link WeightedSum}.
   *
   * @param loss the loss; not null
   * @param weight its finite weight, {@code >= 0}
   */
  record Term(ContrastiveLoss loss, double weight) {
    /**
     * Validates the fields.
     *
     * @throws IllegalArgumentException if the loss is null or the weight negative or not finite
     */
    public Term {
      if (loss == null) {
        throw new IllegalArgumentException("loss must not be null");
      }
      if (!(weight >= 0) || Double.isInfinite(weight)) {
        throw new IllegalArgumentException("weight must be finite and >= 0, but is: " + weight);
      }
    }
  }

  /**
   * Several losses on the same batch, added with weights: {@code L = Σ_k w_k · L_k}. Hard
   * negatives are encoded when any term uses them.
   *
   * @param terms the terms, at least one; unmodifiable
   */
  record WeightedSum(List<Term> terms) implements ContrastiveLoss {
    /**
     * Validates and copies the terms.
     *
     * @throws IllegalArgumentException if {@code terms} is null, empty or holds null
     */
    public WeightedSum {
      if (terms == null || terms.isEmpty()) {
        throw new IllegalArgumentException("terms must name at least one loss, but is: " + terms);
      }
      for (int i = 0; i < terms.size(); i++) {
        if (terms.get(i) == null) {
          throw new IllegalArgumentException(String.format(Locale.ROOT,
              "terms[%d] must not be null", i));
        }
      }
      terms = List.copyOf(terms);
    }

    @Override
    public boolean usesNegatives() {
      return terms.stream().anyMatch(t -> t.loss().usesNegatives());
    }
  }
}
