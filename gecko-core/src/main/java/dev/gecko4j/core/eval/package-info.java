/**
 * Evaluation of an {@link dev.gecko4j.core.Embedder} following MTEB's protocol: correlation and
 * retrieval metrics ({@link dev.gecko4j.core.eval.Correlation},
 * {@link dev.gecko4j.core.eval.RetrievalMetrics}), dataset readers
 * ({@link dev.gecko4j.core.eval.StsDataset}, {@link dev.gecko4j.core.eval.BeirDataset}) and the
 * evaluators ({@link dev.gecko4j.core.eval.StsEvaluator},
 * {@link dev.gecko4j.core.eval.RetrievalEvaluator}).
 *
 * <p>Given an embedder that reproduces a model's vectors, the evaluators reproduce MTEB's scores:
 * STS main score {@code cosine_spearman} (scipy's {@code spearmanr}: Pearson correlation of average
 * ranks), retrieval main score {@code ndcg_at_10} as pytrec_eval / trec_eval computes it, with
 * trec_eval's tie-break (score descending, then document id descending).
 */
package dev.gecko4j.core.eval;
