package dev.gecko4j.fret.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Appends lines to a JSONL file durably: each line is written whole (text and newline in one
 * buffer), and the file is forced to disk ({@link FileChannel#force}) every {@code syncEvery}
 * lines and on {@link #sync()} / {@link #close()}. A line is durable once {@link #append} returns
 * with {@code syncEvery == 1}, or after the next {@link #sync()}.
 *
 * <p>When a write fails part-way (a full disk, an I/O error), the partial line is cut off again, so
 * the file holds only whole lines, and the appender refuses further lines: the error names the file.
 * Use {@link #truncateTornTail(Path)} before appending to a file a killed process may have left
 * with a partial last line. Not thread-safe; {@link #close()} is idempotent.
 */
public final class JsonlAppender implements AutoCloseable {

  private final Path file;
  private final FileChannel channel;
  private final int syncEvery;
  private int unsynced;
  private boolean closed;
  private String failure;

  /**
   * Opens {@code file} for appending (creating it and its parent directory when missing).
   *
   * @param file the file; not null
   * @param syncEvery force to disk after this many lines, in {@code [1, 100000]}
   * @throws IllegalArgumentException if an argument is invalid
   * @throws UncheckedIOException if the file cannot be opened
   */
  public JsonlAppender(Path file, int syncEvery) {
    this(file, syncEvery, FileOpener.DEFAULT);
  }

  /** Opens {@code file} through {@code opener} (the seam that tests fail on purpose). */
  public JsonlAppender(Path file, int syncEvery, FileOpener opener) {
    if (file == null) {
      throw new IllegalArgumentException("file must not be null");
    }
    if (syncEvery < 1 || syncEvery > 100_000) {
      throw new IllegalArgumentException(
          "syncEvery must be between 1 and 100000, but is: " + syncEvery);
    }
    this.file = file;
    this.syncEvery = syncEvery;
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      this.channel = opener.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open " + file + " for appending", e);
    }
  }

  /**
   * Appends one line (the newline is added).
   *
   * @param line the line; not null, without line breaks
   * @throws IllegalArgumentException if {@code line} is null or contains a line break
   * @throws IllegalStateException if closed, or an earlier append failed
   * @throws UncheckedIOException if writing fails (the file keeps every earlier line whole, and
   *     nothing of this one when the cut succeeds; the message names the file and says which)
   */
  public void append(String line) {
    if (line == null || line.indexOf('\n') >= 0 || line.indexOf('\r') >= 0) {
      throw new IllegalArgumentException("line must be non-null and have no line break, but is: "
          + (line == null ? "null" : line.length() > 80 ? line.substring(0, 80) + "..." : line));
    }
    if (closed) {
      throw new IllegalStateException("appender of " + file + " is closed");
    }
    if (failure != null) {
      throw new IllegalStateException("appender of " + file + " failed earlier: " + failure);
    }
    byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
    long before;
    try {
      before = channel.size();
    } catch (IOException e) {
      failure = String.valueOf(e.getMessage());
      throw new UncheckedIOException("cannot append to " + file + ": " + e.getMessage(), e);
    }
    try {
      FileOpener.writeFully(channel, ByteBuffer.wrap(bytes));
    } catch (IOException e) {
      failure = String.valueOf(e.getMessage());
      String kept;
      try {
        channel.truncate(before);
        kept = "cut the partial line off; the " + before + " bytes before it are kept";
      } catch (IOException cut) {
        e.addSuppressed(cut);
        kept = "could not cut the partial line off (" + cut.getMessage() + "); a rerun cuts it";
      }
      throw new UncheckedIOException("cannot append to " + file + " (" + e.getMessage() + "); "
          + kept, e);
    }
    if (++unsynced >= syncEvery) {
      sync();
    }
  }

  /**
   * Forces every appended line to disk.
   *
   * @throws UncheckedIOException if forcing fails
   */
  public void sync() {
    if (closed || unsynced == 0) {
      return;
    }
    try {
      channel.force(false);
      unsynced = 0;
    } catch (IOException e) {
      failure = String.valueOf(e.getMessage());
      throw new UncheckedIOException("cannot sync " + file + " to disk: " + e.getMessage(), e);
    }
  }

  /** Syncs and closes the file; idempotent. After a failed append it only closes. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    try {
      if (failure == null) {
        sync();
      }
    } finally {
      closed = true;
      try {
        channel.close();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot close " + file, e);
      }
    }
  }

  /**
   * Cuts a partial last line off {@code file}: truncates it back to just after its last newline
   * (to empty when it has none), and forces the change to disk. A missing file is left missing.
   *
   * @param file the file; not null
   * @return the number of bytes removed (0 when the file ends with a newline, is empty or missing)
   * @throws IllegalArgumentException if {@code file} is null
   * @throws UncheckedIOException if reading or truncating fails
   */
  public static long truncateTornTail(Path file) {
    if (file == null) {
      throw new IllegalArgumentException("file must not be null");
    }
    if (!Files.exists(file)) {
      return 0;
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      long size = ch.size();
      long pos = size;
      ByteBuffer buf = ByteBuffer.allocate(8192);
      long keep = 0;
      search:
      while (pos > 0) {
        int n = (int) Math.min(buf.capacity(), pos);
        pos -= n;
        buf.clear().limit(n);
        while (buf.hasRemaining()) {
          if (ch.read(buf, pos + buf.position()) < 0) {
            break;
          }
        }
        for (int i = n - 1; i >= 0; i--) {
          if (buf.get(i) == '\n') {
            keep = pos + i + 1;
            break search;
          }
        }
      }
      if (keep < size) {
        ch.truncate(keep);
        ch.force(true);
      }
      return size - keep;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot repair " + file, e);
    }
  }
}
