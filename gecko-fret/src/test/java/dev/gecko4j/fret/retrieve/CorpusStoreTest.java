package dev.gecko4j.fret.retrieve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gecko4j.core.eval.DatasetFormatException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Bad corpus files a user would hand to {@link CorpusStore#open}: each gets {@code path:line}. */
class CorpusStoreTest {

  @TempDir Path dir;

  private Path corpus(String content) throws Exception {
    return Files.writeString(dir.resolve("corpus.jsonl"), content);
  }

  static Stream<Arguments> linesThatAreNotOnePassage() {
    return Stream.of(
        Arguments.of("a line holding two passages (a lost newline) is not cut to the first",
            "{\"_id\":\"d1\",\"text\":\"a\"}\n"
                + "{\"_id\":\"d2\",\"text\":\"b\"}{\"_id\":\"d3\",\"text\":\"c\"}\n", 2),
        Arguments.of("trailing garbage after a passage is rejected",
            "{\"_id\":\"d1\",\"text\":\"a\"}\n\n{\"_id\":\"d2\",\"text\":\"b\"} x\n", 3));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("linesThatAreNotOnePassage")
  void should_reject_a_line_that_is_not_exactly_one_passage_naming_it(
      String behaviour, String content, int line) throws Exception {
    Path f = corpus(content);
    assertThatThrownBy(() -> CorpusStore.open(f))
        .isExactlyInstanceOf(DatasetFormatException.class)
        .hasMessageStartingWith(f + ":" + line + ": expected exactly one JSON object on the line");
  }

  @Test
  void should_name_both_lines_of_a_duplicate_id() throws Exception {
    Path f = corpus("{\"_id\":\"d1\",\"text\":\"a\"}\n\n{\"_id\":\"d2\",\"text\":\"b\"}\n"
        + "{\"_id\":\"d1\",\"text\":\"c\"}\n");
    assertThatThrownBy(() -> CorpusStore.open(f))
        .isExactlyInstanceOf(DatasetFormatException.class)
        .hasMessage(f + ":4: duplicate _id 'd1', first on line 1; ids must be unique");
  }

  @Test
  void should_reject_an_empty_or_blank_corpus_naming_the_file() throws Exception {
    Path empty = corpus("");
    assertThatThrownBy(() -> CorpusStore.open(empty))
        .isExactlyInstanceOf(DatasetFormatException.class)
        .hasMessage(empty + ": file is empty (0 bytes); expected one JSON object {\"_id\","
            + " \"title\", \"text\"} per line");
    Path blank = corpus("\n  \n");
    assertThatThrownBy(() -> CorpusStore.open(blank))
        .isExactlyInstanceOf(DatasetFormatException.class)
        .hasMessage(blank + ": file holds no record (2 lines, none with data); expected one JSON"
            + " object {\"_id\", \"title\", \"text\"} per line");
  }

  @Test
  void should_accept_a_byte_order_mark_and_read_the_first_passage_back() throws Exception {
    Path f = corpus("\uFEFF{\"_id\":\"d1\",\"text\":\"a\"}\r\n{\"_id\":\"d2\",\"text\":\"b\"}\r\n");
    try (CorpusStore s = CorpusStore.open(f)) {
      assertThat(s.id(0)).isEqualTo("d1");
      assertThat(s.passage(0).text()).isEqualTo("a");
      assertThat(s.passage(1).text()).isEqualTo("b");
    }
  }

  @Test
  void should_reject_a_passage_whose_text_or_title_is_not_a_string_naming_path_line_and_field()
      throws Exception {
    Path f = corpus("{\"_id\":\"d1\",\"text\":\"a\"}\n{\"_id\":\"d2\",\"title\":7,\"text\":\"b\"}\n");
    assertThatThrownBy(() -> CorpusStore.open(f))
        .isExactlyInstanceOf(DatasetFormatException.class)
        .hasMessage(f + ":2: field 'title' must be a string, but is: NUMBER");
  }

  @Test
  void should_report_a_bad_byte_deep_in_the_corpus_at_its_line() throws Exception {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 3000; i++) {
      sb.append("{\"_id\":\"d").append(i).append("\",\"text\":\"some passage text\"}\n");
    }
    Path f = corpus(sb.toString());
    Files.write(f, new byte[] {'{', '"', '_', 'i', 'd', '"', ':', '"', 'x', '"', ',', '"', 't',
        '"', ':', '"', (byte) 0xE9, '"', '}', '\n'}, java.nio.file.StandardOpenOption.APPEND);
    assertThatThrownBy(() -> CorpusStore.open(f))
        .isExactlyInstanceOf(DatasetFormatException.class)
        .hasMessage(f + ":3001: not valid UTF-8 at byte 17 of the line");
  }

  @Test
  void should_reject_bytes_that_are_not_utf8_naming_the_line() throws Exception {
    Path f = dir.resolve("corpus.jsonl");
    Files.write(f, ("{\"_id\":\"d1\",\"text\":\"a\"}\n{\"_id\":\"d2\",\"text\":\"")
        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    Files.write(f, new byte[] {(byte) 0xE9, (byte) 0x20, '"', '}', '\n'},
        java.nio.file.StandardOpenOption.APPEND);
    assertThatThrownBy(() -> CorpusStore.open(f))
        .isExactlyInstanceOf(DatasetFormatException.class)
        .hasMessage(f + ":2: not valid UTF-8 at byte 21 of the line");
  }

  @Test
  void should_open_a_valid_corpus_whose_last_line_has_no_newline() throws Exception {
    Path f = corpus("{\"_id\":\"d1\",\"title\":\"T\",\"text\":\"a\"}\n{\"_id\":\"d2\",\"text\":\"b\"}");
    try (CorpusStore s = CorpusStore.open(f)) {
      assertThat(s.size()).isEqualTo(2);
      assertThat(s.passage(1).text()).isEqualTo("b");
      assertThat(s.passage(0).title()).isEqualTo("T");
    }
  }
}
