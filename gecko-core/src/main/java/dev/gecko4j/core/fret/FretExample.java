package dev.gecko4j.core.fret;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.gecko4j.core.internal.Args;
import dev.gecko4j.core.internal.GeckoJson;

/**
 * One mined FRet row: a (task, query) with the positive and hard negative passages chosen by LLM
 * re-ranking, their ids, ranks and scores, and the provenance (model, prompt version). Maps to one
 * JSON object per line (snake_case field names) with {@link #toJson()} / {@link #fromJson(String)}.
 *
 * <p>In JSON each component is named in snake_case.
 *
 * @param task the task description the query is for, e.g. {@code question answering}; not blank
 * @param query the query text; not blank
 * @param positive the positive passage text (p+, best by RRF); not null
 * @param negative the hard negative passage text (p-); not null
 * @param queryId the query id: the existing one in relabel mode, {@code gen:<seedId>} when generated
 * @param seedId the id of the seed passage the query came from
 * @param positiveId the corpus id of the positive
 * @param negativeId the corpus id of the negative; differs from {@code positiveId}
 * @param positiveScores the positive's ranks and scores
 * @param negativeScores the negative's ranks and scores
 * @param candidates N, how many candidates were re-ranked
 * @param llmRequests how many LLM requests this row cost (generation, QL and RC calls, retries)
 * @param model the language model's name
 * @param promptVersion the version of the P_QG / P_QL / P_RC prompts
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record FretExample(
    String task,
    String query,
    String positive,
    String negative,
    String queryId,
    String seedId,
    String positiveId,
    String negativeId,
    CandidateScores positiveScores,
    CandidateScores negativeScores,
    int candidates,
    int llmRequests,
    String model,
    String promptVersion) {

  /** Validates the fields. */
  public FretExample {
    nonBlank("task", task);
    nonBlank("query", query);
    Args.notNull(positive, "positive");
    Args.notNull(negative, "negative");
    nonBlank("queryId", queryId);
    nonBlank("seedId", seedId);
    nonBlank("positiveId", positiveId);
    nonBlank("negativeId", negativeId);
    if (positiveId.equals(negativeId)) {
      throw new IllegalArgumentException(
          "positiveId and negativeId must differ, but both are: '" + positiveId + "'");
    }
    Args.notNull(positiveScores, "positiveScores");
    Args.notNull(negativeScores, "negativeScores");
    Args.atLeast(candidates, 2, "candidates");
    Args.atLeast(llmRequests, 0, "llmRequests");
    nonBlank("model", model);
    nonBlank("promptVersion", promptVersion);
  }

  /**
   * {@return whether the positive is a passage other than the seed} The paper reports this for
   * about 15% of its examples.
   */
  public boolean positiveChanged() {
    return !positiveId.equals(seedId);
  }

  /** {@return the work key {@link FretSeed#key(String, String)} of this row (query id, seed id)} */
  public String key() {
    return FretSeed.key(queryId, seedId);
  }

  /**
   * Returns this row as one line of JSON (no line break).
   *
   * @return the JSON text
   */
  public String toJson() {
    return GeckoJson.toJsonLine(this, () -> "FretExample " + key());
  }

  /**
   * Parses a row written by {@link #toJson()}; unknown fields are ignored.
   *
   * @param json one JSON object; not null
   * @return the row
   * @throws IllegalArgumentException if {@code json} is null, not JSON, or misses or has invalid
   *     fields (the message says which)
   */
  public static FretExample fromJson(String json) {
    return GeckoJson.fromJsonLine(json, FretExample.class, "FretExample JSON row");
  }

  private static void nonBlank(String name, String v) {
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException(name + " must be a non-blank string, but is: "
          + (v == null ? "null" : "'" + v + "'"));
    }
  }
}
