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
 * Evaluates an {@link Embedder} on a {@link PairClassificationDataset} as MTEB's
 * pair-classification evaluator does (mteb 1.12 to 1.18): each distinct sentence is embedded once
 * with {@code TaskPrompt.symmetric(SENTENCE_SIMILARITY)}; each pair is scored by cosine
 * similarity, dot product, and the negated Euclidean and Manhattan distances; for each score the
 * average precision ({@code average_precision_score}) and the best accuracy and F1 with their
 * thresholds ({@link RankingMetrics}); the main score {@code max_ap} is the largest of the four
 * APs.
 *
 * <p>Instances are immutable and thread-safe (the listener is called on the evaluating thread).
 */
public class PairClassificationEvaluator extends EmbeddingEvaluator {

  /** The four pair scores, in the order they are reported. */
  public static final List<String> SCORES = List.of("cosine", "dot", "euclidean", "manhattan");

  /**
   * Creates the evaluator from its builder.
   *
   * @param b the builder; not null
   */
  protected PairClassificationEvaluator(Builder b) {
    super(b);
  }

  /** {@return a builder with batch size 128 and the full dimension} */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Embeds the sentences at the configured {@link #dimension()} and scores the pairs.
   *
   * @param embedder the embedder; not null, not closed
   * @param dataset the dataset; not null
   * @return AP, best accuracy and best F1 per score, and {@code max_ap}
   * @throws IllegalArgumentException if an argument is null or the configured dimension exceeds
   *     the embedder's
   */
  public PairClassificationResult evaluate(Embedder embedder, PairClassificationDataset dataset) {
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
   * @throws IllegalArgumentException if an argument is null or a dimension is out of range or
   *     repeated
   */
  public Map<Integer, PairClassificationResult> evaluateDimensions(Embedder embedder,
      PairClassificationDataset dataset, List<Integer> dimensions) {
    Args.notNull(embedder, "embedder");
    Args.notNull(dataset, "dataset");
    List<Integer> dims = Matryoshka.resolve(embedder, dimensions);
    Map<String, Integer> index = new LinkedHashMap<>();
    for (SentencePair p : dataset.pairs()) {
      index.putIfAbsent(p.sentence1(), index.size());
      index.putIfAbsent(p.sentence2(), index.size());
    }
    Embedding[] e = embed(embedder, new ArrayList<>(index.keySet()),
        TaskPrompt.symmetric(TaskPrompt.SENTENCE_SIMILARITY), Matryoshka.largest(dims),
        "sentences");
    int n = dataset.pairs().size();
    boolean[] labels = new boolean[n];
    int[] a = new int[n];
    int[] b = new int[n];
    for (int i = 0; i < n; i++) {
      SentencePair p = dataset.pairs().get(i);
      labels[i] = p.positive();
      a[i] = index.get(p.sentence1());
      b[i] = index.get(p.sentence2());
    }
    Map<Integer, PairClassificationResult> out = new LinkedHashMap<>();
    for (int dim : dims) {
      double[][] v = Matryoshka.vectors(e, dim);
      out.put(dim, score(dataset.name(), v, a, b, labels, dim));
    }
    return out;
  }

  /** Scores pairs of vectors (package-private for tests on hand-made vectors). */
  static PairClassificationResult score(String name, double[][] v, int[] a, int[] b,
      boolean[] labels, int dim) {
    int n = labels.length;
    double[][] s = new double[4][n];
    for (int i = 0; i < n; i++) {
      double[] x = v[a[i]];
      double[] y = v[b[i]];
      double dot = 0;
      double nx = 0;
      double ny = 0;
      double eu = 0;
      double ma = 0;
      for (int j = 0; j < x.length; j++) {
        dot += x[j] * y[j];
        nx += x[j] * x[j];
        ny += y[j] * y[j];
        double d = x[j] - y[j];
        eu += d * d;
        ma += Math.abs(d);
      }
      s[0][i] = dot / Math.max(Math.sqrt(nx) * Math.sqrt(ny), 1e-12);
      s[1][i] = dot;
      s[2][i] = Math.sqrt(eu);
      s[3][i] = ma;
    }
    Map<String, PairClassificationResult.Scores> per = new LinkedHashMap<>();
    for (int m = 0; m < 4; m++) {
      boolean similarity = m < 2;
      double[] ap = new double[n];
      for (int i = 0; i < n; i++) {
        ap[i] = similarity ? s[m][i] : -s[m][i];
      }
      double[] acc = RankingMetrics.bestAccuracy(labels, s[m], similarity);
      double[] f1 = RankingMetrics.bestF1(labels, s[m], similarity);
      per.put(SCORES.get(m), new PairClassificationResult.Scores(
          RankingMetrics.averagePrecision(labels, ap), acc[0], acc[1], f1[0], f1[1], f1[2],
          f1[3]));
    }
    return new PairClassificationResult(name, per, n, dim);
  }

  /** Builds a {@link PairClassificationEvaluator}; each setter validates its argument. */
  public static class Builder
      extends EmbeddingEvaluator.Builder<Builder, PairClassificationEvaluator> {

    /** Starts with batch size 128. */
    protected Builder() {
      super(128);
    }

    @Override
    public PairClassificationEvaluator build() {
      return new PairClassificationEvaluator(this);
    }
  }
}
