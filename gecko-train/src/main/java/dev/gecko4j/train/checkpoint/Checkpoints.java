package dev.gecko4j.train.checkpoint;

import dev.gecko4j.train.optim.AdamW;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;

/**
 * Training checkpoints: {@code checkpoints/step-NNNNNNNN/} holding the parameters, the AdamW
 * moments (raw little-endian float32 in parameter order), {@code state.properties} (step,
 * optimizer steps, skipped steps, last loss) and {@code manifest.properties}, which records each
 * file's size and CRC32C.
 *
 * <p>A checkpoint is complete or absent: its files are written into {@code step-NNNNNNNN.tmp/},
 * each forced to disk, the folder forced, then renamed with {@code ATOMIC_MOVE}. Older
 * checkpoints are deleted only after the new one is complete, so a write that fails (disk full)
 * keeps the previous one. At resume every file is checked against the manifest before anything is
 * loaded: a truncated, bit-flipped or manifest-less checkpoint is reported and skipped for an older
 * intact one, and when none is intact the resume is refused.
 *
 * <p>Public for {@code GeckoTrainer} and {@code ModelExporter} in sibling packages; not API
 * (it may change in any release).
 */
public final class Checkpoints {
  static final String MANIFEST = "manifest.properties";
  static final String STATE = "state.properties";
  static final List<String> FLOAT_FILES = List.of("params.bin", "adam_m.bin", "adam_v.bin");
  private static final Pattern NAME = Pattern.compile("step-\\d{8}");
  private static final int CHUNK = 1 << 16;

  private final Path root;
  private final FileSink sink;

  /**
   * Checkpoints under {@code root}, written to disk.
   *
   * @param root the checkpoints folder
   */
  public Checkpoints(Path root) {
    this(root, FileSink.DISK);
  }

  /**
   * Checkpoints under {@code root}, written through {@code sink}.
   *
   * @param root the checkpoints folder
   * @param sink how files are created (the disk, or a failing sink in tests)
   */
  public Checkpoints(Path root, FileSink sink) {
    this.root = root;
    this.sink = sink;
  }

  /**
   * What a checkpoint records besides the weights.
   *
   * @param step the training steps completed
   * @param optimizerSteps the optimizer steps taken (skipped steps excluded)
   * @param skipped the steps skipped for a non-finite loss or gradient
   * @param lastLoss the loss of the last step taken, or NaN
   */
  public record State(int step, long optimizerSteps, int skipped, double lastLoss) {}

  /**
   * A checkpoint loaded at resume.
   *
   * @param directory its folder
   * @param state its state
   */
  public record Resumed(Path directory, State state) {}

  static String name(int step) {
    return String.format(Locale.ROOT, "step-%08d", step);
  }

