package dev.gecko4j.fret.generate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class QueryGenerationParsingTest {

  private static final String PASSAGE = "Geckos eat insects and fruit.";

  @Test
  void should_extract_the_first_balanced_object_from_a_code_fence_with_trailing_text() {
    // given
    String out = "Sure! Here it is:\n```json\n{\"task\": \"qa\", \"query\": \"what do {geckos} eat\"}\n```"
        + "\nI hope this helps {really}.";
    // when
    var obj = JsonExtraction.firstObject(out);
    // then braces inside the string do not end the object
    assertThat(obj).isPresent();
    assertThat(obj.get().get("query").asText()).isEqualTo("what do {geckos} eat");
  }

  @Test
  void should_skip_a_balanced_non_json_brace_block_and_take_the_next_object() {
    var obj = JsonExtraction.firstObject("set {a, b} then {\"task\": \"t\", \"query\": \"q\"}");
    assertThat(obj).isPresent();
    assertThat(obj.get().get("task").asText()).isEqualTo("t");
  }

  @Test
  void should_find_a_nested_object_whole() {
    var obj = JsonExtraction.firstObject("{\"task\": \"t\", \"meta\": {\"x\": \"}\"}, \"query\": \"q\"} tail");
    assertThat(obj).isPresent();
    assertThat(obj.get().get("query").asText()).isEqualTo("q");
  }

  @Test
  void should_find_nothing_in_unbalanced_or_plain_text() {
    assertThat(JsonExtraction.firstObject("once upon a time {\"task\": \"t\"")).isEmpty();
    assertThat(JsonExtraction.firstObject("Lily went to the park.")).isEmpty();
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {
      "Lily and Ben went to the park.|no_json",
      "' '|empty_output",
      "{\"task\": \"qa\"}|missing_field",
      "{\"task\": \"qa\", \"query\": 3}|missing_field",
      "{\"task\": \"\", \"query\": \"q\"}|missing_field",
      "{\"task\": \"qa\", \"query\": \"   \"}|empty_query",
      "{\"task\": \"qa\", \"query\": \"Geckos  eat insects and FRUIT.\"}|echo",
  })
  void should_drop_invalid_outputs_with_their_reason(String output, String reason) {
    // when
    QueryGenerator.Result r = QueryGenerator.parse(output, PASSAGE, 300);
    // then
    assertThat(r).isInstanceOf(QueryGenerator.Failed.class);
    assertThat(((QueryGenerator.Failed) r).reason()).isEqualTo(reason);
  }

  @Test
  void should_drop_a_query_longer_than_the_limit() {
    QueryGenerator.Result r =
        QueryGenerator.parse("{\"task\": \"qa\", \"query\": \"" + "x".repeat(31) + "\"}", PASSAGE, 30);
    assertThat(r).isEqualTo(new QueryGenerator.Failed("too_long", "query has 31 chars, limit 30", 0));
  }

  @Test
  void should_accept_a_valid_answer_and_collapse_white_space() {
    QueryGenerator.Result r = QueryGenerator.parse(
        "{\"task\": \" Given a question, retrieve answers \", \"query\": \"what do\\n geckos eat\"}",
        PASSAGE, 300);
    assertThat(r).isEqualTo(
        new QueryGenerator.Generated("Given a question, retrieve answers", "what do geckos eat", 0));
  }
}
