/**
 * Checkpoints that are complete or absent (files forced to disk, folders renamed atomically) and
 * the durable-file helpers the exporter shares; not API beyond what {@code GeckoTrainer} needs.
 */
package dev.gecko4j.train.checkpoint;
