package dev.gecko4j.spring;

import org.springframework.ai.embedding.EmbeddingOptions;

/**
 * Per-call options of {@link GeckoEmbeddingModel}: which side of retrieval the texts are on and an
 * optional Matryoshka dimension. Immutable.
 *
 * {@snippet lang=java :
 * EmbeddingResponse r = model.call(new EmbeddingRequest(List.of("what do geckos eat?"),
 *     GeckoEmbeddingOptions.query().withDimensions(256)));
 * }
 *
 * @param inputType how the texts are prompted; not null
 * @param dimensions the Matryoshka dimension, or {@code null} for the model's configured one
 */
public record GeckoEmbeddingOptions(InputType inputType, Integer dimensions)
    implements EmbeddingOptions {

  /** Which side of a retrieval task the texts of a request are on. */
  public enum InputType {
    /** Search queries: rendered with the model's query prompt and the configured query task. */
    QUERY,
    /** Documents (passages): rendered with the model's document prompt, untitled. */
    DOCUMENT
  }

  /** Validates the options. */
  public GeckoEmbeddingOptions {
    if (inputType == null) {
      throw new IllegalArgumentException(
          "inputType must not be null; expected one of " + java.util.List.of(InputType.values()));
    }
    if (dimensions != null && dimensions < 1) {
      throw new IllegalArgumentException("dimensions must be >= 1 or null, but is: " + dimensions);
    }
  }

  /** {@return options for query texts, at the model's configured dimension} */
  public static GeckoEmbeddingOptions query() {
    return new GeckoEmbeddingOptions(InputType.QUERY, null);
  }

  /** {@return options for document texts, at the model's configured dimension} */
  public static GeckoEmbeddingOptions document() {
    return new GeckoEmbeddingOptions(InputType.DOCUMENT, null);
  }

  /**
   * Returns a copy with another Matryoshka dimension (this instance does not change).
   *
   * @param dims {@code >= 1}, or {@code null} for the model's configured dimension
   * @return the new options
   * @throws IllegalArgumentException if {@code dims < 1}
   */
  public GeckoEmbeddingOptions withDimensions(Integer dims) {
    return new GeckoEmbeddingOptions(inputType, dims);
  }

  /** {@return null: the model is fixed when the {@link GeckoEmbeddingModel} is built} */
  @Override
  public String getModel() {
    return null;
  }

  @Override
  public Integer getDimensions() {
    return dimensions;
  }
}
