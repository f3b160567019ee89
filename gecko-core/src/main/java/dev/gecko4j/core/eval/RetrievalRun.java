package dev.gecko4j.core.eval;

import java.util.List;
import java.util.Map;

/**
 * What {@link RetrievalEvaluator#retrieve} found: the judged queries, the ranking of each and its
 * scores. The maps are the evaluator's own (insertion-ordered); do not modify them.
 *
 * @param judged the split's qrels that are scored (query id -> document id -> grade)
 * @param queryTexts the text of each query that was searched, by id
 * @param run the top documents of each searched query, in trec_eval order
 * @param scores the retrieval metrics of {@code run}
 * @param documents the number of corpus documents searched
 * @param dimension the embedding dimension used
 * @param skipQueriesWithoutRelevant whether queries without a relevant document were left out
 */
public record RetrievalRun(Map<String, Map<String, Integer>> judged,
    Map<String, String> queryTexts, Map<String, List<ScoredDocument>> run,
    RetrievalScores scores, long documents, int dimension, boolean skipQueriesWithoutRelevant) {}
