package dev.gecko4j.fret.run;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.gecko4j.core.internal.Args;
import dev.gecko4j.core.internal.GeckoJson;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The statistics of a mining output after a run (earlier, resumed runs included unless the field
 * says "this run").
 *
 * <p>In JSON each component is named in snake_case (but {@code elapsed_s} and {@code rows_per_s}).
 *
 * @param rows valid rows in the output
 * @param rowsThisRun rows this run wrote
 * @param rowsResumed rows found in the output at the start
 * @param positiveChangedShare the share of rows whose positive is not the seed passage (the paper
 *     reports about 15%)
 * @param taskMix rows per task description
 * @param drops seeds dropped, per reason (the drop log, earlier runs included)
 * @param llmRequests LLM requests recorded in rows and drops
 * @param llmRequestsPerRow {@code llmRequests / rows} (drops' requests included, so it is the true
 *     cost per useful row); 0 with no rows
 * @param elapsedSeconds this run's wall time
 * @param rowsPerSecond this run's rows per second
 * @param truncatedBytes bytes of a torn last line cut off at the start
 * @param skippedSeeds seeds skipped because an earlier run had done (or dropped) them
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record FretStats(
    long rows,
    long rowsThisRun,
    long rowsResumed,
    double positiveChangedShare,
    Map<String, Long> taskMix,
    Map<String, Long> drops,
    long llmRequests,
    double llmRequestsPerRow,
    @JsonProperty("elapsed_s") double elapsedSeconds,
    @JsonProperty("rows_per_s") double rowsPerSecond,
    long truncatedBytes,
    long skippedSeeds) {

  /** Copies the maps (sorted by key). */
  public FretStats {
    taskMix = Collections.unmodifiableMap(new TreeMap<>(Args.notNull(taskMix, "taskMix")));
    drops = Collections.unmodifiableMap(new TreeMap<>(Args.notNull(drops, "drops")));
  }

  /** {@return the total number of dropped seeds} */
  public long dropCount() {
    return drops.values().stream().mapToLong(Long::longValue).sum();
  }

  /** {@return these statistics as one line of JSON} */
  public String toJson() {
    return GeckoJson.toJsonLine(this, () -> "statistics");
  }
}
