package dev.gecko4j.core.eval;

import dev.gecko4j.core.internal.Args;

/**
 * One sentence pair of an STS dataset with its gold similarity.
 *
 * @param score the gold similarity, in {@code [0, 5]}
 * @param sentence1 the first sentence; not null
 * @param sentence2 the second sentence; not null
 * @param subset where the pair comes from (e.g. {@code main-captions/MSRvid/2012test}); not null,
 *     may be empty
 */
public record StsPair(double score, String sentence1, String sentence2, String subset) {

  /** Validates the score range and that no field is null. */
  public StsPair {
    if (!(score >= 0 && score <= 5)) {
      throw new IllegalArgumentException("score must be between 0 and 5, but is: " + score);
    }
    Args.notNull(sentence1, "sentence1");
    Args.notNull(sentence2, "sentence2");
    Args.notNull(subset, "subset");
  }
}
