package dev.gecko4j.core.eval;

import dev.gecko4j.core.internal.Args;
import java.util.List;

/**
 * One query of a reranking task with its given candidates.
 *
 * @param query the query text; not null
 * @param positive the relevant candidates; not null
 * @param negative the irrelevant candidates; not null
 */
public record RerankingSample(String query, List<String> positive, List<String> negative) {

  /** Validates the fields and copies the lists. */
  public RerankingSample {
    Args.notNull(query, "query");
    positive = List.copyOf(Args.noNulls(Args.notNull(positive, "positive"), "positive"));
    negative = List.copyOf(Args.noNulls(Args.notNull(negative, "negative"), "negative"));
  }
}
