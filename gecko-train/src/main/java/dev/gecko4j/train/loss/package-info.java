/**
 * Contrastive losses as composable units computed from embeddings (sentence-transformers style):
 * {@link dev.gecko4j.train.loss.GeckoLoss}, {@link dev.gecko4j.train.loss.InBatchInfoNceLoss} and
 * the {@link dev.gecko4j.train.loss.MatryoshkaLoss} wrapper.
 */
package dev.gecko4j.train.loss;
