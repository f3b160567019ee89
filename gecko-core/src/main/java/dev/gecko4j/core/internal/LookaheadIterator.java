package dev.gecko4j.core.internal;

import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * An iterator that reads one element ahead: a subclass says how to compute the next element
 * ({@link #computeNext()}, null at the end) and this class keeps it until {@link #next()} hands it
 * out. Once {@code computeNext} has returned null it is not called again; if it throws, the next
 * {@link #hasNext()} calls it again.
 *
 * <p>Not API (see the package documentation).
 *
 * @param <T> the element type
 */
public abstract class LookaheadIterator<T> implements Iterator<T> {
  private final String exhausted;
  private T next;
  private boolean ended;

  /**
   * For subclasses.
   *
   * @param exhausted the message of the {@link NoSuchElementException} that {@link #next()} throws
   *     past the end ({@code "no more records in corpus.jsonl"})
   */
  protected LookaheadIterator(String exhausted) {
    this.exhausted = exhausted;
  }

  /**
   * Computes the element after the last one returned.
   *
   * @return the next element, or null if there is none
   */
  protected abstract T computeNext();

  @Override
  public final boolean hasNext() {
    if (next == null && !ended) {
      next = computeNext();
      ended = next == null;
    }
    return next != null;
  }

  @Override
  public final T next() {
    if (!hasNext()) {
      throw new NoSuchElementException(exhausted);
    }
    T t = next;
    next = null;
    return t;
  }
}
