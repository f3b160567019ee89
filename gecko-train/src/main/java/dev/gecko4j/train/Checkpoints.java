package dev.gecko4j.train;

import java.io.IOException;
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
import java.util.stream.Stream;

/**
 * Training checkpoints: {@code checkpoints/step-NNNNNNNN/} holding the parameters, the AdamW
 * moments (raw little-endian float32 in parameter order) and {@code state.properties} (step,
 * optimizer steps, skipped steps, last loss). A checkpoint is written to a temporary folder and
 * renamed, so a kill never leaves a half-written one; older checkpoints are deleted after a new
 * one is complete.
 */
final class Checkpoints {
  private final Path root;

  Checkpoints(Path root) {
    this.root = root;
  }

  record State(int step, long optimizerSteps, int skipped, double lastLoss) {}

  Optional<Path> latest() {
    if (!Files.isDirectory(root)) {
      return Optional.empty();
    }
    try (Stream<Path> s = Files.list(root)) {
      return s.filter(p -> p.getFileName().toString().startsWith("step-")
              && Files.isRegularFile(p.resolve("state.properties")))
          .max(Comparator.comparing(p -> p.getFileName().toString()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list checkpoints in " + root, e);
    }
  }

  Path save(State state, Map<String, float[]> params, AdamW opt) {
    try {
      Files.createDirectories(root);
      String name = String.format(Locale.ROOT, "step-%08d", state.step());
      Path tmp = root.resolve(name + ".tmp");
      deleteTree(tmp);
      Files.createDirectories(tmp);
      writeFloats(tmp.resolve("params.bin"), params, params);
      writeFloats(tmp.resolve("adam_m.bin"), params, opt.firstMoments());
      writeFloats(tmp.resolve("adam_v.bin"), params, opt.secondMoments());
      Properties p = new Properties();
      p.setProperty("step", Integer.toString(state.step()));
      p.setProperty("optimizerSteps", Long.toString(state.optimizerSteps()));
      p.setProperty("skipped", Integer.toString(state.skipped()));
      p.setProperty("lastLoss", Double.toString(state.lastLoss()));
      try (var w = Files.newBufferedWriter(tmp.resolve("state.properties"), StandardCharsets.UTF_8)) {
        p.store(w, "gecko4j training checkpoint");
      }
      Path dir = root.resolve(name);
      deleteTree(dir);
      Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
      List<Path> old = new ArrayList<>();
      try (Stream<Path> s = Files.list(root)) {
        s.filter(x -> x.getFileName().toString().startsWith("step-") && !x.equals(dir)).forEach(old::add);
      }
      for (Path o : old) {
        deleteTree(o);
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write a checkpoint under " + root, e);
    }
  }

  State load(Path dir, Map<String, float[]> params, AdamW opt) {
    try {
      readFloats(dir.resolve("params.bin"), params, params);
      for (Map.Entry<String, float[]> e : params.entrySet()) {
        opt.firstMoments().put(e.getKey(), new float[e.getValue().length]);
        opt.secondMoments().put(e.getKey(), new float[e.getValue().length]);
      }
      readFloats(dir.resolve("adam_m.bin"), params, opt.firstMoments());
      readFloats(dir.resolve("adam_v.bin"), params, opt.secondMoments());
      Properties p = new Properties();
      try (var r = Files.newBufferedReader(dir.resolve("state.properties"), StandardCharsets.UTF_8)) {
        p.load(r);
      }
      State s = new State(Integer.parseInt(p.getProperty("step")),
          Long.parseLong(p.getProperty("optimizerSteps")), Integer.parseInt(p.getProperty("skipped")),
          Double.parseDouble(p.getProperty("lastLoss")));
      opt.restore(s.optimizerSteps());
      return s;
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("checkpoint " + dir + " is unreadable or does not match the model: "
          + e.getMessage(), e);
    }
  }

  private static void writeFloats(Path file, Map<String, float[]> order, Map<String, float[]> values) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer buf = ByteBuffer.allocateDirect(1 << 22).order(ByteOrder.LITTLE_ENDIAN);
      for (String name : order.keySet()) {
        float[] v = values.get(name);
        if (v == null) {
          v = new float[order.get(name).length];
        }
        for (float f : v) {
          if (buf.remaining() < 4) {
            buf.flip();
            while (buf.hasRemaining()) {
              ch.write(buf);
            }
            buf.clear();
          }
          buf.putFloat(f);
        }
      }
      buf.flip();
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
    }
  }

  private static void readFloats(Path file, Map<String, float[]> order, Map<String, float[]> into) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long expected = 0;
      for (float[] v : order.values()) {
        expected += 4L * v.length;
      }
      if (ch.size() != expected) {
        throw new IOException(file + " has " + ch.size() + " bytes, expected " + expected);
      }
      ByteBuffer buf = ByteBuffer.allocateDirect(1 << 22).order(ByteOrder.LITTLE_ENDIAN);
      buf.limit(0);
      for (String name : order.keySet()) {
        float[] v = into.get(name);
        for (int i = 0; i < v.length; i++) {
          if (buf.remaining() < 4) {
            buf.compact();
            while (buf.position() < 4 && ch.read(buf) > 0) {
              // fill
            }
            buf.flip();
          }
          v[i] = buf.getFloat();
        }
      }
    }
  }

  static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(x);
      }
    }
  }
}
