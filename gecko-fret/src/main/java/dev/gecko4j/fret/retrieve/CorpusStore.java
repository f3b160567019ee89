package dev.gecko4j.fret.retrieve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gecko4j.core.internal.GeckoJson;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A BEIR-style JSONL corpus ({@code {"_id", "title", "text"}} per line) read in place: one pass
 * records each passage's id and byte offset; passages are read back on demand by positional reads,
 * so memory holds ids and offsets only (not the texts), whatever the corpus size.
 *
 * <p>Thread-safe after opening. Close it to release the file.
 */
public final class CorpusStore implements AutoCloseable {

  /** Rejects a line holding more than one value (a lost newline, or trailing garbage). */
  private static final ObjectMapper MAPPER = GeckoJson.mapper();

  private final Path file;
  private final FileChannel channel;
  private final String[] ids;
  private final long[] offsets;
  private final Map<String, Integer> ordinals;
  private final byte[] idsChecksum;
  private volatile boolean closed;

  private CorpusStore(Path file, FileChannel channel, String[] ids, long[] offsets, byte[] sum,
      Map<String, Integer> ordinals) {
    this.file = file;
    this.channel = channel;
    this.ids = ids;
    this.offsets = offsets;
    this.idsChecksum = sum;
    this.ordinals = ordinals;
  }

