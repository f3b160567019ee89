package dev.gecko4j.core;

import dev.gecko4j.core.internal.Args;

/**
 * How a model family wants its inputs prompted: maps a {@link TaskPrompt} and a text to the
 * string that is tokenised. Each bundled model carries the convention it was trained with.
 *
 * <ul>
 *   <li>{@link #GECKO}: {@code task: {task} | query: {text}} for queries and symmetric tasks,
 *       {@code title: {title or none} | text: {text}} for documents;
 *   <li>{@link #BGE}: BGE v1.5 prepends {@code Represent this sentence for searching relevant
 *       passages: } to retrieval queries only;
 *   <li>{@link #E5}: {@code query: } for queries and symmetric texts, {@code passage: } for
 *       documents;
 *   <li>{@link #E5_MISTRAL}: {@code Instruct: {task}\nQuery: {text}} on the query side only;
 *   <li>{@link #NONE}: texts are used as given.
 * </ul>
 *
 * <p>Implementations must be stateless and thread-safe.
 */
@FunctionalInterface
public interface PromptConvention {

  /**
   * Returns the string to tokenise for {@code text} embedded as {@code prompt}.
   *
   * @param prompt the task prompt; not null
   * @param text the text; not null
   * @return the prompted text
   * @throws IllegalArgumentException if {@code prompt} or {@code text} is null
   */
  String apply(TaskPrompt prompt, String text);

  /** Gecko's unified format. */
  PromptConvention GECKO = (p, text) -> {
    check(p, text);
    return switch (p.kind()) {
      case QUERY, SYMMETRIC -> "task: " + p.task() + " | query: " + text;
      case DOCUMENT -> "title: " + (p.title() == null ? "none" : p.title()) + " | text: " + text;
      case NONE -> text;
    };
  };

  /** BGE v1.5: the retrieval instruction on asymmetric queries only. */
  PromptConvention BGE = prefixes("Represent this sentence for searching relevant passages: ", "", "");

  /** E5 (v2): {@code query: } / {@code passage: }. */
  PromptConvention E5 = prefixes("query: ", "passage: ", "query: ");

  /** E5-mistral: {@code Instruct: {task}\nQuery: {text}} on the query side, documents as is. */
  PromptConvention E5_MISTRAL = (p, text) -> {
    check(p, text);
    return switch (p.kind()) {
      case QUERY, SYMMETRIC -> "Instruct: " + p.task() + "\nQuery: " + text;
      case DOCUMENT, NONE -> text;
    };
  };

  /** Texts are embedded as given, whatever the prompt. */
  PromptConvention NONE = (p, text) -> {
    check(p, text);
    return text;
  };

  /**
   * A convention that prepends fixed prefixes per side (as sentence-transformers' {@code prompts}
   * do). {@link TaskPrompt.Kind#NONE} prompts get no prefix.
   *
   * @param query prefix for {@link TaskPrompt.Kind#QUERY} texts; not null (may be empty)
   * @param document prefix for {@link TaskPrompt.Kind#DOCUMENT} texts; not null (may be empty)
   * @param symmetric prefix for {@link TaskPrompt.Kind#SYMMETRIC} texts; not null (may be empty)
   * @return the convention
   * @throws IllegalArgumentException if a prefix is null
   */
  static PromptConvention prefixes(String query, String document, String symmetric) {
    Args.require(query != null, "query prefix must not be null (use \"\" for none)");
    Args.require(document != null, "document prefix must not be null (use \"\" for none)");
    Args.require(symmetric != null, "symmetric prefix must not be null (use \"\" for none)");
    return (p, text) -> {
      check(p, text);
      return switch (p.kind()) {
        case QUERY -> query + text;
        case DOCUMENT -> document + text;
        case SYMMETRIC -> symmetric + text;
        case NONE -> text;
      };
    };
  }

  private static void check(TaskPrompt p, String text) {
    if (p == null) {
      throw new IllegalArgumentException("prompt must not be null; use TaskPrompt.none() for none");
    }
    if (text == null) {
      throw new IllegalArgumentException("text must not be null");
    }
  }
}
