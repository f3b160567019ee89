package dev.gecko4j.core.index;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A binary file that gecko4j wrote and reads back (a saved graph index, an embeddings cache) is
 * damaged, truncated, of another format or of another format version. The message names the file,
 * the field that is wrong, its value and what was expected, e.g. {@code /data/scifact.gki: count
 * is 2147483647; expected 0 to 41 (what the file's 1,024 bytes can hold)}.
 *
 * <p>Readers check every header field against the file's length and sane limits before they
 * allocate anything from it, and a checksum over the payload, so a damaged file gets this
 * exception and never an {@link OutOfMemoryError} or a silently wrong result.
 */
public class CorruptFileException extends IOException {

  private static final long serialVersionUID = 1L;

  /** The damaged file (not serialised: {@link Path} is not serializable). */
  private final transient Path path;
  private final String field;

  /**
   * Creates the exception.
   *
   * @param path the file; not null
   * @param field the part of the file that is wrong (e.g. {@code "dimension"},
   *     {@code "checksum"}); not blank
   * @param problem its value and what was expected (e.g. {@code "is -1; expected 1 to 65536"})
   */
  public CorruptFileException(Path path, String field, String problem) {
    this(path, field, problem, null);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param path the file; not null
   * @param field the part of the file that is wrong; not blank
   * @param problem its value and what was expected
   * @param cause the underlying failure, or null
   */
  public CorruptFileException(Path path, String field, String problem, Throwable cause) {
    super(path + ": " + field + " " + problem, cause);
    this.path = path;
    this.field = field;
  }

  /** {@return the damaged file} */
  public Path path() {
    return path;
  }

  /** {@return the part of the file that is wrong, e.g. {@code "dimension"} or {@code "checksum"}} */
  public String field() {
    return field;
  }
}
