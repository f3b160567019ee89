package dev.gecko4j.onnx;

/**
 * What {@link OnnxEmbedder} does with a text whose tokens (special tokens included) exceed the
 * model's maximum length.
 */
public enum LongInputPolicy {
  /**
   * Keeps the first {@code maxLength} tokens: the leading special tokens, as many content tokens as
   * fit, then the trailing special tokens, exactly as HuggingFace tokenizers truncate a single
   * sequence (what sentence-transformers and MTEB do). The default.
   */
  TRUNCATE,
  /**
   * Splits the content tokens into consecutive chunks that each fit the maximum length (special
   * tokens added to every chunk), embeds every chunk, and averages the chunk embeddings weighted by
   * their token counts; the average is normalised when the model normalises.
   */
  CHUNK_AND_AVERAGE,
  /** Throws an {@link IllegalArgumentException} naming the text's index and token count. */
  FAIL
}
