package dev.gecko4j.fret.generate;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.gecko4j.core.internal.Args;
import dev.gecko4j.core.internal.GeckoJson;

/**
 * One E5-mistral-style synthetic example: a task, a query, a positive and a hard negative document,
 * all written by the LLM, with the placeholders the prompt was filled with.
 *
 * <p>In JSON each component is named in snake_case.
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
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record E5Triplet(
    String task,
    String query,
    String positive,
    String negative,
    String queryType,
    String queryLength,
    String clarity,
    int numWords,
    String difficulty,
    String language,
    String model,
    String promptVersion) {

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
