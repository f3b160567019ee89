package dev.gecko4j.fret.run;

import dev.gecko4j.core.fret.FretExample;
import dev.gecko4j.core.fret.FretOutcome;
import dev.gecko4j.core.fret.FretSeed;
import java.io.PrintStream;
import java.util.Locale;

/**
 * Hears what a {@link MiningRun} does. Every method has a no-op default. Called on the mining
 * thread; a row is reported only after it is durable on disk.
 */
public interface MiningListener {

  /** A listener that does nothing. */
  MiningListener NONE = new MiningListener() {};

  /**
   * Where a run stands.
   *
   * @param rows rows in the output so far (earlier runs included)
   * @param target the row limit, or -1 when the run goes until the seeds run out
   * @param rowsThisRun rows written by this run
   * @param rowsPerSecond this run's rate
   * @param etaSeconds the estimated seconds left, or NaN when unknown
   */
  record Progress(long rows, long target, long rowsThisRun, double rowsPerSecond, double etaSeconds) {
    /** {@return a one-line summary for people, e.g. {@code 40/120 rows, 2.1 rows/s, ETA 38 s}} */
    public String describe() {
      return String.format(Locale.ROOT, "%d%s rows, %.2f rows/s%s", rows,
          target < 0 ? "" : "/" + target, rowsPerSecond,
          Double.isNaN(etaSeconds) ? "" : String.format(Locale.ROOT, ", ETA %.0f s", etaSeconds));
    }
  }

  /**
   * Called once at the start, after the output was read back.
   *
   * @param rows rows already in the output
   * @param drops drops already in the drop log
   * @param truncatedBytes bytes of a torn last line that were cut off
   */
  default void onStart(long rows, long drops, long truncatedBytes) {}

  /**
   * Called after a row was written and synced.
   *
   * @param row the row
   * @param progress the run's progress
   */
  default void onRow(FretExample row, Progress progress) {}

  /**
   * Called after a seed was dropped (and the drop logged).
   *
   * @param seed the seed
   * @param drop the reason
   * @param progress the run's progress
   */
  default void onDrop(FretSeed seed, FretOutcome.Dropped drop, Progress progress) {}

  /**
   * Returns a listener that prints progress lines for people to {@code out} every
   * {@code everyRows} rows, and every drop.
   *
   * @param out where to print (e.g. {@code System.err}); not null
   * @param everyRows print every this many rows, {@code >= 1}
   * @return the listener
   * @throws IllegalArgumentException if {@code out} is null or {@code everyRows < 1}
   */
  static MiningListener printing(PrintStream out, int everyRows) {
    if (out == null) {
      throw new IllegalArgumentException("out must not be null");
    }
    if (everyRows < 1) {
      throw new IllegalArgumentException("everyRows must be >= 1, but is: " + everyRows);
    }
    return new MiningListener() {
      @Override
      public void onStart(long rows, long drops, long truncatedBytes) {
        out.printf(Locale.ROOT, "mine: resuming with %d rows and %d drops already written%s%n",
            rows, drops, truncatedBytes > 0 ? " (cut a torn last line of " + truncatedBytes
                + " bytes)" : "");
      }

      @Override
      public void onRow(FretExample row, Progress p) {
        if (p.rowsThisRun() % everyRows == 0) {
          out.println("mine: " + p.describe());
        }
      }

      @Override
      public void onDrop(FretSeed seed, FretOutcome.Dropped d, Progress p) {
        out.println("mine: dropped " + seed.key().replace('\t', '/') + ": " + d.reason() + " ("
            + d.detail() + ")");
      }
    };
  }
}
