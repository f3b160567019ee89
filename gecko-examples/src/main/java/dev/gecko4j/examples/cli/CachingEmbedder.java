package dev.gecko4j.examples.cli;

import dev.gecko4j.core.Embedder;
import dev.gecko4j.core.Embedding;
import dev.gecko4j.core.PromptConvention;
import dev.gecko4j.core.TaskPrompt;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * An {@link Embedder} that keeps the vectors of each {@code embedAll} call in a folder, keyed by
 * a SHA-256 of the delegate's {@link Embedder#fingerprint()} and every (prompt, text) of the call:
 * a second evaluation of the same model and dataset (e.g. {@code gecko evaluate --precision
 * binary} after {@code --precision int8}) reads them back instead of running the model. A changed
 * model, setting, prompt or text changes the key, so nothing stale is served. Files are written
 * to a temporary name and moved into place, so an interrupted run leaves no partial entry.
 */
final class CachingEmbedder implements Embedder {

  private final Embedder delegate;
  private final Path dir;
  private int hits;
  private int misses;

  CachingEmbedder(Embedder delegate, Path dir) {
    this.delegate = delegate;
    this.dir = dir;
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the embedding cache folder " + dir, e);
    }
  }

  @Override
  public String name() {
    return delegate.name();
  }

  @Override
  public String fingerprint() {
    return delegate.fingerprint();
  }

  @Override
  public int dimension() {
    return delegate.dimension();
  }

  @Override
  public PromptConvention promptConvention() {
    return delegate.promptConvention();
  }

  /** {@return "hits/calls" of this run, for the log} */
  String stats() {
    return hits + " of " + (hits + misses) + " batches from the cache";
  }

  @Override
  public List<Embedding> embedAll(List<String> texts, List<TaskPrompt> prompts) {
    Path file = dir.resolve(key(texts, prompts) + ".f32");
    if (Files.isRegularFile(file)) {
      try (DataInputStream in = new DataInputStream(Files.newInputStream(file))) {
        int n = in.readInt();
        int dim = in.readInt();
        if (n == texts.size()) {
          List<Embedding> out = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            float[] v = new float[dim];
            for (int d = 0; d < dim; d++) {
              v[d] = in.readFloat();
            }
            out.add(Embedding.wrap(v));
          }
          hits++;
          return out;
        }
      } catch (IOException e) {
        // unreadable entry: embed again and overwrite it
      }
    }
    List<Embedding> out = delegate.embedAll(texts, prompts);
    misses++;
    try {
      Path tmp = Files.createTempFile(dir, "entry", ".tmp");
      try (DataOutputStream o = new DataOutputStream(
          new java.io.BufferedOutputStream(Files.newOutputStream(tmp)))) {
        o.writeInt(out.size());
        o.writeInt(out.isEmpty() ? 0 : out.get(0).dimension());
        for (Embedding e : out) {
          for (int d = 0; d < e.dimension(); d++) {
            o.writeFloat(e.get(d));
          }
        }
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the embedding cache entry " + file, e);
    }
    return out;
  }

  private String key(List<String> texts, List<TaskPrompt> prompts) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(delegate.fingerprint().getBytes(StandardCharsets.UTF_8));
      for (int i = 0; i < texts.size(); i++) {
        md.update((byte) 0);
        md.update(String.valueOf(prompts.get(i)).getBytes(StandardCharsets.UTF_8));
        md.update((byte) 1);
        md.update(String.valueOf(texts.get(i)).getBytes(StandardCharsets.UTF_8));
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  @Override
  public void close() {
    delegate.close();
  }
}
