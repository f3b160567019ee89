package dev.gecko4j.train.rerank;

import dev.gecko4j.core.internal.Args;
import java.util.List;

/**
 * One training group of a cross-encoder: a query, its candidate passages, and each passage's
 * graded relevance in {@code [0, 1]}. From qrels the positive is 1 and the mined hard negatives 0;
 * from FRet rows the grades are the LLM re-ranker's fused scores (soft targets: distillation). The
 * listwise loss reads the grades as a target distribution over the group ({@code t_i / Σ t}),
 * binary cross-entropy reads each as the probability that its pair is relevant.
 *
 * @param query the query text as the reranker will see it (no prompt); not null
 * @param passages the candidates, at least two; no nulls
 * @param relevance one grade per passage, each in {@code [0, 1]}, at least one above 0
 */
public record RerankExample(String query, List<String> passages, double[] relevance) {

  /**
   * Validates the group.
   *
   * @throws IllegalArgumentException naming the bad field
   */
  public RerankExample {
    Args.notNull(query, "query");
    passages = Args.copyNoNulls(passages, "passages");
    Args.notNull(relevance, "relevance");
    if (passages.size() < 2) {
      throw new IllegalArgumentException("passages must hold a positive and at least one "
          + "negative (2 or more passages), but holds: " + passages.size());
    }
    if (relevance.length != passages.size()) {
      throw new IllegalArgumentException("relevance must have one grade per passage ("
          + passages.size() + "), but has: " + relevance.length);
    }
    double sum = 0;
    for (int i = 0; i < relevance.length; i++) {
      if (!(relevance[i] >= 0 && relevance[i] <= 1)) {
        throw new IllegalArgumentException("relevance[" + i + "] must be in [0, 1], but is: "
            + relevance[i]);
      }
      sum += relevance[i];
    }
    if (sum <= 0) {
      throw new IllegalArgumentException("relevance must grade at least one passage above 0");
    }
    relevance = relevance.clone();
  }

  /**
   * A group with one relevant passage followed by negatives.
   *
   * @param query the query
   * @param positive the relevant passage
   * @param negatives the non-relevant passages, at least one
   * @return the group, grades 1, 0, 0, ...
   * @throws IllegalArgumentException if an argument is null or there is no negative
   */
  public static RerankExample of(String query, String positive, List<String> negatives) {
    Args.notNull(positive, "positive");
    Args.notNull(negatives, "negatives");
    java.util.ArrayList<String> all = new java.util.ArrayList<>(negatives.size() + 1);
    all.add(positive);
    all.addAll(negatives);
    double[] r = new double[all.size()];
    r[0] = 1;
    return new RerankExample(query, all, r);
  }

  /** {@return a copy of the grades} */
  @Override
  public double[] relevance() {
    return relevance.clone();
  }
}
