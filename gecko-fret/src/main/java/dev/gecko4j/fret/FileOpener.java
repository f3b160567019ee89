package dev.gecko4j.fret;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;

/**
 * Opens the file channels that the JSONL appender and the embeddings cache write through: the
 * one seam where tests put a real {@link FileChannel} that fails the way a full disk does.
 */
@FunctionalInterface
interface FileOpener {

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
}
