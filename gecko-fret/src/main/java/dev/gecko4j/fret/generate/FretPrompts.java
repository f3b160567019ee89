package dev.gecko4j.fret.generate;

import dev.gecko4j.core.internal.Args;
import dev.gecko4j.fret.retrieve.Passage;
import java.util.List;

/**
 * The few-shot prompts of FRet: P_QG (query generation), P_QL (query likelihood) and P_RC
 * (relevance classification).
 *
 * <p>The prompts are short on purpose, so they fit small in-process models with a 512-token
 * context together with a query and a passage cut to a few hundred characters.
 *
 * <p>The Gecko paper does not publish its prompts. These are <b>our own</b>, written for gecko4j
 * and versioned by {@link #VERSION}, which every mined row records; change the version whenever a
 * prompt's wording changes, so rows from different prompts can be told apart.
 */
public final class FretPrompts {

  /** The version of all three prompts, recorded in every mined row. */
  public static final String VERSION = "gecko4j-fret-v2";

  /** Passages are never cut shorter than this many characters when a prompt must shrink. */
  public static final int MIN_PASSAGE_CHARS = 32;

  /** The relevance labels of P_RC, best first; each is scored as a continuation. */
  public static final List<String> RC_LABELS =
      List.of("highly relevant", "somewhat relevant", "not relevant");

  /** The grade of each label of {@link #RC_LABELS}, in {@code [0, 1]}. */
  public static final List<Double> RC_GRADES = List.of(1.0, 0.5, 0.0);

  private static final String QG_HEAD = """
      Write a task description and a search query that the passage answers, for the given task       type. Answer with one JSON object {"task": "...", "query": "..."} only.

      Task type: question answering
      Passage: Gecko toe pads carry millions of tiny hairs that stick to glass.
      {"task": "Given a question, retrieve passages that answer it", "query": "how do geckos climb glass"}

      Task type: fact checking
      Passage: The Great Wall of China is not visible from orbit with the naked eye.
      {"task": "Given a claim, retrieve evidence for or against it", "query": "The Great Wall can be seen from space."}

      Task type: search result
      Passage: Sourdough rises because wild yeast in the starter releases carbon dioxide.
      {"task": "Given a web search query, retrieve relevant passages", "query": "why does sourdough rise"}

      Task type: sentence similarity
      Passage: Regular exercise lowers blood pressure.
      {"task": "Retrieve sentences with the same meaning", "query": "Working out often reduces high blood pressure."}

      """;

  private static final String QL_HEAD = """
      Write a query that the passage answers.

      Passage: Gecko toe pads carry millions of tiny hairs that stick to glass.
      Query: how do geckos climb glass

      """;

  private static final String RC_HEAD = """
      How relevant is the passage to the query: highly relevant, somewhat relevant or not relevant?

      Query: how do geckos climb glass
      Passage: Gecko toe pads carry millions of tiny hairs that stick to glass.
      Relevance: highly relevant

      Query: how do geckos climb glass
      Passage: The Eiffel Tower was completed in 1889.
      Relevance: not relevant

      """;

  private FretPrompts() {}

  /**
   * Renders P_QG for a passage and a task type; the LLM is expected to continue with one JSON
   * object {@code {"task": ..., "query": ...}}.
   *
   * @param taskType the task type, e.g. {@code question answering}; not blank
   * @param passage the passage text (already cut to length); not null
   * @return the prompt
   * @throws IllegalArgumentException if an argument is null or {@code taskType} is blank
   */
  public static String queryGeneration(String taskType, String passage) {
    return queryGeneration(taskType, passage, true);
  }

  /**
   * Renders P_QG with or without its few-shot examples; the zero-shot form (instruction only) is
   * the fallback for models whose context cannot hold the examples.
   *
   * @param taskType the task type, e.g. {@code question answering}; not blank
   * @param passage the passage text (already cut to length); not null
   * @param fewShot whether to include the four worked examples
   * @return the prompt
   * @throws IllegalArgumentException if an argument is null or {@code taskType} is blank
   */
  public static String queryGeneration(String taskType, String passage, boolean fewShot) {
    Args.notBlank(taskType, "taskType");
    Args.notNull(passage, "passage");
    String head = fewShot ? QG_HEAD : QG_HEAD.substring(0, QG_HEAD.indexOf("\n\n") + 2);
    return head + "Task type: " + oneLine(taskType) + "\nPassage: " + oneLine(passage) + "\n";
  }

  /**
   * Renders the P_QL prompt for a passage; the query is scored as its continuation
   * ({@link #queryLikelihoodContinuation(String)}).
   *
   * @param passage the passage text (already cut to length); not null
   * @return the prompt, ending with {@code "Query:"}
   * @throws IllegalArgumentException if {@code passage} is null
   */
  public static String queryLikelihood(String passage) {
    Args.notNull(passage, "passage");
    return QL_HEAD + "Passage: " + oneLine(passage) + "\nQuery:";
  }

  /**
   * Returns the continuation scored under P_QL: a space and the query on one line.
   *
   * @param query the query; not blank
   * @return {@code " " + query}
   * @throws IllegalArgumentException if {@code query} is null or blank
   */
  public static String queryLikelihoodContinuation(String query) {
    Args.notBlank(query, "query");
    return " " + oneLine(query);
  }

  /**
   * Renders the P_RC prompt for a (query, passage) pair; each label of {@link #RC_LABELS} is scored
   * as its continuation ({@link #relevanceContinuation(String)}).
   *
   * @param query the query; not null
   * @param passage the passage text (already cut to length); not null
   * @return the prompt, ending with {@code "Relevance:"}
   * @throws IllegalArgumentException if an argument is null
   */
  public static String relevance(String query, String passage) {
    Args.notNull(query, "query");
    Args.notNull(passage, "passage");
    return RC_HEAD + "Query: " + oneLine(query) + "\nPassage: " + oneLine(passage) + "\nRelevance:";
  }

  /**
   * Returns the continuation scored for a relevance label under P_RC.
   *
   * @param label one of {@link #RC_LABELS}
   * @return {@code " " + label}
   * @throws IllegalArgumentException if {@code label} is not one of {@link #RC_LABELS}
   */
  public static String relevanceContinuation(String label) {
    Args.require(RC_LABELS.contains(label), "label must be one of %s, but is: %s", RC_LABELS, label);
    return " " + label;
  }

  /**
   * Cuts {@code text} to at most {@code maxChars} characters, at a word boundary when one is near.
   *
   * @param text the text; not null
   * @param maxChars the limit, {@code >= 1}
   * @return the text, or its cut prefix
   * @throws IllegalArgumentException if {@code text} is null or {@code maxChars < 1}
   */
  public static String cut(String text, int maxChars) {
    Args.notNull(text, "text");
    Args.positive(maxChars, "maxChars");
    if (text.length() <= maxChars) {
      return text;
    }
    int end = maxChars;
    if (Character.isHighSurrogate(text.charAt(end - 1))) {
      end--;
    }
    int space = text.lastIndexOf(' ', end);
    if (space > maxChars * 3 / 4) {
      end = space;
    }
    return text.substring(0, end);
  }

  private static String oneLine(String s) {
    return s.replaceAll("\\s+", " ").strip();
  }
}
