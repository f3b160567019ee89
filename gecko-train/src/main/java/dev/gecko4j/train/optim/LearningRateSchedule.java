package dev.gecko4j.train.optim;

/**
 * Linear warm-up to the peak over {@code warmupSteps}, then linear decay to 0 at {@code
 * totalSteps}, after transformers' {@code get_linear_schedule_with_warmup}. The 0-based step
 * {@code s} gets {@code peak·(s+1)/(warmupSteps+1)} during warm-up (so its first step already
 * moves the weights, and the last warm-up step is just below the peak), then {@code
 * peak·(totalSteps−s)/(totalSteps−warmupSteps)}: the peak at {@code s = warmupSteps}, reaching 0 at
 * {@code s = totalSteps}.
 *
 * @param peak the peak learning rate, > 0
 * @param warmupSteps warm-up steps, 0..totalSteps
 * @param totalSteps total steps, >= 1
 */
public record LearningRateSchedule(double peak, int warmupSteps, int totalSteps) {
  /**
   * Validates.
   *
   * @throws IllegalArgumentException if a value is out of range
   */
  public LearningRateSchedule {
    if (!(peak > 0) || Double.isInfinite(peak)) {
      throw new IllegalArgumentException("peak must be finite and > 0, but is: " + peak);
    }
    if (totalSteps < 1 || warmupSteps < 0 || warmupSteps > totalSteps) {
      throw new IllegalArgumentException("need 0 <= warmupSteps <= totalSteps and totalSteps >= 1, but are: "
          + warmupSteps + ", " + totalSteps);
    }
  }

  /**
   * Returns the rate of a step.
   *
   * @param step the 0-based step, {@code >= 0} (steps past the end get 0)
   * @return the learning rate
   * @throws IllegalArgumentException if step is negative
   */
  public double at(int step) {
    if (step < 0) {
      throw new IllegalArgumentException("step must be >= 0, but is: " + step);
    }
    if (step < warmupSteps) {
      return peak * (step + 1) / (warmupSteps + 1.0);
    }
    double left = totalSteps - step;
    double span = Math.max(1, totalSteps - warmupSteps);
    return peak * Math.max(0, left / span);
  }
}
