package dev.gecko4j.fret.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FretPromptsTest {

  @Test
  void should_end_the_query_generation_prompt_with_the_task_type_and_the_one_line_passage() {
    // when
    String p = FretPrompts.queryGeneration("fact checking", "Geckos\n  eat insects.");
    // then
    assertThat(p).endsWith("\n\nTask type: fact checking\nPassage: Geckos eat insects.\n");
    assertThat(p).contains("{\"task\": \"...\", \"query\": \"...\"}");
  }

  @Test
  void should_render_query_likelihood_prompt_and_continuation() {
    assertThat(FretPrompts.queryLikelihood("Geckos eat insects."))
        .endsWith("\n\nPassage: Geckos eat insects.\nQuery:");
    assertThat(FretPrompts.queryLikelihoodContinuation("what do\ngeckos eat"))
        .isEqualTo(" what do geckos eat");
  }

  @Test
  void should_render_relevance_prompt_and_label_continuations() {
    assertThat(FretPrompts.relevance("what do geckos eat", "Geckos eat insects."))
        .endsWith("\n\nQuery: what do geckos eat\nPassage: Geckos eat insects.\nRelevance:");
    assertThat(FretPrompts.RC_LABELS.stream().map(FretPrompts::relevanceContinuation))
        .containsExactly(" highly relevant", " somewhat relevant", " not relevant");
    assertThatThrownBy(() -> FretPrompts.relevanceContinuation("relevant"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("label must be one of [highly relevant, somewhat relevant, not relevant],"
            + " but is: relevant");
  }

  @Test
  void should_cut_long_passages_at_a_word_boundary() {
    assertThat(FretPrompts.cut("alpha beta gamma delta", 13)).isEqualTo("alpha beta");
    assertThat(FretPrompts.cut("alpha", 13)).isEqualTo("alpha");
    assertThat(FretPrompts.cut("abcdefghijklmnop", 5)).isEqualTo("abcde");
  }

  @Test
  void should_carry_a_version() {
    assertThat(FretPrompts.VERSION).isEqualTo("gecko4j-fret-v2");
  }

  @Test
  void should_render_a_zero_shot_query_generation_prompt_without_examples() {
    String p = FretPrompts.queryGeneration("search result", "Geckos eat insects.", false);
    assertThat(p).startsWith("Write a task description and a search query")
        .endsWith(" only.\n\nTask type: search result\nPassage: Geckos eat insects.\n")
        .doesNotContain("Sourdough");
  }
}
