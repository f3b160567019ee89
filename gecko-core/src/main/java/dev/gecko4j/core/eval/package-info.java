/**
 * Evaluation of an {@link dev.gecko4j.core.Embedder} following MTEB's protocol: correlation and
 * retrieval metrics ({@link dev.gecko4j.core.eval.Correlation},
 * {@link dev.gecko4j.core.eval.RetrievalMetrics}),
 * dataset readers ({@link dev.gecko4j.core.eval.StsDataset},
 * {@link dev.gecko4j.core.eval.BeirDataset}, {@link dev.gecko4j.core.eval.ClassificationDataset},
 * {@link dev.gecko4j.core.eval.ClusteringDataset},
 * {@link dev.gecko4j.core.eval.PairClassificationDataset},
 * {@link dev.gecko4j.core.eval.RerankingDataset}, {@link dev.gecko4j.core.eval.LabeledTexts}) and
 * one open evaluator class per task family on {@link dev.gecko4j.core.eval.EmbeddingEvaluator}
 * ({@link dev.gecko4j.core.eval.StsEvaluator}, {@link dev.gecko4j.core.eval.RetrievalEvaluator},
 * {@link dev.gecko4j.core.eval.ClassificationEvaluator},
 * {@link dev.gecko4j.core.eval.ClusteringEvaluator},
 * {@link dev.gecko4j.core.eval.PairClassificationEvaluator},
 * {@link dev.gecko4j.core.eval.RerankingEvaluator}).
 *
 * <p>Given an embedder that reproduces a model's vectors, the evaluators reproduce MTEB's scores:
 * STS main score {@code cosine_spearman} (scipy's {@code spearmanr}: Pearson correlation of average
 * ranks), retrieval main score {@code ndcg_at_10} as pytrec_eval / trec_eval computes it, with
 * trec_eval's tie-break (score descending, then document id descending); classification and
 * clustering reproduce MTEB's random draws (numpy's and CPython's Mersenne Twisters) and
 * scikit-learn's {@code LogisticRegression} and {@code MiniBatchKMeans}.
 *
 * <p>The public API is the evaluators, the datasets with their readers, and the results; the
 * numerical machinery behind them (L-BFGS, the Mersenne Twisters, logistic regression, mini-batch
 * k-means, the ranking, classification and clustering metrics) is package-private, so it can
 * follow MTEB and scikit-learn without promising a stable API. Every text file is read through
 * {@link dev.gecko4j.core.eval.DatasetLines}, the one validation rule of the dataset readers.
 */
package dev.gecko4j.core.eval;
