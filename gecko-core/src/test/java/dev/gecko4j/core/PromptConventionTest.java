package dev.gecko4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PromptConventionTest {

  private static final TaskPrompt QUERY = TaskPrompt.query(TaskPrompt.SEARCH_RESULT);
  private static final TaskPrompt DOC = TaskPrompt.document("T");
  private static final TaskPrompt SYM = TaskPrompt.symmetric(TaskPrompt.CLUSTERING);
  private static final TaskPrompt NONE = TaskPrompt.none();

  @Test
  void gecko_should_use_the_unified_format() {
    assertThat(PromptConvention.GECKO.apply(QUERY, "x")).isEqualTo("task: search result | query: x");
    assertThat(PromptConvention.GECKO.apply(TaskPrompt.document(), "x"))
        .isEqualTo("title: none | text: x");
    assertThat(PromptConvention.GECKO.apply(DOC, "x")).isEqualTo("title: T | text: x");
    assertThat(PromptConvention.GECKO.apply(SYM, "x")).isEqualTo("task: clustering | query: x");
    assertThat(PromptConvention.GECKO.apply(NONE, "x")).isEqualTo("x");
  }

  @Test
  void bge_should_prefix_retrieval_queries_only() {
    assertThat(PromptConvention.BGE.apply(QUERY, "x"))
        .isEqualTo("Represent this sentence for searching relevant passages: x");
    assertThat(PromptConvention.BGE.apply(DOC, "x")).isEqualTo("x");
    assertThat(PromptConvention.BGE.apply(SYM, "x")).isEqualTo("x");
    assertThat(PromptConvention.BGE.apply(NONE, "x")).isEqualTo("x");
  }

  @Test
  void e5_should_use_query_and_passage_prefixes() {
    assertThat(PromptConvention.E5.apply(QUERY, "x")).isEqualTo("query: x");
    assertThat(PromptConvention.E5.apply(DOC, "x")).isEqualTo("passage: x");
    assertThat(PromptConvention.E5.apply(SYM, "x")).isEqualTo("query: x");
    assertThat(PromptConvention.E5.apply(NONE, "x")).isEqualTo("x");
  }

  @Test
  void e5_mistral_should_instruct_the_query_side_only() {
    assertThat(PromptConvention.E5_MISTRAL.apply(QUERY, "x"))
        .isEqualTo("Instruct: search result\nQuery: x");
    assertThat(PromptConvention.E5_MISTRAL.apply(SYM, "x")).isEqualTo("Instruct: clustering\nQuery: x");
    assertThat(PromptConvention.E5_MISTRAL.apply(DOC, "x")).isEqualTo("x");
    assertThat(PromptConvention.E5_MISTRAL.apply(NONE, "x")).isEqualTo("x");
  }

  @Test
  void none_should_leave_texts_as_given() {
    for (TaskPrompt p : new TaskPrompt[] {QUERY, DOC, SYM, NONE}) {
      assertThat(PromptConvention.NONE.apply(p, "x")).isEqualTo("x");
    }
  }

  @Test
  void custom_prefixes_should_apply_per_side() {
    PromptConvention c = PromptConvention.prefixes("q: ", "d: ", "s: ");
    assertThat(c.apply(QUERY, "x")).isEqualTo("q: x");
    assertThat(c.apply(DOC, "x")).isEqualTo("d: x");
    assertThat(c.apply(SYM, "x")).isEqualTo("s: x");
    assertThat(c.apply(NONE, "x")).isEqualTo("x");
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
