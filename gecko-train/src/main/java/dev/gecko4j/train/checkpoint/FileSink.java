package dev.gecko4j.train.checkpoint;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Opens the files the trainer writes (checkpoints, the exported model folder). {@link #DISK}
 * creates a new file and forces it to the device when the stream is closed, so a file that was
 * closed without an exception is on disk. Tests pass a sink that fails part-way (disk full, a
 * failing fsync) to check that nothing half-written is ever taken for a complete checkpoint or
 * export.
 *
 * <p>Public for {@code GeckoTrainer} and {@code ModelExporter} in sibling packages; not API
 * (it may change in any release).
 */
@FunctionalInterface
public interface FileSink {
  /** New files on the default file system, buffered, fsync'ed on close. */
  FileSink DISK = file -> new BufferedOutputStream(new SyncingOutputStream(
      FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)), 1 << 16);

  /**
   * Creates {@code file}, which must not exist yet.
   *
   * @param file the new file
   * @return a stream whose {@code close()} makes the bytes durable
   * @throws IOException if the file cannot be created
   */
  OutputStream create(Path file) throws IOException;

  /** Writes through a channel and forces it to the device on close. */
  final class SyncingOutputStream extends OutputStream {
    private final FileChannel channel;
    private boolean closed;

    SyncingOutputStream(FileChannel channel) {
      this.channel = channel;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      ByteBuffer buf = ByteBuffer.wrap(b, off, len);
      while (buf.hasRemaining()) {
        channel.write(buf);
      }
    }

    @Override
    public void close() throws IOException {
      if (closed) {
        return;
      }
      closed = true;
      try (FileChannel c = channel) {
        c.force(true);
      }
    }
  }
}
