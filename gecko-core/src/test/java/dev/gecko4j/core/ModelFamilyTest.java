package dev.gecko4j.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each family's convention maps Gecko's task vocabulary onto its prompt names. */
class ModelFamilyTest {

  static final TaskPrompt SEARCH = TaskPrompt.query(TaskPrompt.SEARCH_RESULT);
  static final TaskPrompt STS = TaskPrompt.symmetric(TaskPrompt.SENTENCE_SIMILARITY);

  @Test
  void should_give_embedding_gemma_its_published_prompts_and_gecko_format_elsewhere() {
    PromptConvention c = ModelFamily.EMBEDDING_GEMMA.convention(Map.of());

    assertThat(c.apply(SEARCH, "geckos")).isEqualTo("task: search result | query: geckos");
    assertThat(c.apply(TaskPrompt.document(), "d")).isEqualTo("title: none | text: d");
    assertThat(c.apply(TaskPrompt.document("Geckos"), "d")).isEqualTo("title: Geckos | text: d");
    assertThat(c.apply(STS, "s")).isEqualTo("task: sentence similarity | query: s");
    assertThat(c.apply(TaskPrompt.query(TaskPrompt.FACT_CHECKING), "c"))
        .isEqualTo("task: fact checking | query: c");
    assertThat(c.apply(TaskPrompt.none(), "t")).isEqualTo("t");
  }

  @Test
  void should_let_the_folders_own_prompt_win_where_it_has_the_name() {
    PromptConvention c = ModelFamily.EMBEDDING_GEMMA.convention(Map.of("STS", "similar: "));

    assertThat(c.apply(STS, "s")).isEqualTo("similar: s");
    assertThat(c.apply(SEARCH, "q")).isEqualTo("task: search result | query: q");
  }

  @Test
  void should_instruct_queries_only_for_decoder_families() {
    PromptConvention qwen = ModelFamily.QWEN3_EMBEDDING.convention(Map.of());
    PromptConvention mistral = ModelFamily.E5_MISTRAL.convention(Map.of());

    assertThat(qwen.apply(SEARCH, "q")).isEqualTo("Instruct: Given a web search query, "
        + "retrieve relevant passages that answer the query\nQuery:q");
    assertThat(qwen.apply(TaskPrompt.document(), "d")).isEqualTo("d");
    assertThat(mistral.apply(TaskPrompt.query(TaskPrompt.QUESTION_ANSWERING), "q"))
        .isEqualTo("Instruct: Given a question, retrieve Wikipedia passages that answer the "
            + "question\nQuery: q");
    assertThat(mistral.apply(TaskPrompt.query("Find the recipe"), "q"))
        .isEqualTo("Instruct: Find the recipe\nQuery: q");
    assertThat(mistral.apply(TaskPrompt.document(), "d")).isEqualTo("d");
    assertThat(ModelFamily.QWEN3_EMBEDDING.appendsEos()).isTrue();
  }

  @Test
  void should_map_nomic_and_multilingual_e5_sides_onto_their_prompt_names() {
    PromptConvention nomic = ModelFamily.NOMIC_EMBED.convention(Map.of());
    PromptConvention e5 = ModelFamily.MULTILINGUAL_E5.convention(Map.of());

    assertThat(nomic.apply(SEARCH, "q")).isEqualTo("search_query: q");
    assertThat(nomic.apply(TaskPrompt.document(), "d")).isEqualTo("search_document: d");
    assertThat(nomic.apply(TaskPrompt.symmetric(TaskPrompt.CLUSTERING), "c"))
        .isEqualTo("clustering: c");
    assertThat(e5.apply(SEARCH, "q")).isEqualTo("query: q");
    assertThat(e5.apply(TaskPrompt.document(), "d")).isEqualTo("passage: d");
    assertThat(e5.apply(STS, "s")).isEqualTo("query: s");
    assertThat(ModelFamily.GTE.convention(Map.of()).apply(SEARCH, "q")).isEqualTo("q");
    assertThat(ModelFamily.BGE_M3.convention(Map.of()).apply(SEARCH, "q")).isEqualTo("q");
  }

  @Test
  void should_publish_embedding_gemmas_matryoshka_sizes() {
    assertThat(ModelFamily.EMBEDDING_GEMMA.matryoshkaDimensions())
        .containsExactly(768, 512, 256, 128);
    assertThat(ModelFamily.EMBEDDING_GEMMA.pooling()).isEqualTo(Pooling.MEAN);
  }
}
