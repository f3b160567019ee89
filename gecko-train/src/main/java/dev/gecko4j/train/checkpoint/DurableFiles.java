package dev.gecko4j.train.checkpoint;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The steps of a complete-or-absent write: files are written into a temporary folder beside the
 * target, each forced to disk as it is closed ({@link FileSink#DISK}), the folder itself forced,
 * then renamed with {@code ATOMIC_MOVE} and the parent forced, so after a crash the target is
 * either the old complete folder, the new complete folder, or absent — never partly written.
 *
 * <p>Public for gecko4j's exporters in sibling packages; this package is not exported: not API (it
 * may change in any release).
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

  /** Writes a folder's files into the (new, empty) folder it is given. */
  @FunctionalInterface
  public interface FolderContents {
    /**
     * @param folder the temporary folder to fill
     * @throws IOException naming the file if a write fails
     */
    void writeInto(Path folder) throws IOException;
  }

  /**
   * Writes {@code directory} complete or not at all: {@code contents} fills {@code
   * <name>.export-tmp} beside it, which is forced to disk and renamed into place with {@code
   * ATOMIC_MOVE}; an earlier folder there is moved aside ({@code <name>.export-old}) for that
   * rename and deleted after it. A failure (disk full, a failing fsync) removes the temporary
   * folder and keeps the earlier one. A folder holding files {@code owned} does not accept is
   * refused, so replacing it loses nothing of the user's.
   *
   * @param directory the folder to write: absent, empty, or an earlier one of these
   * @param owned the names (files or sub-folders) an earlier folder may hold
   * @param what what the folder is, for messages ({@code "the model"})
   * @param contents writes the files
   * @return the folder, absolute
   * @throws IllegalArgumentException if {@code directory} is a file-system root or a file, or holds
   *     a name {@code owned} refuses
   * @throws UncheckedIOException naming the file and the folder if writing or renaming fails
   */
  public static Path replaceFolder(Path directory, Predicate<String> owned, String what,
      FolderContents contents) {
    Path target = directory.toAbsolutePath().normalize();
    Path parent = target.getParent();
    if (parent == null) {
      throw new IllegalArgumentException("directory must not be a file-system root, but is: "
          + directory);
    }
    Path tmp = parent.resolve(target.getFileName() + ".export-tmp");
    Path old = parent.resolve(target.getFileName() + ".export-old");
    try {
      checkReplaceable(target, owned, what);
      Files.createDirectories(parent);
      deleteTree(tmp);
      deleteTree(old);
      Files.createDirectories(tmp);
      contents.writeInto(tmp);
      fsyncDirectory(tmp);
    } catch (IOException e) {
      deleteQuietly(tmp, e);
      throw new UncheckedIOException("cannot write " + what + " to " + target + ": "
          + e.getMessage() + (Files.isDirectory(target) ? " (the earlier export there is kept)" : ""),
          e);
    }
    try {
      if (Files.exists(target)) {
        Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      fsyncDirectory(parent);
    } catch (IOException e) {
      if (!Files.exists(target) && Files.isDirectory(old)) {
        try {
          Files.move(old, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException back) {
          e.addSuppressed(back);
        }
      }
      throw new UncheckedIOException("cannot move " + what + " from " + tmp + " to " + target
          + ": " + e.getMessage(), e);
    }
    try {
      deleteTree(old);
    } catch (IOException e) {
      throw new UncheckedIOException("wrote " + what + " to " + target + " but cannot delete the"
          + " earlier export, moved to " + old + ": " + e.getMessage(), e);
    }
    return target;
  }

  private static void checkReplaceable(Path target, Predicate<String> owned, String what)
      throws IOException {
    if (!Files.exists(target)) {
      return;
    }
    if (!Files.isDirectory(target)) {
      throw new IllegalArgumentException("directory must be a folder or absent, but is a file: "
          + target);
    }
    try (Stream<Path> s = Files.list(target)) {
      List<String> foreign = s.map(p -> p.getFileName().toString()).filter(owned.negate())
          .sorted().toList();
      if (!foreign.isEmpty()) {
        throw new IllegalArgumentException("directory " + target + " holds files an export does"
            + " not write " + foreign + "; replacing it with " + what + " would delete them:"
            + " export into a new or empty folder");
      }
    }
  }
}
