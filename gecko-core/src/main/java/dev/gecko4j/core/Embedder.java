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
   * Returns a short, human-readable name of what this embedder serves: the bundled model's name
   * ({@code bge-small-en-v1.5}), a model folder's name, or the implementation's. For display,
   * logs and reports; it does not identify the vectors (see {@link #fingerprint()}).
   *
   * @return the name; never null or blank
   */
  default String name() {
    return getClass().getSimpleName();
  }

  /**
   * Returns a fingerprint of everything that decides the vectors this embedder produces: the model
   * (its bytes or a checksum of them), pooling, normalisation, dimension, maximum length and prompt
   * rendering. Two embedders with equal fingerprints produce the same vectors for the same inputs;
   * caches of embeddings key on it, so a changed model or setting is detected and re-embedded
   * rather than served stale.
   *
   * <p>The default covers {@link #name()}, {@link #dimension()} and how {@link #promptConvention()}
   * renders each kind of prompt; implementations whose vectors depend on more (weights that can
   * change under the same name, pooling, lengths) must override it.
   *
   * @return a non-blank string, stable across JVM runs for the same model and settings
   */
  default String fingerprint() {
    PromptConvention c = promptConvention();
    String probe = "\u0001";
    return name() + "|dim=" + dimension()
        + "|q=" + c.apply(TaskPrompt.query(TaskPrompt.SEARCH_RESULT), probe)
        + "|d=" + c.apply(TaskPrompt.document(), probe)
        + "|dt=" + c.apply(TaskPrompt.document("\u0002"), probe)
        + "|s=" + c.apply(TaskPrompt.symmetric(TaskPrompt.SEARCH_RESULT), probe);
  }

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
