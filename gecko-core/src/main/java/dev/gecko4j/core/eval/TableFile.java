package dev.gecko4j.core.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
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
 * blank lines skipped). Files must be UTF-8; a leading byte order mark is skipped. An empty file,
 * a row with the wrong number of fields, a stray or unterminated quote, or a line that is not a
 * JSON object is a {@link DatasetFormatException} naming {@code path:line}.
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
   * Reads all rows of a CSV, TSV or JSONL file (chosen by the extension).
   *
   * @throws DatasetFormatException if the file is empty or malformed
   * @throws UncheckedIOException if it cannot be read
   */
  static List<Row> read(Path path) {
    String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
    String text = readUtf8(path);
    if (text.isBlank()) {
      throw new DatasetFormatException(path, 0, "the file is empty; expected a header line or rows");
    }
    if (name.endsWith(".csv")) {
      return delimited(path, text, ',');
    } else if (name.endsWith(".tsv")) {
      return delimited(path, text, '\t');
    } else if (name.endsWith(".jsonl") || name.endsWith(".json")) {
      return jsonl(path, text);
    }
    throw new IllegalArgumentException("path must end in .csv, .tsv, .jsonl or .json, but is: "
        + path);
  }

  static String readUtf8(Path path) {
    if (!Files.isRegularFile(path)) {
      throw new IllegalArgumentException("path must be a readable file, but is: " + path);
    }
    try {
      byte[] bytes = Files.readAllBytes(path);
      String s = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
      return s.startsWith("\uFEFF") ? s.substring(1) : s;
    } catch (CharacterCodingException e) {
      throw new DatasetFormatException(path, 0, "the file is not valid UTF-8: " + e.getMessage());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path + ": " + e.getMessage(), e);
    }
  }

  private static List<Row> jsonl(Path path, String text) {
    List<Row> rows = new ArrayList<>();
    String[] lines = text.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String l = lines[i];
      if (l.isBlank()) {
        continue;
      }
      JsonNode node;
      try {
        node = JSON.readTree(l);
      } catch (JsonProcessingException e) {
        throw new DatasetFormatException(path, i + 1, "not valid JSON: "
            + e.getOriginalMessage());
      }
      if (node == null || !node.isObject()) {
        throw new DatasetFormatException(path, i + 1, "expected a JSON object, but found: "
            + (node == null ? "nothing" : node.getNodeType()));
      }
      Map<String, Object> values = new LinkedHashMap<>();
      node.fields().forEachRemaining(e -> values.put(e.getKey(), e.getValue()));
      rows.add(new Row(path, i + 1, values));
    }
    if (rows.isEmpty()) {
      throw new DatasetFormatException(path, 0, "the file has no rows");
    }
    return rows;
  }

  private static List<Row> delimited(Path path, String text, char delimiter) {
    List<List<String>> records = new ArrayList<>();
    List<Long> starts = new ArrayList<>();
    int pos = 0;
    long line = 1;
    int n = text.length();
    while (pos < n) {
      long start = line;
      List<String> fields = new ArrayList<>();
      StringBuilder field = new StringBuilder();
      boolean endOfRecord = false;
      while (!endOfRecord) {
        if (pos < n && text.charAt(pos) == '"') {
          pos++;
          while (true) {
            if (pos >= n) {
              throw new DatasetFormatException(path, start, "unterminated quoted field");
            }
            char c = text.charAt(pos++);
            if (c == '"') {
              if (pos < n && text.charAt(pos) == '"') {
                field.append('"');
                pos++;
              } else {
                break;
              }
            } else {
              if (c == '\n') {
                line++;
              }
              field.append(c);
            }
          }
          if (pos < n && text.charAt(pos) != delimiter && text.charAt(pos) != '\n'
              && text.charAt(pos) != '\r') {
            throw new DatasetFormatException(path, line, "unexpected character '"
                + text.charAt(pos) + "' after a closing quote");
          }
        } else {
          while (pos < n) {
            char c = text.charAt(pos);
            if (c == delimiter || c == '\n' || c == '\r') {
              break;
            }
            if (c == '"') {
              throw new DatasetFormatException(path, line,
                  "stray quote inside an unquoted field; quote the field and double inner quotes");
            }
            field.append(c);
            pos++;
          }
        }
        fields.add(field.toString());
        field.setLength(0);
        if (pos < n && text.charAt(pos) == delimiter) {
          pos++;
        } else {
          if (pos < n && text.charAt(pos) == '\r') {
            pos++;
          }
          if (pos < n && text.charAt(pos) == '\n') {
            pos++;
          }
          line++;
          endOfRecord = true;
        }
      }
      if (fields.size() == 1 && fields.get(0).isEmpty()) {
        continue; // blank line
      }
      records.add(fields);
      starts.add(start);
    }
    if (records.isEmpty()) {
      throw new DatasetFormatException(path, 0, "the file is empty; expected a header line");
    }
    List<String> header = records.get(0);
    List<Row> rows = new ArrayList<>(records.size() - 1);
    for (int r = 1; r < records.size(); r++) {
      List<String> f = records.get(r);
      if (f.size() != header.size()) {
        throw new DatasetFormatException(path, starts.get(r), String.format(Locale.ROOT,
            "expected %d fields as in the header %s, but found %d", header.size(), header,
            f.size()));
      }
      Map<String, Object> values = new LinkedHashMap<>();
      for (int c = 0; c < header.size(); c++) {
        values.put(header.get(c), f.get(c));
      }
      rows.add(new Row(path, starts.get(r), values));
    }
    if (rows.isEmpty()) {
      throw new DatasetFormatException(path, 0, "the file has a header but no rows");
    }
    return rows;
  }
}
