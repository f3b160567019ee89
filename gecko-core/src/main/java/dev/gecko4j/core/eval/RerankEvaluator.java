package dev.gecko4j.core.eval;

import dev.gecko4j.core.ProgressListener;
import dev.gecko4j.core.internal.Args;
import dev.gecko4j.core.rerank.RelevanceScores;
import dev.gecko4j.core.rerank.TextReranker;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Retrieve, then rerank: takes a {@link RetrievalRun} (a bi-encoder's top {@value
 * RetrievalEvaluator#TOP_K} per query), reorders each query's first {@code rerankTop} documents
 * with a {@link TextReranker} (passage text: {@code (title + " " + text).strip()}, as MTEB embeds a
 * BEIR document), keeps the rest below them in retrieval order, and scores the new rankings with
 * the same metrics (nDCG@10, MRR@10, ...). The result reports both.
 *
 * <p>Documents are ordered by the reranker's {@link RelevanceScores#order()} (its ranking score,
 * ties by retrieval order), so the metric never depends on how trec_eval would break ties between
 * equal reranker scores.
 *
 * <p>The same pass also scores a fusion of the two rankings, reported beside the pure reranker's
 * (never instead of it): reciprocal rank fusion {@code 1/(60 + reranker rank) + 1/(60 + retriever
 * rank)} over the reranked top (Cormack et al., 2009, k = 60; ties by retrieval order), the fusion
 * FRet uses for its LLM scores. It helps where the reranker is weaker than the retriever on some
 * queries; {@link Result#fused()} holds it.
 */
public final class RerankEvaluator {

  /** The k of the reciprocal rank fusion reported beside the reranker's metrics. */
  public static final int RRF_K = 60;

  private RerankEvaluator() {}

  /**
   * The retriever's and the reranker's scores on one dataset split.
   *
   * @param dataset the dataset name
   * @param reranker the reranker's name
   * @param rerankTop how many retrieved documents per query were reranked
   * @param retriever the retrieval metrics before reranking
   * @param reranked the metrics after reranking
   * @param retrieval the retrieval result (counts, dimension)
   * @param fused the metrics of the reciprocal rank fusion of the reranker's and the retriever's
   *     rankings (k = {@value #RRF_K}), or null when not computed
   */
  public record Result(String dataset, String reranker, int rerankTop, RetrievalScores retriever,
      RetrievalScores reranked, RetrievalResult retrieval, RetrievalScores fused)
      implements EvaluationResult {

    /**
     * A result without the fusion metrics.
     *
     * @param dataset the dataset name
     * @param reranker the reranker's name
     * @param rerankTop documents reranked per query
     * @param retriever the metrics before reranking
     * @param reranked the metrics after reranking
     * @param retrieval the retrieval result
     */
    public Result(String dataset, String reranker, int rerankTop, RetrievalScores retriever,
        RetrievalScores reranked, RetrievalResult retrieval) {
      this(dataset, reranker, rerankTop, retriever, reranked, retrieval, null);
    }

    /** Returns {@code ndcg_at_10}. */
    @Override
    public String metric() {
      return "ndcg_at_10";
    }

    /** Returns nDCG@10 after reranking. */
    @Override
    public double score() {
      return reranked.ndcgAt10();
    }

    /**
     * Returns {@code retriever_score} (nDCG@10 before reranking), the reranker, {@code
     * rerank_top}, then the reranked metrics under MTEB's names and the retriever's with a {@code
     * retriever_} prefix.
     */
    @Override
    public Map<String, Object> details() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("retriever_score", retriever.ndcgAt10());
      m.put("reranker", reranker);
      m.put("rerank_top", rerankTop);
      m.put("split", retrieval.split());
      m.put("recall_at_1", reranked.recallAt1());
      m.put("recall_at_10", reranked.recallAt10());
      m.put("mrr_at_10", reranked.mrrAt10());
      m.put("retriever_mrr_at_10", retriever.mrrAt10());
      m.put("retriever_recall_at_10", retriever.recallAt10());
      if (fused != null) {
        m.put("rrf_fused_ndcg_at_10", fused.ndcgAt10());
        m.put("rrf_fused_mrr_at_10", fused.mrrAt10());
      }
      m.put("queries", reranked.queries());
      m.put("documents", retrieval.documents());
      m.put("dimension", retrieval.dimension());
      return m;
    }
  }

  /**
   * Reranks each query's top {@code rerankTop} and scores before and after.
   *
   * @param dataset the dataset the run was retrieved from; not null
   * @param split the qrels split of the run; not blank
   * @param run the retrieval; not null
   * @param reranker the reranker; not null, open
   * @param rerankTop documents per query to rerank, 1 to {@value RetrievalEvaluator#TOP_K}
   * @param listener progress ("reranked" queries); not null
   * @return both scores
   * @throws IllegalArgumentException naming a bad argument
   * @throws DatasetFormatException if the corpus is malformed
   */
  public static Result evaluate(BeirDataset dataset, String split, RetrievalRun run,
      TextReranker reranker, int rerankTop, ProgressListener listener) {
    Args.notNull(dataset, "dataset");
    Args.notBlank(split, "split");
    Args.notNull(run, "run");
    Args.notNull(reranker, "reranker");
    Args.inRange(rerankTop, 1, RetrievalEvaluator.TOP_K, "rerankTop");
    Args.notNull(listener, "listener");
    Set<String> needed = new HashSet<>();
    for (List<ScoredDocument> docs : run.run().values()) {
      for (int i = 0; i < Math.min(rerankTop, docs.size()); i++) {
        needed.add(docs.get(i).id());
      }
    }
    Map<String, String> texts = new HashMap<>();
    try (Stream<BeirDocument> docs = dataset.documents()) {
      docs.filter(d -> needed.contains(d.id())).forEach(d -> texts.put(d.id(), d.mtebText()));
    }
    Map<String, List<ScoredDocument>> reranked = new LinkedHashMap<>();
    Map<String, List<ScoredDocument>> fusedRuns = new LinkedHashMap<>();
    long done = 0;
    for (Map.Entry<String, List<ScoredDocument>> e : run.run().entrySet()) {
      List<ScoredDocument> docs = e.getValue();
      int k = Math.min(rerankTop, docs.size());
      List<String> passages = new ArrayList<>(k);
      for (int i = 0; i < k; i++) {
        passages.add(texts.get(docs.get(i).id()));
      }
      String query = run.queryTexts().get(e.getKey());
      List<ScoredDocument> out = new ArrayList<>(docs.size());
      List<ScoredDocument> fusedOut = new ArrayList<>(docs.size());
      if (k > 0) {
        int[] order = reranker.score(query, passages).order();
        for (int r = 0; r < k; r++) {
          out.add(new ScoredDocument(docs.get(order[r]).id(), docs.size() - r));
        }
        double[] rrf = new double[k];
        for (int r = 0; r < k; r++) {
          rrf[order[r]] += 1.0 / (RRF_K + r + 1);
          rrf[r] += 1.0 / (RRF_K + r + 1);
        }
        Integer[] byFusion = new Integer[k];
        for (int i = 0; i < k; i++) {
          byFusion[i] = i;
        }
        java.util.Arrays.sort(byFusion, (a, b) -> rrf[a] != rrf[b] ? Double.compare(rrf[b], rrf[a])
            : Integer.compare(a, b));
        for (int r = 0; r < k; r++) {
          fusedOut.add(new ScoredDocument(docs.get(byFusion[r]).id(), docs.size() - r));
        }
      }
      for (int i = k; i < docs.size(); i++) {
        out.add(new ScoredDocument(docs.get(i).id(), docs.size() - i));
        fusedOut.add(new ScoredDocument(docs.get(i).id(), docs.size() - i));
      }
      reranked.put(e.getKey(), out);
      fusedRuns.put(e.getKey(), fusedOut);
      listener.onProgress("reranked queries", ++done, run.run().size());
    }
    RetrievalScores after = RetrievalScores.evaluate(run.judged(), reranked,
        run.skipQueriesWithoutRelevant());
    RetrievalScores fused = RetrievalScores.evaluate(run.judged(), fusedRuns,
        run.skipQueriesWithoutRelevant());
    return new Result(dataset.name(), reranker.name(), rerankTop, run.scores(), after,
        RetrievalResult.of(dataset.name(), split, run.scores(), run.documents(), run.dimension()),
        fused);
  }
}
