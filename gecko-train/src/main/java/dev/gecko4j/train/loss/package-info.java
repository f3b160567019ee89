/**
 * Internal: the tensor computations (DJL) behind the public
 * {@link dev.gecko4j.core.train.ContrastiveLoss} values, chosen by
 * {@link dev.gecko4j.train.loss.Losses#of}: {@link dev.gecko4j.train.loss.InfoNceLoss},
 * {@link dev.gecko4j.train.loss.MatryoshkaLoss}, {@link dev.gecko4j.train.loss.WeightedSumLoss}, and
 * {@link dev.gecko4j.train.loss.GeckoLoss} (Gecko's eq. 3 as first written; the reference the
 * others are tested against). Not part of the API: users pass
 * {@link dev.gecko4j.core.train.ContrastiveLoss} values, or implement
 * {@link dev.gecko4j.train.djl.DjlContrastiveLoss} for a formula of their own.
 */
package dev.gecko4j.train.loss;
