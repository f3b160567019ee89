package dev.gecko4j.core.eval;

import dev.gecko4j.core.internal.Args;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The result of a {@link RerankingEvaluator} run.
 *
 * @param dataset the dataset name
 * @param map mean average precision over the queries (MTEB's {@code map}, the main score)
 * @param mrr mean reciprocal rank within the top {@code mrrAt} (MTEB's {@code mrr})
 * @param mrrAt the cut-off of the reciprocal rank
 * @param queries the number of queries scored (those with both kinds of candidates)
 * @param dimension the embedding dimension used
 */
public record RerankingResult(String dataset, double map, double mrr, int mrrAt, int queries,
    int dimension) implements EvaluationResult {

  /** Validates the fields. */
  public RerankingResult {
    Args.notNull(dataset, "dataset");
    Args.positive(mrrAt, "mrrAt");
    Args.positive(queries, "queries");
    Args.positive(dimension, "dimension");
  }

  /** Returns {@code map}. */
  @Override
  public String metric() {
    return "map";
  }

  /** Returns {@link #map()}. */
  @Override
  public double score() {
    return map;
  }

  /** Returns {@code mrr}, {@code mrr_at}, {@code queries}, {@code dimension}. */
  @Override
  public Map<String, Object> details() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("mrr", mrr);
    m.put("mrr_at", mrrAt);
    m.put("queries", queries);
    m.put("dimension", dimension);
    return m;
  }
}
