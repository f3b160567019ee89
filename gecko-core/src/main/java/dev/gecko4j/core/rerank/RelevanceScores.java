package dev.gecko4j.core.rerank;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The scores a {@link TextReranker} gave a query's passages, in input order: the raw logits of every
 * label, and the probabilities computed from them in double (the sigmoid of the logit when the model
 * has one label, the softmax over the labels otherwise). One label, the <em>relevance label</em>,
 * is the one a single score per passage is read from ({@link #logit(int)}, {@link
 * #probability(int)}, {@link #scores(ScoreScale)}).
 *
 * <p>The passages are ordered by an optional <em>ranking score</em> ({@link #rankingScore(int)}):
 * by default the relevance probability (equal in order to the logit for one label); a reranker
 * whose ordering is not a per-pair quantity (the LLM re-ranker fuses two rankings by reciprocal
 * rank) supplies its own. Ties are broken by input order.
 *
 * <p>Immutable: arrays are copied in and out.
 */
public final class RelevanceScores {

  private final List<String> labels;
  private final int relevanceLabel;
  private final double[][] logits;
  private final double[][] probabilities;
  private final double[] ranking;

  private RelevanceScores(List<String> labels, int relevanceLabel, double[][] logits,
      double[] ranking) {
    this.labels = labels;
    this.relevanceLabel = relevanceLabel;
    this.logits = logits;
    this.probabilities = new double[logits.length][];
    for (int i = 0; i < logits.length; i++) {
      probabilities[i] = probabilities(logits[i]);
    }
    this.ranking = ranking;
  }

  /**
   * Creates scores from logits.
   *
   * @param labels the label names, one per logit column; at least one, none blank
   * @param relevanceLabel the index of the label single scores are read from
   * @param logits one row per passage, each with {@code labels.size()} finite or infinite values
   *     (NaN refused); may be empty
   * @return the scores, ranked by relevance probability
   * @throws IllegalArgumentException naming the bad value
   */
  public static RelevanceScores ofLogits(List<String> labels, int relevanceLabel, double[][] logits) {
    return new RelevanceScores(checkLabels(labels, relevanceLabel), relevanceLabel,
        copy(logits, labels.size()), null);
  }

  /**
   * Creates scores from logits with an explicit ranking score per passage (higher ranks first).
   *
   * @param labels the label names, one per logit column; at least one, none blank
   * @param relevanceLabel the index of the label single scores are read from
   * @param logits one row per passage, each with {@code labels.size()} values (NaN refused)
   * @param rankingScores one score per passage, not NaN
   * @return the scores
   * @throws IllegalArgumentException naming the bad value
   */
  public static RelevanceScores ofLogits(List<String> labels, int relevanceLabel, double[][] logits,
      double[] rankingScores) {
    double[][] rows = copy(logits, checkLabels(labels, relevanceLabel).size());
    if (rankingScores == null || rankingScores.length != rows.length) {
      throw new IllegalArgumentException("rankingScores must have one value per passage ("
          + rows.length + "), but has: "
          + (rankingScores == null ? "null" : rankingScores.length));
    }
    for (int i = 0; i < rankingScores.length; i++) {
      if (Double.isNaN(rankingScores[i])) {
        throw new IllegalArgumentException("rankingScores[" + i + "] must not be NaN");
      }
    }
    return new RelevanceScores(List.copyOf(labels), relevanceLabel, rows, rankingScores.clone());
  }

  private static List<String> checkLabels(List<String> labels, int relevanceLabel) {
    if (labels == null || labels.isEmpty()) {
      throw new IllegalArgumentException("labels must name at least one label, but is: " + labels);
    }
    for (int j = 0; j < labels.size(); j++) {
      if (labels.get(j) == null || labels.get(j).isBlank()) {
        throw new IllegalArgumentException("labels[" + j + "] must not be blank, but is: "
            + labels.get(j));
      }
    }
    if (relevanceLabel < 0 || relevanceLabel >= labels.size()) {
      throw new IllegalArgumentException("relevanceLabel must be in [0, " + (labels.size() - 1)
          + "] for labels " + labels + ", but is: " + relevanceLabel);
    }
    return List.copyOf(labels);
  }

  private static double[][] copy(double[][] logits, int width) {
    if (logits == null) {
      throw new IllegalArgumentException("logits must not be null");
    }
    double[][] out = new double[logits.length][];
    for (int i = 0; i < logits.length; i++) {
      if (logits[i] == null || logits[i].length != width) {
        throw new IllegalArgumentException("logits[" + i + "] must have " + width
            + " values (one per label), but has: " + (logits[i] == null ? "null" : logits[i].length));
      }
      for (int j = 0; j < width; j++) {
        if (Double.isNaN(logits[i][j])) {
          throw new IllegalArgumentException("logits[" + i + "][" + j + "] must not be NaN");
        }
      }
      out[i] = logits[i].clone();
    }
    return out;
  }

  /**
   * Returns the probabilities of one row of logits: the sigmoid for a single logit, the softmax
   * (max-subtracted, in double) for several.
   *
   * @param logits the logits of one passage; at least one, no NaN
   * @return the probabilities, each in [0, 1]
   * @throws IllegalArgumentException if {@code logits} is null, empty or holds NaN
   */
  public static double[] probabilities(double[] logits) {
    if (logits == null || logits.length == 0) {
      throw new IllegalArgumentException("logits must hold at least one value, but is: "
          + (logits == null ? "null" : "empty"));
    }
    if (logits.length == 1) {
      return new double[] {sigmoid(logits[0])};
    }
    double max = Double.NEGATIVE_INFINITY;
    for (double v : logits) {
      if (Double.isNaN(v)) {
        throw new IllegalArgumentException("logits must not hold NaN: " + Arrays.toString(logits));
      }
      max = Math.max(max, v);
    }
    double[] p = new double[logits.length];
    if (max == Double.NEGATIVE_INFINITY) {
      Arrays.fill(p, 1.0 / p.length);
      return p;
    }
    double z = 0;
    for (int j = 0; j < p.length; j++) {
      p[j] = Math.exp(logits[j] - max);
      z += p[j];
    }
    for (int j = 0; j < p.length; j++) {
      p[j] /= z;
    }
    return p;
  }

  /**
   * Returns the logistic sigmoid {@code 1 / (1 + e^-x)} in double, stable for large |x|.
   *
   * @param x the logit; not NaN
   * @return the probability in [0, 1]
   * @throws IllegalArgumentException if {@code x} is NaN
   */
  public static double sigmoid(double x) {
    if (Double.isNaN(x)) {
      throw new IllegalArgumentException("x must not be NaN");
    }
    if (x >= 0) {
      return 1.0 / (1.0 + Math.exp(-x));
    }
    double e = Math.exp(x);
    return e / (1.0 + e);
  }

  /** {@return the number of passages scored} */
  public int size() {
    return logits.length;
  }

  /** {@return the label names, one per logit column} */
  public List<String> labels() {
    return labels;
  }

  /** {@return the index of the label single scores are read from} */
  public int relevanceLabel() {
    return relevanceLabel;
  }

  /**
   * Returns the raw logit of the relevance label of passage {@code i}.
   *
   * @param i the passage index, in input order
   * @return the logit
   * @throws IllegalArgumentException if {@code i} is out of range
   */
  public double logit(int i) {
    return logits[check(i)][relevanceLabel];
  }

  /**
   * Returns every label's raw logit of passage {@code i}.
   *
   * @param i the passage index
   * @return a copy of the logits, one per label
   * @throws IllegalArgumentException if {@code i} is out of range
   */
  public double[] logits(int i) {
    return logits[check(i)].clone();
  }

  /**
   * Returns the probability of the relevance label of passage {@code i} (sigmoid for one label,
   * softmax over the labels otherwise).
   *
   * @param i the passage index
   * @return the probability, in [0, 1]
   * @throws IllegalArgumentException if {@code i} is out of range
   */
  public double probability(int i) {
    return probabilities[check(i)][relevanceLabel];
  }

  /**
   * Returns every label's probability of passage {@code i}.
   *
   * @param i the passage index
   * @return a copy, one per label
   * @throws IllegalArgumentException if {@code i} is out of range
   */
  public double[] probabilities(int i) {
    return probabilities[check(i)].clone();
  }

  /**
   * Returns the score of passage {@code i} on {@code scale}.
   *
   * @param i the passage index
   * @param scale the scale; not null
   * @return {@link #logit(int)} or {@link #probability(int)}
   * @throws IllegalArgumentException if {@code i} is out of range or {@code scale} null
   */
  public double score(int i, ScoreScale scale) {
    if (scale == null) {
      throw new IllegalArgumentException("scale must not be null");
    }
    return scale == ScoreScale.LOGIT ? logit(i) : probability(i);
  }

  /**
   * Returns one score per passage, in input order, on {@code scale}.
   *
   * @param scale the scale; not null
   * @return a new array
   * @throws IllegalArgumentException if {@code scale} is null
   */
  public double[] scores(ScoreScale scale) {
    if (scale == null) {
      throw new IllegalArgumentException("scale must not be null");
    }
    double[] out = new double[size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = score(i, scale);
    }
    return out;
  }

  /**
   * Returns the score passage {@code i} is ranked by (higher first): the relevance probability,
   * or, for the single-label case, its logit (the same order, without the sigmoid's saturation), or
   * the reranker's own ranking score when it supplied one.
   *
   * @param i the passage index
   * @return the ranking score
   * @throws IllegalArgumentException if {@code i} is out of range
   */
  public double rankingScore(int i) {
    check(i);
    if (ranking != null) {
      return ranking[i];
    }
    return labels.size() == 1 ? logits[i][0] : probabilities[i][relevanceLabel];
  }

  /**
   * Returns the passage indices best first: by {@link #rankingScore(int)} descending, ties by input
   * order.
   *
   * @return a permutation of {@code 0..size()-1}
   */
  public int[] order() {
    Integer[] idx = new Integer[size()];
    for (int i = 0; i < idx.length; i++) {
      idx[i] = i;
    }
    Arrays.sort(idx, Comparator.<Integer>comparingDouble(this::rankingScore).reversed()
        .thenComparingInt(i -> i));
    int[] out = new int[idx.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = idx[i];
    }
    return out;
  }

  /**
   * Returns the best {@code topN} passages, best first, each with its score on {@code scale}.
   *
   * @param passages the passages these scores belong to, in input order
   * @param topN how many to keep, at least 1 (fewer come back when there are fewer passages)
   * @param scale the scale of the reported scores; not null
   * @return the ranked passages
   * @throws IllegalArgumentException if {@code passages} does not have {@link #size()} elements,
   *     {@code topN < 1} or {@code scale} is null
   */
  public List<RankedPassage> top(List<String> passages, int topN, ScoreScale scale) {
    if (passages == null || passages.size() != size()) {
      throw new IllegalArgumentException("passages must have the " + size()
          + " passages that were scored, but has: " + (passages == null ? "null" : passages.size()));
    }
    if (topN < 1) {
      throw new IllegalArgumentException("topN must be >= 1, but is: " + topN);
    }
    if (scale == null) {
      throw new IllegalArgumentException("scale must not be null");
    }
    int[] order = order();
    int n = Math.min(topN, order.length);
    List<RankedPassage> out = new ArrayList<>(n);
    for (int r = 0; r < n; r++) {
      int i = order[r];
      out.add(new RankedPassage(i, passages.get(i), score(i, scale)));
    }
    return List.copyOf(out);
  }

  private int check(int i) {
    if (i < 0 || i >= logits.length) {
      throw new IllegalArgumentException("passage index must be in [0, " + logits.length
          + "), but is: " + i);
    }
    return i;
  }

  @Override
  public String toString() {
    return "RelevanceScores[" + size() + " passages, labels=" + labels + ", relevance="
        + labels.get(relevanceLabel) + "]";
  }
}
