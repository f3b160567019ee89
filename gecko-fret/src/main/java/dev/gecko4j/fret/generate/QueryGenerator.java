package dev.gecko4j.fret.generate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gecko4j.core.fret.FretOptions;
import dev.gecko4j.core.internal.Args;
import dev.gecko4j.core.lm.Generation;
import dev.gecko4j.core.lm.GenerationOptions;
import dev.gecko4j.core.lm.LanguageModel;
import dev.gecko4j.core.lm.LanguageModelException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * FRet step 1: asks the LLM (prompt {@link FretPrompts#queryGeneration P_QG}) for a task description
 * and a query for a seed passage, and validates the answer. An invalid answer or an LLM failure is
 * retried up to {@link FretOptions#llmRetries()} times (sampling with a new seed each time); after
 * that the seed fails with the reason of the last attempt: {@code no_json}, {@code empty_output},
 * {@code missing_field}, {@code empty_query}, {@code too_long}, {@code echo} (the query copies the
 * passage), {@code llm_error} or {@code prompt_too_long}. A prompt the model rejects with
 * {@link IllegalArgumentException} (longer than its context) is repeated, without counting as a
 * retry, first with the zero-shot form of P_QG, then with the passage cut to half the length, down
 * to 32 characters; each call starts again from the configured cut, so a seed's query does not
 * depend on the seeds generated before it.
 *
 * <p>Thread-safe when the language model is.
 */
public final class QueryGenerator {

  /** Sampling temperature of query generation (diverse queries, as the paper samples). */
  public static final double TEMPERATURE = 0.8;

  private final LanguageModel llm;
  private final FretOptions options;

  /**
   * Creates a generator.
   *
   * @param llm the language model; must be able to generate
   * @param options the options (retries, limits); not null
   * @throws IllegalArgumentException if an argument is null or the model cannot generate
   */
  public QueryGenerator(LanguageModel llm, FretOptions options) {
    Args.notNull(llm, "llm");
    Args.notNull(options, "options");
    if (!llm.capabilities().canGenerate()) {
      throw new IllegalArgumentException("language model '" + llm.name()
          + "' cannot generate text; query generation needs one that can (or use relabel mode)");
    }
    this.llm = llm;
    this.options = options;
  }

  /** A generation's result: a query or a failure reason, and the LLM requests it took. */
  public sealed interface Result {
    /** {@return the LLM requests made, including retries} */
    int requests();
  }

  /**
   * A valid generated query.
   *
   * @param task the task description
   * @param query the query
   * @param requests the LLM requests made
   */
  public record Generated(String task, String query, int requests) implements Result {}

  /**
   * No valid query after all attempts.
   *
   * @param reason the reason of the last attempt (snake_case)
   * @param detail the start of the last bad output or error message
   * @param requests the LLM requests made
   */
  public record Failed(String reason, String detail, int requests) implements Result {}

  /**
   * Generates a (task, query) for {@code passage} with task type {@code taskType}.
   *
   * @param taskType the task type to ask for; not blank
   * @param passage the seed passage text; not blank
   * @param seed the sampling seed of the first attempt (attempt i uses {@code seed + i})
   * @return the query or the failure
   * @throws IllegalArgumentException if {@code taskType} or {@code passage} is null or blank
   */
  public Result generate(String taskType, String passage, long seed) {
    if (passage == null || passage.isBlank()) {
      throw new IllegalArgumentException("passage must be non-blank, but is: " + passage);
    }
    GenerationOptions gen = new GenerationOptions(
        options.maxNewTokens(), TEMPERATURE, 0.95, List.of("\n\n"), seed);
    // per call, not remembered: a seed's query depends on the seed alone
    int cut = options.maxPassageChars();
    boolean fewShot = true;
    Failed last = null;
    int requests = 0;
    int attempt = 0;
    while (attempt <= options.llmRetries()) {
      String prompt = FretPrompts.queryGeneration(taskType, FretPrompts.cut(passage, cut),
          fewShot);
      requests++;
      String text;
      try {
        List<Generation> out = llm.generate(List.of(prompt), gen.withSeed(seed + attempt));
        attempt++;
        if (out == null || out.size() != 1) {
          last = new Failed("llm_error", "expected 1 generation, got "
              + (out == null ? "null" : out.size()), requests);
          continue;
        }
        text = out.get(0).text();
      } catch (LanguageModelException e) {
        attempt++;
        last = new Failed("llm_error", String.valueOf(e.getMessage()), requests);
        continue;
      } catch (IllegalArgumentException e) {
        // the model rejected the prompt (typically longer than its context): cut the passage
        last = new Failed("prompt_too_long", String.valueOf(e.getMessage()), requests);
        if (fewShot) {
          fewShot = false; // first fall back to the zero-shot prompt
        } else if (cut / 2 >= FretPrompts.MIN_PASSAGE_CHARS) {
          cut /= 2;
        } else {
          attempt++;
        }
        continue;
      }
      Result r = parse(text, passage, options.maxQueryChars());
      if (r instanceof Generated g) {
        return new Generated(g.task(), g.query(), requests);
      }
      Failed f = (Failed) r;
      last = new Failed(f.reason(), f.detail(), requests);
    }
    return last;
  }

  /**
   * Validates one LLM answer: extracts the first JSON object, reads {@code task} and {@code query}.
   *
   * @param output the LLM output; not null
   * @param passage the seed passage (an answer that copies it is rejected as {@code echo}); not null
   * @param maxQueryChars the longest query accepted
   * @return {@link Generated} with 0 requests, or {@link Failed} with the reason and 0 requests
   * @throws IllegalArgumentException if {@code output} or {@code passage} is null
   */
  public static Result parse(String output, String passage, int maxQueryChars) {
    Args.notNull(output, "output");
    Args.notNull(passage, "passage");
    Optional<ObjectNode> json = JsonExtraction.firstObject(output);
    if (json.isEmpty()) {
      return new Failed(output.isBlank() ? "empty_output" : "no_json", head(output), 0);
    }
    JsonNode task = json.get().get("task");
    JsonNode query = json.get().get("query");
    if (task == null || !task.isTextual() || query == null || !query.isTextual()) {
      return new Failed("missing_field", head(json.get().toString()), 0);
    }
    String t = task.asText().strip();
    String q = query.asText().replaceAll("\\s+", " ").strip();
    if (q.isEmpty()) {
      return new Failed("empty_query", head(json.get().toString()), 0);
    }
    if (t.isEmpty()) {
      return new Failed("missing_field", "empty task: " + head(json.get().toString()), 0);
    }
    if (q.length() > maxQueryChars) {
      return new Failed("too_long", String.format(Locale.ROOT, "query has %d chars, limit %d",
          q.length(), maxQueryChars), 0);
    }
    if (normalise(q).equals(normalise(passage))) {
      return new Failed("echo", head(q), 0);
    }
    return new Generated(t, q, 0);
  }

  /**
   * Lower-cases and collapses white space: the form in which generated queries are compared for
   * duplicate detection.
   *
   * @param s the query; not null
   * @return the normalised query
   * @throws IllegalArgumentException if {@code s} is null
   */
  public static String normalise(String s) {
    Args.notNull(s, "s");
    return s.toLowerCase(Locale.ROOT).replaceAll("\\s+", " ").strip();
  }

  private static String head(String s) {
    String one = s.replaceAll("\\s+", " ").strip();
    return one.length() <= 120 ? one : one.substring(0, 120) + "...";
  }
}
