package dev.gecko4j.core.rerank;

/**
 * Which of the two scales a reranker score is on. A threshold tuned on one scale is meaningless on
 * the other, so every API that returns a single number per passage takes one of these.
 */
public enum ScoreScale {
  /**
   * The model's raw output for the relevance label (a logit: any real number; for the LLM
   * re-ranker, see its documentation).
   */
  LOGIT,
  /**
   * A probability in [0, 1], computed in double from the logits: the sigmoid of the single logit
   * for a one-label model, the softmax over the labels (taken at the relevance label) otherwise.
   */
  PROBABILITY
}
