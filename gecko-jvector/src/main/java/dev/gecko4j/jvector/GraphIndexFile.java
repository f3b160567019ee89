package dev.gecko4j.jvector;

import dev.gecko4j.core.vector.Similarity;
import io.github.jbellis.jvector.disk.ByteBufferReader;
import io.github.jbellis.jvector.quantization.ProductQuantization;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The file format of {@link GraphIndex#save} and {@link GraphIndex#load}: a header (magic, format
 * version, dimension, similarity, settings), the ids and stored vectors, the PQ codebook (codes are
 * re-encoded on load), JVector's on-heap graph, and a trailer locating the graph section. The
 * caller holds the index's lock.
 */
final class GraphIndexFile {

  static final int MAGIC = 0x474B4A56; // "GKJV"
  static final int FORMAT_VERSION = 1;

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
      index.onHeapGraph().save(out);
      out.flush();
      long graphEnd = counting.count;
      out.writeLong(graphStart);
      out.writeLong(graphEnd);
      out.writeInt(MAGIC);
    }
  }

  /**
   * Reads an index written by {@link #write}.
   *
   * @throws IllegalArgumentException if the file is not a graph index file (bad magic, unknown
   *     version, truncated)
   * @throws UncheckedIOException if reading fails
   */
  static GraphIndex read(Path file) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long len = ch.size();
      if (len < 20) {
        throw new IllegalArgumentException(
            "not a graph index file (" + len + " bytes, too short): " + file);
      }
      ByteBuffer trailer = ByteBuffer.allocate(20);
      ch.read(trailer, len - 20);
      trailer.flip();
      long graphStart = trailer.getLong();
      long graphEnd = trailer.getLong();
      int magic = trailer.getInt();
      if (magic != MAGIC || graphStart < 0 || graphEnd < graphStart || graphEnd > len - 20) {
        throw new IllegalArgumentException("not a complete graph index file (bad trailer): " + file);
      }
      if (graphEnd - graphStart > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("graph section of " + file + " is over 2 GiB ("
            + (graphEnd - graphStart) + " bytes); not supported");
      }
      ch.position(0);
      DataInputStream in = new DataInputStream(
          new BufferedInputStream(Channels.newInputStream(ch), 1 << 16));
      if (in.readInt() != MAGIC) {
        throw new IllegalArgumentException("not a graph index file (bad magic): " + file);
      }
      int formatVersion = in.readInt();
      if (formatVersion != FORMAT_VERSION) {
        throw new IllegalArgumentException("unsupported graph index file version " + formatVersion
            + " (expected " + FORMAT_VERSION + "): " + file);
      }
      int dim = in.readInt();
      Similarity sim = Similarity.valueOf(in.readUTF());
      GraphIndexConfig cfg = new GraphIndexConfig(in.readInt(), in.readInt(), in.readFloat(),
          in.readFloat(), in.readBoolean(), in.readBoolean(), in.readInt(), in.readInt(),
          in.readInt());
      GraphIndex index = new GraphIndex(dim, sim, cfg);
      int n = in.readInt();
      String[] ids = new String[n];
      for (int o = 0; o < n; o++) {
        byte[] b = new byte[in.readInt()];
        in.readFully(b);
        ids[o] = new String(b, StandardCharsets.UTF_8);
      }
      byte[] row = new byte[4 * dim];
      for (int o = 0; o < n; o++) {
        in.readFully(row);
        float[] v = new float[dim];
        ByteBuffer.wrap(row).asFloatBuffer().get(v);
        index.appendLoaded(ids[o], v);
      }
      int pqLen = in.readInt();
      if (pqLen > 0) {
        byte[] pqBytes = new byte[pqLen];
        in.readFully(pqBytes);
        index.restoreProductQuantization(
            ProductQuantization.load(new ByteBufferReader(ByteBuffer.wrap(pqBytes))));
      }
      ByteBuffer graph = ch.map(FileChannel.MapMode.READ_ONLY, graphStart, graphEnd - graphStart);
      index.restoreGraph(new ByteBufferReader(graph));
      return index;
    } catch (EOFException e) {
      throw new IllegalArgumentException("graph index file is truncated: " + file, e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot load graph index from " + file, e);
    }
  }

  /** Counts the bytes written through it. */
  static final class CountingStream extends java.io.FilterOutputStream {
    long count;

    CountingStream(OutputStream out) {
      super(out);
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
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
