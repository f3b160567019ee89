package dev.gecko4j.core.testing;

import dev.gecko4j.core.rerank.RelevanceScores;
import dev.gecko4j.core.rerank.TextReranker;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A real, if trivial, reranker for tests of code that only needs some {@link TextReranker}: the
 * logit of a passage is the number of its words (lower-cased, split on spaces) that the query
 * holds, times {@code sign} (-1 ranks the least overlapping first). Records every passage list.
 */
public final class WordOverlapReranker implements TextReranker {
  private final double sign;
  private final List<List<String>> seen = new ArrayList<>();
  private volatile boolean closed;

  /** @param sign +1 for overlap, -1 for its opposite */
  public WordOverlapReranker(double sign) {
    this.sign = sign;
  }

  @Override
  public String name() {
    return sign > 0 ? "overlap" : "anti-overlap";
  }

  @Override
  public synchronized RelevanceScores score(String query, List<String> passages) {
    if (closed) {
      throw new IllegalStateException("closed");
    }
    seen.add(List.copyOf(passages));
    Set<String> q = new HashSet<>(Arrays.asList(query.toLowerCase(Locale.ROOT).split(" ")));
    double[][] logits = new double[passages.size()][1];
    for (int i = 0; i < logits.length; i++) {
      long shared = Arrays.stream(passages.get(i).toLowerCase(Locale.ROOT).split(" "))
          .filter(q::contains).count();
      logits[i][0] = sign * shared;
    }
    return RelevanceScores.ofLogits(List.of("score"), 0, logits);
  }

  /** {@return every passage list scored, in call order} */
  public synchronized List<List<String>> seen() {
    return List.copyOf(seen);
  }

  /** {@return whether {@link #close()} was called} */
  public boolean closed() {
    return closed;
  }

  @Override
  public void close() {
    closed = true;
  }
}
