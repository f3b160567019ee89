package dev.gecko4j.core.fret;

import dev.gecko4j.core.internal.Args;

/**
 * What {@link FretMiner#mine(FretSeed)} made of one seed: a row, or a drop with its reason. Either
 * way it says how many LLM requests it cost.
 */
public sealed interface FretOutcome {

  /** {@return the LLM requests this seed cost (including retries), {@code >= 0}} */
  int llmRequests();

  /**
   * A mined row.
   *
   * @param example the row; not null
   * @param llmRequests the LLM requests it cost
   */
  record Mined(FretExample example, int llmRequests) implements FretOutcome {
    /** Validates the fields. */
    public Mined {
      Args.notNull(example, "example");
      Args.atLeast(llmRequests, 0, "llmRequests");
    }
  }

  /**
   * A seed that yielded no row.
   *
   * @param reason a short snake_case reason, e.g. {@code no_json}, {@code missing_field},
   *     {@code empty_query}, {@code too_long}, {@code duplicate}, {@code llm_error}
   * @param detail a human-readable detail (e.g. the first characters of the bad output)
   * @param llmRequests the LLM requests it cost
   */
  record Dropped(String reason, String detail, int llmRequests) implements FretOutcome {
    /** Validates the fields. */
    public Dropped {
      if (reason == null || !reason.matches("[a-z][a-z0-9_]*")) {
        throw new IllegalArgumentException(
            "reason must be a snake_case word like 'no_json', but is: " + reason);
      }
      if (detail == null) {
        throw new IllegalArgumentException("detail must not be null (use \"\")");
      }
      Args.atLeast(llmRequests, 0, "llmRequests");
    }
  }
}
