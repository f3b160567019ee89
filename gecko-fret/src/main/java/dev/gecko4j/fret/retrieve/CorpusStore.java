package dev.gecko4j.fret.retrieve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gecko4j.core.eval.DatasetFormatException;
import dev.gecko4j.core.eval.DatasetLines;
import dev.gecko4j.core.internal.GeckoJson;
import java.io.IOException;
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
  private static final String EXPECTED =
      "one JSON object {\"_id\", \"title\", \"text\"} per line";

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
   * Opens a JSONL corpus, scanning it once for ids and offsets. Blank lines are skipped. The file
   * is read by gecko4j's one dataset rule ({@link DatasetLines}): a UTF-8 byte-order mark is
   * accepted, a byte that is not UTF-8 is reported at its own line, an empty file is an error.
   *
   * @param file the corpus file; must exist
   * @return the store
   * @throws IllegalArgumentException if the file is null or missing
   * @throws DatasetFormatException if the file is empty or holds no passage, or a line is not UTF-8
   *     or not one JSON object with a non-blank {@code _id} (a line holding two objects included)
   *     and string (or absent) {@code title} and {@code text}, or ids repeat (the message names
   *     {@code path:line})
   * @throws UncheckedIOException if reading fails
   */
  public static CorpusStore open(Path file) {
    if (file == null || !Files.isRegularFile(file)) {
      throw new IllegalArgumentException("corpus file must be an existing file, but is: " + file);
    }
    List<String> ids = new ArrayList<>();
    Map<String, Integer> ordinals = new HashMap<>();
    long[] lineOf = new long[1024];
    long[] offsets = new long[1024];
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available in this JVM", e);
    }
    try (DatasetLines lines = DatasetLines.open(file, EXPECTED)) {
      for (String line; (line = lines.next()) != null; ) {
        if (line.isBlank()) {
          continue;
        }
        String id = parseId(lines, line);
        if (ids.size() + 1 >= offsets.length) {
          offsets = Arrays.copyOf(offsets, offsets.length * 2);
          lineOf = Arrays.copyOf(lineOf, offsets.length);
        }
        Integer prev = ordinals.putIfAbsent(id, ids.size());
        if (prev != null) {
          throw lines.error("duplicate _id '" + id + "', first on line " + lineOf[prev]
              + "; ids must be unique");
        }
        lineOf[ids.size()] = lines.lineNumber();
        offsets[ids.size()] = lines.lineStart();
        offsets[ids.size() + 1] = lines.lineStart() + lines.lineBytes();
        ids.add(id);
        sha.update(id.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) '\n');
      }
      if (ids.isEmpty()) {
        throw lines.noRecords(EXPECTED);
      }
    }
    try {
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

  private static String parseId(DatasetLines lines, String line) {
    JsonNode node;
    try {
      node = MAPPER.readTree(line);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw lines.error("expected exactly one JSON object on the line, but: "
          + e.getOriginalMessage());
    }
    if (node == null || !node.isObject()) {
      throw lines.error("expected a JSON object {\"_id\", \"title\", \"text\"}, but found "
          + (node == null ? "nothing" : node.getNodeType()));
    }
    JsonNode id = node.get("_id");
    if (id == null || !(id.isTextual() || id.isIntegralNumber()) || id.asText().isBlank()) {
      throw lines.error("expected a non-blank string \"_id\", but "
          + (id == null ? "it is missing" : "it is " + (id.isTextual() ? "blank" : id.getNodeType())));
    }
    for (String field : new String[] {"title", "text"}) {
      JsonNode v = node.get(field);
      if (v != null && !v.isNull() && !v.isTextual()) {
        throw lines.error("field '" + field + "' must be a string, but is: " + v.getNodeType());
      }
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
