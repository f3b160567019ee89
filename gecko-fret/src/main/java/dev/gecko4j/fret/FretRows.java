package dev.gecko4j.fret;

import dev.gecko4j.core.fret.FretExample;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Reads FRet JSONL outputs ({@link FretExample} per line) as a stream, without loading the file. */
public final class FretRows {

  private FretRows() {}

  /**
   * Calls {@code each} for every row of {@code file}, in order. Blank lines are skipped; a last line
   * without its newline (torn by a killed writer) is skipped too, without changing the file.
   *
   * @param file the JSONL file; a missing file has no rows
   * @param each called per row; not null
   * @return the number of rows read
   * @throws IllegalArgumentException if an argument is null, or a complete line is not a valid row
   *     (the message names {@code path:line}); a line holding two rows is not valid
   * @throws UncheckedIOException if reading fails
   */
  public static long forEach(Path file, Consumer<FretExample> each) {
    return forEachLine(file, (lineNo, line) -> {
      try {
        each.accept(FretExample.fromJson(line));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            file + ":" + lineNo + ": not a valid row: " + e.getMessage(), e);
      }
    });
  }

  /**
   * Reads every row of {@code file} into a list (for small files and tests).
   *
   * @param file the JSONL file
   * @return the rows
   * @throws IllegalArgumentException see {@link #forEach}
   */
  public static List<FretExample> readAll(Path file) {
    List<FretExample> rows = new ArrayList<>();
    forEach(file, rows::add);
    return rows;
  }

  /** Receives one complete line and its 1-based number. */
  interface LineConsumer {
    void accept(long lineNo, String line);
  }

  static long forEachLine(Path file, LineConsumer each) {
    if (file == null) {
      throw new IllegalArgumentException("file must not be null");
    }
    if (each == null) {
      throw new IllegalArgumentException("each must not be null");
    }
    if (!Files.exists(file)) {
      return 0;
    }
    long complete;
    try {
      complete = Files.size(file) - tornBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    long count = 0;
    long read = 0;
    long lineNo = 0;
    try (BufferedReader r = new BufferedReader(
        new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8), 1 << 16)) {
      String line;
      while ((line = r.readLine()) != null) {
        lineNo++;
        read += line.getBytes(StandardCharsets.UTF_8).length + 1;
        if (read > complete) {
          break; // the torn last line
        }
        if (line.isBlank()) {
          continue;
        }
        each.accept(lineNo, line);
        count++;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    return count;
  }

  /** Returns how many bytes follow the last newline of {@code file}. */
  private static long tornBytes(Path file) throws IOException {
    try (var ch = java.nio.channels.FileChannel.open(file)) {
      long size = ch.size();
      java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8192);
      long pos = size;
      while (pos > 0) {
        int n = (int) Math.min(b.capacity(), pos);
        pos -= n;
        b.clear().limit(n);
        while (b.hasRemaining() && ch.read(b, pos + b.position()) >= 0) {
          // fill
        }
        for (int i = n - 1; i >= 0; i--) {
          if (b.get(i) == '\n') {
            return size - (pos + i + 1);
          }
        }
      }
      return size;
    }
  }
}
