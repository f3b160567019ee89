package dev.gecko4j.train.checkpoint;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;

/**
 * A {@link FileSink} that writes real files through {@link FileSink#DISK} and fails on one file
 * name the way a full disk does (the bytes that fit are written, then {@code write} throws), or the
 * way a failing fsync does ({@code close} throws).
 */
public final class FailingSink implements FileSink {
  public static final String DISK_FULL = "No space left on device";
  public static final String FSYNC_FAILED = "Input/output error";

  private final String fileName;
  private final long budget;

  private FailingSink(String fileName, long budget) {
    this.fileName = fileName;
    this.budget = budget;
  }

  /** Fails writing {@code fileName} once {@code afterBytes} of it are written. */
  public static FailingSink diskFullIn(String fileName, long afterBytes) {
    return new FailingSink(fileName, afterBytes);
  }

  /** Writes {@code fileName} completely, then fails its close (the fsync). */
  public static FailingSink fsyncFailsOn(String fileName) {
    return new FailingSink(fileName, -1);
  }

  @Override
  public OutputStream create(Path file) throws IOException {
    OutputStream real = FileSink.DISK.create(file);
    if (!file.getFileName().toString().equals(fileName)) {
      return real;
    }
    return new OutputStream() {
      private long written;

      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        if (budget >= 0 && written + len > budget) {
          int fit = (int) (budget - written);
          real.write(b, off, fit);
          written += fit;
          throw new IOException(DISK_FULL);
        }
        real.write(b, off, len);
        written += len;
      }

      @Override
      public void flush() throws IOException {
        real.flush();
      }

      @Override
      public void close() throws IOException {
        real.close();
        if (budget < 0) {
          throw new IOException(FSYNC_FAILED);
        }
      }
    };
  }
}
