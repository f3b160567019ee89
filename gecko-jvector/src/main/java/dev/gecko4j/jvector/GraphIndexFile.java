package dev.gecko4j.jvector;

import dev.gecko4j.core.index.CorruptFileException;
import dev.gecko4j.core.vector.Similarity;
import io.github.jbellis.jvector.disk.ByteBufferReader;
import io.github.jbellis.jvector.graph.NodesIterator;
import io.github.jbellis.jvector.graph.OnHeapGraphIndex;
import io.github.jbellis.jvector.quantization.ProductQuantization;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * The file format of {@link GraphIndex#save} and {@link GraphIndex#load} (big-endian):
 * <pre>
 * int    magic 0x474B4A56 ("GKJV")
 * int    format version (2)
 * int    dimension, in [1, 65536]
 * UTF    similarity name ({@link Similarity})
 * int    maxDegree, int beamWidth, float neighbourOverflow, float alpha, boolean hierarchy,
 *        boolean refine, int searchRerank, int pqSubspaces, int buildThreads ({@link GraphIndexConfig})
 * int    count of vectors
 * count x (int length, UTF-8 bytes)   ids
 * count x dimension x float32         stored vectors (unit length for cosine)
 * int    length, then the bytes of the PQ codebook (0: none; codes are re-encoded on load)
 * ...    JVector's on-heap graph (absent when count is 0)
 * long   where the graph starts, long where it ends
 * int    CRC32C of every byte before it
 * int    magic again
 * </pre>
 *
 * <p>Reading trusts nothing: the length, both magics, the version and the checksum are checked
 * first; then every header field is checked against sane limits and against the bytes the file
 * has left before anything is allocated from it; ids must be unique UTF-8, vectors finite (and of
 * unit length for cosine) as {@link GraphIndex#addAll} requires; the graph must hold exactly the
 * stored vectors and link only to them. Every failure is a {@link CorruptFileException} naming the
 * file, the field, its value and what was expected. Files of format version 1 (gecko4j before
 * version 2 of this format; no checksum) are refused with that reason: rebuild and save again.
 * The caller holds the index's lock.
 */
final class GraphIndexFile {

  static final int MAGIC = 0x474B4A56; // "GKJV"
  static final int FORMAT_VERSION = 2;
  /** The largest dimension a file may declare. */
  static final int MAX_DIMENSION = 1 << 16;
  /** graph start, graph end, CRC32C, magic. */
  static final int TRAILER_BYTES = 8 + 8 + 4 + 4;
  /** magic, version, dimension, similarity (2 + at least 1), settings, count. */
  static final int MIN_HEADER_BYTES = 4 + 4 + 4 + 3 + 4 * 2 + 4 * 2 + 2 + 4 * 3 + 4;

  private GraphIndexFile() {}

  /** Writes {@code index} (already optimised) to {@code tmp}. */
  static void write(GraphIndex index, Path tmp) throws IOException {
    try (OutputStream raw = Files.newOutputStream(tmp);
        CountingStream counting = new CountingStream(raw);
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(counting, 1 << 16))) {
      GraphIndexConfig cfg = index.config();
      int dimension = index.dimension();
      out.writeInt(MAGIC);
      out.writeInt(FORMAT_VERSION);
      out.writeInt(index.dimension());
      out.writeUTF(index.similarity().name());
      out.writeInt(cfg.maxDegree());
      out.writeInt(cfg.beamWidth());
      out.writeFloat(cfg.neighbourOverflow());
      out.writeFloat(cfg.alpha());
      out.writeBoolean(cfg.hierarchy());
      out.writeBoolean(cfg.refine());
      out.writeInt(cfg.searchRerank());
      out.writeInt(cfg.pqSubspaces());
      out.writeInt(cfg.buildThreads());
      int n = index.size();
      out.writeInt(n);
      for (int o = 0; o < n; o++) {
        byte[] b = index.id(o).getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
      }
      ByteBuffer row = ByteBuffer.allocate(4 * dimension).order(ByteOrder.BIG_ENDIAN);
      for (int o = 0; o < n; o++) {
        row.clear();
        VectorFloat<?> v = index.vectorAt(o);
        for (int i = 0; i < dimension; i++) {
          row.putFloat(v.get(i));
        }
        out.write(row.array());
      }
      ProductQuantization pq = index.productQuantization();
      if (pq != null) {
        ByteArrayIndexWriter pqOut = new ByteArrayIndexWriter();
        pq.write(pqOut, 3);
        byte[] pqBytes = pqOut.toByteArray();
        out.writeInt(pqBytes.length);
        out.write(pqBytes);
      } else {
        out.writeInt(0);
      }
      out.flush();
      long graphStart = counting.count;
      if (n > 0) { // an empty graph has nothing to save (and JVector refuses to save it)
        index.onHeapGraph().save(out);
      }
      out.flush();
      long graphEnd = counting.count;
      out.writeLong(graphStart);
      out.writeLong(graphEnd);
      out.flush();
      out.writeInt((int) counting.crc.getValue());
      out.writeInt(MAGIC);
    }
  }

  /**
   * Reads an index written by {@link #write}, checking everything (see the class comment).
   *
   * @throws CorruptFileException if the file is not a complete, undamaged graph index file of this
   *     format version (the message names the file, the field, its value and what was expected)
   * @throws IOException if reading fails
   */
  static GraphIndex read(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long len = ch.size();
      if (len < 8) {
        throw new CorruptFileException(file, "length", "is " + len
            + " bytes; expected at least " + (MIN_HEADER_BYTES + TRAILER_BYTES)
            + " (not a gecko4j graph index file, or truncated)");
      }
      ByteBuffer head = readAt(ch, 0, 8);
      int magic = head.getInt();
      if (magic != MAGIC) {
        throw new CorruptFileException(file, "magic", String.format(Locale.ROOT,
            "is 0x%08X; expected 0x%08X ('GKJV'): not a gecko4j graph index file", magic, MAGIC));
      }
      int version = head.getInt();
      if (version != FORMAT_VERSION) {
        throw new CorruptFileException(file, "format version", "is " + version + "; expected "
            + FORMAT_VERSION + (version >= 1 && version < FORMAT_VERSION
                ? " (an old format version, without a checksum: build the index again and save it)"
                : " (a file of another gecko4j version, or damaged)"));
      }
      if (len < MIN_HEADER_BYTES + TRAILER_BYTES) {
        throw new CorruptFileException(file, "length", "is " + len + " bytes; expected at least "
            + (MIN_HEADER_BYTES + TRAILER_BYTES) + " (a header and a trailer): the file is"
            + " truncated");
      }
      ByteBuffer trailer = readAt(ch, len - TRAILER_BYTES, TRAILER_BYTES);
      long graphStart = trailer.getLong();
      long graphEnd = trailer.getLong();
      int storedCrc = trailer.getInt();
      int trailerMagic = trailer.getInt();
      if (trailerMagic != MAGIC) {
        throw new CorruptFileException(file, "trailer magic", String.format(Locale.ROOT,
            "is 0x%08X; expected 0x%08X: the file is truncated or was not completely written",
            trailerMagic, MAGIC));
      }
      int crc = crc32c(ch, len - 8);
      if (crc != storedCrc) {
        throw new CorruptFileException(file, "checksum", String.format(Locale.ROOT,
            "is CRC32C %08x; expected %08x as recorded in the trailer: the file is damaged",
            crc, storedCrc));
      }
      if (graphStart < MIN_HEADER_BYTES || graphEnd < graphStart
          || graphEnd > len - TRAILER_BYTES) {
        throw new CorruptFileException(file, "graph section", "is [" + graphStart + ", "
            + graphEnd + "); expected a range within [" + MIN_HEADER_BYTES + ", "
            + (len - TRAILER_BYTES) + ")");
      }
      if (graphEnd - graphStart > Integer.MAX_VALUE) {
        throw new CorruptFileException(file, "graph section", "is " + (graphEnd - graphStart)
            + " bytes; expected at most 2 GiB (larger graphs are not supported)");
      }
      ch.position(8);
      Fields in = new Fields(file, new DataInputStream(
          new BufferedInputStream(Channels.newInputStream(ch), 1 << 16)), 8, graphStart);
      GraphIndex index = readBody(file, in);
      if (in.position != graphStart) {
        throw new CorruptFileException(file, "graph section start", "is " + graphStart
            + "; expected " + in.position + " (where the ids, vectors and codebook end)");
      }
      if (index.size() == 0) {
        if (graphEnd != graphStart) {
          throw new CorruptFileException(file, "graph section", "is " + (graphEnd - graphStart)
              + " bytes; expected none for an empty index");
        }
        return index;
      }
      ByteBuffer graph = ch.map(FileChannel.MapMode.READ_ONLY, graphStart, graphEnd - graphStart);
      try {
        index.restoreGraph(new ByteBufferReader(graph));
      } catch (IOException | RuntimeException e) {
        throw new CorruptFileException(file, "graph section", "cannot be read ("
            + e + "); expected JVector's on-heap graph of " + index.size() + " nodes", e);
      }
      checkGraph(file, index);
      return index;
    } catch (EOFException e) {
      throw new CorruptFileException(file, "length", "ends before the header does: the file is"
          + " truncated", e);
    }
  }

  private static GraphIndex readBody(Path file, Fields in) throws IOException {
    int dim = in.intIn("dimension", 1, MAX_DIMENSION);
    String simName = in.utf("similarity");
    Similarity sim = null;
    for (Similarity s : Similarity.values()) {
      if (s.name().equals(simName)) {
        sim = s;
      }
    }
    if (sim == null) {
      throw new CorruptFileException(file, "similarity", "is '" + shown(simName)
          + "'; expected one of " + Arrays.toString(Similarity.values()));
    }
    GraphIndex index;
    try {
      GraphIndexConfig cfg = new GraphIndexConfig(in.intAny("maxDegree"), in.intAny("beamWidth"),
          in.floatAny("neighbourOverflow"), in.floatAny("alpha"), in.bool("hierarchy"),
          in.bool("refine"), in.intAny("searchRerank"), in.intAny("pqSubspaces"),
          in.intAny("buildThreads"));
      index = new GraphIndex(dim, sim, cfg);
    } catch (IllegalArgumentException e) {
      throw new CorruptFileException(file, "settings", "are invalid: " + e.getMessage(), e);
    }
    long rowBytes = 4L * dim;
    long maxCount = (in.remaining() - 4) / (rowBytes + 4);
    int n = in.intIn("count", 0, (int) Math.min(Integer.MAX_VALUE, Math.max(0, maxCount)),
        " (what the " + in.limit + " bytes before the graph can hold)");
    String[] ids = new String[n];
    Set<String> seen = new HashSet<>();
    for (int o = 0; o < n; o++) {
      long left = in.remaining() - (long) (n - o) * rowBytes - 4 - 4L * (n - o - 1);
      int idLen = in.intIn("length of id " + o, 0, (int) Math.min(Integer.MAX_VALUE,
          Math.max(0, left)), " (the bytes left for it)");
      ids[o] = in.utf8("id " + o, idLen);
      if (!seen.add(ids[o])) {
        throw new CorruptFileException(file, "id " + o, "is '" + shown(ids[o])
            + "', which an earlier vector has; expected unique ids");
      }
    }
    byte[] row = new byte[(int) rowBytes];
    float[] v = new float[dim];
    for (int o = 0; o < n; o++) {
      in.fully(row, "vector " + o);
      ByteBuffer.wrap(row).asFloatBuffer().get(v);
      double norm = 0;
      for (int i = 0; i < dim; i++) {
        if (!Float.isFinite(v[i])) {
          throw new CorruptFileException(file, "vector " + o + " (id '"
              + shown(ids[o]) + "')", "has " + v[i] + " at [" + i
              + "]; expected finite values, as add() requires");
        }
        norm += (double) v[i] * v[i];
      }
      if (sim == Similarity.COSINE && Math.abs(Math.sqrt(norm) - 1) > 1e-3) {
        throw new CorruptFileException(file, "vector " + o + " (id '"
            + shown(ids[o]) + "')", "has length " + (float) Math.sqrt(norm)
            + "; expected unit length (cosine vectors are stored normalised)");
      }
      index.appendLoaded(ids[o], v.clone());
    }
    int pqLen = in.intIn("codebook length", 0, (int) Math.min(Integer.MAX_VALUE,
        in.remaining() - 4), " (the bytes before the graph)");
    if (pqLen > 0) {
      if (index.config().pqSubspaces() == 0 || n == 0) {
        throw new CorruptFileException(file, "codebook length", "is " + pqLen + "; expected 0 ("
            + (n == 0 ? "an empty index" : "pqSubspaces is 0") + ")");
      }
      byte[] pqBytes = new byte[pqLen];
      in.fully(pqBytes, "codebook");
      try {
        ProductQuantization pq =
            ProductQuantization.load(new ByteBufferReader(ByteBuffer.wrap(pqBytes)));
        if (pq.getOriginalDimension() != dim) {
          throw new CorruptFileException(file, "codebook", "has dimension "
              + pq.getOriginalDimension() + "; expected " + dim);
        }
        index.restoreProductQuantization(pq);
      } catch (IOException | RuntimeException e) {
        if (e instanceof CorruptFileException c) {
          throw c;
        }
        throw new CorruptFileException(file, "codebook", "cannot be read (" + e
            + "); expected JVector's product quantisation of dimension " + dim, e);
      }
    }
    return index;
  }

  /** The graph must hold exactly the stored vectors and link only to them. */
  private static void checkGraph(Path file, GraphIndex index) throws CorruptFileException {
    OnHeapGraphIndex g = index.onHeapGraph();
    int n = index.size();
    if (g.size(0) != n || g.getIdUpperBound() > n) {
      throw new CorruptFileException(file, "graph section", "holds " + g.size(0)
          + " nodes (ids below " + g.getIdUpperBound() + "); expected " + n
          + ", one per stored vector");
    }
    if (g.entryNode() == null || g.entryNode().node < 0 || g.entryNode().node >= n) {
      throw new CorruptFileException(file, "graph entry node", "is "
          + (g.entryNode() == null ? "missing" : String.valueOf(g.entryNode().node))
          + "; expected a node in [0, " + n + ")");
    }
    for (int level = 0; level <= g.getMaxLevel(); level++) {
      NodesIterator nodes = g.getNodes(level);
      while (nodes.hasNext()) {
        int node = nodes.nextInt();
        if (node < 0 || node >= n) {
          throw new CorruptFileException(file, "graph node", "is " + node + " at level " + level
              + "; expected a node in [0, " + n + ")");
        }
        NodesIterator it = g.getNeighborsIterator(level, node);
        while (it.hasNext()) {
          int to = it.nextInt();
          if (to < 0 || to >= n) {
            throw new CorruptFileException(file, "graph edge", "from node " + node + " at level "
                + level + " goes to " + to + "; expected a node in [0, " + n + ")");
          }
        }
      }
    }
  }

  private static String shown(String s) {
    String t = s.length() > 40 ? s.substring(0, 40) + "..." : s;
    return t.replaceAll("\\p{Cntrl}", "?");
  }

  private static ByteBuffer readAt(FileChannel ch, long pos, int n) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(n);
    while (b.hasRemaining()) {
      if (ch.read(b, pos + b.position()) < 0) {
        throw new EOFException();
      }
    }
    return b.flip();
  }

  private static int crc32c(FileChannel ch, long end) throws IOException {
    CRC32C crc = new CRC32C();
    ByteBuffer b = ByteBuffer.allocate(1 << 16);
    long pos = 0;
    while (pos < end) {
      b.clear();
      b.limit((int) Math.min(b.capacity(), end - pos));
      int r = ch.read(b, pos);
      if (r < 0) {
        throw new EOFException();
      }
      b.flip();
      crc.update(b);
      pos += r;
    }
    return (int) crc.getValue();
  }

  /** Reads header fields, checking each against its limits and the bytes left. */
  private static final class Fields {
    private final Path file;
    private final DataInputStream in;
    private final long limit;
    private long position;

    Fields(Path file, DataInputStream in, long position, long limit) {
      this.file = file;
      this.in = in;
      this.position = position;
      this.limit = limit;
    }

    long remaining() {
      return limit - position;
    }

    private void need(String field, long bytes) throws CorruptFileException {
      if (bytes > remaining()) {
        throw new CorruptFileException(file, field, "needs " + bytes + " bytes at offset "
            + position + "; expected it within the " + limit + " bytes before the graph");
      }
      position += bytes;
    }

    int intAny(String field) throws IOException {
      need(field, 4);
      return in.readInt();
    }

    int intIn(String field, int min, int max) throws IOException {
      return intIn(field, min, max, "");
    }

    int intIn(String field, int min, int max, String why) throws IOException {
      int v = intAny(field);
      if (v < min || v > max) {
        throw new CorruptFileException(file, field, "is " + v + "; expected " + min + " to " + max
            + why);
      }
      return v;
    }

    float floatAny(String field) throws IOException {
      need(field, 4);
      return in.readFloat();
    }

    boolean bool(String field) throws IOException {
      need(field, 1);
      int b = in.readUnsignedByte();
      if (b > 1) {
        throw new CorruptFileException(file, field, "is " + b + "; expected 0 or 1");
      }
      return b == 1;
    }

    String utf(String field) throws IOException {
      need(field, 2);
      int n = in.readUnsignedShort();
      return utf8(field, n);
    }

    String utf8(String field, int n) throws IOException {
      byte[] b = new byte[n]; // n was checked against the bytes left
      fully(b, field);
      try {
        return StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(b)).toString();
      } catch (CharacterCodingException e) {
        throw new CorruptFileException(file, field, "is not valid UTF-8; expected text", e);
      }
    }

    void fully(byte[] b, String field) throws IOException {
      need(field, b.length);
      in.readFully(b);
    }
  }

  /** Counts the bytes written through it. */
  static final class CountingStream extends java.io.FilterOutputStream {
    long count;

    CountingStream(OutputStream out) {
      super(out);
    }

    final CRC32C crc = new CRC32C();

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      crc.update(b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      crc.update(b, off, len);
      count += len;
    }
  }

  /** A JVector {@code IndexWriter} into a byte array (for the PQ codebook). */
  static final class ByteArrayIndexWriter extends DataOutputStream
      implements io.github.jbellis.jvector.disk.IndexWriter {
    ByteArrayIndexWriter() {
      super(new java.io.ByteArrayOutputStream());
    }

    @Override
    public long position() {
      return size();
    }

    byte[] toByteArray() throws IOException {
      flush();
      return ((java.io.ByteArrayOutputStream) out).toByteArray();
    }
  }
}
