package dev.gecko4j.core.lm;

/** A language model failed (after any retries): server error, timeout, malformed output. */
public class LanguageModelException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception with a message saying what failed and how to fix it.
   *
   * @param message the message
   */
  public LanguageModelException(String message) {
    super(message);
  }

  /**
   * Creates an exception with a message and its cause.
   *
   * @param message the message
   * @param cause the cause
   */
  public LanguageModelException(String message, Throwable cause) {
    super(message, cause);
  }
}
