package dev.gecko4j.core.fret;

import dev.gecko4j.core.TaskPrompt;
import java.util.List;
import java.util.Locale;

/**
 * Immutable, validated options of a FRet miner. Start from {@link #defaults()} and derive with the
 * {@code withX} methods; each returns a new instance and leaves this one unchanged.
 *
 * @param neighbours N, the number of nearest passages retrieved and re-ranked per query, in
 *     {@code [2, 1000]}; the paper uses 20
 * @param negativeStrategy how the hard negative is chosen; not null
 * @param seed seed for every random choice (task type per seed, random negatives), so runs repeat
 * @param tasks the task types query generation draws from (round-robin by seed hash); not empty, no
 *     blank element
 * @param relabelTask the task description used for existing queries in relabel mode; not blank
 * @param includeSeed whether the seed passage is always among the candidates (it replaces the last
 *     neighbour when retrieval did not return it), so the share of rows whose positive differs from
 *     the seed is measured against it
 * @param maxQueryChars generated queries longer than this are dropped as {@code too_long}, in
 *     {@code [8, 10000]}
 * @param maxPassageChars passages are cut to this many characters inside LLM prompts, in
 *     {@code [32, 100000]}
 * @param maxNewTokens the generation budget of query generation, in {@code [8, 4096]}
 * @param llmRetries how often a failed LLM call (exception, malformed or empty output) is retried
 *     before the seed is dropped with a reason, in {@code [0, 10]}
 */
