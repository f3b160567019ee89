package dev.gecko4j.fret.run;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.gecko4j.core.internal.Args;
import dev.gecko4j.core.internal.GeckoJson;

/**
 * One line of a run's drop log ({@code <output>.drops.jsonl}): a seed that produced no row, why,
 * and what it cost. A resumed run does not retry logged drops, so its result does not depend on
 * where the earlier run was killed.
 *
 * <p>In JSON each component is named in snake_case.
 *
 * @param queryId the row query id the seed would have had
 * @param seedId the seed id
 * @param reason the snake_case reason
 * @param detail a human-readable detail
 * @param llmRequests the LLM requests it cost
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
record DropRecord(
    String queryId,
    String seedId,
    String reason,
    String detail,
    int llmRequests) {

  /** Validates the fields. */
  public DropRecord {
    Args.notNull(queryId, "queryId");
    Args.notNull(seedId, "seedId");
    Args.notNull(reason, "reason");
    Args.notNull(detail, "detail");
    Args.atLeast(llmRequests, 0, "llmRequests");
  }

  /** {@return the work key (query id, seed id)} */
  public String key() {
    return dev.gecko4j.core.fret.FretSeed.key(queryId, seedId);
  }

  /** {@return this record as one JSON line} */
  public String toJson() {
    return GeckoJson.toJsonLine(this, () -> "drop " + key());
  }

  /**
   * Parses one JSON line.
   *
   * @param json the line; not null
   * @return the record
   * @throws IllegalArgumentException if it is not a valid drop record
   */
  public static DropRecord fromJson(String json) {
    return GeckoJson.fromJsonLine(json, DropRecord.class, "drop record");
  }

}
