/**
 * The FRet pipeline ({@link dev.gecko4j.fret.FretPipeline}, a {@link dev.gecko4j.core.fret.FretMiner}):
 * query generation ({@link dev.gecko4j.fret.QueryGenerator}), neighbour retrieval over an on-disk
 * embedding cache ({@link dev.gecko4j.fret.EmbeddingCache}, {@link dev.gecko4j.fret.NeighbourRetriever}),
 * LLM re-ranking ({@link dev.gecko4j.fret.Reranker}) fused by {@link dev.gecko4j.fret.RrfSelection},
 * durable resumable JSONL output ({@link dev.gecko4j.fret.MiningRun}), exporters and statistics.
 * Each step is usable on its own.
 */
package dev.gecko4j.fret;
