package dev.gecko4j.fret.generate;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.gecko4j.core.internal.Args;
import dev.gecko4j.core.internal.GeckoJson;

/**
 * One E5-mistral-style synthetic example: a task, a query, a positive and a hard negative document,
 * all written by the LLM, with the placeholders the prompt was filled with.
 *
 * @param task the brainstormed task description
 * @param query the user query
 * @param positive the positive document
 * @param negative the hard negative document
 * @param queryType the query type placeholder (e.g. {@code extremely long-tail})
 * @param queryLength the query length placeholder (e.g. {@code less than 5 words})
 * @param clarity the clarity placeholder
 * @param numWords the document length placeholder, in words
 * @param difficulty the difficulty placeholder
 * @param language the language placeholder
 * @param model the language model's name
 * @param promptVersion {@link E5TripletGenerator#VERSION}
 */
public record E5Triplet(
    @JsonProperty("task") String task,
    @JsonProperty("query") String query,
    @JsonProperty("positive") String positive,
    @JsonProperty("negative") String negative,
    @JsonProperty("query_type") String queryType,
    @JsonProperty("query_length") String queryLength,
    @JsonProperty("clarity") String clarity,
    @JsonProperty("num_words") int numWords,
    @JsonProperty("difficulty") String difficulty,
    @JsonProperty("language") String language,
    @JsonProperty("model") String model,
    @JsonProperty("prompt_version") String promptVersion) {

  /** Validates the fields. */
  public E5Triplet {
    Args.notBlank(task, "task");
    Args.notBlank(query, "query");
    Args.notBlank(positive, "positive");
    Args.notBlank(negative, "negative");
    Args.notBlank(model, "model");
    Args.notBlank(promptVersion, "promptVersion");
    Args.positive(numWords, "numWords");
  }

  /** {@return this triplet as one line of JSON} */
  public String toJson() {
    return GeckoJson.toJsonLine(this, () -> "triplet");
  }
}
