package dev.gecko4j.core.fret;

/**
 * One unit of FRet work: a seed passage, and, in relabel mode, an existing query for it.
 *
 * <p>Without a query the miner generates one (task, query) with the LLM from the passage (the
 * paper's first step). With a query (e.g. a BEIR query and its qrel passage) generation is skipped
 * and only neighbour retrieval and re-ranking run.
 *
 * @param seedId the corpus id of the seed passage; not blank
 * @param title the passage title, or {@code null} when it has none
 * @param text the passage text; not blank
 * @param queryId the id of an existing query (relabel mode), or {@code null} to generate one
 * @param query the existing query text (relabel mode), or {@code null}; set exactly when
 *     {@code queryId} is set
 * @param task the task description of an existing query, or {@code null} (the miner then uses its
 *     default relabel task)
 */
public record FretSeed(
    String seedId, String title, String text, String queryId, String query, String task) {

  /** Validates the fields. */
  public FretSeed {
    if (seedId == null || seedId.isBlank()) {
      throw new IllegalArgumentException("seedId must be a non-blank string, but is: " + quote(seedId));
    }
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException(
          "text of seed '" + seedId + "' must be a non-blank string, but is: " + quote(text));
    }
    if ((queryId == null) != (query == null)) {
      throw new IllegalArgumentException(
          "queryId and query must both be set (relabel mode) or both be null (generation mode), but"
              + " queryId is " + quote(queryId) + " and query is " + quote(query));
    }
    if (query != null && query.isBlank()) {
      throw new IllegalArgumentException("query of seed '" + seedId + "' must not be blank");
    }
    if (task != null && task.isBlank()) {
      throw new IllegalArgumentException("task of seed '" + seedId + "' must be null or non-blank");
    }
  }

  /**
   * A seed for generation mode: the miner generates the task and query.
   *
   * @param seedId the passage id
   * @param title the passage title, or {@code null}
   * @param text the passage text
   * @return the seed
   * @throws IllegalArgumentException if {@code seedId} or {@code text} is blank
   */
  public static FretSeed forGeneration(String seedId, String title, String text) {
    return new FretSeed(seedId, title, text, null, null, null);
  }

  /**
   * A seed for relabel mode: an existing query and the passage it was labelled relevant to.
   *
   * @param queryId the query id
   * @param query the query text
   * @param seedId the passage id
   * @param title the passage title, or {@code null}
   * @param text the passage text
   * @return the seed
   * @throws IllegalArgumentException if an id, the query or the text is blank
   */
  public static FretSeed forRelabel(
      String queryId, String query, String seedId, String title, String text) {
    if (queryId == null || queryId.isBlank()) {
      throw new IllegalArgumentException("queryId must be a non-blank string, but is: " + quote(queryId));
    }
    return new FretSeed(seedId, title, text, queryId, query, null);
  }

  /** {@return whether this seed carries its own query (relabel mode)} */
  public boolean isRelabel() {
    return query != null;
  }

  /**
   * Returns the query id its row will carry: the given one in relabel mode, {@link
   * #generatedQueryId(String)} in generation mode.
   *
   * @return the row's query id; never null
   */
  public String rowQueryId() {
    return queryId != null ? queryId : generatedQueryId(seedId);
  }

  /**
   * Returns the key that identifies this unit of work in an output file: row query id and seed id.
   * A resumed run skips seeds whose key is already written.
   *
   * @return the work key
   */
  public String key() {
    return key(rowQueryId(), seedId);
  }

  /**
   * Returns the work key for a (query id, seed id) pair, as {@link #key()} and
   * {@link FretExample#key()} compute it.
   *
   * @param queryId the row's query id; not null
   * @param seedId the seed id; not null
   * @return {@code queryId + TAB + seedId}
   * @throws IllegalArgumentException if an argument is null
   */
  public static String key(String queryId, String seedId) {
    if (queryId == null || seedId == null) {
      throw new IllegalArgumentException(
          "queryId and seedId must not be null, but are: " + queryId + ", " + seedId);
    }
    return queryId + "\t" + seedId;
  }

  /**
   * Returns the query id given to a query generated from seed passage {@code seedId}:
   * {@code "gen:" + seedId}.
   *
   * @param seedId the seed id; not null
   * @return the generated query id
   * @throws IllegalArgumentException if {@code seedId} is null
   */
  public static String generatedQueryId(String seedId) {
    if (seedId == null) {
      throw new IllegalArgumentException("seedId must not be null");
    }
    return "gen:" + seedId;
  }

  private static String quote(String s) {
    return s == null ? "null" : "'" + s + "'";
  }
}
