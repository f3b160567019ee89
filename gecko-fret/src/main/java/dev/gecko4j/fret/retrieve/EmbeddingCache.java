package dev.gecko4j.fret.retrieve;

import dev.gecko4j.core.Embedder;
import dev.gecko4j.core.Embedding;
import dev.gecko4j.core.ProgressListener;
import dev.gecko4j.core.PromptConvention;
import dev.gecko4j.core.TaskPrompt;
import dev.gecko4j.core.index.CorruptFileException;
import dev.gecko4j.core.internal.Args;
import dev.gecko4j.core.vector.VectorMath;
import dev.gecko4j.fret.internal.FileOpener;
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
import java.util.zip.CRC32;

/**
 * The corpus embeddings, computed once and cached on disk, then searched in place by
 * {@link MappedVectors}.
 *
 * <p>The cache is keyed on the embedder's identity, {@link Embedder#fingerprint()} (its model bytes
 * or checksum, pooling, dimension, maximum length and prompts), not on a name: the file is named
 * after {@link Embedder#name()} and the corpus, and its header records the SHA-256 of the
 * fingerprint. A cache made by an embedder with another fingerprint (a model folder retrained in
 * place, other pooling, dimension, length or prompts) is logged as stale and rebuilt in place, never
 * reused.
 *
 * <p>File layout (little-endian): magic {@code GKEMB004}; int dimension; long count; long payload
 * length; int CRC32 of the header (with this field as zero) and the payload; int length and UTF-8 bytes of the embedder's name (for people);
 * int length and bytes of the SHA-256 (hex) of the embedder's fingerprint; int length and bytes of
 * the corpus ids' SHA-256 (hex); zero padding to a 64-byte boundary; then the payload:
 * {@code count x dimension} float32 vectors (L2-normalised, in corpus order) followed by the ids
 * (int length + UTF-8 bytes each).
 *
 * <p>The file is written to a temporary name, forced to disk, renamed atomically and its folder
 * forced, so it is either complete or absent: a killed build or a failed write (a full disk) leaves
 * no cache file, and the temporary file is removed when the failure is an exception. A cache is
 * reused only when its header matches the fingerprint, dimension, count and ids checksum, its size
 * is exactly the header's, the CRC32 of its payload matches and every vector is finite; otherwise
 * the reason is logged and it is recomputed, never loaded. {@link #readHeader} checks every header
 * field against sane limits (dimension 1 to 65,536, counts and lengths within the file) before it
 * allocates anything, and {@link MappedVectors#open} checks the payload again: a damaged file is a
 * {@link CorruptFileException} naming the file, the field, its value and what was expected. Files of the older {@code GKEMB001}, {@code GKEMB002} and
 * {@code GKEMB003} (whose checksum left the header out) layouts
 * (keyed by a name the caller gave) are recomputed the same way. Checking the CRC reads the whole
 * file once per {@link #ensure} (a few seconds per GB).
 */
public final class EmbeddingCache {

  static final byte[] MAGIC = "GKEMB004".getBytes(StandardCharsets.US_ASCII);
  /** Where the header's CRC32 field is. */
  static final int CRC_AT = 8 + 4 + 8 + 8;
  /** The largest dimension a cache file may declare. */
  static final int MAX_DIMENSION = 1 << 16;
  private static final System.Logger LOG = System.getLogger(EmbeddingCache.class.getName());

  private EmbeddingCache() {}

  /**
   * The parsed header of a cache file.
   *
   * @param embedderName the {@link Embedder#name()} of the embedder the vectors were made with
   * @param fingerprintSha256 the SHA-256 (hex) of that embedder's {@link Embedder#fingerprint()}
   * @param dimension the vector dimension
   * @param count the number of vectors
   * @param idsChecksum the corpus ids' SHA-256 (hex)
   * @param dataOffset where the vectors start in the file
   * @param payloadBytes the length of the payload (vectors and ids) after {@code dataOffset}
   * @param crc32 the CRC32 of the payload
   */
  public record Header(String embedderName, String fingerprintSha256, int dimension, long count,
      String idsChecksum, long dataOffset, long payloadBytes, int crc32) {}

