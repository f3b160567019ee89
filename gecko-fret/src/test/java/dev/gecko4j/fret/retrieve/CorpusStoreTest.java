package dev.gecko4j.fret.retrieve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

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
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "corpus " + f + ":" + line + ": expected exactly one JSON object on the line");
  }

  @Test
  void should_name_both_lines_of_a_duplicate_id() throws Exception {
    Path f = corpus("{\"_id\":\"d1\",\"text\":\"a\"}\n\n{\"_id\":\"d2\",\"text\":\"b\"}\n"
        + "{\"_id\":\"d1\",\"text\":\"c\"}\n");
    assertThatThrownBy(() -> CorpusStore.open(f))
        .hasMessage("corpus " + f + ":4: duplicate _id 'd1', first on line 1; ids must be unique");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "\n  \n"})
  void should_reject_an_empty_or_blank_corpus(String content) throws Exception {
    Path f = corpus(content);
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
    Path f = corpus("{\"_id\":\"d1\",\"title\":\"T\",\"text\":\"a\"}\n{\"_id\":\"d2\",\"text\":\"b\"}");
    try (CorpusStore s = CorpusStore.open(f)) {
      assertThat(s.size()).isEqualTo(2);
      assertThat(s.passage(1).text()).isEqualTo("b");
      assertThat(s.passage(0).title()).isEqualTo("T");
    }
  }
}
