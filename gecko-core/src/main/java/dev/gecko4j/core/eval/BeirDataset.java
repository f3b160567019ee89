package dev.gecko4j.core.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gecko4j.core.internal.LookaheadIterator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A BEIR retrieval dataset in its folder layout:
 * <ul>
 *   <li>{@code corpus.jsonl}: one JSON object per line, {@code {"_id", "title", "text"}}
 *       ({@code title} may be absent);
 *   <li>{@code queries.jsonl}: one JSON object per line, {@code {"_id", "text", ...}} (other
 *       fields are ignored);
 *   <li>{@code qrels/<split>.tsv}: header {@code query-id<TAB>corpus-id<TAB>score}, then one
 *       judgment per line with an integer relevance.
 * </ul>
 *
 * <p>Opening a dataset only checks that the files exist; each accessor reads its file when
 * called. The corpus can be streamed ({@link #documents()}) so large corpora need not fit in
 * memory. Blank lines in JSONL files are skipped. Every file is read by gecko4j's one dataset rule
 * ({@link DatasetLines}): a UTF-8 byte-order mark is accepted, a byte that is not UTF-8 is reported
 * at its own line, an empty file (or one without any record) is an error naming it, qrels
 * relevances are strict integers, and every format problem throws a
 * {@link DatasetFormatException} naming {@code path:line} and what was expected. Ids given as
 * JSON numbers are read as their decimal text. Whether the qrels' ids exist in the corpus and
 * queries is checked by {@link RetrievalEvaluator}, which reads them together.
 */
public final class BeirDataset {

  /** Rejects a line holding more than one value (a lost newline, or trailing garbage). */
  private static final ObjectMapper JSON = dev.gecko4j.core.internal.GeckoJson.mapper();
  private static final String QRELS_HEADER = "query-id\tcorpus-id\tscore";
  private static final String CORPUS_EXPECTED =
      "one JSON object {\"_id\", \"title\", \"text\"} per line";
  private static final String QUERIES_EXPECTED = "one JSON object {\"_id\", \"text\"} per line";

  private final Path dir;
  private final Path corpus;
  private final Path queries;
  private final Path qrelsDir;

  private BeirDataset(Path dir) {
    this.dir = dir;
    this.corpus = dir.resolve("corpus.jsonl");
    this.queries = dir.resolve("queries.jsonl");
    this.qrelsDir = dir.resolve("qrels");
  }

  /**
   * Opens the BEIR dataset in folder {@code dir}.
   *
   * @param dir the folder holding {@code corpus.jsonl}, {@code queries.jsonl} and {@code qrels/}
   * @return the dataset
   * @throws IllegalArgumentException if {@code dir} is null, or a required file or folder is
   *     missing (the message names the missing path)
   */
  public static BeirDataset open(Path dir) {
    if (dir == null) {
      throw new IllegalArgumentException("dir must not be null");
    }
    BeirDataset d = new BeirDataset(dir);
    if (!Files.isRegularFile(d.corpus)) {
      throw new IllegalArgumentException("BEIR corpus file is missing: " + d.corpus);
    }
    if (!Files.isRegularFile(d.queries)) {
      throw new IllegalArgumentException("BEIR queries file is missing: " + d.queries);
    }
    if (!Files.isDirectory(d.qrelsDir)) {
      throw new IllegalArgumentException("BEIR qrels folder is missing: " + d.qrelsDir);
    }
    return d;
  }

  /** {@return the dataset name: the folder name (e.g. {@code scifact})} */
  public String name() {
    return dir.getFileName() == null ? dir.toString() : dir.getFileName().toString();
  }

  /** {@return the dataset folder} */
  public Path dir() {
    return dir;
  }

  /**
   * Returns the qrels splits present in {@code qrels/}, sorted (e.g. {@code [test, train]}).
   *
   * @return the split names
   * @throws UncheckedIOException if the folder cannot be listed
   */
  public List<String> splits() {
    List<String> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(qrelsDir, "*.tsv")) {
      for (Path p : ds) {
        String n = p.getFileName().toString();
        out.add(n.substring(0, n.length() - ".tsv".length()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + qrelsDir + ": " + e.getMessage(), e);
    }
    Collections.sort(out);
    return out;
  }

  /**
   * Streams the corpus documents in file order, reading {@code corpus.jsonl} lazily; close the
   * stream (try-with-resources) to release the file.
   *
   * @return a sequential stream of documents
   * @throws DatasetFormatException if the file is empty; while streaming, for a line that is not
   *     a JSON object with a string {@code _id} and {@code text}, an id seen before in the file,
   *     or a file without any record
   * @throws UncheckedIOException if the file cannot be opened or read
   */
  public Stream<BeirDocument> documents() {
    DatasetLines in = DatasetLines.open(corpus, CORPUS_EXPECTED);
    Iterator<BeirDocument> it = new JsonlIterator<>(in, CORPUS_EXPECTED) {
      @Override
      BeirDocument convert(JsonNode node, long lineNo) {
        String id = requiredId(corpus, lineNo, node);
        String text = requiredText(corpus, lineNo, node, "text");
        JsonNode t = node.get("title");
        String title = null;
        if (t != null && !t.isNull()) {
          if (!t.isTextual()) {
            throw new DatasetFormatException(corpus, lineNo,
                "field 'title' must be a string, but is: " + t.getNodeType());
          }
          title = t.asText();
        }
        return new BeirDocument(id, title, text);
      }

      @Override
      String idOf(BeirDocument d) {
        return d.id();
      }
    };
    return StreamSupport.stream(
            Spliterators.spliteratorUnknownSize(it, Spliterator.ORDERED | Spliterator.NONNULL),
            false)
        .onClose(in::close);
  }

  /**
   * Reads the whole corpus into memory.
   *
   * @return the documents in file order; unmodifiable
   * @throws DatasetFormatException for a bad line (see {@link #documents()})
   * @throws UncheckedIOException if the file cannot be read
   */
  public List<BeirDocument> loadDocuments() {
    try (Stream<BeirDocument> s = documents()) {
      return s.toList();
    }
  }

  /**
   * Counts the corpus documents (non-blank lines of {@code corpus.jsonl}) without parsing them;
   * cheap enough to size progress reports.
   *
   * @return the number of documents
   * @throws UncheckedIOException if the file cannot be read
   */
  public long countDocuments() {
    long n = 0;
    try (DatasetLines in = DatasetLines.open(corpus, CORPUS_EXPECTED)) {
      String line;
      while ((line = in.next()) != null) {
        if (!line.isBlank()) {
          n++;
        }
      }
    }
    return n;
  }

  /**
   * Reads all queries of {@code queries.jsonl}.
   *
   * @return query id to query text, in file order; unmodifiable
   * @throws DatasetFormatException for a line that is not a JSON object with a string {@code _id}
   *     and {@code text}, or a repeated id
   * @throws UncheckedIOException if the file cannot be read
   */
  public Map<String, String> queries() {
    return readQueries(queries);
  }

  /**
   * Reads a BEIR {@code queries.jsonl} file on its own (e.g. queries kept apart from their corpus).
   *
   * @param queries the file; not null
   * @return query id to query text, in file order; unmodifiable
   * @throws IllegalArgumentException if {@code queries} is null or not a regular file
   * @throws DatasetFormatException for a line that is not a JSON object with a string {@code _id}
   *     and {@code text}, or a repeated id
   * @throws UncheckedIOException if the file cannot be read
   */
  public static Map<String, String> readQueries(Path queries) {
    if (queries == null || !Files.isRegularFile(queries)) {
      throw new IllegalArgumentException("queries must be an existing queries.jsonl file, but is: "
          + queries);
    }
    Map<String, String> out = new LinkedHashMap<>();
    try (DatasetLines in = DatasetLines.open(queries, QUERIES_EXPECTED)) {
      Iterator<String[]> it = new JsonlIterator<>(in, QUERIES_EXPECTED) {
        @Override
        String[] convert(JsonNode node, long lineNo) {
          return new String[] {requiredId(queries, lineNo, node),
              requiredText(queries, lineNo, node, "text")};
        }

        @Override
        String idOf(String[] q) {
          return q[0];
        }
      };
      while (it.hasNext()) {
        String[] q = it.next();
        out.put(q[0], q[1]);
      }
    }
    return Collections.unmodifiableMap(out);
  }

  /**
   * Reads the relevance judgments of one split from {@code qrels/<split>.tsv}. When a (query,
   * document) pair is judged twice the later line wins, as in BEIR's loader.
   *
   * @param split the split name, e.g. {@code test}; one of {@link #splits()}
   * @return query id to (document id to relevance), both in file order; unmodifiable
   * @throws IllegalArgumentException if {@code split} is null or not present (the message lists
   *     the present splits)
   * @throws DatasetFormatException for an empty file, a bad header, a line without 3
   *     tab-separated columns, an empty id, a relevance that is not an integer, or no judgment
   * @throws UncheckedIOException if the file cannot be read
   */
  public Map<String, Map<String, Integer>> qrels(String split) {
    if (split == null) {
      throw new IllegalArgumentException("split must not be null; present splits: " + splits());
    }
    Path file = qrelsDir.resolve(split + ".tsv");
    if (split.isBlank() || split.contains("/") || !Files.isRegularFile(file)) {
      throw new IllegalArgumentException("split '" + split + "' not found (" + file
          + " is missing); present splits: " + splits());
    }
    Map<String, Map<String, Integer>> out = new LinkedHashMap<>();
    String expected = "the header '" + QRELS_HEADER.replace("\t", "\\t")
        + "', then one judgment per line";
    try (DatasetLines in = DatasetLines.open(file, expected)) {
      String line = in.next();
      if (!line.equals(QRELS_HEADER)) {
        throw in.error("expected the header '" + QRELS_HEADER.replace("\t", "\\t")
            + "', but is: '" + DatasetLines.shown(line) + "'");
      }
      while ((line = in.next()) != null) {
        if (line.isBlank()) {
          continue;
        }
        String[] f = line.split("\t", -1);
        if (f.length != 3) {
          throw in.error("expected 3 tab-separated columns (query-id, corpus-id, score), but found "
              + f.length);
        }
        if (f[0].isEmpty() || f[1].isEmpty()) {
          throw in.error((f[0].isEmpty() ? "query-id" : "corpus-id") + " is empty; expected an id");
        }
        int rel = in.integer("score (an integer relevance)", f[2]);
        out.computeIfAbsent(f[0], k -> new LinkedHashMap<>()).put(f[1], rel);
      }
      if (out.isEmpty()) {
        throw in.noRecords("at least one judgment after the header");
      }
    }
    Map<String, Map<String, Integer>> frozen = new LinkedHashMap<>();
    out.forEach((q, m) -> frozen.put(q, Collections.unmodifiableMap(m)));
    return Collections.unmodifiableMap(frozen);
  }

  @Override
  public String toString() {
    return "BeirDataset[" + dir + "]";
  }

  private static String requiredId(Path file, long lineNo, JsonNode node) {
    JsonNode id = node.get("_id");
    if (id == null || !(id.isTextual() || id.isIntegralNumber())) {
      throw new DatasetFormatException(file, lineNo, "expected a string field '_id', but "
          + (id == null ? "it is missing" : "it is " + id.getNodeType()));
    }
    String s = id.asText();
    if (s.isEmpty()) {
      throw new DatasetFormatException(file, lineNo, "field '_id' is empty; expected an id");
    }
    return s;
  }

  private static String requiredText(Path file, long lineNo, JsonNode node, String field) {
    JsonNode t = node.get(field);
    if (t == null || !t.isTextual()) {
      throw new DatasetFormatException(file, lineNo, "expected a string field '" + field
          + "', but " + (t == null ? "it is missing" : "it is " + t.getNodeType()));
    }
    return t.asText();
  }

  /**
   * Reads JSON objects line by line, skipping blank lines, rejecting repeated ids and a file
   * without any record.
   */
  private abstract static class JsonlIterator<T> extends LookaheadIterator<T> {
    private final DatasetLines in;
    private final String expected;
    private final Set<String> seenIds = new HashSet<>();

    JsonlIterator(DatasetLines in, String expected) {
      super("no more records in " + in.file());
      this.in = in;
      this.expected = expected;
    }

    abstract T convert(JsonNode node, long lineNo);

    abstract String idOf(T record);

    @Override
    protected T computeNext() {
      String line;
      while ((line = in.next()) != null) {
        if (line.isBlank()) {
          continue;
        }
        JsonNode node;
        try {
          node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
          throw in.error("expected one JSON object per line, but: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
          throw in.error("expected a JSON object, but found "
              + (node == null ? "nothing" : node.getNodeType()));
        }
        T record = convert(node, in.lineNumber());
        String id = idOf(record);
        if (!seenIds.add(id)) {
          throw in.error("id '" + id + "' appears twice; expected unique ids");
        }
        return record;
      }
      if (seenIds.isEmpty()) {
        throw in.noRecords(expected);
      }
      return null;
    }
  }
}
