package dev.gecko4j.core.train;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Immutable, validated settings of a training run. Build with {@link #builder(String, Path)};
 * every setter validates its value and {@link Builder#build()} checks cross-field rules.
 *
 * @param model the base model: a bundled model name ({@code bge-small-en-v1.5}) or a model
 *     folder path (model.onnx + tokenizer.json, sentence-transformers layout)
 * @param outputDirectory where checkpoints ({@code checkpoints/}) and the exported model
 *     ({@code model/}) go
 * @param steps optimizer steps
 * @param batchSize rows per optimizer step (the contrastive batch)
 * @param microBatchSize rows per forward/backward chunk (GradCache); equal to batchSize for none
 * @param learningRate peak AdamW learning rate
 * @param weightDecay AdamW decoupled weight decay (not applied to biases and LayerNorm)
 * @param warmupSteps linear warm-up steps, then linear decay to 0
 * @param maxGradNorm global gradient-norm clip (0 = no clipping)
 * @param loss the contrastive loss as a shorthand (with {@code temperature} and {@code
 *     matryoshkaDims}); unused when {@code lossFunction} is given
 * @param temperature softmax temperature τ of the {@code loss} shorthand
 * @param matryoshkaDims MRL truncation sizes of the {@code loss} shorthand (empty = no MRL)
 * @param queryMaxLength max tokens of a query
 * @param passageMaxLength max tokens of a positive or negative
 * @param seed the seed for sampling (runs are deterministic under a seed)
 * @param checkpointEvery write a checkpoint every N steps (0 = never)
 * @param oneSourcePerBatch draw each batch from a single source (picked by weight)
 * @param resume continue from the latest checkpoint in the output directory, if any
 * @param lossFunction the loss as an instance ({@link Builder#loss(ContrastiveLoss)}), or null
 *     when the {@code loss} shorthand describes it; {@link #contrastiveLoss()} is the loss either
 *     way
 */
public record TrainingConfig(String model, Path outputDirectory, int steps, int batchSize,
    int microBatchSize, double learningRate, double weightDecay, int warmupSteps,
    double maxGradNorm, Loss loss, double temperature, int[] matryoshkaDims, int queryMaxLength,
    int passageMaxLength, long seed, int checkpointEvery, boolean oneSourcePerBatch,
    boolean resume, ContrastiveLoss lossFunction) {

  /**
   * The contrastive loss of a run as a shorthand; {@link ContrastiveLoss} instances say more
   * (Matryoshka weights, sentence-transformers' losses, sums).
   */
  public enum Loss {
    /** Gecko's eq. 3: in-batch positives, the row's hard negative, query-query negatives. */
    GECKO,
    /** Plain in-batch InfoNCE (pre-finetuning): in-batch positives only. */
    IN_BATCH,
    /**
     * E5-mistral's InfoNCE: in-batch positives and the row's hard negative, without Gecko's
     * query-query negatives (decoder embedders put one instruction before every query, which
     * makes queries alike).
     */
    E5;

    /**
     * Returns the loss instance this shorthand stands for.
     *
     * @param temperature τ, in (0, 10]
     * @return {@link ContrastiveLoss#gecko(double)}, {@link ContrastiveLoss#inBatch(double)}, or
     *     for {@link #E5} {@code gecko(τ).withQueryQueryNegatives(false)}
     * @throws IllegalArgumentException if τ is out of range
     */
    public ContrastiveLoss.InfoNce toContrastiveLoss(double temperature) {
      return switch (this) {
        case GECKO -> ContrastiveLoss.gecko(temperature);
        case IN_BATCH -> ContrastiveLoss.inBatch(temperature);
        case E5 -> ContrastiveLoss.gecko(temperature).withQueryQueryNegatives(false);
      };
    }
  }

  /**
   * Validates every value (the one place the rules live: the builder's setters only store) and
   * copies the dims.
   *
   * @throws IllegalArgumentException if a value is out of range
   * @throws IllegalStateException if values conflict
   */
  public TrainingConfig {
    if (model == null || model.isBlank()) {
      throw new IllegalArgumentException("model must be a bundled model name or a folder, but is: " + model);
    }
    if (outputDirectory == null) {
      throw new IllegalArgumentException("outputDirectory must not be null");
    }
    if (loss == null) {
      throw new IllegalArgumentException("loss must be one of " + Arrays.toString(Loss.values())
          + ", but is: null");
    }
    checkRange("steps", steps, 1, 10_000_000);
    checkRange("batchSize", batchSize, 2, 65_536);
    checkRange("microBatchSize", microBatchSize, 1, 65_536);
    if (microBatchSize > batchSize) {
      throw new IllegalStateException(String.format(Locale.ROOT,
          "microBatchSize (%d) must not exceed batchSize (%d)", microBatchSize, batchSize));
    }
    if (!(learningRate > 0 && learningRate <= 1)) {
      throw new IllegalArgumentException("learningRate must be in (0, 1], but is: " + learningRate);
    }
    if (!(weightDecay >= 0 && weightDecay <= 1)) {
      throw new IllegalArgumentException("weightDecay must be in [0, 1], but is: " + weightDecay);
    }
    checkRange("warmupSteps", warmupSteps, 0, 10_000_000);
    if (warmupSteps > steps) {
      throw new IllegalStateException(String.format(Locale.ROOT,
          "warmupSteps (%d) must not exceed steps (%d)", warmupSteps, steps));
    }
    if (!(maxGradNorm >= 0) || Double.isInfinite(maxGradNorm)) {
      throw new IllegalArgumentException("maxGradNorm must be finite and >= 0, but is: " + maxGradNorm);
    }
    if (!(temperature > 0 && temperature <= 10)) {
      throw new IllegalArgumentException("temperature must be in (0, 10], but is: " + temperature);
    }
    matryoshkaDims = matryoshkaDims == null ? new int[0] : matryoshkaDims.clone();
    for (int d : matryoshkaDims) {
      checkRange("matryoshkaDims entry", d, 1, 65_536);
    }
    if (Arrays.stream(matryoshkaDims).distinct().count() != matryoshkaDims.length) {
      throw new IllegalArgumentException("matryoshkaDims must be distinct, but are: " + Arrays.toString(matryoshkaDims));
    }
    checkRange("queryMaxLength", queryMaxLength, 2, 8192);
    checkRange("passageMaxLength", passageMaxLength, 2, 8192);
    checkRange("checkpointEvery", checkpointEvery, 0, Integer.MAX_VALUE);
    if (lossFunction != null && matryoshkaDims.length > 0) {
      throw new IllegalStateException("matryoshkaDims " + Arrays.toString(matryoshkaDims)
          + " belong to the loss shorthand and cannot be combined with a ContrastiveLoss instance: "
          + "wrap it instead, ContrastiveLoss.matryoshka(loss, dims)");
    }
  }

  /**
   * Returns the loss of the run: the instance given to {@link Builder#loss(ContrastiveLoss)}, or
   * else the {@code loss} shorthand at {@code temperature}, wrapped in {@link
   * ContrastiveLoss#matryoshka(ContrastiveLoss, int...)} when {@code matryoshkaDims} are set.
   *
   * @return the loss; never null
   */
  public ContrastiveLoss contrastiveLoss() {
    if (lossFunction != null) {
      return lossFunction;
    }
    ContrastiveLoss base = loss.toContrastiveLoss(temperature);
    return matryoshkaDims.length == 0 ? base : ContrastiveLoss.matryoshka(base, matryoshkaDims);
  }

  private static void checkRange(String name, long v, long min, long max) {
    if (v < min || v > max) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "%s must be between %d and %d, but is: %d", name, min, max, v));
    }
  }

  /**
   * Returns the extra Matryoshka (MRL) dimensions the loss is also computed on.
   *
   * @return a copy of the dims; empty for none
   */
  @Override
  public int[] matryoshkaDims() {
    return matryoshkaDims.clone();
  }

  /**
   * Starts a builder with the documented defaults.
   *
   * @param model bundled model name or model folder
   * @param outputDirectory output folder
   * @return a builder
   */
  public static Builder builder(String model, Path outputDirectory) {
    return new Builder(model, outputDirectory);
  }

  /**
   * Returns a builder holding this config's values.
   *
   * @return a builder
   */
  public Builder toBuilder() {
    Builder b = new Builder(model, outputDirectory);
    b.steps = steps;
    b.batchSize = batchSize;
    b.microBatchSize = microBatchSize;
    b.learningRate = learningRate;
    b.weightDecay = weightDecay;
    b.warmupSteps = warmupSteps;
    b.maxGradNorm = maxGradNorm;
    b.loss = loss;
    b.temperature = temperature;
    b.matryoshkaDims = matryoshkaDims.clone();
    b.queryMaxLength = queryMaxLength;
    b.passageMaxLength = passageMaxLength;
    b.seed = seed;
    b.checkpointEvery = checkpointEvery;
    b.oneSourcePerBatch = oneSourcePerBatch;
    b.resume = resume;
    b.lossFunction = lossFunction;
    return b;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TrainingConfig c && toString().equals(c.toString());
  }

  @Override
  public int hashCode() {
    return toString().hashCode();
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "TrainingConfig[model=%s, out=%s, steps=%d, batch=%d, "
        + "micro=%d, lr=%s, wd=%s, warmup=%d, clip=%s, loss=%s, tau=%s, mrl=%s, qlen=%d, plen=%d, "
        + "seed=%d, ckptEvery=%d, onePerBatch=%s, resume=%s%s]", model, outputDirectory, steps,
        batchSize, microBatchSize, learningRate, weightDecay, warmupSteps, maxGradNorm, loss,
        temperature, Arrays.toString(matryoshkaDims), queryMaxLength, passageMaxLength, seed,
        checkpointEvery, oneSourcePerBatch, resume,
        lossFunction == null ? "" : ", lossFunction=" + lossFunction);
  }

  /**
   * Mutable builder: setters store and return {@code this}; {@link #build()} validates once
   * (the record's constructor), so a value out of range fails there, naming it.
   */
  public static final class Builder {
    private final String model;
    private final Path outputDirectory;
    private int steps = 100;
    private int batchSize = 32;
    private int microBatchSize = 32;
    private double learningRate = 2e-5;
    private double weightDecay = 0.01;
    private int warmupSteps = 10;
    private double maxGradNorm = 1.0;
    private Loss loss = Loss.GECKO;
    private double temperature = 0.05;
    private int[] matryoshkaDims = new int[0];
    private int queryMaxLength = 64;
    private int passageMaxLength = 256;
    private long seed = 42;
    private int checkpointEvery = 0;
    private boolean oneSourcePerBatch = true;
    private boolean resume = true;
    private ContrastiveLoss lossFunction;
    private boolean temperatureSet;

    private Builder(String model, Path outputDirectory) {
      this.model = model;
      this.outputDirectory = outputDirectory;
    }

    /**
     * Sets the number of optimizer steps.
     *
     * @param v optimizer steps, &gt;= 1
     * @return this builder
     */
    public Builder steps(int v) {
      steps = v;
      return this;
    }

    /**
     * Sets the rows per optimizer step; lowers microBatchSize to it if that was larger.
     *
     * @param v rows per step, &gt;= 2 (also sets microBatchSize if it was larger)
     * @return this builder
     */
    public Builder batchSize(int v) {
      batchSize = v;
      microBatchSize = Math.min(microBatchSize, v);
      return this;
    }

    /**
     * Sets the rows per GradCache chunk.
     *
     * @param v rows per GradCache chunk, &gt;= 1
     * @return this builder
     */
    public Builder microBatchSize(int v) {
      microBatchSize = v;
      return this;
    }

    /**
     * Sets the peak learning rate.
     *
     * @param v peak learning rate in (0, 1]
     * @return this builder
     */
    public Builder learningRate(double v) {
      learningRate = v;
      return this;
    }

    /**
     * Sets the AdamW weight decay.
     *
     * @param v weight decay in [0, 1]
     * @return this builder
     */
    public Builder weightDecay(double v) {
      weightDecay = v;
      return this;
    }

    /**
     * Sets the linear warm-up steps.
     *
     * @param v warm-up steps, &gt;= 0
     * @return this builder
     */
    public Builder warmupSteps(int v) {
      warmupSteps = v;
      return this;
    }

    /**
     * Sets the gradient-norm clip.
     *
     * @param v gradient-norm clip, &gt;= 0 (0 = off)
     * @return this builder
     */
    public Builder maxGradNorm(double v) {
      maxGradNorm = v;
      return this;
    }

    /**
     * Sets the loss by its shorthand (with {@link #temperature} and {@link #matryoshkaDims});
     * replaces an instance given to {@link #loss(ContrastiveLoss)}.
     *
     * @param v the loss
     * @return this builder
     */
    public Builder loss(Loss v) {
      loss = v;
      lossFunction = null;
      return this;
    }

    /**
     * Sets the loss as an instance, e.g. {@code ContrastiveLoss.matryoshka(ContrastiveLoss.gecko(
     * 0.02), 384, 256)}; replaces the shorthand. The instance carries its own temperature and
     * Matryoshka dimensions, so {@link #temperature} and {@link #matryoshkaDims} cannot be set
     * with it ({@link #build()} says so).
     *
     * @param v the loss; not null
     * @return this builder
     * @throws IllegalArgumentException if {@code v} is null
     */
    public Builder loss(ContrastiveLoss v) {
      if (v == null) {
        throw new IllegalArgumentException("loss must be a ContrastiveLoss, but is: null");
      }
      lossFunction = v;
      return this;
    }

    /**
     * Sets the softmax temperature of the {@link #loss(Loss)} shorthand.
     *
     * @param v temperature in (0, 10]
     * @return this builder
     */
    public Builder temperature(double v) {
      temperature = v;
      temperatureSet = true;
      return this;
    }

    /**
     * Sets the Matryoshka (MRL) dimensions the {@link #loss(Loss)} shorthand is computed on (each
     * with weight 1; {@link ContrastiveLoss#matryoshka(ContrastiveLoss, int[], double[])} takes
     * weights).
     *
     * @param v MRL dims (empty for none)
     * @return this builder
     */
    public Builder matryoshkaDims(int... v) {
      matryoshkaDims = v == null ? new int[0] : v.clone();
      return this;
    }

    /**
     * Sets the most tokens of a query.
     *
     * @param v max query tokens, 2 to 8192
     * @return this builder
     */
    public Builder queryMaxLength(int v) {
      queryMaxLength = v;
      return this;
    }

    /**
     * Sets the most tokens of a passage.
     *
     * @param v max passage tokens, 2 to 8192
     * @return this builder
     */
    public Builder passageMaxLength(int v) {
      passageMaxLength = v;
      return this;
    }

    /**
     * Sets the random seed (data order, sampling).
     *
     * @param v the seed
     * @return this builder
     */
    public Builder seed(long v) {
      seed = v;
      return this;
    }

    /**
     * Sets the checkpoint interval.
     *
     * @param v checkpoint interval in steps, 0 = never
     * @return this builder
     */
    public Builder checkpointEvery(int v) {
      checkpointEvery = v;
      return this;
    }

    /**
     * Sets whether each batch is drawn from one data source.
     *
     * @param v draw each batch from one source
     * @return this builder
     */
    public Builder oneSourcePerBatch(boolean v) {
      oneSourcePerBatch = v;
      return this;
    }

    /**
     * Sets whether training resumes from the latest checkpoint if one is present.
     *
     * @param v resume from the latest checkpoint if present
     * @return this builder
     */
    public Builder resume(boolean v) {
      resume = v;
      return this;
    }

    /**
     * Builds the config.
     *
     * @return the config
     * @throws IllegalArgumentException if a value is out of range (checked here, once, by the
     *     record's constructor; the setters only store)
     * @throws IllegalStateException if values conflict (e.g. warmupSteps > steps, or a loss
     *     instance with temperature or matryoshkaDims set)
     */
    public TrainingConfig build() {
      if (lossFunction != null && temperatureSet) {
        throw new IllegalStateException("temperature (" + temperature + ") belongs to the loss"
            + " shorthand and cannot be combined with a ContrastiveLoss instance: set it on the"
            + " instance, e.g. ContrastiveLoss.gecko(" + temperature + ")");
      }
      return new TrainingConfig(model, outputDirectory, steps, batchSize, microBatchSize,
          learningRate, weightDecay, warmupSteps, maxGradNorm, loss, temperature, matryoshkaDims,
          queryMaxLength, passageMaxLength, seed, checkpointEvery, oneSourcePerBatch, resume,
          lossFunction);
    }
  }
}
