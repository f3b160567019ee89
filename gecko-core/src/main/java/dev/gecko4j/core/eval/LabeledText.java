package dev.gecko4j.core.eval;

import dev.gecko4j.core.internal.Args;

/**
 * A text with its class label, one row of a classification or clustering dataset.
 *
 * @param text the text; not null
 * @param label the label (a class name, or an integer class id as text); not null
 */
public record LabeledText(String text, String label) {

  /** Validates the fields. */
  public LabeledText {
    Args.notNull(text, "text");
    Args.notNull(label, "label");
  }
}
