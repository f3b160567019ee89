package dev.gecko4j.core.eval;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Ranking metrics computed exactly as trec_eval (and so pytrec_eval, which MTEB uses) computes
 * them, for one query at a time.
 *
 * <p>Conventions shared by every method:
 * <ul>
 *   <li>Results are ranked by {@link #trecOrder trec_eval's order}: score descending, ties broken
 *       by document id descending (byte-wise string comparison), whatever the input order.
 *   <li>{@code judgments} maps a document id to its graded relevance (qrels). A document is
 *       <em>relevant</em> when its relevance is at least 1 (trec_eval's default
 *       {@code relevance_level}); documents with relevance 0 or below, and documents absent from
 *       the judgments, are not relevant and have gain 0.
 *   <li>A query without any relevant document scores 0 on every metric (trec_eval's value); the
 *       {@linkplain RetrievalScores#evaluate aggregate} skips such queries.
 * </ul>
 */
public final class RetrievalMetrics {

  /**
   * trec_eval's ranking order: score descending, then document id descending. Ids are compared
   * by their UTF-8 bytes (C's {@code strcmp}), which for the ASCII ids of BEIR equals
   * {@link String#compareTo}.
   */
  public static final Comparator<ScoredDocument> TREC_ORDER = (a, b) -> {
    // primitive comparisons as in C: -0.0 equals 0.0
    if (a.score() > b.score()) {
      return -1;
    }
    if (a.score() < b.score()) {
      return 1;
    }
    return compareBytes(b.id(), a.id());
  };

  private RetrievalMetrics() {}

  /**
   * Returns {@code results} sorted in {@link #TREC_ORDER trec_eval's order}.
   *
   * @param results the result list of one query; not null, no null element, no duplicate id
   * @return a new sorted list
   * @throws IllegalArgumentException if {@code results} is null, holds a null element, or holds
   *     the same document id twice
   */
  public static List<ScoredDocument> trecOrder(List<ScoredDocument> results) {
    if (results == null) {
      throw new IllegalArgumentException("results must not be null");
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < results.size(); i++) {
      ScoredDocument d = results.get(i);
      if (d == null) {
        throw new IllegalArgumentException("results[" + i + "] must not be null");
      }
      if (!seen.add(d.id())) {
        throw new IllegalArgumentException(
            "results hold document id '" + d.id() + "' twice (again at index " + i
                + "); expected each document at most once per query");
      }
    }
    List<ScoredDocument> sorted = new ArrayList<>(results);
    sorted.sort(TREC_ORDER);
    return sorted;
  }

  /**
   * Returns trec_eval's {@code ndcg_cut.k}: DCG of the top {@code k} results, where a result's gain
   * is its relevance (0 when not positive or not judged) discounted by {@code log2(rank + 1)},
   * divided by the ideal DCG of the {@code k} best judgments; 0 when no document is relevant.
   *
   * @param judgments document id to graded relevance; not null
   * @param results the query's results, in any order; not null, no duplicate id
   * @param k the cutoff; at least 1
   * @return nDCG@k in {@code [0, 1]}
   * @throws IllegalArgumentException if an argument is null, {@code k < 1}, or results repeat an id
   */
  public static double ndcgAt(Map<String, Integer> judgments, List<ScoredDocument> results, int k) {
    checkJudgments(judgments);
    checkK(k);
    List<ScoredDocument> ranked = trecOrder(results);
    double dcg = 0;
    for (int i = 0; i < Math.min(k, ranked.size()); i++) {
      int gain = gain(judgments, ranked.get(i).id());
      if (gain > 0) {
        dcg += gain / log2(i + 2);
      }
    }
    List<Integer> ideal = new ArrayList<>();
    for (int rel : judgments.values()) {
      if (rel > 0) {
        ideal.add(rel);
      }
    }
    ideal.sort(Comparator.reverseOrder());
    double idcg = 0;
    for (int i = 0; i < Math.min(k, ideal.size()); i++) {
      idcg += ideal.get(i) / log2(i + 2);
    }
    return idcg > 0 ? dcg / idcg : 0.0;
  }

  /**
   * Returns trec_eval's {@code recall.k}: the number of relevant documents in the top {@code k}
   * results divided by the number of relevant documents in the judgments; 0 when there are none.
   *
   * @param judgments document id to graded relevance; not null
   * @param results the query's results, in any order; not null, no duplicate id
   * @param k the cutoff; at least 1
   * @return Recall@k in {@code [0, 1]}
   * @throws IllegalArgumentException if an argument is null, {@code k < 1}, or results repeat an id
   */
  public static double recallAt(Map<String, Integer> judgments, List<ScoredDocument> results,
      int k) {
    int relevant = relevantCount(judgments);
    int[] ranks = relevantRanks(judgments, results, k);
    return relevant == 0 ? 0.0 : (double) ranks.length / relevant;
  }

  /**
   * Returns the reciprocal rank of the first relevant document in the top {@code k} results
   * (MTEB's {@code MRR@k}), or 0 when none of them is relevant.
   *
   * @param judgments document id to graded relevance; not null
   * @param results the query's results, in any order; not null, no duplicate id
   * @param k the cutoff; at least 1
   * @return MRR@k in {@code [0, 1]}
   * @throws IllegalArgumentException if an argument is null, {@code k < 1}, or results repeat an id
   */
  public static double mrrAt(Map<String, Integer> judgments, List<ScoredDocument> results, int k) {
    int[] ranks = relevantRanks(judgments, results, k);
    return ranks.length == 0 ? 0.0 : 1.0 / (ranks[0] + 1);
  }

  /**
   * Returns trec_eval's {@code map_cut.k}: the sum, over the relevant documents in the top
   * {@code k} results, of the precision at their rank, divided by the number of relevant documents
   * in the judgments (so relevant documents not retrieved count 0); 0 when there are none.
   *
   * @param judgments document id to graded relevance; not null
   * @param results the query's results, in any order; not null, no duplicate id
   * @param k the cutoff; at least 1
   * @return MAP@k (average precision of this query) in {@code [0, 1]}
   * @throws IllegalArgumentException if an argument is null, {@code k < 1}, or results repeat an id
   */
  public static double mapAt(Map<String, Integer> judgments, List<ScoredDocument> results, int k) {
    int relevant = relevantCount(judgments);
    int[] ranks = relevantRanks(judgments, results, k);
    double sum = 0;
    for (int found = 0; found < ranks.length; found++) {
      sum += (double) (found + 1) / (ranks[found] + 1);
    }
    return relevant == 0 ? 0.0 : sum / relevant;
  }

  /**
   * Returns the number of relevant documents (relevance at least 1) in {@code judgments}.
   *
   * @param judgments document id to graded relevance; not null
   * @return the count
   * @throws IllegalArgumentException if {@code judgments} is null or holds a null relevance
   */
  public static int relevantCount(Map<String, Integer> judgments) {
    checkJudgments(judgments);
    int n = 0;
    for (int rel : judgments.values()) {
      if (rel >= 1) {
        n++;
      }
    }
    return n;
  }

  /** The 0-based ranks, in TREC order, of the relevant documents among the top {@code k} results. */
  private static int[] relevantRanks(Map<String, Integer> judgments, List<ScoredDocument> results,
      int k) {
    checkJudgments(judgments);
    checkK(k);
    List<ScoredDocument> ranked = trecOrder(results);
    int[] ranks = new int[Math.min(k, ranked.size())];
    int found = 0;
    for (int i = 0; i < ranks.length; i++) {
      if (gain(judgments, ranked.get(i).id()) >= 1) {
        ranks[found++] = i;
      }
    }
    return java.util.Arrays.copyOf(ranks, found);
  }

  private static int gain(Map<String, Integer> judgments, String id) {
    Integer rel = judgments.get(id);
    return rel == null || rel < 0 ? 0 : rel;
  }

  private static double log2(int x) {
    return Math.log(x) / Math.log(2);
  }

  private static void checkJudgments(Map<String, Integer> judgments) {
    if (judgments == null) {
      throw new IllegalArgumentException("judgments must not be null");
    }
    for (Map.Entry<String, Integer> e : judgments.entrySet()) {
      if (e.getValue() == null) {
        throw new IllegalArgumentException(
            "relevance of document '" + e.getKey() + "' must not be null");
      }
    }
  }

  private static void checkK(int k) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be at least 1, but is: " + k);
    }
  }

  /** strcmp on UTF-8 bytes: for BMP text this is code-point order, which differs from UTF-16. */
  static int compareBytes(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }
}
