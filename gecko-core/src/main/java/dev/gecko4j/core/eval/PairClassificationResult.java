package dev.gecko4j.core.eval;

import dev.gecko4j.core.internal.Args;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The result of a {@link PairClassificationEvaluator} run.
 *
 * @param dataset the dataset name
 * @param scores the metrics per pair score ({@code cosine}, {@code dot}, {@code euclidean},
 *     {@code manhattan})
 * @param pairs the number of pairs
 * @param dimension the embedding dimension used
 */
public record PairClassificationResult(String dataset, Map<String, Scores> scores, int pairs,
    int dimension) implements EvaluationResult {

  /**
   * The metrics of one pair score.
   *
   * @param ap average precision (distances negated)
   * @param accuracy the best accuracy over thresholds
   * @param accuracyThreshold its threshold
   * @param f1 the best F1 over thresholds
   * @param precision the precision at the best F1
   * @param recall the recall at the best F1
   * @param f1Threshold its threshold
   */
  public record Scores(double ap, double accuracy, double accuracyThreshold, double f1,
      double precision, double recall, double f1Threshold) {}

  /** Validates the fields and copies the map. */
  public PairClassificationResult {
    Args.notNull(dataset, "dataset");
    scores = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(
        Args.notNull(scores, "scores")));
    Args.require(!scores.isEmpty(), "scores must not be empty");
    Args.positive(dimension, "dimension");
  }

  /** Returns {@code max_ap}. */
  @Override
  public String metric() {
    return "max_ap";
  }

  /** {@return the largest AP over the pair scores} */
  @Override
  public double score() {
    return scores.values().stream().mapToDouble(Scores::ap).max().orElseThrow();
  }

  /**
   * Returns {@code max_accuracy}, {@code max_f1}, then per score {@code <score>_ap},
   * {@code _accuracy}, {@code _accuracy_threshold}, {@code _f1}, {@code _precision},
   * {@code _recall}, {@code _f1_threshold}, and {@code pairs}, {@code dimension}.
   */
  @Override
  public Map<String, Object> details() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("max_accuracy", scores.values().stream().mapToDouble(Scores::accuracy).max().orElseThrow());
    m.put("max_f1", scores.values().stream().mapToDouble(Scores::f1).max().orElseThrow());
    scores.forEach((k, s) -> {
      m.put(k + "_ap", s.ap());
      m.put(k + "_accuracy", s.accuracy());
      m.put(k + "_accuracy_threshold", s.accuracyThreshold());
      m.put(k + "_f1", s.f1());
      m.put(k + "_precision", s.precision());
      m.put(k + "_recall", s.recall());
      m.put(k + "_f1_threshold", s.f1Threshold());
    });
    m.put("pairs", pairs);
    m.put("dimension", dimension);
    return m;
  }
}
