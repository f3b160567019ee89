package dev.gecko4j.core.eval;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The one validation rule of gecko4j's text dataset readers (BEIR corpus / queries / qrels, STS
 * TSV, the FRet corpus, ...): reads a UTF-8 file line by line and turns every problem into a
 * {@link DatasetFormatException} naming {@code path:line}.
 *
 * <ul>
 *   <li><b>Empty files</b> are an error naming the file: a file of zero bytes (or only a byte-order
 *       mark) fails in {@link #open}; a reader that finds no record among non-blank lines calls
 *       {@link #noRecords}.
 *   <li><b>A UTF-8 byte-order mark</b> ({@code EF BB BF}) at the start of the file is accepted and
 *       dropped, so a header written by a spreadsheet matches.
 *   <li><b>Line ends</b>: {@code \n} or {@code \r\n}; the {@code \r} is dropped.
 *   <li><b>Encoding</b>: each line is decoded on its own, strictly; a byte that is not UTF-8 is
 *       reported at the line (and byte column) where it is, however deep in the file.
 *   <li><b>Delimited records</b> (CSV, TSV; {@link #nextRecord}) follow RFC 4180 as pandas writes
 *       it: a field in double quotes may hold the delimiter, doubled quotes and line breaks (read
 *       as {@code \n}); a quote inside an unquoted field, text after a closing quote, or a quote
 *       left open at the end of the file is an error naming its line.
 *   <li><b>Numbers</b> are parsed strictly ({@link #decimal}, {@link #integer}): ASCII decimal
 *       digits with an optional sign, fraction and exponent; Java's extras ({@code 3d},
 *       {@code 0x1p1}, {@code NaN}, {@code Infinity}, {@code 1_0}) are rejected by name.
 * </ul>
 *
 * <p>Not thread-safe; close it (try-with-resources) to release the file.
 *
 * {@snippet lang=java :
 * try (DatasetLines lines = DatasetLines.open(file, "one JSON object per line")) {
 *   for (String line; (line = lines.next()) != null; ) {
 *     double score = lines.decimal("score", line.split("\t", -1)[0]);
 *   }
 * }
 * }
 */
public final class DatasetLines implements Closeable {

  /** Decimal numbers as Python's {@code float()} reads them, less its specials and underscores. */
  private static final Pattern DECIMAL =
      Pattern.compile("[+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?");
  private static final Pattern INTEGER = Pattern.compile("[+-]?[0-9]+");
  private static final int MAX_SHOWN = 40;

  private final Path file;
  private final InputStream in;
  private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
      .onMalformedInput(CodingErrorAction.REPORT)
      .onUnmappableCharacter(CodingErrorAction.REPORT);
  private final byte[] buf = new byte[1 << 16];
  private int bufPos;
  private int bufLen;
  private long bufFileOffset;
  private byte[] line = new byte[256];
  private long lineNo;
  private long lineStart;
  private int lineLength;
  private boolean eof;
  private long recordLine;

  private DatasetLines(Path file, InputStream in) {
    this.file = file;
    this.in = in;
  }

  /**
   * Opens {@code file} for reading.
   *
   * @param file the file; an existing regular file
   * @param expected what the file should hold, for the message of an empty file (e.g.
   *     {@code "one JSON object per line"}); not blank
   * @return the reader, positioned before line 1
   * @throws IllegalArgumentException if {@code file} is null or not a regular file, or
   *     {@code expected} is blank
   * @throws DatasetFormatException if the file is empty (0 bytes, or only a byte-order mark)
   * @throws UncheckedIOException if the file cannot be opened
   */
  public static DatasetLines open(Path file, String expected) {
    if (file == null || !Files.isRegularFile(file)) {
      throw new IllegalArgumentException(
          "file must be an existing regular file, but is: " + file);
    }
    if (expected == null || expected.isBlank()) {
      throw new IllegalArgumentException("expected must not be blank");
    }
    InputStream in;
    try {
      in = Files.newInputStream(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open " + file + ": " + e.getMessage(), e);
    }
    DatasetLines lines = new DatasetLines(file, in);
    try {
      lines.fill();
      if (lines.bufLen >= 3 && (lines.buf[0] & 0xFF) == 0xEF && (lines.buf[1] & 0xFF) == 0xBB
          && (lines.buf[2] & 0xFF) == 0xBF) {
        lines.bufPos = 3;
      }
      if (lines.bufPos == lines.bufLen) {
        throw new DatasetFormatException(file, 0, "file is empty (" + lines.bufLen
            + " bytes); expected " + expected);
      }
    } catch (RuntimeException e) {
      lines.closeQuietly(e);
      throw e;
    }
    return lines;
  }

  /**
   * Reads the next line.
   *
   * @return the line without its line end, or {@code null} at the end of the file
   * @throws DatasetFormatException if the line is not valid UTF-8 (naming its line and column)
   * @throws UncheckedIOException if reading fails
   */
  public String next() {
    if (eof) {
      return null;
    }
    lineLength = 0;
    lineStart = bufFileOffset + bufPos;
    boolean any = false;
    while (true) {
      if (bufPos == bufLen) {
        fill();
        if (bufLen <= 0) {
          eof = true;
          if (!any) {
            return null;
          }
          break;
        }
      }
      any = true;
      int start = bufPos;
      while (bufPos < bufLen && buf[bufPos] != '\n') {
        bufPos++;
      }
      append(start, bufPos - start);
      if (bufPos < bufLen) {
        bufPos++; // the '\n'
        break;
      }
    }
    lineNo++;
    int len = lineLength;
    if (len > 0 && line[len - 1] == '\r') {
      len--;
    }
    lineLength = len;
    try {
      return decoder.reset().decode(ByteBuffer.wrap(line, 0, len)).toString();
    } catch (CharacterCodingException e) {
      throw error("not valid UTF-8 at byte " + (firstBadByte(len) + 1) + " of the line");
    }
  }

  /**
   * Reads the next record of a delimited file (CSV with {@code ','}, TSV with {@code '\t'}) by
   * RFC 4180's quoting: a field that starts with {@code "} ends at the next lone {@code "}, holds
   * delimiters, doubled quotes (read as one) and line breaks (read as {@code \n}); a record spans
   * the lines its quoted fields span. A blank line is a record of one empty field. Fields are not
   * trimmed; the caller checks their number.
   *
   * @param delimiter the field delimiter; not {@code "}, {@code \n} or {@code \r}
   * @return the fields (at least one), or {@code null} at the end of the file
   * @throws IllegalArgumentException if {@code delimiter} is a quote or a line break
   * @throws DatasetFormatException naming the line for a quote inside an unquoted field, text after
   *     a closing quote, a line that is not UTF-8, or (naming the line the record starts on) a
   *     quoted field still open at the end of the file
   */
  public List<String> nextRecord(char delimiter) {
    if (delimiter == '"' || delimiter == '\n' || delimiter == '\r') {
      throw new IllegalArgumentException(
          "delimiter must not be a quote or a line break, but is: " + (int) delimiter);
    }
    String l = next();
    if (l == null) {
      return null;
    }
    recordLine = lineNo;
    List<String> fields = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    int pos = 0;
    while (true) {
      if (pos < l.length() && l.charAt(pos) == '"') {
        pos++;
        while (true) {
          if (pos >= l.length()) {
            String more = next();
            if (more == null) {
              throw new DatasetFormatException(file, recordLine, "unterminated quoted field: it opens"
                  + " on this line and the file ends inside it; expected a closing quote");
            }
            field.append('\n');
            l = more;
            pos = 0;
            continue;
          }
          char c = l.charAt(pos++);
          if (c != '"') {
            field.append(c);
          } else if (pos < l.length() && l.charAt(pos) == '"') {
            field.append('"');
            pos++;
          } else {
            break;
          }
        }
        if (pos < l.length() && l.charAt(pos) != delimiter) {
          throw error("unexpected character '" + l.charAt(pos) + "' after a closing quote;"
              + " expected the delimiter or the end of the line");
        }
      } else {
        int end = pos;
        while (end < l.length() && l.charAt(end) != delimiter) {
          if (l.charAt(end) == '"') {
            throw error("stray quote inside an unquoted field (field " + (fields.size() + 1)
                + "); expected the field quoted and inner quotes doubled");
          }
          end++;
        }
        field.append(l, pos, end);
        pos = end;
      }
      fields.add(field.toString());
      field.setLength(0);
      if (pos >= l.length()) {
        return fields;
      }
      pos++; // the delimiter
    }
  }

  /**
   * {@return the 1-based line the record {@link #nextRecord} returned last starts on, 0 before the
   * first}
   */
  public long recordLine() {
    return recordLine;
  }

  /** {@return the 1-based number of the line {@link #next} returned last, 0 before the first} */
  public long lineNumber() {
    return lineNo;
  }

  /** {@return the byte offset in the file where the last line starts (after a byte-order mark)} */
  public long lineStart() {
    return lineStart;
  }

  /** {@return the length in bytes of the last line, without its line end} */
  public int lineBytes() {
    return lineLength;
  }

  /** {@return the file being read} */
  public Path file() {
    return file;
  }

  /**
   * Returns (does not throw) an exception for a problem on the current line.
   *
   * @param problem what was found and what was expected; not blank
   * @return the exception naming {@code path:line}
   */
  public DatasetFormatException error(String problem) {
    return new DatasetFormatException(file, lineNo, problem);
  }

  /**
   * Returns (does not throw) the exception for a file that has lines but no record in them (only
   * blank lines, or only a header).
   *
   * @param expected what the file should hold
   * @return the exception naming the file
   */
  public DatasetFormatException noRecords(String expected) {
    return new DatasetFormatException(file, 0, "file holds no record (" + lineNo
        + " line" + (lineNo == 1 ? "" : "s") + ", none with data); expected " + expected);
  }

  /**
   * Parses a decimal number of the current line strictly (see the class comment); surrounding
   * white space is allowed.
   *
   * @param field the field's name, for the message
   * @param text the field's text
   * @return the value (finite)
   * @throws DatasetFormatException naming the line, the field and the text if it is not a decimal
   *     number or overflows
   */
  public double decimal(String field, String text) {
    String s = text == null ? "" : text.strip();
    if (isDecimal(s)) {
      double v = Double.parseDouble(s);
      if (Double.isFinite(v)) {
        return v;
      }
    }
    throw error(field + " must be a decimal number, but is: '" + shown(text) + "'");
  }

  /**
   * Parses an integer of the current line strictly; surrounding white space is allowed.
   *
   * @param field the field's name, for the message
   * @param text the field's text
   * @return the value
   * @throws DatasetFormatException naming the line, the field and the text if it is not an
   *     integer in {@code int} range
   */
  public int integer(String field, String text) {
    String s = text == null ? "" : text.strip();
    if (isInteger(s)) {
      try {
        return Integer.parseInt(s);
      } catch (NumberFormatException e) {
        // out of range: reported below
      }
    }
    throw error(field + " must be an integer, but is: '" + shown(text) + "'");
  }

  /**
   * Tells whether {@code s} is a decimal number by the strict rule: ASCII digits, an optional sign,
   * fraction and exponent ({@code 1}, {@code -0.5}, {@code .5}, {@code 2.}, {@code 1e-3}); not
   * {@code 3d}, {@code 0x1p1}, {@code NaN}, {@code Infinity}, {@code 1_0} or white space.
   *
   * @param s the text; may be null
   * @return whether it is a decimal number
   */
  public static boolean isDecimal(String s) {
    return s != null && DECIMAL.matcher(s).matches();
  }

  /**
   * Tells whether {@code s} is an integer by the strict rule: ASCII digits with an optional sign.
   *
   * @param s the text; may be null
   * @return whether it is an integer
   */
  public static boolean isInteger(String s) {
    return s != null && INTEGER.matcher(s).matches();
  }

  /** Closes the file; idempotent. */
  @Override
  public void close() {
    try {
      in.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot close " + file + ": " + e.getMessage(), e);
    }
  }

  private void closeQuietly(RuntimeException primary) {
    try {
      in.close();
    } catch (IOException e) {
      primary.addSuppressed(e);
    }
  }

  private void fill() {
    bufFileOffset += bufLen;
    bufPos = 0;
    try {
      int n = in.readNBytes(buf, 0, buf.length);
      bufLen = n;
    } catch (IOException e) {
      bufLen = 0;
      throw new UncheckedIOException("cannot read " + file + " (after line " + lineNo + "): "
          + e.getMessage(), e);
    }
  }

  private void append(int from, int n) {
    if (lineLength + n > line.length) {
      line = Arrays.copyOf(line, Math.max(line.length * 2, lineLength + n));
    }
    System.arraycopy(buf, from, line, lineLength, n);
    lineLength += n;
  }

  /** The 0-based byte column of the first byte that does not decode. */
  private int firstBadByte(int len) {
    CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(line, 0, len);
    CharBuffer out = CharBuffer.allocate(len + 1);
    d.decode(in, out, true);
    return in.position();
  }

  static String shown(String text) {
    if (text == null) {
      return "";
    }
    String s = text.length() > MAX_SHOWN ? text.substring(0, MAX_SHOWN) + "..." : text;
    return s.replace("\t", "\\t");
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "DatasetLines[%s:%d]", file, lineNo);
  }
}
