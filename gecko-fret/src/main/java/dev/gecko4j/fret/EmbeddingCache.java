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
import java.util.zip.CRC32;

/**
 * The corpus embeddings, computed once and cached on disk, then searched in place by
 * {@link MappedVectors}.
 *
 * <p>File layout (little-endian): magic {@code GKEMB002}; int dimension; long count; long payload
 * length; int CRC32 of the payload; int length and UTF-8 bytes of the cache key (the embedder's name
 * and settings, supplied by the caller); int length and bytes of the corpus ids' SHA-256 (hex); zero
 * padding to a 64-byte boundary; then the payload: {@code count x dimension} float32 vectors
 * (L2-normalised, in corpus order) followed by the ids (int length + UTF-8 bytes each).
 *
 * <p>The file is written to a temporary name, forced to disk, renamed atomically and its folder
 * forced, so it is either complete or absent: a killed build or a failed write (a full disk) leaves
 * no cache file, and the temporary file is removed when the failure is an exception. A cache is
 * reused only when its header matches the key, dimension, count and ids checksum, its size is
 * exactly the header's, and the CRC32 of its payload matches; otherwise the reason is logged and it
 * is recomputed, never loaded. Files of the older {@code GKEMB001} layout are recomputed the same way.
 * Checking the CRC reads the whole file once per {@link #ensure} (a few seconds per GB).
 */
public final class EmbeddingCache {

  static final byte[] MAGIC = "GKEMB002".getBytes(StandardCharsets.US_ASCII);
  private static final System.Logger LOG = System.getLogger(EmbeddingCache.class.getName());

  private EmbeddingCache() {}

  /**
   * The parsed header of a cache file.
   *
   * @param modelName the cache key: the embedder's name (and settings) the vectors were made with
   * @param dimension the vector dimension
   * @param count the number of vectors
   * @param idsChecksum the corpus ids' SHA-256 (hex)
   * @param dataOffset where the vectors start in the file
   * @param payloadBytes the length of the payload (vectors and ids) after {@code dataOffset}
   * @param crc32 the CRC32 of the payload
   */
  public record Header(String modelName, int dimension, long count, String idsChecksum,
      long dataOffset, long payloadBytes, int crc32) {}

  /**
   * Returns the cache file of {@code corpus} embedded by {@code modelName} in {@code cacheDir},
   * computing it when absent, stale, truncated or corrupt.
   *
   * @param corpus the corpus; not null
   * @param embedder the embedder (documents are embedded with {@link TaskPrompt#document(String)});
   *     not null
   * @param modelName the cache key, recorded in the header (a different key is a miss): the
   *     embedder's name, plus whatever settings change its vectors (e.g. {@code name@maxLength}, or
   *     a fingerprint of the model files); not blank
   * @param cacheDir the directory of cache files (created if missing); not null
   * @param batchSize passages per embedder call, in {@code [1, 4096]}
   * @param progress called with the number of passages embedded so far (may be a no-op); not null
   * @return the path of a valid cache file
   * @throws IllegalArgumentException if an argument is invalid
   * @throws UncheckedIOException if reading or writing fails (the message names the file; no
   *     partial cache file is left behind)
   */
  public static Path ensure(CorpusStore corpus, Embedder embedder, String modelName, Path cacheDir,
      int batchSize, IntConsumer progress) {
    return ensure(corpus, embedder, modelName, cacheDir, batchSize, progress, FileOpener.DEFAULT);
  }

