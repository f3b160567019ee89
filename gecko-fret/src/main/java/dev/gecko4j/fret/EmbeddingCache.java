package dev.gecko4j.fret;

import dev.gecko4j.core.Embedder;
import dev.gecko4j.core.Embedding;
import dev.gecko4j.core.PromptConvention;
import dev.gecko4j.core.TaskPrompt;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntConsumer;

/**
 * The corpus embeddings, computed once and cached on disk, then searched in place by
 * {@link MappedVectors}.
 *
 * <p>File layout (little-endian): magic {@code GKEMB001}; int dimension; long count; int length and
 * UTF-8 bytes of the model name; int length and bytes of the corpus ids' SHA-256 (hex); zero padding
 * to a 64-byte boundary; {@code count x dimension} float32 vectors (L2-normalised, in corpus order);
 * then the ids (int length + UTF-8 bytes each). The file is written to a temporary name, forced to
 * disk and renamed, so a killed build leaves no half file. A cache is reused only when its header
 * matches the model name, dimension, count and ids checksum, and its size is complete; otherwise it
 * is recomputed.
 */
public final class EmbeddingCache {

  static final byte[] MAGIC = "GKEMB001".getBytes(StandardCharsets.US_ASCII);
  private static final System.Logger LOG = System.getLogger(EmbeddingCache.class.getName());

  private EmbeddingCache() {}

  /**
   * The parsed header of a cache file.
   *
   * @param modelName the embedder's name
   * @param dimension the vector dimension
   * @param count the number of vectors
   * @param idsChecksum the corpus ids' SHA-256 (hex)
   * @param dataOffset where the vectors start in the file
   */
  public record Header(String modelName, int dimension, long count, String idsChecksum,
      long dataOffset) {}

  /**
   * Returns the cache file of {@code corpus} embedded by {@code modelName} in {@code cacheDir},
   * computing it when absent or stale.
   *
   * @param corpus the corpus; not null
   * @param embedder the embedder (documents are embedded with {@link TaskPrompt#document(String)});
   *     not null
   * @param modelName the embedder's name, recorded in the header (a different name is a miss); not
   *     blank
   * @param cacheDir the directory of cache files (created if missing); not null
   * @param batchSize passages per embedder call, in {@code [1, 4096]}
   * @param progress called with the number of passages embedded so far (may be a no-op); not null
   * @return the path of a valid cache file
   * @throws IllegalArgumentException if an argument is invalid
   * @throws UncheckedIOException if reading or writing fails
   */
  public static Path ensure(CorpusStore corpus, Embedder embedder, String modelName, Path cacheDir,
      int batchSize, IntConsumer progress) {
    if (corpus == null) {
      throw new IllegalArgumentException("corpus must not be null");
    }
    if (embedder == null) {
      throw new IllegalArgumentException("embedder must not be null");
    }
    if (cacheDir == null) {
      throw new IllegalArgumentException("cacheDir must not be null");
    }
    if (progress == null) {
      throw new IllegalArgumentException("progress must not be null");
    }
    if (modelName == null || modelName.isBlank()) {
      throw new IllegalArgumentException("modelName must be non-blank, but is: " + modelName);
    }
    if (batchSize < 1 || batchSize > 4096) {
      throw new IllegalArgumentException("batchSize must be between 1 and 4096, but is: " + batchSize);
    }
    String slug = modelName.replaceAll("[^A-Za-z0-9._-]+", "_");
    Path file = cacheDir.resolve(String.format(Locale.ROOT, "embeddings-%s-%s.bin", slug,
        corpus.idsChecksum().substring(0, 16)));
    try {
      Files.createDirectories(cacheDir);
      if (Files.isRegularFile(file)) {
        String why = mismatch(file, modelName, embedder.dimension(), corpus);
        if (why == null) {
          LOG.log(Level.INFO, "reusing corpus embeddings {0}", file);
          return file;
        }
        LOG.log(Level.WARNING, "recomputing corpus embeddings {0}: {1}", file, why);
      }
      write(file, corpus, embedder, modelName, batchSize, progress);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot build embeddings cache " + file, e);
    }
  }

