package dev.gecko4j.fret.run;

import dev.gecko4j.core.fret.FretExample;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
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
    long lineNo = 0;
    // only the complete lines are read (the torn tail is left out), and bytes that are not UTF-8
    // are an error, never silently replaced
    java.nio.charset.CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    try (InputStream in = new java.io.BufferedInputStream(
        limited(Files.newInputStream(file), complete), 1 << 16)) {
      byte[] buf = new byte[1024];
      int len = 0;
      for (int b = in.read(); b >= 0; b = in.read()) {
        if (b != '\n') {
          if (len == buf.length) {
            buf = java.util.Arrays.copyOf(buf, buf.length * 2);
          }
          buf[len++] = (byte) b;
          continue;
        }
        lineNo++;
        int end = len > 0 && buf[len - 1] == '\r' ? len - 1 : len;
        len = 0;
        String line;
        try {
          line = utf8.decode(java.nio.ByteBuffer.wrap(buf, 0, end)).toString();
        } catch (CharacterCodingException e) {
          throw new IllegalArgumentException(file + ":" + lineNo + ": not valid UTF-8 (" + e
              + "); expected one UTF-8 JSON object per line", e);
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

  /** The first {@code limit} bytes of {@code in}. */
  private static InputStream limited(InputStream in, long limit) {
    return new FilterInputStream(in) {
      private long left = limit;

      @Override
      public int read() throws IOException {
        if (left <= 0) {
          return -1;
        }
        int b = super.read();
        if (b >= 0) {
          left--;
        }
        return b;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (left <= 0) {
          return -1;
        }
        int n = super.read(b, off, (int) Math.min(len, left));
        if (n > 0) {
          left -= n;
        }
        return n;
      }

      @Override
      public long skip(long n) throws IOException {
        long s = super.skip(Math.min(n, left));
        left -= s;
        return s;
      }

      @Override
      public int available() throws IOException {
        return (int) Math.min(super.available(), left);
      }
    };
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
