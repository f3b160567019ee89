package dev.gecko4j.core.train;

import java.nio.file.Path;

/** Receives training progress; every method has a no-op default. */
public interface TrainingListener {
  /** A listener that ignores everything. */
  TrainingListener NONE = new TrainingListener() {};

  /**
   * Called after every optimizer step.
   *
   * @param progress the step's numbers
   */
  default void onStep(TrainingProgress progress) {}

  /**
   * Called after a checkpoint was written.
   *
   * @param step the step the checkpoint holds
   * @param directory the checkpoint directory
   */
  default void onCheckpoint(int step, Path directory) {}

  /**
   * Called for human-readable notes (resume, skipped steps, export).
   *
   * @param message the note
   */
  default void onMessage(String message) {}
}
