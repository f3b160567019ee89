package dev.gecko4j.core.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the tabular files the task datasets come in, as rows of named values with the 1-based
 * line each row starts on: CSV ({@code .csv}, comma) and TSV ({@code .tsv}, tab) with a header
 * line and RFC 4180 quoting (a quoted field may hold delimiters, doubled quotes and line breaks,
 * as pandas writes them), and JSON Lines ({@code .jsonl}, {@code .json}: one object per line,
 * blank lines skipped). Every file is read through {@link DatasetLines}, the one rule of the text
 * dataset readers (byte-order mark accepted, strict UTF-8 reported at its own line, an empty file
 * an error naming it); a row with the wrong number of fields, a stray or unterminated quote, or a
 * line that is not a JSON object is a {@link DatasetFormatException} naming {@code path:line}.
 */
final class TableFile {

  private static final ObjectMapper JSON = dev.gecko4j.core.internal.GeckoJson.mapper();

  /** One row: its line, and its values by column (a String for CSV/TSV, a JsonNode for JSONL). */
  record Row(Path path, long line, Map<String, Object> values) {

    /** {@return whether the row has the column} */
    boolean has(String column) {
      return values.containsKey(column);
    }

    /** The column as text: a CSV field, or a JSON string (a JSON integer as its digits). */
    String text(String column) {
      Object v = values.get(column);
      if (v == null) {
        throw new DatasetFormatException(path, line, "missing column '" + column + "'; the row has "
            + values.keySet());
      }
      if (v instanceof String s) {
        return s;
      }
      JsonNode n = (JsonNode) v;
      if (n.isTextual()) {
        return n.asText();
      }
      if (n.isIntegralNumber()) {
        return n.asText();
      }
      throw new DatasetFormatException(path, line, "'" + column
          + "' must be a string (or an integer label), but is: " + n);
    }

    /** The column as a list of strings (a JSON array of strings). */
    List<String> texts(String column) {
      Object v = values.get(column);
      if (!(v instanceof JsonNode n) || !n.isArray()) {
        throw new DatasetFormatException(path, line, "'" + column
            + "' must be a JSON array of strings, but is: " + (v == null ? "missing" : v));
      }
      List<String> out = new ArrayList<>(n.size());
      for (JsonNode e : n) {
        if (e.isTextual() || e.isIntegralNumber()) {
          out.add(e.asText());
        } else {
          throw new DatasetFormatException(path, line, "'" + column
              + "' must hold only strings, but holds: " + e);
        }
      }
      return out;
    }

    /** {@return the first of {@code candidates} the row has, or null} */
    String firstPresent(List<String> candidates) {
      for (String c : candidates) {
        if (values.containsKey(c)) {
          return c;
        }
      }
      return null;
    }
  }

  private TableFile() {}

  /**
   * Reads all rows of a CSV, TSV or JSONL file (chosen by the extension) through
   * {@link DatasetLines}: its rule for byte-order marks, line ends, strict per-line UTF-8 and empty
   * files, and its {@link DatasetLines#nextRecord RFC 4180 records} for CSV/TSV.
   *
   * @throws IllegalArgumentException if {@code path} is not a file or has another extension
   * @throws DatasetFormatException if the file is empty or malformed, naming {@code path:line}
   * @throws UncheckedIOException if it cannot be read
   */
  static List<Row> read(Path path) {
    if (path == null || !Files.isRegularFile(path)) {
      throw new IllegalArgumentException("path must be a readable file, but is: " + path);
    }
    String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".csv")) {
      return delimited(path, ',', "a CSV header line, then one row per line");
    } else if (name.endsWith(".tsv")) {
      return delimited(path, '\t', "a TSV header line, then one row per line");
    } else if (name.endsWith(".jsonl") || name.endsWith(".json")) {
      return jsonl(path);
    }
    throw new IllegalArgumentException("path must end in .csv, .tsv, .jsonl or .json, but is: "
        + path);
  }

  private static List<Row> jsonl(Path path) {
    String expected = "one JSON object per line";
    List<Row> rows = new ArrayList<>();
    try (DatasetLines lines = DatasetLines.open(path, expected)) {
      for (String l; (l = lines.next()) != null; ) {
        if (l.isBlank()) {
          continue;
        }
        JsonNode node;
        try {
          node = JSON.readTree(l);
        } catch (JsonProcessingException e) {
          throw lines.error("not valid JSON; expected one JSON object per line, but: "
              + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
          throw lines.error("expected a JSON object, but found: "
              + (node == null ? "nothing" : node.getNodeType()));
        }
        Map<String, Object> values = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> values.put(e.getKey(), e.getValue()));
        rows.add(new Row(path, lines.lineNumber(), values));
      }
      if (rows.isEmpty()) {
        throw lines.noRecords(expected);
      }
    }
    return rows;
  }

  private static List<Row> delimited(Path path, char delimiter, String expected) {
    List<Row> rows = new ArrayList<>();
    try (DatasetLines lines = DatasetLines.open(path, expected)) {
      List<String> header = null;
      for (List<String> f; (f = lines.nextRecord(delimiter)) != null; ) {
        if (f.size() == 1 && f.get(0).isBlank()) {
          continue; // blank line
        }
        if (header == null) {
          header = f;
          continue;
        }
        if (f.size() != header.size()) {
          throw new DatasetFormatException(path, lines.recordLine(), String.format(Locale.ROOT,
              "expected %d fields as in the header %s, but found %d", header.size(), header,
              f.size()));
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (int c = 0; c < header.size(); c++) {
          values.put(header.get(c), f.get(c));
        }
        rows.add(new Row(path, lines.recordLine(), values));
      }
      if (header == null) {
        throw lines.noRecords(expected);
      }
      if (rows.isEmpty()) {
        throw new DatasetFormatException(path, 0, "the file has a header " + header
            + " but no rows; expected " + expected);
      }
    }
    return rows;
  }
}
