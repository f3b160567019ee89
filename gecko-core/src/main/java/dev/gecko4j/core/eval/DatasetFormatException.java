package dev.gecko4j.core.eval;

import java.io.UncheckedIOException;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A dataset file does not have the expected format. The message names the file, the 1-based line
 * number and what was expected, e.g. {@code data/sts.tsv:7: score must be a number between 0 and 5,
 * but is: 'abc'}.
 */
public final class DatasetFormatException extends UncheckedIOException {

  private static final long serialVersionUID = 1L;

  /** The file that has the problem (not serialised: {@link Path} is not serializable). */
  private final transient Path path;
  /** The 1-based line number, or 0 when the problem is not on one line. */
  private final long line;

  /**
   * Creates the exception.
   *
   * @param path the file; not null
   * @param line the 1-based line number, or 0 when the problem is not on one line
   * @param problem what was found and what was expected
   */
  public DatasetFormatException(Path path, long line, String problem) {
    super(path + (line > 0 ? ":" + line : "") + ": " + problem, new IOException(problem));
    this.path = path;
    this.line = line;
  }

  /** {@return the file that has the problem} */
  public Path path() {
    return path;
  }

  /** {@return the 1-based line number of the problem, or 0 when it is not on one line} */
  public long line() {
    return line;
  }
}
