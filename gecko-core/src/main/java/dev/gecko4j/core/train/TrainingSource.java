package dev.gecko4j.core.train;

import java.util.List;
import java.util.Locale;

/**
 * A named source of training rows with its sampling weight in the mixture.
 *
 * @param name a short name for logs (e.g. {@code scifact}, {@code fret})
 * @param weight the relative sampling weight, finite and > 0
 * @param examples the rows (copied), non-empty
 */
public record TrainingSource(String name, double weight, List<TrainingExample> examples) {
  /**
   * Validates and copies.
   *
   * @throws IllegalArgumentException if name is blank, weight is not finite and positive, or
   *     examples is empty or holds null
   */
  public TrainingSource {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("name must be non-blank, but is: " + name);
    }
    if (!(weight > 0) || Double.isInfinite(weight)) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "weight of source '%s' must be finite and > 0, but is: %s", name, weight));
    }
    if (examples == null || examples.isEmpty()) {
      throw new IllegalArgumentException("source '" + name + "' must have at least one example");
    }
    examples = List.copyOf(examples);
  }

  /**
   * Returns whether every row has a hard negative.
   *
   * @return true if no row's negative is null
   */
  public boolean hasNegatives() {
    return examples.stream().allMatch(e -> e.negative() != null);
  }
}
