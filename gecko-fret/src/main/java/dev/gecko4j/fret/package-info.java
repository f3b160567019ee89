/**
 * FRet mining, the entry points: {@link dev.gecko4j.fret.FretMine} runs the whole "mine" program
 * in one call (corpus, embeddings cache, pipeline, resumable run), {@link
 * dev.gecko4j.fret.FretPipeline} is the {@link dev.gecko4j.core.fret.FretMiner} that turns one seed
 * into one row.
 *
 * <p>The sub-packages are the pipeline's stages, in order, each usable on its own:
 *
 * <ol>
 *   <li>{@link dev.gecko4j.fret.generate}: query generation (the prompts, the LLM's JSON answers;
 *       E5-style synthetic triplets);
 *   <li>{@link dev.gecko4j.fret.retrieve}: the corpus, its embeddings cache (keyed on the
 *       embedder's fingerprint) and neighbour retrieval, exact or through an approximate index;
 *   <li>{@link dev.gecko4j.fret.rerank}: LLM re-ranking (query likelihood, relevance
 *       classification) fused by reciprocal rank fusion into a positive and a hard negative;
 *   <li>{@link dev.gecko4j.fret.run}: the durable, resumable JSONL run (rows, drops, statistics,
 *       stop on signal);
 *   <li>{@link dev.gecko4j.fret.export}: the rows as other tools' training files.
 * </ol>
 *
 * <p>{@link dev.gecko4j.fret.llm} holds an OpenAI-compatible {@link
 * dev.gecko4j.core.lm.LanguageModel} client.
 */
package dev.gecko4j.fret;
