package dev.gecko4j.onnx;

import java.nio.file.Path;

/**
 * Thrown by {@link OnnxEmbedder.Builder#build()} when a model, tokenizer or configuration file is
 * missing or cannot be used. The message names the path, what was found and what was expected.
 */
public final class ModelLoadException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /** Where the model was looked for. */
  private final String location;

  /**
   * Creates the exception.
   *
   * @param location the file, folder or classpath resource that failed (shown in the message)
   * @param message what was found and what was expected
   * @param cause the underlying failure, or null
   */
  public ModelLoadException(String location, String message, Throwable cause) {
    super(location + ": " + message, cause);
    this.location = location;
  }

  static ModelLoadException of(Path path, String message) {
    return new ModelLoadException(path.toString(), message, null);
  }

  static ModelLoadException of(Path path, String message, Throwable cause) {
    return new ModelLoadException(path.toString(), message, cause);
  }

  /** {@return the file, folder or classpath resource that failed to load} */
  public String location() {
    return location;
  }
}
