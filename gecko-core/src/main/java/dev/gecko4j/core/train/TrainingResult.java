package dev.gecko4j.core.train;

import java.nio.file.Path;

/**
 * What a training run produced.
 *
 * @param steps optimizer steps completed in total (including steps before a resume)
 * @param finalLoss the loss of the last step
 * @param examplesPerSecond training rows per second in this process
 * @param achievedGflops useful model FLOP/s achieved (forward + backward matmuls), in GFLOP/s
 * @param skippedSteps steps skipped because the loss or gradient was not finite
 * @param modelDirectory the exported model folder
 */
public record TrainingResult(int steps, double finalLoss, double examplesPerSecond,
    double achievedGflops, int skippedSteps, Path modelDirectory) {}
