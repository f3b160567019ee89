package dev.gecko4j.examples.cli;

import dev.gecko4j.train.GeckoTrainer;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A shutdown hook (SIGTERM, SIGINT) for {@code gecko train}: it asks a running training to stop
 * at its next step boundary ({@link GeckoTrainer#requestStop()}) and waits, at most a bound, until
 * the command has written its checkpoint and its JSON line ({@link #release()}). Outside training
 * (mining, evaluation) it does not wait: those write nothing that a kill could leave half-done.
 */
final class GracefulStop {
  private final CountDownLatch done = new CountDownLatch(1);
  private final Thread hook;

  private GracefulStop(GeckoTrainer trainer, Duration wait) {
    this.hook = new Thread(() -> {
      if (!trainer.requestStop()) {
        return;
      }
      System.err.printf("train: signal received: stopping at the next step boundary with a checkpoint "
          + "(waiting up to %d s)%n", wait.toSeconds());
      try {
        if (!done.await(wait.toMillis(), TimeUnit.MILLISECONDS)) {
          System.err.println("train: did not stop within " + wait.toSeconds() + " s; exiting without a new "
              + "checkpoint (the last one on disk is kept)");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "gecko-train-stop");
  }

  /** Registers the hook for {@code trainer}. */
  static GracefulStop install(GeckoTrainer trainer, Duration wait) {
    GracefulStop s = new GracefulStop(trainer, wait);
    Runtime.getRuntime().addShutdownHook(s.hook);
    return s;
  }

  /** The command is done (JSON written): a waiting hook returns, and the hook is removed. */
  void release() {
    done.countDown();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the JVM is exiting; the hook is running or has run
    }
  }
}