  /** @return the checkpoint folders (complete by name; not yet verified), newest first */
  List<Path> list() {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(root)) {
      return s.filter(p -> NAME.matcher(p.getFileName().toString()).matches() && Files.isDirectory(p))
          .sorted(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed())
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list checkpoints in " + root, e);
    }
  }

  /** @return the newest checkpoint that passes {@link #problem}, if any */
  Optional<Path> latest() {
    return list().stream().filter(p -> problem(p).isEmpty()).findFirst();
  }

  /**
   * Loads the newest intact checkpoint into {@code params} and {@code opt}. A newer checkpoint
   * that fails its checks is reported through {@code report} and skipped; nothing is loaded from
   * it.
   *
   * @return the checkpoint loaded, or empty when there is none
   * @throws IllegalStateException if checkpoints exist but none is intact, or the intact one does
   *     not match the model
   */
  public Optional<Resumed> resume(Map<String, float[]> params, AdamW opt, Consumer<String> report) {
    List<Path> all = list();
    List<String> bad = new ArrayList<>();
    for (Path dir : all) {
      Optional<String> problem = problem(dir);
      if (problem.isPresent()) {
        String note = "checkpoint " + dir + " is corrupt: " + problem.get();
        bad.add(note);
        report.accept(note + "; it is not loaded");
        continue;
      }
      State s = loadVerified(dir, params, opt);
      if (!bad.isEmpty()) {
        report.accept("resuming from the older intact checkpoint " + dir);
      }
      return Optional.of(new Resumed(dir, s));
    }
    if (!bad.isEmpty()) {
      throw new IllegalStateException("cannot resume: no checkpoint under " + root + " is intact ("
          + String.join("; ", bad) + "). Move the folder away to keep it, delete it to start again from "
          + "the base model, or train with resume off (gecko train --no-resume)");
    }
    return Optional.empty();
  }

  /**
   * Checks a checkpoint folder against its manifest: every file present, of the recorded size
   * and CRC32C.
   *
   * @param dir the checkpoint folder
   * @return what is wrong, or empty when the checkpoint is intact
   */
  public Optional<String> problem(Path dir) {
    Path manifestFile = dir.resolve(MANIFEST);
    if (!Files.isRegularFile(manifestFile)) {
      return Optional.of("it has no " + MANIFEST + " (incomplete, or written by a gecko4j without checksums)");
    }
    Properties m = new Properties();
    try (var r = Files.newBufferedReader(manifestFile, StandardCharsets.UTF_8)) {
      m.load(r);
    } catch (IOException | IllegalArgumentException e) {
      return Optional.of(MANIFEST + " is unreadable: " + e.getMessage());
    }
    if (!"1".equals(m.getProperty("format"))) {
      return Optional.of(MANIFEST + " has format " + m.getProperty("format") + ", expected 1");
    }
    String dirName = dir.getFileName().toString();
    if (!dirName.equals(name(parseInt(m.getProperty("step"), -1)))) {
      return Optional.of(MANIFEST + " records step " + m.getProperty("step") + ", but the folder is " + dirName);
    }
    List<String> files = new ArrayList<>(FLOAT_FILES);
    files.add(STATE);
    for (String f : files) {
      Path file = dir.resolve(f);
      String bytes = m.getProperty(f + ".bytes");
      String crc = m.getProperty(f + ".crc32c");
      if (bytes == null || crc == null) {
        return Optional.of(MANIFEST + " has no size or checksum for " + f);
      }
      try {
        if (!Files.isRegularFile(file)) {
          return Optional.of(f + " is missing");
        }
        long size = Files.size(file);
        if (!bytes.equals(Long.toString(size))) {
          return Optional.of(String.format(Locale.ROOT, "%s has %d bytes, the manifest records %s%s", f, size,
              bytes, parseLong(bytes) > size ? " (truncated)" : ""));
        }
        String actual = crc32c(file);
        if (!crc.equals(actual)) {
          return Optional.of(String.format(Locale.ROOT, "%s fails its CRC32C check (file %s, manifest %s)",
              f, actual, crc));
        }
      } catch (IOException e) {
        return Optional.of(f + " is unreadable: " + e.getMessage());
      }
    }
    return Optional.empty();
  }

  /**
   * Writes a checkpoint of {@code state}; on failure nothing new is left behind and the previous
   * checkpoints are kept.
   *
   * @return the checkpoint folder
   * @throws UncheckedIOException naming the file that could not be written
   */
  public Path save(State state, Map<String, float[]> params, AdamW opt) {
    String name = name(state.step());
    Path tmp = root.resolve(name + ".tmp");
    Path dir = root.resolve(name);
    try {
      Files.createDirectories(root);
      for (Path stale : temporaries()) {
        DurableFiles.deleteTree(stale);
      }
      Files.createDirectory(tmp);
      Properties manifest = new Properties();
      manifest.setProperty("format", "1");
      manifest.setProperty("step", Integer.toString(state.step()));
      writeFloats(tmp, "params.bin", params, params, manifest);
      writeFloats(tmp, "adam_m.bin", params, opt.firstMoments(), manifest);
      writeFloats(tmp, "adam_v.bin", params, opt.secondMoments(), manifest);
      Properties p = new Properties();
      p.setProperty("step", Integer.toString(state.step()));
      p.setProperty("optimizerSteps", Long.toString(state.optimizerSteps()));
      p.setProperty("skipped", Integer.toString(state.skipped()));
      p.setProperty("lastLoss", Double.toString(state.lastLoss()));
      writeChecked(tmp, STATE, out -> out.write(properties(p, "gecko4j training checkpoint")), manifest);
      DurableFiles.write(sink, tmp.resolve(MANIFEST),
          properties(manifest, "sizes and CRC32C of this checkpoint's files"));
      DurableFiles.fsyncDirectory(tmp);
      DurableFiles.deleteTree(dir); // a same-step folder: one the resume found corrupt, or a run without resume
      Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
      DurableFiles.fsyncDirectory(root);
    } catch (IOException e) {
      DurableFiles.deleteQuietly(tmp, e);
      List<Path> kept = list();
      throw new UncheckedIOException(String.format(Locale.ROOT,
          "cannot write the step %d checkpoint under %s: %s (%s)", state.step(), root, e.getMessage(),
          kept.isEmpty() ? "no earlier checkpoint exists" : "the earlier checkpoint " + kept.get(0) + " is kept"), e);
    }
    for (Path old : list()) {
      if (!old.equals(dir)) {
        try {
          DurableFiles.deleteTree(old);
        } catch (IOException e) {
          throw new UncheckedIOException("wrote the checkpoint " + dir + " but cannot delete the older " + old
              + ": " + e.getMessage(), e);
        }
      }
    }
    return dir;
  }

  /**
   * Verifies and loads a checkpoint into {@code params} and {@code opt}.
   *
   * @throws IllegalStateException if it fails its checks or does not match the model
   */
  State load(Path dir, Map<String, float[]> params, AdamW opt) {
    Optional<String> problem = problem(dir);
    if (problem.isPresent()) {
      throw new IllegalStateException("checkpoint " + dir + " is corrupt: " + problem.get());
    }
    return loadVerified(dir, params, opt);
  }

  private State loadVerified(Path dir, Map<String, float[]> params, AdamW opt) {
    try {
      long expected = 0;
      for (float[] v : params.values()) {
        expected += 4L * v.length;
      }
      for (String f : FLOAT_FILES) {
        long size = Files.size(dir.resolve(f));
        if (size != expected) {
          throw new IllegalStateException(String.format(Locale.ROOT,
              "checkpoint %s does not match the model: %s has %d bytes, the model's %d parameters need %d",
              dir, f, size, expected / 4, expected));
        }
      }
      Properties p = new Properties();
      try (var r = Files.newBufferedReader(dir.resolve(STATE), StandardCharsets.UTF_8)) {
        p.load(r);
      }
      State s;
      try {
        s = new State(Integer.parseInt(p.getProperty("step")), Long.parseLong(p.getProperty("optimizerSteps")),
            Integer.parseInt(p.getProperty("skipped")), Double.parseDouble(p.getProperty("lastLoss")));
      } catch (RuntimeException e) {
        throw new IllegalStateException("checkpoint " + dir + " has an unreadable " + STATE + ": " + p, e);
      }
      readFloats(dir.resolve("params.bin"), params, params);
      for (Map.Entry<String, float[]> e : params.entrySet()) {
        opt.firstMoments().put(e.getKey(), new float[e.getValue().length]);
        opt.secondMoments().put(e.getKey(), new float[e.getValue().length]);
      }
      readFloats(dir.resolve("adam_m.bin"), params, opt.firstMoments());
      readFloats(dir.resolve("adam_v.bin"), params, opt.secondMoments());
      opt.restore(s.optimizerSteps());
      return s;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read checkpoint " + dir + ": " + e.getMessage(), e);
    }
  }

  private List<Path> temporaries() throws IOException {
    try (Stream<Path> s = Files.list(root)) {
      return s.filter(p -> {
        String n = p.getFileName().toString();
        return n.endsWith(".tmp") && NAME.matcher(n.substring(0, n.length() - 4)).matches();
      }).toList();
    }
  }

  @FunctionalInterface
  private interface Body {
    void write(OutputStream out) throws IOException;
  }

  /** Writes a file through the sink, recording its size and CRC32C in the manifest. */
  private void writeChecked(Path dir, String name, Body body, Properties manifest) throws IOException {
    Path file = dir.resolve(name);
    CRC32C crc = new CRC32C();
    long[] count = {0};
    try (OutputStream raw = sink.create(file);
        OutputStream out = new CheckedOutputStream(new Counting(raw, count), crc)) {
      body.write(out);
    } catch (IOException e) {
      throw DurableFiles.named(file, e);
    }
    manifest.setProperty(name + ".bytes", Long.toString(count[0]));
    manifest.setProperty(name + ".crc32c", hex(crc.getValue()));
  }

  private void writeFloats(Path dir, String name, Map<String, float[]> order, Map<String, float[]> values,
      Properties manifest) throws IOException {
    writeChecked(dir, name, out -> {
      ByteBuffer buf = ByteBuffer.allocate(CHUNK * 4).order(ByteOrder.LITTLE_ENDIAN);
      for (Map.Entry<String, float[]> e : order.entrySet()) {
        float[] v = values.get(e.getKey());
        int n = e.getValue().length;
        for (int from = 0; from < n; from += CHUNK) {
          int len = Math.min(CHUNK, n - from);
          buf.clear();
          if (v == null) {
            buf.put(new byte[len * 4]);
          } else {
            buf.asFloatBuffer().put(v, from, len);
          }
          out.write(buf.array(), 0, len * 4);
        }
      }
    }, manifest);
  }

  private static void readFloats(Path file, Map<String, float[]> order, Map<String, float[]> into) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer buf = ByteBuffer.allocateDirect(1 << 22).order(ByteOrder.LITTLE_ENDIAN);
      buf.limit(0);
      for (String name : order.keySet()) {
        float[] v = into.get(name);
        for (int i = 0; i < v.length; i++) {
          if (buf.remaining() < 4) {
            buf.compact();
            while (buf.position() < 4) {
              if (ch.read(buf) < 0) {
                throw new IOException(file + " ended early");
              }
            }
            buf.flip();
          }
          v[i] = buf.getFloat();
        }
      }
    }
  }

  /**
   * Computes a file's CRC32C as the manifest records it.
   *
   * @param file the file
   * @return the checksum in hex
   * @throws IOException if the file cannot be read
   */
  public static String crc32c(Path file) throws IOException {
    CRC32C crc = new CRC32C();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
      while (ch.read(buf) >= 0) {
        buf.flip();
        crc.update(buf);
        buf.clear();
      }
    }
    return hex(crc.getValue());
  }

  private static String hex(long crc) {
    return String.format(Locale.ROOT, "%08x", crc);
  }

  private static byte[] properties(Properties p, String comment) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    p.store(b, comment);
    return b.toByteArray();
  }

  private static int parseInt(String s, int fallback) {
    try {
      return s == null ? fallback : Integer.parseInt(s);
    } catch (NumberFormatException e) {
      return fallback;
    }
  }

  private static long parseLong(String s) {
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Counts the bytes written through it. */
  private static final class Counting extends FilterOutputStream {
    private final long[] count;

    Counting(OutputStream out, long[] count) {
      super(out);
      this.count = count;
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      count[0]++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      count[0] += len;
    }
  }
}
