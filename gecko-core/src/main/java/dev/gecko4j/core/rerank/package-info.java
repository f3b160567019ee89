/**
 * Rerankers: models that score a (query, passage) pair jointly, to reorder a fast retriever's
 * candidates. {@link dev.gecko4j.core.rerank.TextReranker} is the interface (an ONNX cross-encoder
 * in {@code gecko-onnx}, an LLM re-ranker over any {@link dev.gecko4j.core.lm.LanguageModel} in
 * {@code gecko-fret}); {@link dev.gecko4j.core.rerank.RelevanceScores} carries raw logits and
 * probabilities side by side, so a threshold always says which of the two it is on.
 *
 * <p>Not to be confused with {@code dev.gecko4j.fret.rerank}, which is FRet's mining step (the
 * LLM's query-likelihood and relevance-classification scorer that both FRet and the LLM re-ranker
 * use).
 */
package dev.gecko4j.core.rerank;
