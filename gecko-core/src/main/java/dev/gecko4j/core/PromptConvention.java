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

  /**
   * A convention that renders by a model's named prompts, as sentence-transformers' {@code
   * prompts} dictionary holds them: {@code names} gives, for a prompt, the prompt names to look
   * up in order; the first one {@code prompts} holds is prepended, and when none is held the text
   * is rendered by {@code fallback}. {@link TaskPrompt.Kind#NONE} prompts get no prefix.
   *
   * @param prompts prompt prefixes by name; not null (copied)
   * @param names the prompt names to try for a prompt, in order; not null, never returning null
   * @param fallback renders a prompt none of whose names is held; not null
   * @return the convention
   * @throws IllegalArgumentException if an argument is null or {@code prompts} holds a null
   */
  static PromptConvention named(java.util.Map<String, String> prompts,
      java.util.function.Function<TaskPrompt, java.util.List<String>> names,
      PromptConvention fallback) {
    Args.require(prompts != null, "prompts must not be null");
    Args.require(names != null, "names must not be null");
    Args.require(fallback != null, "fallback must not be null");
    java.util.Map<String, String> copy = java.util.Map.copyOf(prompts);
    return (p, text) -> {
      check(p, text);
      if (p.kind() == TaskPrompt.Kind.NONE) {
        return text;
      }
      for (String name : names.apply(p)) {
        String prefix = copy.get(name);
        if (prefix != null) {
          return prefix + text;
        }
      }
      return fallback.apply(p, text);
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
