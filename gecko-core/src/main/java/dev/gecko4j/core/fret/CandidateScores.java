package dev.gecko4j.core.fret;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.gecko4j.core.internal.Args;

/**
 * How one re-ranked candidate passage scored. Ranks are 1-based (1 = best) among the N candidates of
 * its query.
 *
 * <p>In JSON each component is named in snake_case.
 *
 * @param retrievalRank the rank by embedding similarity, in {@code [1, N]}
 * @param qlRank the rank by query likelihood, in {@code [1, N]}
 * @param rcRank the rank by relevance classification, in {@code [1, N]}
 * @param ql the query likelihood {@code log P(q | P_QL(p))} (natural log, {@code <= 0})
 * @param rc the expected relevance grade from the label distribution, in {@code [0, 1]}
 * @param rrf the fused score {@code 1/qlRank + 1/rcRank}, in {@code (0, 2]}
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record CandidateScores(
    int retrievalRank,
    int qlRank,
    int rcRank,
    double ql,
    double rc,
    double rrf) {

  /** Validates the fields. */
  public CandidateScores {
    Args.positive(retrievalRank, "retrievalRank");
    Args.positive(qlRank, "qlRank");
    Args.positive(rcRank, "rcRank");
    if (Double.isNaN(ql) || ql > 1e-9) {
      throw new IllegalArgumentException("ql must be a log-probability (<= 0), but is: " + ql);
    }
    if (!(rc >= -1e-9 && rc <= 1 + 1e-9)) {
      throw new IllegalArgumentException("rc must be in [0, 1], but is: " + rc);
    }
    if (!(rrf > 0 && rrf <= 2 + 1e-9)) {
      throw new IllegalArgumentException("rrf must be in (0, 2], but is: " + rrf);
    }
  }
}