  /**
   * Returns the cache file of {@code corpus} embedded by {@code embedder} in {@code cacheDir},
   * computing it when absent, made by an embedder of another {@link Embedder#fingerprint()}
   * (stale), truncated or corrupt. A stale or damaged file is replaced.
   *
   * @param corpus the corpus; not null
   * @param embedder the embedder (documents are embedded with {@link TaskPrompt#document(String)});
   *     not null
   * @param cacheDir the directory of cache files (created if missing); not null
   * @param batchSize passages per embedder call, in {@code [1, 4096]}
   * @param progress hears the passages embedded so far (stage {@code "passages"}; {@link
   *     ProgressListener#NONE} for none); not null
   * @return the path of a valid cache file
   * @throws IllegalArgumentException if an argument is invalid
   * @throws UncheckedIOException if reading or writing fails (the message names the file; no
   *     partial cache file is left behind)
   */
  public static Path ensure(CorpusStore corpus, Embedder embedder, Path cacheDir, int batchSize,
      ProgressListener progress) {
    return ensure(corpus, embedder, cacheDir, batchSize, progress, FileOpener.DEFAULT);
  }

  /** {@link #ensure} writing through {@code opener} (the seam that tests fail on purpose). */
  static Path ensure(CorpusStore corpus, Embedder embedder, Path cacheDir, int batchSize,
      ProgressListener progress, FileOpener opener) {
    Args.notNull(corpus, "corpus");
    Args.notNull(embedder, "embedder");
    Args.notNull(cacheDir, "cacheDir");
    Args.notNull(progress, "progress");
    Args.inRange(batchSize, 1, 4096, "batchSize");
    Identity id = Identity.of(embedder);
    Path file = cacheDir.resolve(fileName(id.name(), corpus));
    try {
      Files.createDirectories(cacheDir);
      if (Files.isRegularFile(file)) {
        String why = mismatch(file, id, embedder.dimension(), corpus);
        if (why == null) {
          LOG.log(Level.INFO, "reusing corpus embeddings {0} (embedder {1}, same fingerprint)", file,
              id.name());
          return file;
        }
        LOG.log(Level.WARNING, "recomputing corpus embeddings {0}: {1}", file, why);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read embeddings cache " + file + ": " + e.getMessage(), e);
    }
    try {
      write(file, corpus, embedder, id, batchSize, progress, opener);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write embeddings cache " + file + " (" + e.getMessage()
          + "); no cache file was left, a rerun embeds the corpus again", e);
    }
  }

  /**
   * Who made a cache's vectors: the embedder's display name and the SHA-256 of its fingerprint.
   *
   * @param name {@link Embedder#name()}
   * @param fingerprintSha256 the SHA-256 (hex) of {@link Embedder#fingerprint()}
   */
  record Identity(String name, String fingerprintSha256) {
    static Identity of(Embedder embedder) {
      String name = embedder.name();
      String fingerprint = embedder.fingerprint();
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException("embedder.name() must not be blank, but is: " + name
            + " (" + embedder.getClass().getName() + ")");
      }
      if (fingerprint == null || fingerprint.isBlank()) {
        throw new IllegalArgumentException("embedder.fingerprint() must not be blank, but is: "
            + fingerprint + " (" + embedder.getClass().getName() + ")");
      }
      return new Identity(name, sha256(fingerprint));
    }
  }

