package dev.gecko4j.fret.retrieve;

/**
 * A corpus passage.
 *
 * @param id the corpus id; not blank
 * @param title the title, or {@code ""} when it has none; not null
 * @param text the text; not null
 */
public record Passage(String id, String title, String text) {
  /** Validates the fields. */
  public Passage {
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException("id must be non-blank, but is: " + id);
    }
    if (title == null || text == null) {
      throw new IllegalArgumentException("title and text of passage '" + id + "' must not be null");
    }
  }

  /** {@return {@code (title + " " + text).strip()}, how MTEB embeds a BEIR document} */
  public String fullText() {
    return (title + " " + text).strip();
  }
}
