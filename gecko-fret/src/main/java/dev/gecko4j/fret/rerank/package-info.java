/**
 * FRet's third stage: the LLM scores each neighbour by query likelihood and relevance
 * classification ({@link dev.gecko4j.fret.rerank.Reranker}, batched, shrinking passages that do
 * not fit the model's context), and reciprocal rank fusion picks the positive and the hard
 * negative ({@link dev.gecko4j.fret.rerank.RrfSelection}). The same scorer and fusion serve
 * applications as a {@link dev.gecko4j.core.rerank.TextReranker}: {@link
 * dev.gecko4j.fret.rerank.LlmReranker}.
 */
package dev.gecko4j.fret.rerank;