  /**
   * The file name: a readable slug of the embedder's name, a hash of the whole name, and of the
   * corpus ids. The fingerprint is not in the name, so a stale cache is found and replaced rather
   * than left beside the new one.
   */
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
  static String mismatch(Path file, Identity id, int dim, CorpusStore corpus)
      throws IOException {
    Header h;
    try {
      h = readHeader(file);
    } catch (CorruptFileException e) {
      return e.getMessage();
    }
    if (!h.fingerprintSha256().equals(id.fingerprintSha256())) {
      return "stale: made by embedder '" + h.embedderName() + "' of fingerprint sha256 "
          + h.fingerprintSha256().substring(0, Math.min(16, h.fingerprintSha256().length()))
          + "..., but embedder '" + id.name() + "' has fingerprint sha256 "
          + id.fingerprintSha256().substring(0, 16) + "... (its model or settings changed:"
          + " weights, pooling, dimension, max length or prompts)";
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
   * Checks that {@code file} is exactly as long as its header says, that the CRC32 of its header
   * and payload matches the header's and that every vector is finite.
   *
   * @param file the cache file
   * @param h its header
   * @return why it is damaged, or null when it is whole
   * @throws IOException if reading fails
   */
  static String damage(Path file, Header h) throws IOException {
    try {
      verify(file, h);
      return null;
    } catch (CorruptFileException e) {
      return e.getMessage();
    }
  }

  /**
   * Reads the whole of {@code file} once: its length must be the header's, the CRC32 of its header
   * (checksum field as zero) and payload the header's, and every vector finite.
   *
   * @param file the cache file
   * @param h its header, from {@link #readHeader}
   * @throws CorruptFileException naming the file and what is wrong
   * @throws IOException if reading fails
   */
  static void verify(Path file, Header h) throws IOException {
    long want = h.dataOffset() + h.payloadBytes();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size != want) {
        throw new CorruptFileException(file, "length", "is " + size + " bytes; expected " + want
            + " (header, then " + h.payloadBytes() + " bytes of payload)"
            + (size < want ? ": the file is truncated" : ""));
      }
      long vectorEnd = h.dataOffset() + h.count() * h.dimension() * 4L;
      CRC32 crc = new CRC32();
      ByteBuffer head = ByteBuffer.allocate((int) h.dataOffset());
      while (head.hasRemaining()) {
        if (ch.read(head, head.position()) < 0) {
          throw new CorruptFileException(file, "length", "ends inside the header; expected "
              + want + " bytes");
        }
      }
      head.putInt(CRC_AT, 0).flip(); // the checksum field is zero while it is computed
      crc.update(head);
      ByteBuffer b = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
      long pos = h.dataOffset();
      while (pos < size) {
        b.clear();
        b.limit((int) Math.min(b.capacity(), size - pos));
        while (b.hasRemaining()) {
          if (ch.read(b, pos + b.position()) < 0) {
            throw new CorruptFileException(file, "length", "ended at " + (pos + b.position())
                + " bytes while reading; expected " + size);
          }
        }
        b.flip();
        crc.update(b.duplicate());
        if (pos < vectorEnd) { // chunks start 4-byte aligned: the payload starts on 64 bytes
          int floats = (int) ((Math.min(vectorEnd, pos + b.limit()) - pos) / 4);
          for (int i = 0; i < floats; i++) {
            float f = b.getFloat(4 * i);
            if (!Float.isFinite(f)) {
              long at = (pos - h.dataOffset()) / 4 + i;
              throw new CorruptFileException(file, "vector " + at / h.dimension(), "has " + f
                  + " at [" + at % h.dimension() + "]; expected finite values");
            }
          }
        }
        pos += b.limit();
      }
      if ((int) crc.getValue() != h.crc32()) {
        throw new CorruptFileException(file, "checksum", String.format(Locale.ROOT,
            "is CRC32 %08x; expected %08x as recorded in the header: the file is damaged",
            (int) crc.getValue(), h.crc32()));
      }
    }
  }

