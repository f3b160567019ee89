package dev.gecko4j.onnx;

import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * The open/closed state of a native-backed object ({@link OnnxEmbedder}, {@link OnnxCrossEncoder}):
 * calls run under the read lock after checking it is open, so any number run at once; {@link
 * #close} takes the write lock, so it waits for running calls, and releases the native resources
 * once (later closes do nothing). A call after close fails with an {@link IllegalStateException}
 * naming the object instead of touching freed native memory.
 */
final class Lifecycle {
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final String name;
  private volatile boolean closed;

  /** @param name how errors name the object, e.g. {@code OnnxEmbedder (bge-small-en-v1.5)} */
  Lifecycle(String name) {
    this.name = name;
  }

  /**
   * Runs {@code call} while the object is open.
   *
   * @throws IllegalStateException if it is closed
   */
  <T> T whileOpen(Supplier<T> call) {
    lock.readLock().lock();
    try {
      if (closed) {
        throw new IllegalStateException("this " + name + " is closed");
      }
      return call.get();
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Marks the object closed and runs {@code release} once, after running calls end. */
  void close(Runnable release) {
    lock.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      release.run();
    } finally {
      lock.writeLock().unlock();
    }
  }
}
