package dev.gecko4j.train.checkpoint;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The steps of a complete-or-absent write: files are written into a temporary folder beside the
 * target, each forced to disk as it is closed ({@link FileSink#DISK}), the folder itself forced,
 * then renamed with {@code ATOMIC_MOVE} and the parent forced, so after a crash the target is
 * either the old complete folder, the new complete folder, or absent — never partly written.
 *
 * <p>Public for {@code GeckoTrainer} and {@code ModelExporter} in sibling packages; not API
 * (it may change in any release).
 */
public final class DurableFiles {
  private static final boolean WINDOWS =
      System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");

  private DurableFiles() {}

  /**
   * Writes {@code bytes} as the new file {@code file} through {@code sink}.
   *
   * @throws IOException naming the file if it cannot be written completely
   */
  public static void write(FileSink sink, Path file, byte[] bytes) throws IOException {
    try (OutputStream out = sink.create(file)) {
      out.write(bytes);
    } catch (IOException e) {
      throw named(file, e);
    }
  }

  /** An IOException whose message names the file it happened on. */
  public static IOException named(Path file, IOException e) {
    String m = e.getMessage();
    if (m != null && m.contains(file.toString())) {
      return e;
    }
    return new IOException("cannot write " + file + ": " + (m == null ? e.getClass().getSimpleName() : m), e);
  }

  /**
   * Forces a folder's entries (new names, renames) to disk. On Windows a folder cannot be opened
   * for this, and its file system does not need it.
   */
  public static void fsyncDirectory(Path dir) throws IOException {
    if (WINDOWS) {
      return;
    }
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  /** Deletes a file or a folder with everything in it; nothing if it does not exist. */
  public static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    List<Path> all;
    try (Stream<Path> s = Files.walk(p)) {
      all = s.sorted(Comparator.reverseOrder()).toList();
    }
    for (Path x : all) {
      Files.deleteIfExists(x);
    }
  }

  /** {@link #deleteTree} that adds a failure to {@code primary} instead of throwing. */
  public static void deleteQuietly(Path p, Throwable primary) {
    try {
      deleteTree(p);
    } catch (IOException | RuntimeException e) {
      primary.addSuppressed(e);
    }
  }
}