  /**
   * Reads the header of a cache file, checking every field against sane limits and the file's
   * length before anything is allocated from it (the payload is checked by {@link #verify}).
   *
   * @param file the cache file
   * @return the header
   * @throws CorruptFileException if the file is not a complete cache file of this layout (wrong
   *     magic or an older layout, a field out of range, a length that does not fit the file); the
   *     message names the file, the field, its value and what was expected
   * @throws IOException if reading fails
   */
  public static Header readHeader(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      int fixed = MAGIC.length + 4 + 8 + 8 + 4 + 4 * 3;
      if (size < fixed) {
        throw new CorruptFileException(file, "length", "is " + size + " bytes; expected at least "
            + fixed + " (an embeddings cache header): not an embeddings cache, or truncated");
      }
      ByteBuffer b = ByteBuffer.allocate((int) Math.min(size, 1 << 16))
          .order(ByteOrder.LITTLE_ENDIAN);
      while (b.hasRemaining() && ch.read(b) >= 0) {
        // fill
      }
      b.flip();
      byte[] magic = new byte[MAGIC.length];
      b.get(magic);
      if (!java.util.Arrays.equals(magic, MAGIC)) {
        String found = new String(magic, StandardCharsets.ISO_8859_1).replaceAll("[^ -~]", "?");
        throw new CorruptFileException(file, "magic", "is '" + found + "'; expected '"
            + new String(MAGIC, StandardCharsets.US_ASCII) + "'"
            + (found.startsWith("GKEMB00") ? " (an older layout of the embeddings cache)"
                : ": not an embeddings cache"));
      }
      int dim = b.getInt();
      if (dim < 1 || dim > MAX_DIMENSION) {
        throw new CorruptFileException(file, "dimension", "is " + dim + "; expected 1 to "
            + MAX_DIMENSION);
      }
      long count = b.getLong();
      long maxCount = Math.min(Integer.MAX_VALUE, size / (4L * dim + 4));
      if (count < 0 || count > maxCount) {
        throw new CorruptFileException(file, "count", "is " + count + "; expected 0 to " + maxCount
            + " (what the file's " + size + " bytes can hold)");
      }
      long payload = b.getLong();
      long minPayload = count * (4L * dim + 4);
      if (payload < minPayload || payload > size) {
        throw new CorruptFileException(file, "payload length", "is " + payload + "; expected "
            + minPayload + " to " + size + " (count x (dimension floats + an id length) at least,"
            + " and within the file)");
      }
      int crc = b.getInt();
      String name = string(file, b, "embedder name");
      String fingerprint = string(file, b, "fingerprint");
      String sum = string(file, b, "ids checksum");
      long dataOffset = align(b.position());
      if (dataOffset + payload != size) {
        throw new CorruptFileException(file, "length", "is " + size + " bytes; expected "
            + (dataOffset + payload) + " (a " + dataOffset + "-byte header, then " + payload
            + " bytes of payload)" + (size < dataOffset + payload ? ": the file is truncated" : ""));
      }
      return new Header(name, fingerprint, dim, count, sum, dataOffset, payload, crc);
    }
  }

  private static String string(Path file, ByteBuffer b, String field)
      throws CorruptFileException {
    if (b.remaining() < 4) {
      throw new CorruptFileException(file, "length of the " + field, "is missing: the header"
          + " ends at byte " + b.position());
    }
    int n = b.getInt();
    if (n < 0 || n > b.remaining()) {
      throw new CorruptFileException(file, "length of the " + field, "is " + n + "; expected 0 to "
          + b.remaining() + " (the header's bytes left)");
    }
    byte[] s = new byte[n];
    b.get(s);
    return new String(s, StandardCharsets.UTF_8);
  }

  private static long align(long pos) {
    return (pos + 63) & ~63L;
  }

  private static ByteBuffer header(int dim, long count, long payload, int crc, byte[] name,
      byte[] fingerprint, byte[] sum) {
    int headerLen = MAGIC.length + 4 + 8 + 8 + 4 + 4 + name.length + 4 + fingerprint.length + 4
        + sum.length;
    ByteBuffer h = ByteBuffer.allocate((int) align(headerLen)).order(ByteOrder.LITTLE_ENDIAN);
    h.put(MAGIC).putInt(dim).putLong(count).putLong(payload).putInt(crc).putInt(name.length)
        .put(name).putInt(fingerprint.length).put(fingerprint).putInt(sum.length).put(sum);
    h.position(h.capacity());
    h.flip();
    return h;
  }

  /**
   * The vectors of corpus ordinals {@code [from, to)}, in order, each of the cache's dimension
   * (written L2-normalised; a zero vector is written as is).
   */
  @FunctionalInterface
  private interface VectorSource {
    List<float[]> vectors(int from, int to);
  }

  /**
   * Embeds passages the way the cache does, so that vectors computed elsewhere (a Spark executor)
   * are those {@link #ensure} would compute: under the {@link PromptConvention#GECKO} convention
   * the text with {@link TaskPrompt#document(String)} of the title (the embedder renders the
   * title), otherwise {@link Passage#fullText()} with {@link TaskPrompt#document()}, as MTEB embeds
   * a BEIR document.
   *
   * @param embedder the embedder; not null
   * @param passages the passages, one {@link Embedder#embedAll} call; not null
   * @return one embedding per passage, in order (not normalised: {@link #writeVectors} and
   *     {@link #ensure} normalise)
   * @throws IllegalArgumentException if an argument is null
   * @throws IllegalStateException if the embedder returns the wrong count or dimension
   */
  public static List<Embedding> embedPassages(Embedder embedder, List<Passage> passages) {
    Args.notNull(embedder, "embedder");
    Args.notNull(passages, "passages");
    boolean gecko = embedder.promptConvention() == PromptConvention.GECKO;
    List<String> texts = new ArrayList<>(passages.size());
    List<TaskPrompt> prompts = new ArrayList<>(passages.size());
    for (Passage p : passages) {
      texts.add(gecko ? p.text() : p.fullText());
      prompts.add(gecko ? TaskPrompt.document(p.title()) : TaskPrompt.document());
    }
    List<Embedding> es = embedder.embedAll(texts, prompts);
    if (es.size() != passages.size()) {
      throw new IllegalStateException("embedder returned " + es.size() + " embeddings for "
          + passages.size() + " passages");
    }
    for (Embedding e : es) {
      if (e.dimension() != embedder.dimension()) {
        throw new IllegalStateException("embedder returned dimension " + e.dimension()
            + " but declares " + embedder.dimension());
      }
    }
    return es;
  }

  /**
   * Writes the cache file of {@code corpus} from vectors computed elsewhere (e.g. by {@link
   * #embedPassages} on Spark executors), under the name and header {@link #ensure} gives it for
   * {@code embedder}, so a later {@link #ensure} with the same embedder reuses it. Written
   * atomically, as {@link #ensure} writes.
   *
   * @param corpus the corpus; not null
   * @param embedder the embedder the vectors were made with (for the file's identity); not null
   * @param cacheDir the directory of cache files (created if missing); not null
   * @param vectors one vector per passage, in corpus order, of the embedder's dimension (they are
   *     L2-normalised here); not null
   * @return the path of the cache file
   * @throws IllegalArgumentException if an argument is null, or {@code vectors} holds fewer or
   *     more vectors than the corpus has passages, or one of another dimension
   * @throws UncheckedIOException if writing fails (no partial cache file is left behind)
   */
  public static Path writeVectors(CorpusStore corpus, Embedder embedder, Path cacheDir,
      java.util.Iterator<float[]> vectors) {
    Args.notNull(corpus, "corpus");
    Args.notNull(embedder, "embedder");
    Args.notNull(cacheDir, "cacheDir");
    Args.notNull(vectors, "vectors");
    Identity id = Identity.of(embedder);
    Path file = cacheDir.resolve(fileName(id.name(), corpus));
    int dim = embedder.dimension();
    VectorSource source = (from, to) -> {
      List<float[]> out = new ArrayList<>(to - from);
      for (int i = from; i < to; i++) {
        if (!vectors.hasNext()) {
          throw new IllegalArgumentException("vectors holds " + i + " vectors, but the corpus has "
              + corpus.size() + " passages");
        }
        float[] v = Args.notNull(vectors.next(), "vectors[" + i + "]");
        if (v.length != dim) {
          throw new IllegalArgumentException("vectors[" + i + "] has dimension " + v.length
              + ", but embedder '" + id.name() + "' has " + dim);
        }
        out.add(v);
      }
      return out;
    };
    try {
      Files.createDirectories(cacheDir);
      write(file, corpus, dim, id, 1024, ProgressListener.NONE, FileOpener.DEFAULT, source);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write embeddings cache " + file + " ("
          + e.getMessage() + "); no cache file was left", e);
    }
    if (vectors.hasNext()) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        LOG.log(Level.WARNING, "cannot remove {0}: {1}", file, e.getMessage());
      }
      throw new IllegalArgumentException("vectors holds more vectors than the corpus' "
          + corpus.size() + " passages");
    }
    return file;
  }

  private static void write(Path file, CorpusStore corpus, Embedder embedder, Identity who,
      int batchSize, ProgressListener progress, FileOpener opener) throws IOException {
    write(file, corpus, embedder.dimension(), who, batchSize, progress, opener, (from, to) -> {
      List<Passage> passages = new ArrayList<>(to - from);
      for (int i = from; i < to; i++) {
        passages.add(corpus.passage(i));
      }
      List<Embedding> es = embedPassages(embedder, passages);
      List<float[]> out = new ArrayList<>(es.size());
      for (Embedding e : es) {
        out.add(e.toArray());
      }
      return out;
    });
  }

  private static void write(Path file, CorpusStore corpus, int dim, Identity who,
      int batchSize, ProgressListener progress, FileOpener opener, VectorSource source)
      throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    byte[] name = who.name().getBytes(StandardCharsets.UTF_8);
    byte[] fingerprint = who.fingerprintSha256().getBytes(StandardCharsets.US_ASCII);
    byte[] sum = corpus.idsChecksum().getBytes(StandardCharsets.US_ASCII);
    long payload = (long) corpus.size() * dim * 4L;
    for (int i = 0; i < corpus.size(); i++) {
      payload += 4 + corpus.id(i).getBytes(StandardCharsets.UTF_8).length;
    }
    boolean done = false;
    try {
      try (FileChannel ch = opener.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer h = header(dim, corpus.size(), payload, 0, name, fingerprint, sum);
        int headerBytes = h.remaining();
        CRC32 crc = new CRC32();
        crc.update(h.duplicate()); // the header, with its checksum field still zero
        FileOpener.writeFully(ch, h);
        ByteBuffer vec = ByteBuffer.allocate(batchSize * dim * 4).order(ByteOrder.LITTLE_ENDIAN);
        float[] unit = new float[dim];
        for (int from = 0; from < corpus.size(); from += batchSize) {
          int to = Math.min(corpus.size(), from + batchSize);
          vec.clear();
          for (float[] v : source.vectors(from, to)) {
            System.arraycopy(v, 0, unit, 0, dim);
            if (VectorMath.norm(unit) != 0) {
              VectorMath.normalizeInPlace(unit, 0, dim);
            }
            for (int j = 0; j < dim; j++) {
              vec.putFloat(unit[j]);
            }
          }
          vec.flip();
          crc.update(vec.duplicate());
          FileOpener.writeFully(ch, vec);
          progress.onProgress("passages", to, corpus.size());
        }
        for (int i = 0; i < corpus.size(); i++) {
          byte[] id = corpus.id(i).getBytes(StandardCharsets.UTF_8);
          ByteBuffer b = ByteBuffer.allocate(4 + id.length).order(ByteOrder.LITTLE_ENDIAN);
          b.putInt(id.length).put(id).flip();
          crc.update(b.duplicate());
          FileOpener.writeFully(ch, b);
        }
        ByteBuffer done0 = header(dim, corpus.size(), payload, (int) crc.getValue(), name,
            fingerprint, sum);
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
}
