package dev.gecko4j.train;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Thrown by {@link GeckoTrainer#train} when the run was asked to stop ({@link
 * GeckoTrainer#requestStop()}, {@link GeckoTrainer#close()}) before its last step. The completed
 * steps are in a checkpoint, so training again with resume on continues from there and ends
 * with the weights of an uninterrupted run.
 */
public final class TrainingStoppedException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int step;
  private final transient Path checkpoint;

  TrainingStoppedException(int step, Path checkpoint) {
    super(checkpoint == null
        ? "training stopped before its first step; there is nothing to resume"
        : "training stopped after step " + step + "; checkpoint " + checkpoint
            + " holds it: train again with resume on (gecko train: the same command) to continue");
    this.step = step;
    this.checkpoint = checkpoint;
  }

  /** @return the steps completed, which the checkpoint holds */
  public int step() {
    return step;
  }

  /** @return the checkpoint holding the completed steps, or empty when none was completed */
  public Optional<Path> checkpoint() {
    return Optional.ofNullable(checkpoint);
  }
}
