package dev.gecko4j.core.eval;

import dev.gecko4j.core.internal.Args;

/**
 * A labelled sentence pair of a pair-classification task (e.g. duplicate or paraphrase).
 *
 * @param sentence1 the first sentence; not null
 * @param sentence2 the second sentence; not null
 * @param positive whether the pair is a positive (label 1)
 */
public record SentencePair(String sentence1, String sentence2, boolean positive) {

  /** Validates the fields. */
  public SentencePair {
    Args.notNull(sentence1, "sentence1");
    Args.notNull(sentence2, "sentence2");
  }
}
