package dev.gecko4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TaskPromptTest {

  @Test
  void should_render_gecko_queries_documents_and_symmetric_texts_exactly() {
    assertThat(TaskPrompt.query(TaskPrompt.SEARCH_RESULT).apply("x"))
        .isEqualTo("task: search result | query: x");
    assertThat(TaskPrompt.document().apply("x")).isEqualTo("title: none | text: x");
    assertThat(TaskPrompt.document("Gecko").apply("x")).isEqualTo("title: Gecko | text: x");
    assertThat(TaskPrompt.symmetric(TaskPrompt.SENTENCE_SIMILARITY).apply("x"))
        .isEqualTo("task: sentence similarity | query: x");
    assertThat(TaskPrompt.none().apply("x")).isEqualTo("x");
  }

  @Test
  void should_treat_a_null_or_blank_title_as_none() {
    assertThat(TaskPrompt.document(null)).isSameAs(TaskPrompt.document());
    assertThat(TaskPrompt.document("  ").apply("x")).isEqualTo("title: none | text: x");
  }

  @Test
  void should_know_the_gecko_task_vocabulary() {
    assertThat(TaskPrompt.KNOWN_TASKS).containsExactly("search result", "question answering",
        "fact checking", "code retrieval", "classification", "clustering", "sentence similarity");
  }

  @Test
  void should_reject_a_query_or_symmetric_prompt_without_task() {
    assertThatThrownBy(() -> TaskPrompt.query(null))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("task must be a non-blank string for a QUERY prompt, but is: null; known tasks"
            + " are [search result, question answering, fact checking, code retrieval,"
            + " classification, clustering, sentence similarity]");
    assertThatThrownBy(() -> TaskPrompt.symmetric(" "))
        .hasMessageStartingWith("task must be a non-blank string for a SYMMETRIC prompt, but is: ' '");
  }

  @Test
  void should_reject_inconsistent_combinations() {
    assertThatThrownBy(() -> new TaskPrompt(TaskPrompt.Kind.QUERY, "search result", "t"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("title is only allowed on DOCUMENT prompts, but a QUERY prompt has title 't'");
    assertThatThrownBy(() -> new TaskPrompt(TaskPrompt.Kind.DOCUMENT, "search result", null))
        .hasMessage("a DOCUMENT prompt has no task, but task is 'search result'");
    assertThatThrownBy(() -> new TaskPrompt(TaskPrompt.Kind.NONE, null, "t"))
        .hasMessage("a NONE prompt has neither task nor title");
    assertThatThrownBy(() -> new TaskPrompt(null, null, null))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("kind must not be null; expected one of [QUERY, DOCUMENT, SYMMETRIC, NONE]");
  }
}
