package dev.gecko4j.fret.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;

/**
 * Opens the file channels that FRet's durable writers (the JSONL appender of {@code MiningRun} and
 * the embeddings cache) write through: the one seam where tests put a real {@link FileChannel}
 * that fails the way a full disk does.
 *
 * <p>Not API: this package is exported only to gecko4j's own modules; the methods that take an
 * opener are package-private.
 */
@FunctionalInterface
public interface FileOpener {

  /** Opens files with {@link FileChannel#open(Path, OpenOption...)}. */
  FileOpener DEFAULT = FileChannel::open;

  /**
   * Opens {@code file}.
   *
   * @param file the file
   * @param options how to open it
   * @return the channel
   * @throws IOException if it cannot be opened
   */
  FileChannel open(Path file, OpenOption... options) throws IOException;

  /**
   * Writes all of {@code b} to {@code ch} at its position (a channel may write less per call).
   *
   * @param ch the channel
   * @param b the bytes, from position to limit
   * @throws IOException if a write fails
   */
  static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      ch.write(b);
    }
  }
}