public record FretOptions(
    int neighbours,
    NegativeStrategy negativeStrategy,
    long seed,
    List<String> tasks,
    String relabelTask,
    boolean includeSeed,
    int maxQueryChars,
    int maxPassageChars,
    int maxNewTokens,
    int llmRetries) {

  /** The default task types: Gecko's retrieval and similarity tasks. */
  public static final List<String> DEFAULT_TASKS =
      List.of(TaskPrompt.QUESTION_ANSWERING, TaskPrompt.SEARCH_RESULT, TaskPrompt.FACT_CHECKING,
          TaskPrompt.SENTENCE_SIMILARITY);

  /** Validates every field. */
  public FretOptions {
    range("neighbours", neighbours, 2, 1000);
    if (negativeStrategy == null) {
      throw new IllegalArgumentException(
          "negativeStrategy must be one of " + List.of(NegativeStrategy.values()) + ", but is: null");
    }
    if (tasks == null || tasks.isEmpty()) {
      throw new IllegalArgumentException("tasks must be a non-empty list, but is: " + tasks);
    }
    for (int i = 0; i < tasks.size(); i++) {
      if (tasks.get(i) == null || tasks.get(i).isBlank()) {
        throw new IllegalArgumentException(
            "tasks[" + i + "] must be a non-blank task description, but is: " + tasks.get(i));
      }
    }
    tasks = List.copyOf(tasks);
    if (relabelTask == null || relabelTask.isBlank()) {
      throw new IllegalArgumentException("relabelTask must be non-blank, but is: " + relabelTask);
    }
    range("maxQueryChars", maxQueryChars, 8, 10_000);
    range("maxPassageChars", maxPassageChars, 32, 100_000);
    range("maxNewTokens", maxNewTokens, 8, 4096);
    range("llmRetries", llmRetries, 0, 10);
  }

  /**
   * The defaults: N = 20, {@link NegativeStrategy#LOWEST}, seed 42, {@link #DEFAULT_TASKS}, relabel
   * task {@code search result}, seed included, queries up to 300 characters, passages cut at 600
   * characters in prompts, 128 new tokens, 2 retries.
   *
   * @return the default options
   */
  public static FretOptions defaults() {
    return new FretOptions(20, NegativeStrategy.LOWEST, 42, DEFAULT_TASKS, TaskPrompt.SEARCH_RESULT,
        true, 300, 600, 128, 2);
  }

  /**
   * Returns a copy with {@code n} neighbours.
   *
   * @param n the number of neighbours, in the range of {@link #neighbours()}
   * @return a copy with {@code n} neighbours
   * @throws IllegalArgumentException if {@code n} is invalid (see the record's
   *     components)
   */
  public FretOptions withNeighbours(int n) {
    return new FretOptions(n, negativeStrategy, seed, tasks, relabelTask, includeSeed,
        maxQueryChars, maxPassageChars, maxNewTokens, llmRetries);
  }

  /**
   * Returns a copy with this negative strategy.
   *
   * @param s the negative strategy; not null
   * @return a copy with this negative strategy
   * @throws IllegalArgumentException if {@code s} is invalid (see the record's
   *     components)
   */
  public FretOptions withNegativeStrategy(NegativeStrategy s) {
    return new FretOptions(neighbours, s, seed, tasks, relabelTask, includeSeed, maxQueryChars,
        maxPassageChars, maxNewTokens, llmRetries);
  }

  /**
   * Returns a copy with this random seed.
   *
   * @param s the random seed; any value
   * @return a copy with this random seed
   */
  public FretOptions withSeed(long s) {
    return new FretOptions(neighbours, negativeStrategy, s, tasks, relabelTask, includeSeed,
        maxQueryChars, maxPassageChars, maxNewTokens, llmRetries);
  }

  /**
   * Returns a copy with these task types.
   *
   * @param t the task types; not empty, no blank element
   * @return a copy with these task types
   * @throws IllegalArgumentException if {@code t} is invalid (see the record's
   *     components)
   */
  public FretOptions withTasks(List<String> t) {
    return new FretOptions(neighbours, negativeStrategy, seed, t, relabelTask, includeSeed,
        maxQueryChars, maxPassageChars, maxNewTokens, llmRetries);
  }

  /**
   * Returns a copy with this relabel task description.
   *
   * @param t the relabel task description; not blank
   * @return a copy with this relabel task description
   * @throws IllegalArgumentException if {@code t} is invalid (see the record's
   *     components)
   */
  public FretOptions withRelabelTask(String t) {
    return new FretOptions(neighbours, negativeStrategy, seed, tasks, t, includeSeed,
        maxQueryChars, maxPassageChars, maxNewTokens, llmRetries);
  }

  /**
   * Returns a copy that does or does not force the seed among the candidates.
   *
   * @param b whether the seed passage is always among the candidates
   * @return a copy that does or does not force the seed among the candidates
   */
  public FretOptions withIncludeSeed(boolean b) {
    return new FretOptions(neighbours, negativeStrategy, seed, tasks, relabelTask, b,
        maxQueryChars, maxPassageChars, maxNewTokens, llmRetries);
  }

  /**
   * Returns a copy with this passage cut-off for prompts.
   *
   * @param n the passage cut-off for prompts, in the range of {@link #maxPassageChars()}
   * @return a copy with this passage cut-off for prompts
   * @throws IllegalArgumentException if {@code n} is invalid (see the record's
   *     components)
   */
  public FretOptions withMaxPassageChars(int n) {
    return new FretOptions(neighbours, negativeStrategy, seed, tasks, relabelTask, includeSeed,
        maxQueryChars, n, maxNewTokens, llmRetries);
  }

  /**
   * Returns a copy with this generated-query length limit.
   *
   * @param n the generated-query length limit, in the range of {@link #maxQueryChars()}
   * @return a copy with this generated-query length limit
   * @throws IllegalArgumentException if {@code n} is invalid (see the record's
   *     components)
   */
  public FretOptions withMaxQueryChars(int n) {
    return new FretOptions(neighbours, negativeStrategy, seed, tasks, relabelTask, includeSeed,
        n, maxPassageChars, maxNewTokens, llmRetries);
  }

  /**
   * Returns a copy with this generation budget.
   *
   * @param n the generation budget, in the range of {@link #maxNewTokens()}
   * @return a copy with this generation budget
   * @throws IllegalArgumentException if {@code n} is invalid (see the record's
   *     components)
   */
  public FretOptions withMaxNewTokens(int n) {
    return new FretOptions(neighbours, negativeStrategy, seed, tasks, relabelTask, includeSeed,
        maxQueryChars, maxPassageChars, n, llmRetries);
  }

  /**
   * Returns a copy with this retry count.
   *
   * @param n the retry count, in the range of {@link #llmRetries()}
   * @return a copy with this retry count
   * @throws IllegalArgumentException if {@code n} is invalid (see the record's
   *     components)
   */
  public FretOptions withLlmRetries(int n) {
    return new FretOptions(neighbours, negativeStrategy, seed, tasks, relabelTask, includeSeed,
        maxQueryChars, maxPassageChars, maxNewTokens, n);
  }

  private static void range(String name, int v, int min, int max) {
    if (v < min || v > max) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "%s must be between %d and %d, but is: %d", name, min, max, v));
    }
  }
}
