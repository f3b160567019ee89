package dev.gecko4j.train.rerank;

/** The loss a cross-encoder is trained with, over each group's logits. */
public enum RerankLoss {
  /**
   * Listwise softmax cross-entropy over the positive and its negatives: {@code -Σ_i t_i log
   * softmax(s)_i} with the target distribution {@code t = relevance / Σ relevance} (one-hot on the
   * positive for qrels, the LLM's fused scores for FRet rows).
   */
  LISTWISE,
  /**
   * Binary cross-entropy of each pair's logit against its relevance grade (mean over the group's
   * pairs), {@code torch.nn.BCEWithLogitsLoss}: what sentence-transformers' {@code CrossEncoder}
   * trains one-label models with.
   */
  BCE
}
