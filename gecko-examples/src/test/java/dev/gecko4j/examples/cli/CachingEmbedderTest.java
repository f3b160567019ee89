package dev.gecko4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gecko4j.core.Embedding;
import dev.gecko4j.core.TaskPrompt;
import dev.gecko4j.core.testing.RecordingEmbedder;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedding cache of {@code gecko evaluate --embedding-cache}. */
class CachingEmbedderTest {

  @TempDir Path dir;

  @Test
  void a_second_run_over_the_same_texts_reads_the_vectors_back_without_the_model() {
    List<String> texts = List.of("geckos climb walls", "lizards bask");
    List<TaskPrompt> prompts = List.of(TaskPrompt.document(), TaskPrompt.document());
    RecordingEmbedder first = new RecordingEmbedder();
    List<Embedding> embedded = new CachingEmbedder(first, dir).embedAll(texts, prompts);

    RecordingEmbedder second = new RecordingEmbedder();
    CachingEmbedder cached = new CachingEmbedder(second, dir);
    List<Embedding> again = cached.embedAll(texts, prompts);

    assertThat(first.calls).isEqualTo(1);
    assertThat(second.calls).as("served from the cache").isZero();
    assertThat(again).isEqualTo(embedded);
    assertThat(cached.stats()).isEqualTo("1 of 1 batches from the cache");
  }

  @Test
  void another_text_or_prompt_is_embedded_again() {
    RecordingEmbedder model = new RecordingEmbedder();
    CachingEmbedder cached = new CachingEmbedder(model, dir);
    cached.embedAll(List.of("geckos"), List.of(TaskPrompt.document()));
    cached.embedAll(List.of("geckos!"), List.of(TaskPrompt.document()));
    cached.embedAll(List.of("geckos"), List.of(TaskPrompt.query(TaskPrompt.SEARCH_RESULT)));

    assertThat(model.calls).isEqualTo(3);
  }
}
