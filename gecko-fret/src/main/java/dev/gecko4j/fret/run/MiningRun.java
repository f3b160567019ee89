package dev.gecko4j.fret.run;

import dev.gecko4j.fret.internal.JsonlAppender;
import dev.gecko4j.fret.internal.FileOpener;
import dev.gecko4j.core.fret.FretExample;
import dev.gecko4j.core.fret.FretMiner;
import dev.gecko4j.core.fret.FretOutcome;
import dev.gecko4j.core.fret.FretSeed;
import dev.gecko4j.fret.FretPipeline;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * Runs a {@link FretMiner} over a stream of seeds into an append-only JSONL file, resumably.
 *
 * <p>On start it repairs and reads back the output: a torn last line (a write cut by a kill) is
 * truncated away, every complete row is read and its key (query id, seed id) marked done, and the
 * drop log {@code <output>.drops.jsonl} is read the same way. Seeds whose key is done or dropped are
 * skipped; the others are mined in order, each row appended whole and forced to disk before it is
 * reported. So a run killed at any moment (even SIGKILL) and started again with the same arguments
 * ends with the same rows, none duplicated and none lost (a seed in flight at the kill is simply
 * mined again).
 *
 * <p>Every row and drop is forced to disk ({@code fsync}) before the listener hears of it: the
 * cost is small next to a row's LLM calls.
 *
 * <p>The run stops when the output holds {@code limit} rows, when it has mined {@code maxSeeds}
 * seeds, or when the seeds run out. Not thread-safe;
 * one run per output file at a time.
 */
public final class MiningRun {

  private final FretMiner miner;
  private final Path output;
  private final Path dropLog;
  private final long limit;
  private final long maxSeeds;
  private final MiningListener listener;
  private final FileOpener opener;
  private final java.util.function.BooleanSupplier stopWhen;
  private boolean stopped;
  private static final System.Logger LOG = System.getLogger(MiningRun.class.getName());

  private MiningRun(Builder b) {
    this.miner = b.miner;
    this.output = b.output;
    this.dropLog = dropLogOf(b.output);
    this.limit = b.limit;
    this.maxSeeds = b.maxSeeds;
    this.listener = b.listener;
    this.opener = b.opener;
    this.stopWhen = b.stopWhen;
  }

  /** {@return a builder} */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the drop log that goes with an output file: {@code <output>.drops.jsonl}.
   *
   * @param output the output file; not null
   * @return the drop log path
   * @throws IllegalArgumentException if {@code output} is null
   */
  public static Path dropLogOf(Path output) {
    if (output == null) {
      throw new IllegalArgumentException("output must not be null");
    }
    return output.resolveSibling(output.getFileName() + ".drops.jsonl");
  }

  /** Builds a {@link MiningRun}; {@link #miner} and {@link #output} are required. */
  public static final class Builder {
    private FretMiner miner;
    private Path output;
    private long limit = Long.MAX_VALUE;
    private long maxSeeds = Long.MAX_VALUE;
    private MiningListener listener = MiningListener.NONE;
    private FileOpener opener = FileOpener.DEFAULT;
    private java.util.function.BooleanSupplier stopWhen = () -> false;

    private Builder() {}

    /**
     * Sets the stop request, asked before each seed (e.g. a {@link StopSignal}): once it says
     * true, the run returns after the seed in flight, its files closed and forced to disk.
     *
     * @param s the stop request (default: never); not null
     * @return this builder
     * @throws IllegalArgumentException if null
     */
    public Builder stopWhen(java.util.function.BooleanSupplier s) {
      if (s == null) {
        throw new IllegalArgumentException("stopWhen must not be null");
      }
      this.stopWhen = s;
      return this;
    }

    /** Sets how the output files are opened (the seam that tests fail on purpose). */
    Builder opener(FileOpener o) {
      this.opener = o;
      return this;
    }

    /**
     * Sets the miner.
     *
     * @param m the miner; not null
     * @return this builder
     * @throws IllegalArgumentException if null
     */
    public Builder miner(FretMiner m) {
      if (m == null) {
        throw new IllegalArgumentException("miner must not be null");
      }
      this.miner = m;
      return this;
    }

    /**
     * Sets the output JSONL file (appended to; created when missing).
     *
     * @param p the file; not null
     * @return this builder
     * @throws IllegalArgumentException if null
     */
    public Builder output(Path p) {
      if (p == null) {
        throw new IllegalArgumentException("output must not be null");
      }
      this.output = p;
      return this;
    }

    /**
     * Sets the number of rows the output should hold when the run ends (earlier runs' rows count).
     *
     * @param n the row limit, {@code >= 1} (default: no limit)
     * @return this builder
     * @throws IllegalArgumentException if {@code n < 1}
     */
    public Builder limit(long n) {
      if (n < 1) {
        throw new IllegalArgumentException("limit must be >= 1, but is: " + n);
      }
      this.limit = n;
      return this;
    }

    /**
     * Sets the most seeds this run mines (seeds skipped as already done do not count), e.g. to
     * bound a generation run whose model rarely produces valid output.
     *
     * @param n the seed budget, {@code >= 1} (default: no limit)
     * @return this builder
     * @throws IllegalArgumentException if {@code n < 1}
     */
    public Builder maxSeeds(long n) {
      if (n < 1) {
        throw new IllegalArgumentException("maxSeeds must be >= 1, but is: " + n);
      }
      this.maxSeeds = n;
      return this;
    }

