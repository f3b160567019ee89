package dev.gecko4j.core.eval;

import dev.gecko4j.core.internal.Args;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The result of an {@link StsEvaluator} run.
 *
 * @param dataset the dataset name
 * @param spearman Spearman correlation of cosine similarity with the gold scores (MTEB's
 *     {@code cosine_spearman}, the main score)
 * @param pearson Pearson correlation of cosine similarity with the gold scores (MTEB's
 *     {@code cosine_pearson})
 * @param pairs the number of pairs scored
 * @param dimension the embedding dimension used (the full one, or the Matryoshka truncation)
 */
public record StsResult(String dataset, double spearman, double pearson, int pairs, int dimension)
    implements EvaluationResult {

  /** Validates the fields. */
  public StsResult {
    Args.notNull(dataset, "dataset");
    Args.atLeast(pairs, 2, "pairs");
    Args.positive(dimension, "dimension");
  }

  /** Returns {@code cosine_spearman}. */
  @Override
  public String metric() {
    return "cosine_spearman";
  }

  /** Returns {@link #spearman()}. */
  @Override
  public double score() {
    return spearman;
  }

  /** Returns {@code cosine_pearson}, {@code pairs} and {@code dimension}. */
  @Override
  public Map<String, Object> details() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cosine_pearson", pearson);
    m.put("pairs", pairs);
    m.put("dimension", dimension);
    return m;
  }
}
