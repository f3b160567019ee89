/**
 * Contrastive losses as composable units computed from embeddings (sentence-transformers style):
 * {@link dev.gecko4j.train.loss.GeckoLoss} (with {@code GeckoLoss.inBatchInfoNce} for plain in-batch InfoNCE) and
 * the {@link dev.gecko4j.train.loss.MatryoshkaLoss} wrapper.
 */
package dev.gecko4j.train.loss;
