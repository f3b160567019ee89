package dev.gecko4j.core.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DatasetLinesTest {

  @TempDir Path tmp;

  private Path write(byte[] bytes) throws IOException {
    Path f = tmp.resolve("data.txt");
    Files.write(f, bytes);
    return f;
  }

  private static List<String> readAll(Path f) {
    List<String> out = new ArrayList<>();
    try (DatasetLines lines = DatasetLines.open(f, "some lines")) {
      for (String l; (l = lines.next()) != null; ) {
        out.add(lines.lineNumber() + ":" + l);
      }
    }
    return out;
  }

  @Test
  void should_drop_a_byte_order_mark_and_carriage_returns_and_number_lines_from_one() throws IOException {
    Path f = write("\uFEFFa\tb\r\n\r\nc".getBytes(StandardCharsets.UTF_8));
    assertThat(readAll(f)).containsExactly("1:a\tb", "2:", "3:c");
  }

  @Test
  void should_give_each_line_its_byte_offset_after_the_byte_order_mark() throws IOException {
    Path f = write("\uFEFFab\nécd\n".getBytes(StandardCharsets.UTF_8));
    try (DatasetLines lines = DatasetLines.open(f, "some lines")) {
      assertThat(lines.next()).isEqualTo("ab");
      assertThat(lines.lineStart()).isEqualTo(3);
      assertThat(lines.lineBytes()).isEqualTo(2);
      assertThat(lines.next()).isEqualTo("écd");
      assertThat(lines.lineStart()).isEqualTo(6);
      assertThat(lines.lineBytes()).isEqualTo(4);
      assertThat(lines.next()).isNull();
    }
  }

  @Test
  void should_reject_an_empty_file_or_one_holding_only_a_byte_order_mark_naming_it() throws IOException {
    Path empty = write(new byte[0]);
    assertThatThrownBy(() -> DatasetLines.open(empty, "one JSON object per line"))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessage(empty + ": file is empty (0 bytes); expected one JSON object per line");
    Path bom = write(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
    assertThatThrownBy(() -> DatasetLines.open(bom, "one JSON object per line"))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessage(bom + ": file is empty (3 bytes); expected one JSON object per line");
  }

  @Test
  void should_report_a_bad_byte_deep_in_the_file_at_its_own_line_and_column() throws IOException {
    // given 5,000 good lines (far more than any read buffer), then a Latin-1 byte on line 5,001
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (int i = 0; i < 5000; i++) {
      b.writeBytes(("line number " + i + " with some padding text\n").getBytes(StandardCharsets.UTF_8));
    }
    b.writeBytes(new byte[] {'c', 'a', 'f', (byte) 0xE9, '\n', 'x', '\n'});
    Path f = write(b.toByteArray());
    // when / then
    assertThatThrownBy(() -> readAll(f))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessage(f + ":5001: not valid UTF-8 at byte 4 of the line")
        .satisfies(e -> assertThat(((DatasetFormatException) e).line()).isEqualTo(5001));
  }

  @ParameterizedTest
  @ValueSource(strings = {"1", "-0.5", "+2", ".5", "2.", "1e-3", "4.2E+1", " 3 "})
  void should_accept_decimal_numbers(String text) throws IOException {
    try (DatasetLines lines = DatasetLines.open(write(new byte[] {'x'}), "x")) {
      lines.next();
      assertThat(lines.decimal("score", text)).isEqualTo(Double.parseDouble(text.strip()));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"3d", "3f", "0x1p1", "NaN", "Infinity", "-Infinity", "1_0", "", "1e999",
      "٣", "1.2.3", "e5"})
  void should_reject_what_only_java_reads_as_a_number_naming_line_and_field(String text)
      throws IOException {
    Path f = write("a\nb\n".getBytes(StandardCharsets.UTF_8));
    try (DatasetLines lines = DatasetLines.open(f, "x")) {
      lines.next();
      lines.next();
      assertThatThrownBy(() -> lines.decimal("score", text))
          .isInstanceOf(DatasetFormatException.class)
          .hasMessage(f + ":2: score must be a decimal number, but is: '" + text + "'");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"1.0", "3d", "0x10", "٣", "2147483648", "1e2", "NaN"})
  void should_reject_integers_that_are_not_plain_ascii_digits(String text) throws IOException {
    Path f = write("a\n".getBytes(StandardCharsets.UTF_8));
    try (DatasetLines lines = DatasetLines.open(f, "x")) {
      lines.next();
      assertThatThrownBy(() -> lines.integer("score", text))
          .isInstanceOf(DatasetFormatException.class)
          .hasMessage(f + ":1: score must be an integer, but is: '" + text + "'");
    }
  }

  @Test
  void should_name_the_file_when_it_holds_lines_but_no_record() throws IOException {
    Path f = write("\n  \n".getBytes(StandardCharsets.UTF_8));
    try (DatasetLines lines = DatasetLines.open(f, "x")) {
      while (lines.next() != null) {
        // skip
      }
      assertThat(lines.noRecords("one record per line"))
          .isInstanceOf(DatasetFormatException.class)
          .hasMessage(f + ": file holds no record (2 lines, none with data); expected one record"
              + " per line");
    }
  }

  @Test
  void should_reject_a_missing_file_naming_it() {
    Path missing = tmp.resolve("nope.tsv");
    assertThatThrownBy(() -> DatasetLines.open(missing, "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("file must be an existing regular file, but is: " + missing);
  }

  private static List<String> records(Path f, char delimiter) {
    List<String> out = new ArrayList<>();
    try (DatasetLines lines = DatasetLines.open(f, "records")) {
      for (List<String> r; (r = lines.nextRecord(delimiter)) != null; ) {
        out.add(lines.recordLine() + ":" + String.join("|", r));
      }
    }
    return out;
  }

  @Test
  void should_read_quoted_fields_with_delimiters_doubled_quotes_and_line_breaks_as_one_record()
      throws IOException {
    Path f = write(("a,b\r\n\"x, \"\"y\"\"\",\"two\r\nlines\"\r\nlast,\n,\n")
        .getBytes(StandardCharsets.UTF_8));

    assertThat(records(f, ',')).containsExactly("1:a|b", "2:x, \"y\"|two\nlines", "4:last|",
        "5:|");
  }

  @Test
  void should_read_a_blank_line_as_one_empty_field_and_tabs_as_delimiters() throws IOException {
    Path f = write("a\tb\n\nc\t\"d\"\n".getBytes(StandardCharsets.UTF_8));

    assertThat(records(f, '\t')).containsExactly("1:a|b", "2:", "3:c|d");
  }

  @Test
  void should_name_the_line_of_a_stray_quote_or_text_after_a_closing_quote() throws IOException {
    Path stray = write("a,b\nsay \"hi\",x\n".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> records(stray, ',')).isInstanceOf(DatasetFormatException.class)
        .hasMessageStartingWith(stray + ":2: stray quote inside an unquoted field (field 1)");
    Path after = write("a,b\nc,d\n\"x\"y,z\n".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> records(after, ',')).isInstanceOf(DatasetFormatException.class)
        .hasMessageStartingWith(after + ":3: unexpected character 'y' after a closing quote");
  }

  @Test
  void should_name_the_line_a_quoted_field_left_open_starts_on() throws IOException {
    Path f = write("a,b\n\"open,x\nmore\nand more\n".getBytes(StandardCharsets.UTF_8));

    assertThatThrownBy(() -> records(f, ',')).isInstanceOf(DatasetFormatException.class)
        .hasMessageStartingWith(f + ":2: unterminated quoted field");
  }

  @Test
  void should_reject_a_quote_or_line_break_as_delimiter() throws IOException {
    Path f = write("a\n".getBytes(StandardCharsets.UTF_8));
    try (DatasetLines lines = DatasetLines.open(f, "x")) {
      assertThatThrownBy(() -> lines.nextRecord('"')).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("delimiter must not be a quote or a line break");
    }
  }
}