  /** {@link #ensure} writing through {@code opener} (the seam that tests fail on purpose). */
  static Path ensure(CorpusStore corpus, Embedder embedder, String modelName, Path cacheDir,
      int batchSize, IntConsumer progress, FileOpener opener) {
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
    Path file = cacheDir.resolve(fileName(modelName, corpus));
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
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read embeddings cache " + file + ": " + e.getMessage(), e);
    }
    try {
      write(file, corpus, embedder, modelName, batchSize, progress, opener);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write embeddings cache " + file + " (" + e.getMessage()
          + "); no cache file was left, a rerun embeds the corpus again", e);
    }
  }

  /** The file name: a readable slug of the key, a hash of the whole key, and of the corpus ids. */
  static String fileName(String key, CorpusStore corpus) {
    String slug = key.replaceAll("[^A-Za-z0-9._-]+", "_");
    if (slug.length() > 48) {
      slug = slug.substring(0, 48);
    }
    return String.format(Locale.ROOT, "embeddings-%s-%s-%s.bin", slug, sha256(key).substring(0, 8),
        corpus.idsChecksum().substring(0, 16));
  }

  private static String sha256(String s) {
    try {
      byte[] d = java.security.MessageDigest.getInstance("SHA-256")
          .digest(s.getBytes(StandardCharsets.UTF_8));
      StringBuilder hex = new StringBuilder();
      for (byte b : d) {
        hex.append(String.format(Locale.ROOT, "%02x", b));
      }
      return hex.toString();
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available in this JVM", e);
    }
  }

  /** Returns why {@code file} does not fit or is damaged, or null when it is whole and fits. */
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
    return damage(file, h);
  }

  /**
   * Checks that {@code file} is exactly as long as its header says and that its payload's CRC32
   * matches the header's.
   *
   * @param file the cache file
   * @param h its header
   * @return why it is damaged, or null when it is whole
   * @throws IOException if reading fails
   */
  static String damage(Path file, Header h) throws IOException {
    long want = h.dataOffset() + h.payloadBytes();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size < want) {
        return "file is truncated (" + size + " < " + want + " bytes)";
      }
      if (size > want) {
        return "file has " + size + " bytes, but its header says " + want;
      }
      CRC32 crc = new CRC32();
      ByteBuffer b = ByteBuffer.allocateDirect(1 << 20);
      long pos = h.dataOffset();
      while (pos < size) {
        b.clear();
        int n = ch.read(b, pos);
        if (n < 0) {
          break;
        }
        b.flip();
        crc.update(b);
        pos += n;
      }
      if ((int) crc.getValue() != h.crc32()) {
        return String.format(Locale.ROOT, "payload is corrupt (CRC32 %08x, header says %08x)",
            (int) crc.getValue(), h.crc32());
      }
      return null;
    }
  }

  /**
   * Reads the header of a cache file.
   *
   * @param file the cache file
   * @return the header
   * @throws IllegalStateException if the file is not a cache file of this layout (wrong magic, bad
   *     lengths)
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
          throw new IllegalStateException("not an embeddings cache of layout "
              + new String(MAGIC, StandardCharsets.US_ASCII) + " (magic is '"
              + new String(magic, StandardCharsets.ISO_8859_1).replaceAll("[^ -~]", "?") + "'): "
              + file);
        }
        int dim = b.getInt();
        long count = b.getLong();
        long payload = b.getLong();
        int crc = b.getInt();
        String name = string(b);
        String sum = string(b);
        if (dim < 1 || count < 0 || payload < count * dim * 4L + count * 4L) {
          throw new IllegalStateException("bad header in " + file + ": dim=" + dim + ", count="
              + count + ", payload=" + payload + " bytes");
        }
        return new Header(name, dim, count, sum, align(b.position()), payload, crc);
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

  private static ByteBuffer header(int dim, long count, long payload, int crc, byte[] name,
      byte[] sum) {
    int headerLen = MAGIC.length + 4 + 8 + 8 + 4 + 4 + name.length + 4 + sum.length;
    ByteBuffer h = ByteBuffer.allocate((int) align(headerLen)).order(ByteOrder.LITTLE_ENDIAN);
    h.put(MAGIC).putInt(dim).putLong(count).putLong(payload).putInt(crc).putInt(name.length)
        .put(name).putInt(sum.length).put(sum);
    h.position(h.capacity());
    h.flip();
    return h;
  }

  private static void write(Path file, CorpusStore corpus, Embedder embedder, String modelName,
      int batchSize, IntConsumer progress, FileOpener opener) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    int dim = embedder.dimension();
    boolean gecko = embedder.promptConvention() == PromptConvention.GECKO;
    byte[] name = modelName.getBytes(StandardCharsets.UTF_8);
    byte[] sum = corpus.idsChecksum().getBytes(StandardCharsets.US_ASCII);
    long payload = (long) corpus.size() * dim * 4L;
    for (int i = 0; i < corpus.size(); i++) {
      payload += 4 + corpus.id(i).getBytes(StandardCharsets.UTF_8).length;
    }
    boolean done = false;
    try {
      try (FileChannel ch = opener.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer h = header(dim, corpus.size(), payload, 0, name, sum);
        int headerBytes = h.remaining();
        writeFully(ch, h);
        CRC32 crc = new CRC32();
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
          if (es.size() != to - from) {
            throw new IllegalStateException("embedder returned " + es.size() + " embeddings for "
                + (to - from) + " passages");
          }
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
          crc.update(vec.duplicate());
          writeFully(ch, vec);
          progress.accept(to);
        }
        for (int i = 0; i < corpus.size(); i++) {
          byte[] id = corpus.id(i).getBytes(StandardCharsets.UTF_8);
          ByteBuffer b = ByteBuffer.allocate(4 + id.length).order(ByteOrder.LITTLE_ENDIAN);
          b.putInt(id.length).put(id).flip();
          crc.update(b.duplicate());
          writeFully(ch, b);
        }
        ByteBuffer done0 = header(dim, corpus.size(), payload, (int) crc.getValue(), name, sum);
        if (done0.remaining() != headerBytes) {
          throw new IllegalStateException("header length changed while writing " + tmp);
        }
        for (long at = 0; done0.hasRemaining(); ) {
          at += ch.write(done0, at);
        }
        ch.force(true);
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      done = true;
    } finally {
      if (!done) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException e) {
          LOG.log(Level.WARNING, "cannot remove the temporary file {0}: {1}", tmp, e.getMessage());
        }
      }
    }
    forceFolder(file.toAbsolutePath().getParent());
  }

  /** Forces a folder's entries (the rename) to disk where the platform allows it. */
  private static void forceFolder(Path dir) {
    if (dir == null) {
      return;
    }
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      LOG.log(Level.DEBUG, "cannot force folder {0} to disk: {1}", dir, e.getMessage());
    }
  }

  static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      ch.write(b);
    }
  }
}
