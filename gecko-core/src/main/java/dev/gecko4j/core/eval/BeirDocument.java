package dev.gecko4j.core.eval;

/**
 * One corpus document of a BEIR dataset ({@code corpus.jsonl}).
 *
 * @param id the document id ({@code _id}); not null
 * @param title the title, or {@code null} when the record has no {@code title} field
 * @param text the text; not null
 */
public record BeirDocument(String id, String title, String text) {

  /** Validates that id and text are present. */
  public BeirDocument {
    if (id == null) {
      throw new IllegalArgumentException("id must not be null");
    }
    if (text == null) {
      throw new IllegalArgumentException("text of document '" + id + "' must not be null");
    }
  }

  /**
   * Returns the text MTEB embeds for this document: {@code (title + " " + text).strip()} when the
   * record has a title field (even an empty one), else {@code text.strip()}, where strip removes
   * leading and trailing whitespace as Python's {@code str.strip()} defines it.
   *
   * @return the concatenated, stripped text
   */
  public String mtebText() {
    return PythonStrings.strip(title == null ? text : title + " " + text);
  }
}
