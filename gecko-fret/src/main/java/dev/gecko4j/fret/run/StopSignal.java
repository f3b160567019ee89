package dev.gecko4j.fret.run;

import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Turns {@code SIGTERM} (and {@code SIGINT}, Ctrl-C) into a polite stop request for a long run
 * such as {@link MiningRun}: the run sees {@link #getAsBoolean()} turn true, finishes the row in
 * flight, closes and forces its files and returns, and the program prints its summary and exits
 * (by convention with {@link #EXIT_STATUS}). Every row already written stays, so a rerun with the
 * same arguments resumes.
 *
 * <p>The signal is handled before the JVM starts shutting down, so shutdown hooks (such as ONNX
 * Runtime's, which frees its environment) run only after the run has stopped using native code. If
 * the run has not returned within the grace period (a row stuck in a slow LLM call), the JVM exits
 * anyway, but never in the middle of a write wrapped in {@link #guard} (which {@link MiningRun}
 * does for each row): the row in flight is simply mined again by the rerun.
 * Where the JVM does not offer signal handling ({@code sun.misc.Signal} of {@code jdk.unsupported}),
 * a shutdown hook that waits for the run is installed instead.
 *
 * <p>Use one per run, in try-with-resources; {@link #close()} says the run has ended and restores
 * the previous handlers.
 */
public final class StopSignal implements BooleanSupplier, AutoCloseable {

  /** The exit status of a program stopped by {@code SIGTERM}: 128 + 15. */
  public static final int EXIT_STATUS = 143;

  private static final String[] SIGNALS = {"TERM", "INT"};

  private final Duration grace;
  private final PrintStream log;
  private final CountDownLatch ended = new CountDownLatch(1);
  private final Object[] previous = new Object[SIGNALS.length];
  private final java.util.concurrent.locks.ReentrantLock writing =
      new java.util.concurrent.locks.ReentrantLock();
  private volatile boolean requested;
  private Thread hook;

  private StopSignal(Duration grace, PrintStream log) {
    this.grace = grace;
    this.log = log;
  }

  /**
   * Starts listening for {@code SIGTERM} and {@code SIGINT}.
   *
   * @param grace how long a stop may take before the JVM exits anyway, in {@code [1 s, 10 min]}
   * @param log where to say that a stop was asked for (e.g. {@code System.err}); not null
   * @return the signal; close it when the run has ended
   * @throws IllegalArgumentException if an argument is invalid
   */
  public static StopSignal install(Duration grace, PrintStream log) {
    if (grace == null || grace.compareTo(Duration.ofSeconds(1)) < 0
        || grace.compareTo(Duration.ofMinutes(10)) > 0) {
      throw new IllegalArgumentException("grace must be between 1 s and 10 min, but is: " + grace);
    }
    if (log == null) {
      throw new IllegalArgumentException("log must not be null");
    }
    StopSignal s = new StopSignal(grace, log);
    if (!s.handleSignals()) {
      s.hook = new Thread(s::stopFromHook, "gecko-stop-hook");
      Runtime.getRuntime().addShutdownHook(s.hook);
    }
    return s;
  }

  /** {@return whether a stop was asked for} */
  @Override
  public boolean getAsBoolean() {
    return requested;
  }

  /** Asks for a stop, as the signal does (e.g. from an application's own stop button). */
  public void request() {
    requested = true;
  }

  /**
   * Runs {@code write} so that an exit forced by the end of the grace period waits until it is
   * done (and no later write starts).
   *
   * @param write the write (e.g. appending and forcing one row); not null
   * @throws IllegalArgumentException if {@code write} is null
   */
  public void guard(Runnable write) {
    if (write == null) {
      throw new IllegalArgumentException("write must not be null");
    }
    writing.lock();
    try {
      write.run();
    } finally {
      writing.unlock();
    }
  }

  private void exitAfterWrites() {
    try {
      // held until the JVM halts: no write starts after this, none is cut
      writing.tryLock(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Runtime.getRuntime().exit(EXIT_STATUS);
  }

  private boolean handleSignals() {
    try {
      for (int i = 0; i < SIGNALS.length; i++) {
        sun.misc.Signal sig = new sun.misc.Signal(SIGNALS[i]);
        previous[i] = sun.misc.Signal.handle(sig, this::onSignal);
      }
      return true;
    } catch (IllegalArgumentException | LinkageError | SecurityException unavailable) {
      return false;
    }
  }

  private void onSignal(sun.misc.Signal sig) {
    if (requested) {
      log.println("gecko: second SIG" + sig.getName() + ", exiting after the write in progress");
      exitAfterWrites();
      return;
    }
    requested = true;
    log.println("gecko: SIG" + sig.getName() + " received, stopping after the row in flight (at most "
        + grace.toSeconds() + " s); rerun the same command to resume");
    Thread watchdog = new Thread(() -> {
      try {
        if (!ended.await(grace.toMillis(), TimeUnit.MILLISECONDS)) {
          log.println("gecko: the run did not stop within " + grace.toSeconds() + " s, exiting;"
              + " the row in flight is mined again by the rerun");
          exitAfterWrites();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "gecko-stop-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
  }

  private void stopFromHook() {
    requested = true;
    try {
      ended.await(grace.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Says the run has ended and restores the previous signal handlers; idempotent. */
  @Override
  public void close() {
    ended.countDown();
    if (hook != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running: it returns now that the run has ended
      }
      hook = null;
      return;
    }
    for (int i = 0; i < SIGNALS.length; i++) {
      if (previous[i] instanceof sun.misc.SignalHandler) {
        try {
          sun.misc.Signal.handle(new sun.misc.Signal(SIGNALS[i]), (sun.misc.SignalHandler) previous[i]);
        } catch (IllegalArgumentException ignored) {
          // cannot restore: leave ours, which only sets a flag
        }
        previous[i] = null;
      }
    }
  }
}
