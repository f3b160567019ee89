package dev.gecko4j.fret.retrieve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad corpus files a user would hand to {@link CorpusStore#open}: each gets {@code path:line}. */
class CorpusStoreTest {

  @TempDir Path dir;

  @Test
  void should_reject_a_line_holding_two_passages_instead_of_keeping_the_first() throws Exception {
    // given the newline between d2 and d3 is lost
    Path f = dir.resolve("corpus.jsonl");
    Files.writeString(f, "{\"_id\":\"d1\",\"text\":\"a\"}\n"
        + "{\"_id\":\"d2\",\"text\":\"b\"}{\"_id\":\"d3\",\"text\":\"c\"}\n");
    // when / then
    assertThatThrownBy(() -> CorpusStore.open(f))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("corpus " + f + ":2: expected exactly one JSON object on the line");
  }

  @Test
  void should_reject_trailing_garbage_after_a_passage() throws Exception {
    Path f = dir.resolve("corpus.jsonl");
    Files.writeString(f, "{\"_id\":\"d1\",\"text\":\"a\"}\n\n{\"_id\":\"d2\",\"text\":\"b\"} x\n");
    assertThatThrownBy(() -> CorpusStore.open(f))
        .hasMessageStartingWith("corpus " + f + ":3: expected exactly one JSON object on the line");
  }

  @Test
  void should_name_both_lines_of_a_duplicate_id() throws Exception {
    Path f = dir.resolve("corpus.jsonl");
    Files.writeString(f, "{\"_id\":\"d1\",\"text\":\"a\"}\n\n{\"_id\":\"d2\",\"text\":\"b\"}\n"
        + "{\"_id\":\"d1\",\"text\":\"c\"}\n");
    assertThatThrownBy(() -> CorpusStore.open(f))
        .hasMessage("corpus " + f + ":4: duplicate _id 'd1', first on line 1; ids must be unique");
  }

  @Test
  void should_reject_an_empty_or_blank_corpus() throws Exception {
    Path f = dir.resolve("corpus.jsonl");
    Files.writeString(f, "");
    assertThatThrownBy(() -> CorpusStore.open(f))
        .hasMessageStartingWith("corpus " + f + " holds no passage");
    Files.writeString(f, "\n  \n");
    assertThatThrownBy(() -> CorpusStore.open(f))
        .hasMessageStartingWith("corpus " + f + " holds no passage");
  }

  @Test
  void should_reject_bytes_that_are_not_utf8_naming_the_line() throws Exception {
    Path f = dir.resolve("corpus.jsonl");
    Files.write(f, ("{\"_id\":\"d1\",\"text\":\"a\"}\n{\"_id\":\"d2\",\"text\":\"")
        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    Files.write(f, new byte[] {(byte) 0xE9, (byte) 0x20, '"', '}', '\n'},
        java.nio.file.StandardOpenOption.APPEND);
    assertThatThrownBy(() -> CorpusStore.open(f))
        .hasMessageStartingWith("corpus " + f + ":2: expected exactly one JSON object on the line")
        .hasMessageContaining("UTF-8");
  }

  @Test
  void should_open_a_valid_corpus_whose_last_line_has_no_newline() throws Exception {
    Path f = dir.resolve("corpus.jsonl");
    Files.writeString(f, "{\"_id\":\"d1\",\"title\":\"T\",\"text\":\"a\"}\n{\"_id\":\"d2\",\"text\":\"b\"}");
    try (CorpusStore s = CorpusStore.open(f)) {
      assertThat(s.size()).isEqualTo(2);
      assertThat(s.passage(1).text()).isEqualTo("b");
      assertThat(s.passage(0).title()).isEqualTo("T");
    }
  }
}
