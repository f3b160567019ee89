package dev.gecko4j.core;

import java.util.List;

/**
 * What a text is for: the task and the side (query, document, symmetric) an {@link Embedder}
 * embeds it as. A {@link PromptConvention} turns it into the string the model was trained on.
 *
 * <p>In Gecko's unified format (the {@link PromptConvention#GECKO} convention):
 * <ul>
 *   <li>query side: {@code task: {task} | query: {text}};
 *   <li>document side of asymmetric tasks (retrieval): {@code title: {title or "none"} | text: {text}};
 *   <li>symmetric tasks (STS, classification, clustering): both sides use the query form.
 * </ul>
 *
 * <p>Instances are immutable and validated on creation.
 *
 * @param kind which side the text is on
 * @param task the task description, e.g. {@link #SEARCH_RESULT}; {@code null} for documents and
 *     {@link Kind#NONE}
 * @param title the document title ({@code null} when absent, rendered as {@code none}); only for
 *     documents
 */
public record TaskPrompt(Kind kind, String task, String title) {

  /** Which side of a task a text is on. */
  public enum Kind {
    /** The query of an asymmetric (retrieval-like) task. */
    QUERY,
    /** The document (passage) of an asymmetric task. */
    DOCUMENT,
    /** Either text of a symmetric task (similarity, classification, clustering). */
    SYMMETRIC,
    /** No prompt at all: the text is embedded as is. */
    NONE
  }

  /** Web-search style retrieval (asymmetric). */
  public static final String SEARCH_RESULT = "search result";
  /** Question answering retrieval (asymmetric). */
  public static final String QUESTION_ANSWERING = "question answering";
  /** Fact checking: find evidence for a claim (asymmetric). */
  public static final String FACT_CHECKING = "fact checking";
  /** Code retrieval (asymmetric). */
  public static final String CODE_RETRIEVAL = "code retrieval";
  /** Classification (symmetric). */
  public static final String CLASSIFICATION = "classification";
  /** Clustering (symmetric). */
  public static final String CLUSTERING = "clustering";
  /** Semantic textual similarity (symmetric). */
  public static final String SENTENCE_SIMILARITY = "sentence similarity";

  /** The task vocabulary used by public Gecko-family models. */
  public static final List<String> KNOWN_TASKS =
      List.of(SEARCH_RESULT, QUESTION_ANSWERING, FACT_CHECKING, CODE_RETRIEVAL, CLASSIFICATION,
          CLUSTERING, SENTENCE_SIMILARITY);

  private static final TaskPrompt NONE_PROMPT = new TaskPrompt(Kind.NONE, null, null);
  private static final TaskPrompt UNTITLED_DOCUMENT = new TaskPrompt(Kind.DOCUMENT, null, null);

  /** Validates the combination of kind, task and title. */
  public TaskPrompt {
    if (kind == null) {
      throw new IllegalArgumentException(
          "kind must not be null; expected one of " + List.of(Kind.values()));
    }
    switch (kind) {
      case QUERY, SYMMETRIC -> {
        if (task == null || task.isBlank()) {
          throw new IllegalArgumentException(
              "task must be a non-blank string for a " + kind + " prompt, but is: "
                  + (task == null ? "null" : "'" + task + "'") + "; known tasks are " + KNOWN_TASKS);
        }
        if (title != null) {
          throw new IllegalArgumentException(
              "title is only allowed on DOCUMENT prompts, but a " + kind + " prompt has title '"
                  + title + "'");
        }
      }
      case DOCUMENT -> {
        if (task != null) {
          throw new IllegalArgumentException(
              "a DOCUMENT prompt has no task, but task is '" + task + "'");
        }
      }
      case NONE -> {
        if (task != null || title != null) {
          throw new IllegalArgumentException("a NONE prompt has neither task nor title");
        }
      }
    }
  }

  /**
   * The query side of an asymmetric task, e.g. {@code query(SEARCH_RESULT)}.
   *
   * @param task a task from {@link #KNOWN_TASKS} or a custom description; not blank
   * @return the query-side prompt
   * @throws IllegalArgumentException if {@code task} is null or blank
   */
  public static TaskPrompt query(String task) {
    return new TaskPrompt(Kind.QUERY, task, null);
  }

  /**
   * {@return the document side of an asymmetric task, with no title} It is rendered
   * {@code title: none}.
   */
  public static TaskPrompt document() {
    return UNTITLED_DOCUMENT;
  }

  /**
   * The document side of an asymmetric task.
   *
   * @param title the document's title, or {@code null} (or blank) when it has none
   * @return the document-side prompt
   */
  public static TaskPrompt document(String title) {
    return title == null || title.isBlank() ? UNTITLED_DOCUMENT
        : new TaskPrompt(Kind.DOCUMENT, null, title);
  }

  /**
   * Either side of a symmetric task, e.g. {@code symmetric(SENTENCE_SIMILARITY)}.
   *
   * @param task a task from {@link #KNOWN_TASKS} or a custom description; not blank
   * @return the symmetric prompt
   * @throws IllegalArgumentException if {@code task} is null or blank
   */
  public static TaskPrompt symmetric(String task) {
    return new TaskPrompt(Kind.SYMMETRIC, task, null);
  }

  /** {@return no prompt: texts are embedded exactly as given} */
  public static TaskPrompt none() {
    return NONE_PROMPT;
  }

  /**
   * Renders {@code text} in Gecko's unified format (same as
   * {@code PromptConvention.GECKO.apply(this, text)}).
   *
   * @param text the text; not null
   * @return the prompted text
   * @throws IllegalArgumentException if {@code text} is null
   */
  public String apply(String text) {
    return PromptConvention.GECKO.apply(this, text);
  }
}
