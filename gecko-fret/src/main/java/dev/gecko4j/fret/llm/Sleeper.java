package dev.gecko4j.fret.llm;

import java.time.Duration;

/**
 * Waits between retries. The default is {@link Thread#sleep(long, int)}; tests pass one that records
 * the waits and returns at once. Package-private: a test seam, not API.
 */
@FunctionalInterface
interface Sleeper {

  /** The sleeper that really sleeps. */
  Sleeper SYSTEM = d -> Thread.sleep(d.toMillis(), d.toNanosPart() % 1_000_000);

  /**
   * Waits for {@code duration}.
   *
   * @param duration how long to wait; not negative
   * @throws InterruptedException if the thread is interrupted while waiting
   */
  void sleep(Duration duration) throws InterruptedException;
}
