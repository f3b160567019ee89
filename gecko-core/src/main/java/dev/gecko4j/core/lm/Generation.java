package dev.gecko4j.core.lm;

import java.util.List;

/**
 * One generated completion.
 *
 * @param text the generated text (without the prompt, without the stop string)
 * @param tokenIds the generated token ids when the backend exposes them (in-process models), else
 *     an empty list
 * @param finishReason why generation stopped: {@code "stop"}, {@code "length"}, or the server's word
 */
public record Generation(String text, List<Integer> tokenIds, String finishReason) {
  /** Validates and copies the fields. */
  public Generation {
    if (text == null) {
      throw new IllegalArgumentException("text must not be null");
    }
    tokenIds = tokenIds == null ? List.of() : List.copyOf(tokenIds);
    if (finishReason == null) {
      throw new IllegalArgumentException("finishReason must not be null");
    }
  }
}
