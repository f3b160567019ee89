package dev.gecko4j.core.train;

/**
 * Progress after one optimizer step.
 *
 * @param step steps done (1-based)
 * @param totalSteps steps planned
 * @param loss the step's loss (NaN if the step was skipped as non-finite)
 * @param learningRate the learning rate the step used
 * @param gradNorm the global gradient norm before clipping
 * @param examplesPerSecond training rows per second since the run (or resume) started
 * @param etaSeconds estimated seconds left
 * @param skippedSteps steps skipped so far because the loss or gradient was not finite
 */
public record TrainingProgress(int step, int totalSteps, double loss, double learningRate,
    double gradNorm, double examplesPerSecond, double etaSeconds, int skippedSteps) {}
