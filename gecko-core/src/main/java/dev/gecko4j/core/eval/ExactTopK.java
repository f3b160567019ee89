package dev.gecko4j.core.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Exact top-k search by cosine for a fixed set of unit-length query vectors over documents fed
 * in chunks, so the corpus never has to be held in memory (the same streaming scheme as MTEB's
 * {@code DenseRetrievalExactSearch}).
 *
 * <p>Scores are dot products of unit vectors accumulated in double and rounded to float (as
 * MTEB's float32 scores are). Each query keeps the {@code k} best documents in
 * {@link RetrievalMetrics#TREC_ORDER}, so a tie at the cut-off keeps the larger document id,
 * which is also what MTEB's {@code heapq} of {@code (score, id)} keeps.
 *
 * <p>Package-private on purpose: the one place to swap for {@code dev.gecko4j.core.index.FlatIndex}
 * or a SIMD kernel without changing the evaluator. Not thread-safe.
 */
final class ExactTopK {

  private final float[][] queries;
  private final int k;
  private final List<PriorityQueue<ScoredDocument>> heaps;

  /**
   * @param queries unit-length query vectors, all the same dimension
   * @param k how many documents to keep per query; at least 1
   */
  ExactTopK(float[][] queries, int k) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be at least 1, but is: " + k);
    }
    this.queries = queries;
    this.k = k;
    this.heaps = new ArrayList<>(queries.length);
    for (int i = 0; i < queries.length; i++) {
      // head = the worst kept document (last in trec order)
      heaps.add(new PriorityQueue<>(k + 1, RetrievalMetrics.TREC_ORDER.reversed()));
    }
  }

  /**
   * Scores one chunk of documents against every query.
   *
   * @param ids the document ids
   * @param docs unit-length document vectors, same order and dimension as the queries
   */
  void add(List<String> ids, float[][] docs) {
    for (int q = 0; q < queries.length; q++) {
      float[] qv = queries[q];
      PriorityQueue<ScoredDocument> heap = heaps.get(q);
      for (int d = 0; d < docs.length; d++) {
        float score = dot(qv, docs[d]);
        if (heap.size() < k) {
          heap.add(new ScoredDocument(ids.get(d), score));
          continue;
        }
        ScoredDocument worst = heap.peek();
        if (score < worst.score()) {
          continue;
        }
        ScoredDocument candidate = new ScoredDocument(ids.get(d), score);
        if (RetrievalMetrics.TREC_ORDER.compare(candidate, worst) < 0) {
          heap.poll();
          heap.add(candidate);
        }
      }
    }
  }

  /** Returns, per query in input order, its kept documents in trec order. */
  List<List<ScoredDocument>> results() {
    List<List<ScoredDocument>> out = new ArrayList<>(heaps.size());
    for (PriorityQueue<ScoredDocument> heap : heaps) {
      List<ScoredDocument> list = new ArrayList<>(heap);
      list.sort(RetrievalMetrics.TREC_ORDER);
      out.add(list);
    }
    return out;
  }

  private static float dot(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new IllegalStateException(
          "vector dimensions differ: " + a.length + " != " + b.length);
    }
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (double) a[i] * b[i];
    }
    return (float) s;
  }
}
