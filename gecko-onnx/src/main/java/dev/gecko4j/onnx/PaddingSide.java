package dev.gecko4j.onnx;

/**
 * Which end of a row the padding of a batch goes to. Encoders are padded on the right; decoder
 * embedders such as Qwen3-Embedding are padded on the left (their {@code tokenizer_config.json}
 * says {@code "padding_side": "left"}). gecko4j's pooling reads the attention mask, and the
 * {@code position_ids} it makes for a graph that asks for them count real tokens only, so either
 * side gives a decoder the same vectors. An encoder whose graph numbers positions itself from 0
 * (BERT's absolute position embeddings) must stay right-padded.
 */
public enum PaddingSide {
  /** Real tokens first, padding after them. */
  RIGHT,
  /** Padding first, real tokens after it (so every row ends with its last real token). */
  LEFT;

  /**
   * Parses a side as HuggingFace writes it ({@code left} / {@code right} in {@code
   * tokenizer_config.json}, {@code Left} / {@code Right} in {@code tokenizer.json}), ignoring case.
   *
   * @param name the name; not null
   * @return the side
   * @throws IllegalArgumentException naming the valid sides if {@code name} is unknown
   */
  public static PaddingSide parse(String name) {
    if (name != null) {
      switch (name.trim().toLowerCase(java.util.Locale.ROOT)) {
        case "left" -> {
          return LEFT;
        }
        case "right" -> {
          return RIGHT;
        }
        default -> { }
      }
    }
    throw new IllegalArgumentException(
        "Invalid padding side: " + name + ". Valid padding sides are: [left, right]");
  }
}