    /**
     * Sets the progress listener (default {@link MiningListener#NONE}).
     *
     * @param l the listener; not null
     * @return this builder
     * @throws IllegalArgumentException if null
     */
    public Builder listener(MiningListener l) {
      if (l == null) {
        throw new IllegalArgumentException("listener must not be null");
      }
      this.listener = l;
      return this;
    }

    /**
     * Builds the run.
     *
     * @return the run
     * @throws IllegalStateException if the miner or output is missing
     */
    public MiningRun build() {
      if (miner == null || output == null) {
        throw new IllegalStateException("miner and output are required");
      }
      return new MiningRun(this);
    }
  }

  /**
   * Mines {@code seeds} until the output holds the limit of rows or the seeds run out.
   *
   * @param seeds the seeds, in a stable order (the same on every resume); not null
   * @return the statistics of the output
   * @throws IllegalArgumentException if {@code seeds} is null or the output holds an invalid
   *     complete line (named by number)
   * @throws java.io.UncheckedIOException if reading or writing fails
   */
  public FretStats run(Iterator<FretSeed> seeds) {
    if (seeds == null) {
      throw new IllegalArgumentException("seeds must not be null");
    }
    long start = System.nanoTime();
    long truncated = JsonlAppender.truncateTornTail(output)
        + JsonlAppender.truncateTornTail(dropLog);
    if (truncated > 0) {
      LOG.log(System.Logger.Level.WARNING, "cut a torn last line ({0} bytes, written by a run that"
          + " was killed or failed) off {1} or {2}; its seed is mined again", truncated, output,
          dropLog);
    }
    Set<String> done = new HashSet<>();
    Map<String, Long> tasks = new HashMap<>();
    Map<String, Long> drops = new HashMap<>();
    long[] acc = new long[3]; // rows, positive changed, llm requests
    FretRows.forEach(output, row -> {
      if (done.add(row.key())) {
        count(row, tasks, acc);
        if (miner instanceof FretPipeline p) {
          p.resumeFrom(row);
        }
      }
    });
    FretRows.forEachLine(dropLog, (lineNo, line) -> {
      DropRecord d;
      try {
        d = DropRecord.fromJson(line);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            dropLog + ":" + lineNo + ": not a valid drop: " + e.getMessage(), e);
      }
      if (done.add(d.key())) {
        drops.merge(d.reason(), 1L, Long::sum);
        acc[2] += d.llmRequests();
      }
    });
    long resumed = acc[0];
    long dropsBefore = drops.values().stream().mapToLong(Long::longValue).sum();
    listener.onStart(resumed, dropsBefore, truncated);
    long skipped = 0;
    long mined = 0;
    try (JsonlAppender rows = new JsonlAppender(output, 1, opener);
        JsonlAppender dropOut = new JsonlAppender(dropLog, 1, opener)) {
      while (acc[0] < limit && mined < maxSeeds && seeds.hasNext()) {
        if (stopWhen.getAsBoolean()) {
          stopped = true;
          break;
        }
        FretSeed seed = seeds.next();
        if (done.contains(seed.key())) {
          skipped++;
          continue;
        }
        mined++;
        FretOutcome outcome = miner.mine(seed);
        done.add(seed.key());
        if (outcome instanceof FretOutcome.Mined) {
          FretOutcome.Mined m = (FretOutcome.Mined) outcome;
          guard(() -> rows.append(m.example().toJson()));
          count(m.example(), tasks, acc);
          listener.onRow(m.example(), progress(acc[0], resumed, start));
        } else {
          FretOutcome.Dropped d = (FretOutcome.Dropped) outcome;
          String drop = new DropRecord(seed.rowQueryId(), seed.seedId(), d.reason(), d.detail(),
              d.llmRequests()).toJson();
          guard(() -> dropOut.append(drop));
          drops.merge(d.reason(), 1L, Long::sum);
          acc[2] += d.llmRequests();
          listener.onDrop(seed, d, progress(acc[0], resumed, start));
        }
      }
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    long thisRun = acc[0] - resumed;
    return new FretStats(acc[0], thisRun, resumed, acc[0] == 0 ? 0 : (double) acc[1] / acc[0],
        tasks, drops, acc[2], acc[0] == 0 ? 0 : (double) acc[2] / acc[0], elapsed,
        elapsed > 0 ? thisRun / elapsed : 0, truncated, skipped);
  }

  /** Runs a write so that a {@link StopSignal}'s forced exit never cuts it. */
  private void guard(Runnable write) {
    if (stopWhen instanceof StopSignal) {
      ((StopSignal) stopWhen).guard(write);
    } else {
      write.run();
    }
  }

  /** {@return whether the last {@link #run} returned early because a stop was asked for} */
  public boolean stopped() {
    return stopped;
  }

  private static void count(FretExample row, Map<String, Long> tasks, long[] acc) {
    acc[0]++;
    if (row.positiveChanged()) {
      acc[1]++;
    }
    acc[2] += row.llmRequests();
    tasks.merge(row.task(), 1L, Long::sum);
  }

  private MiningListener.Progress progress(long rows, long resumed, long startNanos) {
    double elapsed = (System.nanoTime() - startNanos) / 1e9;
    long thisRun = rows - resumed;
    double rate = elapsed > 0 ? thisRun / elapsed : 0;
    long target = limit == Long.MAX_VALUE ? -1 : limit;
    double eta = target < 0 || rate <= 0 ? Double.NaN : (target - rows) / rate;
    return new MiningListener.Progress(rows, target, thisRun, rate, eta);
  }
}
