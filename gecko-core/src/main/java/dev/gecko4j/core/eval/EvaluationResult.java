package dev.gecko4j.core.eval;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The outcome of evaluating an embedder on one dataset: a main score under MTEB's metric name,
 * plus further metrics.
 */
public interface EvaluationResult {

  /** {@return the dataset name, e.g. {@code STSBenchmark} or {@code scifact}} */
  String dataset();

  /**
   * {@return MTEB's name of the main metric, e.g. {@code cosine_spearman} or {@code ndcg_at_10}}
   */
  String metric();

  /** {@return the main score, in MTEB's scale (a fraction, not a percentage)} */
  double score();

  /**
   * Returns the further metrics and counts, by name, in a stable order (e.g. {@code pearson},
   * {@code pairs}).
   *
   * @return an ordered map of names to numbers or strings
   */
  Map<String, Object> details();

  /**
   * Renders this result as one JSON object:
   * {@code {"model":..., "dataset":..., "metric":..., "score":..., <details>}}.
   *
   * @param model the model name to record; not null
   * @return the JSON text on one line
   * @throws IllegalArgumentException if {@code model} is null
   */
  default String toJson(String model) {
    if (model == null) {
      throw new IllegalArgumentException("model must not be null");
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("model", model);
    m.put("dataset", dataset());
    m.put("metric", metric());
    m.put("score", score());
    details().forEach(m::putIfAbsent);
    return Json.write(m);
  }
}
