package dev.gecko4j.core.eval;

import dev.gecko4j.core.internal.Args;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The result of a {@link RetrievalEvaluator} run.
 *
 * @param dataset the dataset name
 * @param split the qrels split evaluated, e.g. {@code test}
 * @param ndcgAt10 mean nDCG@10 (MTEB's {@code ndcg_at_10}, the main score)
 * @param recallAt1 mean Recall@1
 * @param recallAt10 mean Recall@10
 * @param recallAt100 mean Recall@100
 * @param mrrAt10 mean MRR@10
 * @param mapAt100 mean MAP@100
 * @param queries the number of queries averaged over (the split's judged queries, less those
 *     without a relevant document when they are skipped)
 * @param documents the number of corpus documents searched
 * @param dimension the embedding dimension used (the full one, or the Matryoshka truncation)
 */
public record RetrievalResult(String dataset, String split, double ndcgAt10, double recallAt1,
    double recallAt10, double recallAt100, double mrrAt10, double mapAt100, int queries,
    long documents, int dimension) implements EvaluationResult {

  /** Validates the fields. */
  public RetrievalResult {
    Args.notNull(dataset, "dataset");
    Args.notNull(split, "split");
    Args.atLeast(queries, 0, "queries");
    Args.atLeast(documents, 0L, "documents");
    Args.positive(dimension, "dimension");
  }

  static RetrievalResult of(String dataset, String split, RetrievalScores s, long documents,
      int dimension) {
    return new RetrievalResult(dataset, split, s.ndcgAt10(), s.recallAt1(), s.recallAt10(),
        s.recallAt100(), s.mrrAt10(), s.mapAt100(), s.queries(), documents, dimension);
  }

  /** Returns {@code ndcg_at_10}. */
  @Override
  public String metric() {
    return "ndcg_at_10";
  }

  /** Returns {@link #ndcgAt10()}. */
  @Override
  public double score() {
    return ndcgAt10;
  }

  /** Returns the other metrics under MTEB's names, then split and counts. */
  @Override
  public Map<String, Object> details() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("split", split);
    m.put("recall_at_1", recallAt1);
    m.put("recall_at_10", recallAt10);
    m.put("recall_at_100", recallAt100);
    m.put("mrr_at_10", mrrAt10);
    m.put("map_at_100", mapAt100);
    m.put("queries", queries);
    m.put("documents", documents);
    m.put("dimension", dimension);
    return m;
  }
}
