package dev.gecko4j.train.data;

import dev.gecko4j.core.train.TrainingExample;
import dev.gecko4j.core.train.TrainingSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;

/**
 * Draws batches from weighted sources, deterministically under a seed. Each source is walked
 * through a fresh shuffle per epoch (no repeats within an epoch); sources are picked with
 * probability proportional to their weight, either once per batch ({@code oneSourcePerBatch}, so
 * in-batch negatives come from the same task) or once per row.
 *
 * <p>The sequence of batches depends only on (sources, batch size, mode, seed): a resumed run
 * replays it with {@link #skip(int)}.
 */
public final class MixtureSampler {
  private final List<TrainingSource> sources;
  private final int batchSize;
  private final boolean oneSourcePerBatch;
  private final long seed;
  private final double[] cumulative;
  private final Random picker;
  private final int[][] order;
  private final int[] cursor;
  private final int[] epoch;

  /**
   * Creates a sampler.
   *
   * @param sources the sources, non-empty
   * @param batchSize rows per batch, >= 1
   * @param oneSourcePerBatch draw a whole batch from one source
   * @param seed the seed
   * @throws IllegalArgumentException if sources is empty or {@code batchSize < 1}
   */
  public MixtureSampler(List<TrainingSource> sources, int batchSize, boolean oneSourcePerBatch, long seed) {
    if (sources == null || sources.isEmpty() || sources.stream().anyMatch(Objects::isNull)) {
      throw new IllegalArgumentException("sources must be a non-empty list without nulls");
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be >= 1, but is: " + batchSize);
    }
    this.sources = List.copyOf(sources);
    this.batchSize = batchSize;
    this.oneSourcePerBatch = oneSourcePerBatch;
    this.seed = seed;
    this.picker = new Random(seed);
    this.cumulative = new double[sources.size()];
    double total = 0;
    for (int i = 0; i < sources.size(); i++) {
      total += sources.get(i).weight();
      cumulative[i] = total;
    }
    for (int i = 0; i < cumulative.length; i++) {
      cumulative[i] /= total;
    }
    this.order = new int[sources.size()][];
    this.cursor = new int[sources.size()];
    this.epoch = new int[sources.size()];
    for (int s = 0; s < sources.size(); s++) {
      order[s] = shuffle(s, 0);
    }
  }

  private int[] shuffle(int source, int ep) {
    int n = sources.get(source).examples().size();
    int[] perm = new int[n];
    for (int i = 0; i < n; i++) {
      perm[i] = i;
    }
    Random r = new Random(seed * 1_000_003L + source * 7919L + ep);
    for (int i = n - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      int t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
    }
    return perm;
  }

  private int pickSource() {
    double u = picker.nextDouble();
    for (int i = 0; i < cumulative.length; i++) {
      if (u < cumulative[i]) {
        return i;
      }
    }
    return cumulative.length - 1;
  }

  private TrainingExample draw(int s) {
    if (cursor[s] == order[s].length) {
      epoch[s]++;
      order[s] = shuffle(s, epoch[s]);
      cursor[s] = 0;
    }
    return sources.get(s).examples().get(order[s][cursor[s]++]);
  }

  /**
   * Returns the next batch.
   *
   * @return {@code batchSize} rows
   */
  public List<TrainingExample> next() {
    List<TrainingExample> batch = new ArrayList<>(batchSize);
    int s = oneSourcePerBatch ? pickSource() : -1;
    for (int i = 0; i < batchSize; i++) {
      batch.add(draw(oneSourcePerBatch ? s : pickSource()));
    }
    return batch;
  }

  /**
   * Skips batches (to resume a run at a step).
   *
   * @param batches how many batches to skip, >= 0
   * @throws IllegalArgumentException if batches is negative
   */
  public void skip(int batches) {
    if (batches < 0) {
      throw new IllegalArgumentException("batches must be >= 0, but is: " + batches);
    }
    for (int i = 0; i < batches; i++) {
      next();
    }
  }
}
