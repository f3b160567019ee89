package dev.gecko4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PromptConventionTest {

  private static final TaskPrompt QUERY = TaskPrompt.query(TaskPrompt.SEARCH_RESULT);
  private static final TaskPrompt DOC = TaskPrompt.document("T");
  private static final TaskPrompt SYM = TaskPrompt.symmetric(TaskPrompt.CLUSTERING);
  private static final TaskPrompt NONE = TaskPrompt.none();

  static Stream<Arguments> conventions() {
    return Stream.of(
        Arguments.of("gecko uses the unified format", PromptConvention.GECKO,
            "task: search result | query: x", "title: T | text: x", "task: clustering | query: x"),
        Arguments.of("bge prefixes retrieval queries only", PromptConvention.BGE,
            "Represent this sentence for searching relevant passages: x", "x", "x"),
        Arguments.of("e5 uses query and passage prefixes", PromptConvention.E5,
            "query: x", "passage: x", "query: x"),
        Arguments.of("e5-mistral instructs the query side only", PromptConvention.E5_MISTRAL,
            "Instruct: search result\nQuery: x", "x", "Instruct: clustering\nQuery: x"),
        Arguments.of("none leaves texts as given", PromptConvention.NONE, "x", "x", "x"),
        Arguments.of("custom prefixes apply per side", PromptConvention.prefixes("q: ", "d: ", "s: "),
            "q: x", "d: x", "s: x"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("conventions")
  void should_format_each_side_and_leave_unprompted_texts_as_given(String behaviour,
      PromptConvention convention, String query, String document, String symmetric) {
    assertThat(convention.apply(QUERY, "x")).isEqualTo(query);
    assertThat(convention.apply(DOC, "x")).isEqualTo(document);
    assertThat(convention.apply(SYM, "x")).isEqualTo(symmetric);
    assertThat(convention.apply(NONE, "x")).isEqualTo("x");
  }

  @Test
  void gecko_should_title_a_document_without_a_title_none() {
    assertThat(PromptConvention.GECKO.apply(TaskPrompt.document(), "x"))
        .isEqualTo("title: none | text: x");
  }

  @Test
  void should_reject_null_prompts_texts_and_prefixes() {
    for (PromptConvention c : new PromptConvention[] {PromptConvention.GECKO, PromptConvention.BGE,
        PromptConvention.E5, PromptConvention.E5_MISTRAL, PromptConvention.NONE}) {
      assertThatThrownBy(() -> c.apply(null, "x"))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessage("prompt must not be null; use TaskPrompt.none() for none");
      assertThatThrownBy(() -> c.apply(QUERY, null))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessage("text must not be null");
    }
    assertThatThrownBy(() -> PromptConvention.prefixes(null, "", ""))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("query prefix must not be null (use \"\" for none)");
    assertThatThrownBy(() -> PromptConvention.prefixes("", "", null))
        .hasMessage("symmetric prefix must not be null (use \"\" for none)");
  }
}
