/**
 * The training API: {@link dev.gecko4j.core.train.Trainer} fine-tunes an embedding model on
 * {@link dev.gecko4j.core.train.TrainingExample}s drawn from weighted
 * {@link dev.gecko4j.core.train.TrainingSource}s under a validated
 * {@link dev.gecko4j.core.train.TrainingConfig}, reporting to a
 * {@link dev.gecko4j.core.train.TrainingListener}. The loss is a
 * {@link dev.gecko4j.core.train.ContrastiveLoss} value (Gecko's, in-batch InfoNCE,
 * sentence-transformers' MultipleNegativesRankingLoss, Matryoshka, weighted sums) or the
 * {@link dev.gecko4j.core.train.TrainingConfig.Loss} shorthand. The implementation lives in
 * {@code gecko-train}.
 */
package dev.gecko4j.core.train;
