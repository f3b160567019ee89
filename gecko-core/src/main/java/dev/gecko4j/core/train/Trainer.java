package dev.gecko4j.core.train;

import java.util.List;

/**
 * Fine-tunes an embedding model with a contrastive loss and exports the result as a model the
 * embedder can load. Implementations: {@code dev.gecko4j.train.GeckoTrainer} (gecko-train).
 */
public interface Trainer {
  /**
   * Trains under {@code config} on rows drawn from {@code sources}, resuming from the latest
   * checkpoint in the output directory when {@link TrainingConfig#resume()} is set, and exports
   * the trained model into {@code config.outputDirectory()}.
   *
   * @param config the run's settings
   * @param sources the data mixture, non-empty
   * @param listener progress receiver (use {@link TrainingListener#NONE} for none)
   * @return the run's numbers and the exported model folder
   * @throws IllegalArgumentException if sources is empty or incompatible with the config
   * @throws java.io.UncheckedIOException if checkpoints or the export cannot be written
   */
  TrainingResult train(TrainingConfig config, List<TrainingSource> sources, TrainingListener listener);
}
