package dev.gecko4j.core.eval;

import dev.gecko4j.core.internal.Args;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The result of a {@link ClusteringEvaluator} run.
 *
 * @param dataset the dataset name
 * @param vMeasures the V-measure of each bootstrap round (fast protocol) or set (legacy)
 * @param protocol the protocol
 * @param dimension the embedding dimension used
 */
public record ClusteringResult(String dataset, List<Double> vMeasures,
    ClusteringEvaluator.Protocol protocol, int dimension) implements EvaluationResult {

  /** Validates the fields and copies the list. */
  public ClusteringResult {
    Args.notNull(dataset, "dataset");
    vMeasures = List.copyOf(Args.notNull(vMeasures, "vMeasures"));
    Args.require(!vMeasures.isEmpty(), "vMeasures must not be empty");
    Args.notNull(protocol, "protocol");
    Args.positive(dimension, "dimension");
  }

  /** Returns {@code v_measure}. */
  @Override
  public String metric() {
    return "v_measure";
  }

  /** {@return the mean V-measure} */
  @Override
  public double score() {
    return vMeasures.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
  }

  /** {@return the population standard deviation of the V-measures (as numpy's {@code std})} */
  public double std() {
    double m = score();
    return Math.sqrt(vMeasures.stream().mapToDouble(v -> (v - m) * (v - m)).sum()
        / vMeasures.size());
  }

  /** Returns {@code v_measure_std}, {@code v_measures}, {@code protocol}, {@code dimension}. */
  @Override
  public Map<String, Object> details() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("v_measure_std", std());
    m.put("v_measures", vMeasures);
    m.put("protocol", protocol.name().toLowerCase(java.util.Locale.ROOT));
    m.put("dimension", dimension);
    return m;
  }
}
