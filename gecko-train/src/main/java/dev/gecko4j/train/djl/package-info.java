/**
 * Engine-level extension points of the trainer, bound to DJL (PyTorch engine) and outside the
 * stable API: {@link dev.gecko4j.train.djl.DjlContrastiveLoss} for a loss formula the {@link
 * dev.gecko4j.core.train.ContrastiveLoss} values do not cover.
 */
package dev.gecko4j.train.djl;
