package dev.gecko4j.core;

import java.util.Collections;
import java.util.List;

/**
 * Turns texts into {@link Embedding}s, applying a {@link TaskPrompt} in the model's
 * {@link PromptConvention}.
 *
 * <p>Implementations are thread-safe (concurrent callers are allowed), keep the order of the input
 * list in the output, and hold native resources: close them, ideally with try-with-resources.
 *
 * {@snippet lang=java :
 * try (Embedder embedder = OnnxEmbedder.builder().model(Models.BGE_SMALL_EN_V15).build()) {
 *   Embedding q = embedder.embed("what do geckos eat?", TaskPrompt.query(TaskPrompt.SEARCH_RESULT));
 *   List<Embedding> docs = embedder.embedAll(passages, TaskPrompt.document());
 * }
 * }
 */
public interface Embedder extends AutoCloseable {

  /**
   * Returns the number of dimensions of the embeddings this embedder produces.
   *
   * @return the dimension, {@code >= 1}
   */
  int dimension();

  /**
   * Returns the convention this embedder renders task prompts with.
   *
   * @return the prompt convention; never null
   */
  PromptConvention promptConvention();

  /**
   * Embeds every text of {@code texts}, each with its own prompt.
   *
   * @param texts the texts; neither the list nor any element may be null
   * @param prompts one prompt per text (same size as {@code texts}); no element may be null
   * @return one embedding per text, in input order
   * @throws IllegalArgumentException if a list or element is null (naming its index), or the sizes
   *     differ
   * @throws IllegalStateException if the embedder is closed
   */
  List<Embedding> embedAll(List<String> texts, List<TaskPrompt> prompts);

  /**
   * Embeds every text of {@code texts} with the same prompt.
   *
   * @param texts the texts; neither the list nor any element may be null
   * @param prompt the prompt for every text; not null ({@link TaskPrompt#none()} for none)
   * @return one embedding per text, in input order
   * @throws IllegalArgumentException if {@code texts}, an element or {@code prompt} is null
   * @throws IllegalStateException if the embedder is closed
   */
  default List<Embedding> embedAll(List<String> texts, TaskPrompt prompt) {
    if (texts == null) {
      throw new IllegalArgumentException("texts must not be null");
    }
    if (prompt == null) {
      throw new IllegalArgumentException("prompt must not be null; use TaskPrompt.none() for none");
    }
    return embedAll(texts, Collections.nCopies(texts.size(), prompt));
  }

  /**
   * Embeds one text with {@code prompt}.
   *
   * @param text the text; not null
   * @param prompt the prompt; not null ({@link TaskPrompt#none()} for none)
   * @return the embedding
   * @throws IllegalArgumentException if {@code text} or {@code prompt} is null
   * @throws IllegalStateException if the embedder is closed
   */
  default Embedding embed(String text, TaskPrompt prompt) {
    if (text == null) {
      throw new IllegalArgumentException("text must not be null");
    }
    return embedAll(List.of(text), prompt).get(0);
  }

  /**
   * Embeds one text without a prompt ({@link TaskPrompt#none()}).
   *
   * @param text the text; not null
   * @return the embedding
   * @throws IllegalArgumentException if {@code text} is null
   * @throws IllegalStateException if the embedder is closed
   */
  default Embedding embed(String text) {
    return embed(text, TaskPrompt.none());
  }

  /** Releases native resources; idempotent. Later calls to embed throw IllegalStateException. */
  @Override
  void close();
}
