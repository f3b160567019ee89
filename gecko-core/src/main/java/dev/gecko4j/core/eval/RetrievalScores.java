package dev.gecko4j.core.eval;

import java.util.List;
import java.util.Map;

/**
 * Retrieval metrics averaged over queries, as MTEB reports them (MTEB's {@code ndcg_at_10},
 * {@code recall_at_1}, ..., computed by pytrec_eval).
 *
 * @param ndcgAt10 mean nDCG@10 (MTEB's main retrieval score)
 * @param recallAt1 mean Recall@1
 * @param recallAt10 mean Recall@10
 * @param recallAt100 mean Recall@100
 * @param mrrAt10 mean reciprocal rank of the first relevant document in the top 10
 * @param mapAt100 mean average precision over the top 100
 * @param queries the number of queries averaged over
 */
public record RetrievalScores(double ndcgAt10, double recallAt1, double recallAt10,
    double recallAt100, double mrrAt10, double mapAt100, int queries) {

  /** Validates that the query count is not negative. */
  public RetrievalScores {
    if (queries < 0) {
      throw new IllegalArgumentException("queries must not be negative, but is: " + queries);
    }
  }

  /**
   * Averages the per-query {@link RetrievalMetrics} over the queries of {@code qrels} as MTEB
   * (1.x, the version behind the published scores) does: every judged query counts, and a query
   * whose judgments hold no relevant document (relevance at least 1) scores 0 on every metric,
   * because pytrec_eval evaluates it and MTEB averages over all evaluated queries. Same as
   * {@code evaluate(qrels, run, false)}.
   *
   * @param qrels query id to (document id to graded relevance); not null
   * @param run query id to that query's results, in any order; not null
   * @return the averages
   * @throws IllegalArgumentException if an argument or a nested value is null, or a result list
   *     repeats a document id
   */
  public static RetrievalScores evaluate(Map<String, Map<String, Integer>> qrels,
      Map<String, List<ScoredDocument>> run) {
    return evaluate(qrels, run, false);
  }

  /**
   * Averages the per-query {@link RetrievalMetrics} over the queries of {@code qrels}.
   *
   * <p>A judged query absent from {@code run} is scored as an empty result list (all metrics 0).
   * Queries of {@code run} that are not in {@code qrels} are ignored (as pytrec_eval ignores them).
   *
   * @param qrels query id to (document id to graded relevance); not null
   * @param run query id to that query's results, in any order; not null
   * @param skipQueriesWithoutRelevant true to leave out queries whose judgments hold no relevant
   *     document (they are then not counted in {@link #queries()}); false to count them with 0 on
   *     every metric, as MTEB does
   * @return the averages; all 0 with {@code queries == 0} when no query is counted
   * @throws IllegalArgumentException if an argument or a nested value is null, or a result list
   *     repeats a document id
   */
  public static RetrievalScores evaluate(Map<String, Map<String, Integer>> qrels,
      Map<String, List<ScoredDocument>> run, boolean skipQueriesWithoutRelevant) {
    if (qrels == null) {
      throw new IllegalArgumentException("qrels must not be null");
    }
    if (run == null) {
      throw new IllegalArgumentException("run must not be null");
    }
    double ndcg10 = 0;
    double r1 = 0;
    double r10 = 0;
    double r100 = 0;
    double mrr10 = 0;
    double map100 = 0;
    int n = 0;
    for (Map.Entry<String, Map<String, Integer>> e : qrels.entrySet()) {
      Map<String, Integer> judgments = e.getValue();
      if (judgments == null) {
        throw new IllegalArgumentException("judgments of query '" + e.getKey() + "' are null");
      }
      if (RetrievalMetrics.relevantCount(judgments) == 0) {
        if (!skipQueriesWithoutRelevant) {
          n++; // every metric is 0 for it, whatever was retrieved
        }
        continue;
      }
      List<ScoredDocument> results = run.getOrDefault(e.getKey(), List.of());
      if (results == null) {
        throw new IllegalArgumentException("results of query '" + e.getKey() + "' are null");
      }
      List<ScoredDocument> ranked = RetrievalMetrics.trecOrder(results);
      ndcg10 += RetrievalMetrics.ndcgAt(judgments, ranked, 10);
      r1 += RetrievalMetrics.recallAt(judgments, ranked, 1);
      r10 += RetrievalMetrics.recallAt(judgments, ranked, 10);
      r100 += RetrievalMetrics.recallAt(judgments, ranked, 100);
      mrr10 += RetrievalMetrics.mrrAt(judgments, ranked, 10);
      map100 += RetrievalMetrics.mapAt(judgments, ranked, 100);
      n++;
    }
    if (n == 0) {
      return new RetrievalScores(0, 0, 0, 0, 0, 0, 0);
    }
    return new RetrievalScores(ndcg10 / n, r1 / n, r10 / n, r100 / n, mrr10 / n, map100 / n, n);
  }
}