  /** Returns why {@code file} does not fit, or null when it does. */
  static String mismatch(Path file, String modelName, int dim, CorpusStore corpus)
      throws IOException {
    Header h;
    try {
      h = readHeader(file);
    } catch (IllegalStateException e) {
      return e.getMessage();
    }
    if (!h.modelName().equals(modelName)) {
      return "model is '" + h.modelName() + "', wanted '" + modelName + "'";
    }
    if (h.dimension() != dim) {
      return "dimension is " + h.dimension() + ", wanted " + dim;
    }
    if (h.count() != corpus.size()) {
      return "count is " + h.count() + ", corpus has " + corpus.size();
    }
    if (!h.idsChecksum().equals(corpus.idsChecksum())) {
      return "corpus ids checksum differs";
    }
    long minSize = h.dataOffset() + h.count() * h.dimension() * 4L;
    if (Files.size(file) < minSize) {
      return "file is truncated (" + Files.size(file) + " < " + minSize + " bytes)";
    }
    return null;
  }

  /**
   * Reads the header of a cache file.
   *
   * @param file the cache file
   * @return the header
   * @throws IllegalStateException if the file is not a cache file (wrong magic, bad lengths)
   * @throws IOException if reading fails
   */
  public static Header readHeader(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer b = ByteBuffer.allocate((int) Math.min(ch.size(), 1 << 16))
          .order(ByteOrder.LITTLE_ENDIAN);
      while (b.hasRemaining() && ch.read(b) >= 0) {
        // fill
      }
      b.flip();
      try {
        byte[] magic = new byte[MAGIC.length];
        b.get(magic);
        if (!java.util.Arrays.equals(magic, MAGIC)) {
          throw new IllegalStateException("not an embeddings cache (bad magic): " + file);
        }
        int dim = b.getInt();
        long count = b.getLong();
        String name = string(b);
        String sum = string(b);
        if (dim < 1 || count < 0) {
          throw new IllegalStateException("bad header in " + file + ": dim=" + dim + ", count=" + count);
        }
        return new Header(name, dim, count, sum, align(b.position()));
      } catch (java.nio.BufferUnderflowException | IllegalArgumentException e) {
        throw new IllegalStateException("truncated or corrupt header in " + file, e);
      }
    }
  }

  private static String string(ByteBuffer b) {
    int n = b.getInt();
    if (n < 0 || n > b.remaining()) {
      throw new IllegalArgumentException("bad string length " + n);
    }
    byte[] s = new byte[n];
    b.get(s);
    return new String(s, StandardCharsets.UTF_8);
  }

  private static long align(long pos) {
    return (pos + 63) & ~63L;
  }

  private static void write(Path file, CorpusStore corpus, Embedder embedder, String modelName,
      int batchSize, IntConsumer progress) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    int dim = embedder.dimension();
    boolean gecko = embedder.promptConvention() == PromptConvention.GECKO;
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      byte[] name = modelName.getBytes(StandardCharsets.UTF_8);
      byte[] sum = corpus.idsChecksum().getBytes(StandardCharsets.US_ASCII);
      int headerLen = MAGIC.length + 4 + 8 + 4 + name.length + 4 + sum.length;
      ByteBuffer h = ByteBuffer.allocate((int) align(headerLen)).order(ByteOrder.LITTLE_ENDIAN);
      h.put(MAGIC).putInt(dim).putLong(corpus.size()).putInt(name.length).put(name)
          .putInt(sum.length).put(sum);
      h.position(h.capacity());
      h.flip();
      writeFully(ch, h);
      ByteBuffer vec = ByteBuffer.allocate(batchSize * dim * 4).order(ByteOrder.LITTLE_ENDIAN);
      for (int from = 0; from < corpus.size(); from += batchSize) {
        int to = Math.min(corpus.size(), from + batchSize);
        List<String> texts = new ArrayList<>(to - from);
        List<TaskPrompt> prompts = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
          Passage p = corpus.passage(i);
          // Gecko renders the title itself; other conventions embed (title + " " + text) as MTEB does
          texts.add(gecko ? p.text() : p.fullText());
          prompts.add(gecko ? TaskPrompt.document(p.title()) : TaskPrompt.document());
        }
        List<Embedding> es = embedder.embedAll(texts, prompts);
        vec.clear();
        for (Embedding e : es) {
          if (e.dimension() != dim) {
            throw new IllegalStateException("embedder returned dimension " + e.dimension()
                + " but declares " + dim);
          }
          Embedding n = e.norm() == 0 ? e : e.normalize();
          for (int j = 0; j < dim; j++) {
            vec.putFloat(n.get(j));
          }
        }
        vec.flip();
        writeFully(ch, vec);
        progress.accept(to);
      }
      for (int i = 0; i < corpus.size(); i++) {
        byte[] id = corpus.id(i).getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(4 + id.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(id.length).put(id).flip();
        writeFully(ch, b);
      }
      ch.force(true);
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      ch.write(b);
    }
  }
}
