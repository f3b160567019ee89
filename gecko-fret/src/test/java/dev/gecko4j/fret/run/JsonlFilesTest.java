package dev.gecko4j.fret.run;

import dev.gecko4j.fret.internal.JsonlAppender;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gecko4j.core.fret.FretExample;
import dev.gecko4j.fret.testing.TestRows;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonlFilesTest {

  @TempDir Path dir;

  @Test
  void should_truncate_a_torn_last_line_back_to_the_last_newline() throws Exception {
    // given
    Path f = dir.resolve("a.jsonl");
    Files.writeString(f, "{\"a\":1}\n{\"b\":2}\n{\"c\":");
    // when
    long cut = JsonlAppender.truncateTornTail(f);
    // then
    assertThat(cut).isEqualTo(5);
    assertThat(Files.readString(f)).isEqualTo("{\"a\":1}\n{\"b\":2}\n");
    assertThat(JsonlAppender.truncateTornTail(f)).isZero();
  }

  @Test
  void should_truncate_a_file_without_any_newline_to_empty_and_leave_missing_files_alone()
      throws Exception {
    Path f = dir.resolve("b.jsonl");
    Files.writeString(f, "{\"partial\": ");
    assertThat(JsonlAppender.truncateTornTail(f)).isEqualTo(12);
    assertThat(Files.size(f)).isZero();
    assertThat(JsonlAppender.truncateTornTail(dir.resolve("missing.jsonl"))).isZero();
    assertThat(Files.exists(dir.resolve("missing.jsonl"))).isFalse();
  }

  @Test
  void should_append_whole_lines_and_read_them_back_ignoring_a_torn_tail() throws Exception {
    // given
    Path f = dir.resolve("rows.jsonl");
    FretExample a = TestRows.row("q1", "d1", "d1");
    FretExample b = TestRows.row("q2", "d2", "x9");
    try (JsonlAppender w = new JsonlAppender(f, 1)) {
      w.append(a.toJson());
      w.append(b.toJson());
    }
    Files.writeString(f, "{\"task\": \"to", java.nio.file.StandardOpenOption.APPEND);
    // when
    var rows = FretRows.readAll(f);
    // then
    assertThat(rows).containsExactly(a, b);
  }

  @Test
  void should_reject_a_row_line_holding_two_rows_or_trailing_garbage_naming_path_and_line()
      throws Exception {
    // given a lost newline between rows 2 and 3
    Path f = dir.resolve("joined.jsonl");
    String a = TestRows.row("q1", "d1", "d1").toJson();
    String b = TestRows.row("q2", "d2", "d2").toJson();
    Files.writeString(f, a + "\n" + a.replace("q1", "q0") + b + "\n");
    // when / then
    assertThatThrownBy(() -> FretRows.readAll(f))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(f + ":2: not a valid row: ");
    Files.writeString(f, a + " trailing\n");
    assertThatThrownBy(() -> FretRows.readAll(f))
        .hasMessageStartingWith(f + ":1: not a valid row: ");
  }

  @Test
  void should_read_crlf_rows_and_reject_bytes_that_are_not_utf8_naming_the_line() throws Exception {
    // given rows with Windows line ends, the last one complete
    Path f = dir.resolve("crlf.jsonl");
    FretExample a = TestRows.row("q1", "d1", "d1");
    FretExample b = TestRows.row("q2", "d2", "d2");
    Files.writeString(f, a.toJson() + "\r\n" + b.toJson() + "\r\n");
    assertThat(FretRows.readAll(f)).containsExactly(a, b);
    // and a Latin-1 byte in the second row
    Path latin = dir.resolve("latin1.jsonl");
    Files.write(latin, (a.toJson() + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
    Files.write(latin, new byte[] {'{', '"', 't', 'a', 's', 'k', '"', ':', '"', (byte) 0xE9, '"', '}',
        '\n'}, java.nio.file.StandardOpenOption.APPEND);
    assertThatThrownBy(() -> FretRows.readAll(latin))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(latin + ":2: not valid UTF-8");
  }

  @Test
  void should_reject_a_drop_record_followed_by_a_second_record() {
    String d = new DropRecord("q1", "d1", "llm_error", "x", 1).toJson();
    assertThatThrownBy(() -> DropRecord.fromJson(d + d))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(DropRecord.fromJson(d + "  ")).isEqualTo(DropRecord.fromJson(d));
  }

  @Test
  void should_reject_a_line_with_a_line_break_and_appends_after_close() {
    JsonlAppender w = new JsonlAppender(dir.resolve("c.jsonl"), 1);
    assertThatThrownBy(() -> w.append("a\nb"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("line must be non-null and have no line break, but is: a\nb");
    w.close();
    w.close();
    assertThatThrownBy(() -> w.append("{}")).isExactlyInstanceOf(IllegalStateException.class);
  }

  @Test
  void should_reject_a_sync_cadence_out_of_range() {
    assertThatThrownBy(() -> new JsonlAppender(dir.resolve("d.jsonl"), 0))
        .hasMessage("syncEvery must be between 1 and 100000, but is: 0");
  }
}
