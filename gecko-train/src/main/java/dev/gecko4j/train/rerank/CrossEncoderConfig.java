package dev.gecko4j.train.rerank;

import dev.gecko4j.core.internal.Args;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Immutable, validated settings of a {@link CrossEncoderTrainer} run; made by {@link #builder}.
 *
 * @param outputDirectory where {@code checkpoints/} and {@code model/} go
 * @param steps optimizer steps, {@code >= 1}
 * @param groupsPerStep training groups (query + passages) per step, {@code >= 1}
 * @param maxLength tokens per (query, passage) pair, special tokens included (longest-first
 *     truncation), 8 to 8192
 * @param loss the loss
 * @param learningRate peak learning rate, in (0, 1]
 * @param warmupSteps linear warm-up steps, {@code 0..steps}
 * @param weightDecay AdamW's decoupled weight decay, [0, 1]
 * @param maxGradNorm global gradient-norm clip, 0 for none
 * @param seed seed of the head's initial weights and the group order
 * @param checkpointEvery steps between checkpoints, 0 for none
 * @param resume whether to continue from the newest intact checkpoint in the output directory
 */
public record CrossEncoderConfig(Path outputDirectory, int steps, int groupsPerStep, int maxLength,
    RerankLoss loss, double learningRate, int warmupSteps, double weightDecay, double maxGradNorm,
    long seed, int checkpointEvery, boolean resume) {

  /**
   * Validates the settings.
   *
   * @throws IllegalArgumentException naming the bad value and its valid range
   */
  public CrossEncoderConfig {
    Args.notNull(outputDirectory, "outputDirectory");
    Args.positive(steps, "steps");
    Args.positive(groupsPerStep, "groupsPerStep");
    Args.inRange(maxLength, 8, 8192, "maxLength");
    Args.notNull(loss, "loss");
    if (!(learningRate > 0 && learningRate <= 1)) {
      throw new IllegalArgumentException("learningRate must be in (0, 1], but is: " + learningRate);
    }
    Args.inRange(warmupSteps, 0, steps, "warmupSteps");
    Args.inRange(weightDecay, 0, 1, "weightDecay");
    if (!(maxGradNorm >= 0) || Double.isInfinite(maxGradNorm)) {
      throw new IllegalArgumentException("maxGradNorm must be >= 0 (0: no clipping), but is: "
          + maxGradNorm);
    }
    Args.atLeast(checkpointEvery, 0, "checkpointEvery");
  }

  /**
   * A builder with the defaults: 200 steps of 4 groups, 256 tokens, listwise loss, learning rate
   * 2e-5 with 10% warm-up, weight decay 0.01, clip 1.0, seed 42, a checkpoint every 20 steps,
   * resume on.
   *
   * @param outputDirectory where checkpoints and the model go; not null
   * @return the builder
   */
  public static Builder builder(Path outputDirectory) {
    return new Builder(Args.notNull(outputDirectory, "outputDirectory"));
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "CrossEncoderConfig[steps=%d, groupsPerStep=%d, "
        + "maxLength=%d, loss=%s, lr=%.2e, warmup=%d, weightDecay=%s, maxGradNorm=%s, seed=%d, "
        + "checkpointEvery=%d, resume=%s, out=%s]", steps, groupsPerStep, maxLength, loss,
        learningRate, warmupSteps, weightDecay, maxGradNorm, seed, checkpointEvery, resume,
        outputDirectory);
  }

  /** Records settings; {@link #build()} validates them all. */
  public static final class Builder {
    private final Path out;
    private int steps = 200;
    private int groupsPerStep = 4;
    private int maxLength = 256;
    private RerankLoss loss = RerankLoss.LISTWISE;
    private double lr = 2e-5;
    private Integer warmup;
    private double weightDecay = 0.01;
    private double maxGradNorm = 1.0;
    private long seed = 42;
    private int checkpointEvery = 20;
    private boolean resume = true;

    private Builder(Path out) {
      this.out = out;
    }

    /** @param v optimizer steps @return this */
    public Builder steps(int v) {
      this.steps = v;
      return this;
    }

    /** @param v groups per step @return this */
    public Builder groupsPerStep(int v) {
      this.groupsPerStep = v;
      return this;
    }

    /** @param v tokens per pair @return this */
    public Builder maxLength(int v) {
      this.maxLength = v;
      return this;
    }

    /** @param v the loss @return this */
    public Builder loss(RerankLoss v) {
      this.loss = v;
      return this;
    }

    /** @param v peak learning rate @return this */
    public Builder learningRate(double v) {
      this.lr = v;
      return this;
    }

    /** @param v warm-up steps (default: a tenth of the steps) @return this */
    public Builder warmupSteps(int v) {
      this.warmup = v;
      return this;
    }

    /** @param v weight decay @return this */
    public Builder weightDecay(double v) {
      this.weightDecay = v;
      return this;
    }

    /** @param v gradient-norm clip, 0 for none @return this */
    public Builder maxGradNorm(double v) {
      this.maxGradNorm = v;
      return this;
    }

    /** @param v the seed @return this */
    public Builder seed(long v) {
      this.seed = v;
      return this;
    }

    /** @param v steps between checkpoints, 0 for none @return this */
    public Builder checkpointEvery(int v) {
      this.checkpointEvery = v;
      return this;
    }

    /** @param v whether to resume from a checkpoint @return this */
    public Builder resume(boolean v) {
      this.resume = v;
      return this;
    }

    /**
     * Validates and builds.
     *
     * @return the config
     * @throws IllegalArgumentException naming the bad value
     */
    public CrossEncoderConfig build() {
      return new CrossEncoderConfig(out, steps, groupsPerStep, maxLength, loss, lr,
          warmup != null ? warmup : steps / 10, weightDecay, maxGradNorm, seed, checkpointEvery,
          resume);
    }
  }
}
