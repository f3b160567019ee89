package dev.gecko4j.fret.generate;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.gecko4j.core.internal.Args;
import dev.gecko4j.core.internal.GeckoJson;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One row of {@code gecko synth}'s output: an E5-style synthetic (query, positive, hard negative)
 * triplet written by an LLM for a task of some {@link E5TaskKind}, with the placeholders its prompt
 * was filled with and its provenance. One JSON object per line, snake_case names.
 *
 * <p>{@code gecko train --fret} reads these rows as they are: it reads {@code task}, {@code query},
 * {@code positive} and {@code negative} by name (the task becomes the query's instruction through
 * the model's prompt convention, e.g. {@code Instruct: {task}\nQuery: } for E5-mistral) and ignores
 * the rest.
 *
 * @param id the unit of work the row came from, {@code e5:<kind>:<task index>:<example index>};
 *     unique in a file (a resumed run skips the ids it finds)
 * @param kind the {@link E5TaskKind#id()}
 * @param task the task description: the query's instruction
 * @param query the query text
 * @param positive the positive text
 * @param negative the hard negative text, or null for kinds without one ({@link
 *     E5TaskKind#hasNegative()})
 * @param language the language of the query
 * @param placeholders the placeholders of the example prompt, by name
 * @param model the language model's name
 * @param promptVersion {@link E5TaskKind#VERSION}
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record SynthRow(
    String id,
    String kind,
    String task,
    String query,
    String positive,
    String negative,
    String language,
    Map<String, String> placeholders,
    String model,
    String promptVersion) {

  /** Validates the fields; the placeholders are copied (order kept) and unmodifiable. */
  public SynthRow {
    Args.notBlank(id, "id");
    Args.notBlank(kind, "kind");
    E5TaskKind.parse(kind);
    Args.notBlank(task, "task");
    Args.notBlank(query, "query");
    Args.notBlank(positive, "positive");
    if (negative != null && negative.isBlank()) {
      throw new IllegalArgumentException("negative must be null or non-blank, but is: '" + negative
          + "'");
    }
    Args.notBlank(language, "language");
    Args.notNull(placeholders, "placeholders");
    placeholders = Collections.unmodifiableMap(new LinkedHashMap<>(placeholders));
    Args.notBlank(model, "model");
    Args.notBlank(promptVersion, "promptVersion");
  }

  /** {@return this row as one line of JSON} */
  public String toJson() {
    return GeckoJson.toJsonLine(this, () -> "synthetic row " + id);
  }

  /**
   * Parses a row written by {@link #toJson()}; unknown fields are ignored.
   *
   * @param json one JSON object; not null
   * @return the row
   * @throws IllegalArgumentException if it is not a valid row (the message says which field)
   */
  public static SynthRow fromJson(String json) {
    return GeckoJson.fromJsonLine(json, SynthRow.class, "synthetic row");
  }
}
