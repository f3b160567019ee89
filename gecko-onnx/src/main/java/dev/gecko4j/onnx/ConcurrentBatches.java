package dev.gecko4j.onnx;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Runs the batches of one call: on the calling thread alone, or with {@code concurrentBatches - 1}
 * daemon pool workers beside it, each taking the next batch not yet taken (longest batches come
 * first). Results land at their batch's index, so they do not depend on which thread ran what.
 */
final class ConcurrentBatches {

  private final int concurrentBatches;
  private final ExecutorService pool;

  ConcurrentBatches(int concurrentBatches, String model) {
    this.concurrentBatches = concurrentBatches;
    this.pool = concurrentBatches > 1 ? newPool(concurrentBatches - 1, model) : null;
  }

  /** Daemon workers that run batches beside the calling thread. */
  private static ExecutorService newPool(int workers, String model) {
    AtomicInteger n = new AtomicInteger();
    return Executors.newFixedThreadPool(workers, task -> {
      Thread t = new Thread(task, "gecko4j-onnx-batch-" + n.incrementAndGet() + " (" + model + ")");
      t.setDaemon(true);
      return t;
    });
  }

  /** {@return {@code run} applied to every batch, by batch index} */
  float[][] runAll(List<TokenizedBatch> batches, Function<TokenizedBatch, float[]> run) {
    float[][] out = new float[batches.size()][];
    if (pool == null || batches.size() < 2) {
      for (int i = 0; i < out.length; i++) {
        out[i] = run.apply(batches.get(i));
      }
      return out;
    }
    AtomicInteger next = new AtomicInteger();
    AtomicBoolean failed = new AtomicBoolean();
    Runnable worker = () -> {
      int i;
      while (!failed.get() && (i = next.getAndIncrement()) < out.length) {
        try {
          out[i] = run.apply(batches.get(i));
        } catch (RuntimeException | Error e) {
          failed.set(true);
          throw e;
        }
      }
    };
    int helpers = Math.min(concurrentBatches, batches.size()) - 1;
    List<Future<?>> futures = new ArrayList<>(helpers);
    try {
      for (int h = 0; h < helpers; h++) {
        futures.add(pool.submit(worker));
      }
    } catch (RejectedExecutionException e) {
      // closed concurrently: the run on this thread reports it
    }
    RuntimeException first = null;
    try {
      worker.run();
    } catch (RuntimeException e) {
      first = e;
    }
    for (Future<?> f : futures) {
      try {
        f.get();
      } catch (ExecutionException e) {
        if (first == null) {
          first = e.getCause() instanceof RuntimeException re ? re
              : new IllegalStateException("a batch worker failed: " + e.getCause(), e.getCause());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        failed.set(true);
        if (first == null) {
          first = new IllegalStateException("interrupted while waiting for batch workers", e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
    return out;
  }

  /** Stops the workers (running batches finish). */
  void shutdown() {
    if (pool != null) {
      pool.shutdown();
    }
  }
}