  /**
   * Opens a JSONL corpus, scanning it once for ids and offsets. Blank lines are skipped.
   *
   * @param file the corpus file; must exist
   * @return the store
   * @throws IllegalArgumentException if the file is missing, a line is not a JSON object with a
   *     non-blank {@code _id} (a line holding two objects included), ids repeat, or the file holds
   *     no passage at all (the message names {@code path:line})
   * @throws UncheckedIOException if reading fails
   */
  public static CorpusStore open(Path file) {
    if (file == null || !Files.isRegularFile(file)) {
      throw new IllegalArgumentException("corpus file must be an existing file, but is: " + file);
    }
    List<String> ids = new ArrayList<>();
    Map<String, Integer> ordinals = new HashMap<>();
    int[] lineOf = new int[1024];
    long[] offsets = new long[1024];
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available in this JVM", e);
    }
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      byte[] line = new byte[1 << 16];
      int len = 0;
      long pos = 0;
      long lineStart = 0;
      int lineNo = 0;
      int b;
      while (true) {
        b = in.read();
        if (b == '\n' || b < 0) {
          lineNo++;
          if (!isBlank(line, len)) {
            String id = parseId(file, line, len, lineNo);
            if (ids.size() + 1 >= offsets.length) {
              offsets = Arrays.copyOf(offsets, offsets.length * 2);
              lineOf = Arrays.copyOf(lineOf, offsets.length);
            }
            Integer prev = ordinals.putIfAbsent(id, ids.size());
            if (prev != null) {
              throw new IllegalArgumentException("corpus " + file + ":" + lineNo + ": duplicate _id '"
                  + id + "', first on line " + lineOf[prev] + "; ids must be unique");
            }
            lineOf[ids.size()] = lineNo;
            offsets[ids.size()] = lineStart;
            offsets[ids.size() + 1] = lineStart + len;
            ids.add(id);
            sha.update(id.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) '\n');
          }
          if (b < 0) {
            break;
          }
          pos++;
          lineStart = pos;
          len = 0;
        } else {
          if (len == line.length) {
            line = Arrays.copyOf(line, line.length * 2);
          }
          line[len++] = (byte) b;
          pos++;
        }
      }
      if (ids.isEmpty()) {
        throw new IllegalArgumentException("corpus " + file + " holds no passage (it is empty or"
            + " blank); expected one JSON object"
            + " {\"_id\", \"title\", \"text\"} per line");
      }
      return build(file, ids, offsets, sha.digest(), ordinals);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read corpus " + file, e);
    }
  }

  /** offsets[i] is where line i starts; a passage is read from there up to its newline. */
  private static CorpusStore build(Path file, List<String> ids, long[] offsets, byte[] sum,
      Map<String, Integer> ordinals) throws IOException {
    long[] o = Arrays.copyOf(offsets, ids.size() + 1);
    FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
    o[ids.size()] = ch.size();
    return new CorpusStore(file, ch, ids.toArray(String[]::new), o, sum, ordinals);
  }

  private static boolean isBlank(byte[] line, int len) {
    for (int i = 0; i < len; i++) {
      if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r') {
        return false;
      }
    }
    return true;
  }

  private static String parseId(Path file, byte[] line, int len, int lineNo) {
    JsonNode node;
    try {
      node = MAPPER.readTree(line, 0, len);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException("corpus " + file + ":" + lineNo
          + ": expected exactly one JSON object on the line, but: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new IllegalArgumentException("corpus " + file + ":" + lineNo + ": cannot parse: "
          + e.getMessage(), e);
    }
    JsonNode id = node == null ? null : node.get("_id");
    if (id == null || id.isNull() || id.asText().isBlank()) {
      throw new IllegalArgumentException("corpus " + file + ":" + lineNo
          + ": has no non-blank \"_id\"; expected {\"_id\", \"title\", \"text\"}");
    }
    return id.asText();
  }

  /** {@return the corpus file} */
  public Path file() {
    return file;
  }

  /** {@return the number of passages} */
  public int size() {
    return ids.length;
  }

  /**
   * Returns the id of passage {@code ordinal}.
   *
   * @param ordinal the passage's position in the file, in {@code [0, size())}
   * @return the passage id
   * @throws IllegalArgumentException if {@code ordinal} is not in {@code [0, size())}
   */
  public String id(int ordinal) {
    check(ordinal);
    return ids[ordinal];
  }

  /**
   * Returns the ordinal of passage {@code id}, or -1 when the corpus has no such passage.
   *
   * @param id the passage id; not null
   * @return the ordinal, or -1
   * @throws IllegalArgumentException if {@code id} is null
   */
  public int ordinal(String id) {
    if (id == null) {
      throw new IllegalArgumentException("id must not be null");
    }
    Integer o = ordinals.get(id);
    return o == null ? -1 : o;
  }

  /** {@return the SHA-256 of the ids in order (each followed by a newline), as lower-case hex} */
  public String idsChecksum() {
    return HexFormat.of().formatHex(idsChecksum);
  }

  /**
   * Reads passage {@code ordinal} from the file.
   *
   * @param ordinal the passage ordinal, in {@code [0, size())}
   * @return the passage
   * @throws IllegalArgumentException if {@code ordinal} is out of range
   * @throws IllegalStateException if the store is closed
   * @throws UncheckedIOException if reading fails
   */
  public Passage passage(int ordinal) {
    check(ordinal);
    if (closed) {
      throw new IllegalStateException("corpus store of " + file + " is closed");
    }
    long start = offsets[ordinal];
    long end = offsets[ordinal + 1];
    int len = (int) Math.min(Integer.MAX_VALUE - 8, end - start);
    ByteBuffer buf = ByteBuffer.allocate(len);
    try {
      while (buf.hasRemaining()) {
        int n = channel.read(buf, start + buf.position());
        if (n < 0) {
          break;
        }
      }
      byte[] bytes = buf.array();
      int nl = 0;
      while (nl < buf.position() && bytes[nl] != '\n') {
        nl++;
      }
      JsonNode node = MAPPER.readTree(bytes, 0, nl);
      return new Passage(ids[ordinal], text(node, "title"), text(node, "text"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read passage " + ordinal + " of " + file, e);
    }
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? "" : v.asText();
  }

  private void check(int ordinal) {
    if (ordinal < 0 || ordinal >= ids.length) {
      throw new IllegalArgumentException(
          "ordinal must be between 0 and " + (ids.length - 1) + ", but is: " + ordinal);
    }
  }

  /** Closes the file; idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot close " + file, e);
    }
  }
}
