package dev.gecko4j.fret.run;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.gecko4j.core.internal.GeckoJson;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a {@link SynthRun} left in its output. In JSON each component is named in snake_case.
 *
 * @param rows the rows the output holds (this run's and earlier runs')
 * @param rowsThisRun the rows this run wrote
 * @param resumedRows the rows found in the output when the run started
 * @param rowsByKind rows per task kind
 * @param tasksByKind tasks in each kind's pool (brainstormed, or 1 for a fixed task)
 * @param dropped dropped replies per reason (final drops only: an LLM error is retried by the next
 *     run and counted under {@code llm_error} only when this run's call failed)
 * @param dropCount the sum of {@code dropped}
 * @param llmRequests the LLM calls this run made (brainstorms and examples; retries inside the
 *     client not counted)
 * @param truncatedBytes bytes of torn last lines cut off the run's files at start
 * @param stopped whether the run returned early on a stop request
 * @param elapsedSeconds wall time of the run
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record SynthStats(
    long rows,
    long rowsThisRun,
    long resumedRows,
    Map<String, Long> rowsByKind,
    Map<String, Integer> tasksByKind,
    Map<String, Long> dropped,
    long dropCount,
    long llmRequests,
    long truncatedBytes,
    boolean stopped,
    double elapsedSeconds) {

  /** Copies the maps (sorted by key). */
  public SynthStats {
    rowsByKind = Map.copyOf(new TreeMap<>(rowsByKind));
    tasksByKind = Map.copyOf(new TreeMap<>(tasksByKind));
    dropped = Map.copyOf(new TreeMap<>(dropped));
  }

  /** {@return these statistics as one line of JSON, maps sorted by key} */
  public String toJson() {
    return GeckoJson.toJsonLine(sorted(), () -> "synth statistics");
  }

  /** {@return the statistics as an ordered map (maps sorted by key), for JSON reports} */
  public Map<String, Object> sorted() {
    Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("rows", rows);
    m.put("rows_this_run", rowsThisRun);
    m.put("resumed_rows", resumedRows);
    m.put("rows_by_kind", new TreeMap<>(rowsByKind));
    m.put("tasks_by_kind", new TreeMap<>(tasksByKind));
    m.put("dropped", new TreeMap<>(dropped));
    m.put("drop_count", dropCount);
    m.put("llm_requests", llmRequests);
    m.put("truncated_bytes", truncatedBytes);
    m.put("stopped", stopped);
    m.put("elapsed_s", Math.round(elapsedSeconds * 100) / 100.0);
    return m;
  }
}
