package dev.gecko4j.core.lm;

import java.util.List;
import java.util.Locale;

/**
 * Immutable, validated sampling options for {@link LanguageModel#generate}.
 *
 * @param maxNewTokens the most tokens to generate, {@code >= 1}
 * @param temperature sampling temperature, {@code >= 0}; 0 means greedy (argmax)
 * @param topP nucleus sampling mass, in {@code (0, 1]}
 * @param stop strings that end generation (not included in the output); not null
 * @param seed seed for sampling, so runs are reproducible where the backend allows it
 */
public record GenerationOptions(
    int maxNewTokens, double temperature, double topP, List<String> stop, long seed) {

  /** Validates every field. */
  public GenerationOptions {
    if (maxNewTokens < 1) {
      throw new IllegalArgumentException("maxNewTokens must be >= 1, but is: " + maxNewTokens);
    }
    if (!(temperature >= 0) || Double.isInfinite(temperature)) {
      throw new IllegalArgumentException(
          String.format(Locale.ROOT, "temperature must be a finite number >= 0, but is: %s", temperature));
    }
    if (!(topP > 0 && topP <= 1)) {
      throw new IllegalArgumentException("topP must be in (0, 1], but is: " + topP);
    }
    if (stop == null) {
      throw new IllegalArgumentException("stop must not be null (use List.of())");
    }
    for (int i = 0; i < stop.size(); i++) {
      if (stop.get(i) == null || stop.get(i).isEmpty()) {
        throw new IllegalArgumentException("stop[" + i + "] must be a non-empty string, but is: " + stop.get(i));
      }
    }
    stop = List.copyOf(stop);
  }

  /**
   * Greedy decoding of up to {@code maxNewTokens} tokens, no stop strings.
   *
   * @param maxNewTokens the most tokens to generate, {@code >= 1}
   * @return the options
   * @throws IllegalArgumentException if {@code maxNewTokens < 1}
   */
  public static GenerationOptions greedy(int maxNewTokens) {
    return new GenerationOptions(maxNewTokens, 0, 1, List.of(), 0);
  }

  /**
   * Sampling at {@code temperature} with nucleus {@code topP}, no stop strings, seed 0.
   *
   * @param maxNewTokens the most tokens to generate, {@code >= 1}
   * @param temperature sampling temperature, {@code >= 0}
   * @param topP nucleus mass in {@code (0, 1]}
   * @return the options
   * @throws IllegalArgumentException if a value is out of range
   */
  public static GenerationOptions sampled(int maxNewTokens, double temperature, double topP) {
    return new GenerationOptions(maxNewTokens, temperature, topP, List.of(), 0);
  }

  /**
   * Returns a copy with these stop strings; this instance is unchanged.
   *
   * @param newStop the stop strings; not null, no empty element
   * @return the new options
   */
  public GenerationOptions withStop(List<String> newStop) {
    return new GenerationOptions(maxNewTokens, temperature, topP, newStop, seed);
  }

  /**
   * Returns a copy with this seed; this instance is unchanged.
   *
   * @param newSeed the sampling seed
   * @return the new options
   */
  public GenerationOptions withSeed(long newSeed) {
    return new GenerationOptions(maxNewTokens, temperature, topP, stop, newSeed);
  }

  /**
   * Whether this is greedy decoding (temperature 0).
   *
   * @return true for greedy decoding
   */
  public boolean isGreedy() {
    return temperature == 0;
  }
}
