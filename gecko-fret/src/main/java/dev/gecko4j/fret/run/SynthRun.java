package dev.gecko4j.fret.run;

import dev.gecko4j.fret.internal.JsonlAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gecko4j.core.internal.GeckoJson;
import dev.gecko4j.core.lm.GenerationOptions;
import dev.gecko4j.core.lm.LanguageModel;
import dev.gecko4j.core.lm.LanguageModelException;
import dev.gecko4j.fret.generate.E5TaskKind;
import dev.gecko4j.fret.generate.E5TripletGenerator;
import dev.gecko4j.fret.generate.QueryGenerator;
import dev.gecko4j.fret.generate.SynthRow;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

/**
 * E5-mistral's synthetic data, end to end and resumable: for each {@link E5TaskKind}, brainstorm a
 * pool of tasks, then write {@code examplesPerTask} JSON examples for each of the first {@code
 * tasksPerKind} tasks, each under placeholders drawn from the paper's value lists; validate every
 * reply ({@link E5TaskKind#parse}), drop duplicates (same query, lower-cased and white space
 * collapsed) and append each valid triplet as one {@link SynthRow} to a JSONL file.
 *
 * <h2>Files</h2>
 *
 * <ul>
 *   <li>{@code <output>}: the rows, one per line;
 *   <li>{@code <output>.drops.jsonl}: every dropped reply, {@code {"id", "kind", "reason",
 *       "detail"}};
 *   <li>{@code <output>.tasks.jsonl}: every brainstorm answer, {@code {"kind", "round", "tasks"}}, so
 *       that a resumed run works on the same task pools.
 * </ul>
 *
 * <h2>Resume</h2>
 *
 * <p>The output is written as {@link MiningRun} writes {@code gecko mine}'s: each line whole, forced
 * to disk ({@code fsync}) before the next LLM result is handled, and on start a torn last line is
 * cut off and every complete line read back. Each unit of work has a stable id ({@code
 * e5:<kind>:<task index>:<example index>}), stable placeholders (drawn from a generator seeded
 * by the run's seed and the id) and its own sampling seed, sent with its call: a unit whose id is
 * in the output or in the drop log is not asked again. So a run killed at any moment (SIGKILL included) and started again with the same
 * arguments ends with every row once; the units in flight at the kill are simply asked again. A
 * unit whose LLM call failed (after the client's own retries) is logged as {@code llm_error} and
 * asked again by the next run; replies refused by validation are final.
 *
 * <p>Kinds without a brainstorm step (STS, bitext) use their fixed task for all {@code
 * tasksPerKind x examplesPerTask} units. Not thread-safe; one run per output file at a time.
 */
public final class SynthRun {

  private static final System.Logger LOG = System.getLogger(SynthRun.class.getName());

  private final LanguageModel llm;
  private final Path output;
  private final Path dropLog;
  private final Path taskLog;
  private final List<E5TaskKind> kinds;
  private final int tasksPerKind;
  private final int examplesPerTask;
  private final List<String> languages;
  private final long seed;
  private final int maxNewTokens;
  private final double temperature;
  private final double topP;
  private final int maxChars;
  private final int batchSize;
  private final BooleanSupplier stopWhen;
  private final Listener listener;
  private java.util.concurrent.ExecutorService pool;

  private SynthRun(Builder b) {
    this.llm = b.llm;
    this.output = b.output;
    this.dropLog = MiningRun.dropLogOf(b.output);
    this.taskLog = taskLogOf(b.output);
    this.kinds = List.copyOf(b.kinds);
    this.tasksPerKind = b.tasksPerKind;
    this.examplesPerTask = b.examplesPerTask;
    this.languages = List.copyOf(b.languages);
    this.seed = b.seed;
    this.maxNewTokens = b.maxNewTokens;
    this.temperature = b.temperature;
    this.topP = b.topP;
    this.maxChars = b.maxChars;
    this.batchSize = b.batchSize;
    this.stopWhen = b.stopWhen;
    this.listener = b.listener;
  }

  /** {@return a builder} */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the task log that goes with an output file: {@code <output>.tasks.jsonl}.
   *
   * @param output the output file; not null
   * @return the task log path
   * @throws IllegalArgumentException if {@code output} is null
   */
  public static Path taskLogOf(Path output) {
    if (output == null) {
      throw new IllegalArgumentException("output must not be null");
    }
    return output.resolveSibling(output.getFileName() + ".tasks.jsonl");
  }

  /** Hears of a run's progress; every method has a no-op default. */
  public interface Listener {
    /** A listener that hears nothing. */
    Listener NONE = new Listener() {};

    /**
     * Called once the output was read back.
     *
     * @param rows the rows found
     * @param drops the final drops found
     * @param truncatedBytes bytes of a torn last line cut off
     */
    default void onStart(long rows, long drops, long truncatedBytes) {}

    /**
     * Called when a kind's task pool is ready.
     *
     * @param kind the kind
     * @param tasks the tasks that will get examples
     */
    default void onTasks(E5TaskKind kind, List<String> tasks) {}

    /**
     * Called after a row was written and forced to disk.
     *
     * @param row the row
     * @param rows the rows the output holds now
     * @param target the rows the output holds when every unit yields one
     */
    default void onRow(SynthRow row, long rows, long target) {}

    /**
     * Called after a drop was logged.
     *
     * @param id the unit id
     * @param reason the reason
     * @param detail the detail
     */
    default void onDrop(String id, String reason, String detail) {}

    /**
     * A listener that prints to {@code out}: the start, each task pool, every {@code everyRows}-th
     * row and every drop.
     *
     * @param out where to print; not null
     * @param everyRows print every this many rows, {@code >= 1}
     * @return the listener
     * @throws IllegalArgumentException if {@code out} is null or {@code everyRows < 1}
     */
    static Listener printing(PrintStream out, int everyRows) {
      if (out == null || everyRows < 1) {
        throw new IllegalArgumentException(
            "out must not be null and everyRows >= 1, but are: " + out + ", " + everyRows);
      }
      return new Listener() {
        @Override
        public void onStart(long rows, long drops, long truncatedBytes) {
          if (rows == 0 && drops == 0 && truncatedBytes == 0) {
            out.println("synth: starting with an empty output");
          } else {
            out.printf(Locale.ROOT, "synth: resuming with %d rows and %d drops%s%n", rows, drops,
                truncatedBytes > 0 ? " (cut a torn last line of " + truncatedBytes + " bytes)"
                    : "");
          }
        }

        @Override
        public void onTasks(E5TaskKind kind, List<String> tasks) {
          out.printf(Locale.ROOT, "synth: %s: %d tasks%n", kind.id(), tasks.size());
        }

        @Override
        public void onRow(SynthRow row, long rows, long target) {
          if (rows % everyRows == 0 || rows == target) {
            out.printf(Locale.ROOT, "synth: %d/%d rows%n", rows, target);
          }
        }

        @Override
        public void onDrop(String id, String reason, String detail) {
          out.printf(Locale.ROOT, "synth: dropped %s (%s): %s%n", id, reason, detail);
        }
      };
    }
  }

  /**
   * Builds a {@link SynthRun}: {@link #llm}, {@link #output}, {@link #tasksPerKind} and {@link
   * #examplesPerTask} are required; setters return this builder and check their argument.
   */
  public static final class Builder {
    private LanguageModel llm;
    private Path output;
    private List<E5TaskKind> kinds = List.of(E5TaskKind.values());
    private int tasksPerKind;
    private int examplesPerTask;
    private List<String> languages = List.of("English");
    private long seed = 42;
    private int maxNewTokens = 2048;
    private double temperature = 1.0;
    private double topP = 1.0;
    private int maxChars = 20_000;
    private int batchSize = 8;
    private BooleanSupplier stopWhen = () -> false;
    private Listener listener = Listener.NONE;

    private Builder() {}

    /**
     * Sets the language model that writes the tasks and examples.
     *
     * @param m the model; not null
     * @return this builder
     * @throws IllegalArgumentException if null
     */
    public Builder llm(LanguageModel m) {
      if (m == null) {
        throw new IllegalArgumentException("llm must not be null");
      }
      this.llm = m;
      return this;
    }

    /**
     * Sets the output JSONL file (appended to; created when missing).
     *
     * @param p the file; not null
     * @return this builder
     * @throws IllegalArgumentException if null
     */
    public Builder output(Path p) {
      if (p == null) {
        throw new IllegalArgumentException("output must not be null");
      }
      this.output = p;
      return this;
    }

    /**
     * Sets the task kinds, in the order they are worked on (default: all, in declaration order).
     *
     * @param k the kinds; not empty, no nulls, no repeats
     * @return this builder
     * @throws IllegalArgumentException if empty, holding null or a repeat
     */
    public Builder kinds(List<E5TaskKind> k) {
      if (k == null || k.isEmpty() || k.stream().anyMatch(java.util.Objects::isNull)
          || new HashSet<>(k).size() != k.size()) {
        throw new IllegalArgumentException(
            "kinds must be a non-empty list of distinct kinds, but is: " + k);
      }
      this.kinds = List.copyOf(k);
      return this;
    }

    /**
     * Sets how many tasks of each brainstormed kind get examples (the pool is brainstormed until
     * it holds this many, or a few rounds brought no more).
     *
     * @param n the tasks per kind, in {@code [1, 100000]}
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder tasksPerKind(int n) {
      if (n < 1 || n > 100_000) {
        throw new IllegalArgumentException("tasksPerKind must be between 1 and 100000, but is: " + n);
      }
      this.tasksPerKind = n;
      return this;
    }

    /**
     * Sets how many examples each task gets (each under its own placeholders).
     *
     * @param n the examples per task, in {@code [1, 100000]}
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder examplesPerTask(int n) {
      if (n < 1 || n > 100_000) {
        throw new IllegalArgumentException(
            "examplesPerTask must be between 1 and 100000, but is: " + n);
      }
      this.examplesPerTask = n;
      return this;
    }

    /**
     * Sets the languages the {@code language} placeholder is drawn from (default English).
     *
     * @param l the languages; not empty, no blanks
     * @return this builder
     * @throws IllegalArgumentException if empty or holding a blank
     */
    public Builder languages(List<String> l) {
      if (l == null || l.isEmpty() || l.stream().anyMatch(s -> s == null || s.isBlank())) {
        throw new IllegalArgumentException(
            "languages must be a non-empty list of non-blank names, but is: " + l);
      }
      this.languages = l.stream().map(String::strip).toList();
      return this;
    }

    /**
     * Sets the seed of the placeholders and of the LLM's sampling (default 42): the same seed gives
     * the same prompts.
     *
     * @param s the seed
     * @return this builder
     */
    public Builder seed(long s) {
      this.seed = s;
      return this;
    }

    /**
     * Sets the generation budget per call (default 2048 tokens).
     *
     * @param n tokens, in {@code [16, 32768]}
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder maxNewTokens(int n) {
      if (n < 16 || n > 32_768) {
        throw new IllegalArgumentException("maxNewTokens must be between 16 and 32768, but is: " + n);
      }
      this.maxNewTokens = n;
      return this;
    }

    /**
     * Sets the sampling (default temperature 1.0, top-p 1.0, as the paper's diversity asks).
     *
     * @param t the temperature, in {@code (0, 2]}
     * @param p the top-p, in {@code (0, 1]}
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder sampling(double t, double p) {
      if (!(t > 0 && t <= 2) || !(p > 0 && p <= 1)) {
        throw new IllegalArgumentException("temperature must be in (0, 2] and top-p in (0, 1], but"
            + " are: " + t + ", " + p);
      }
      this.temperature = t;
      this.topP = p;
      return this;
    }

    /**
     * Sets the longest text a reply may hold in a field (default 20000 characters); longer replies
     * are dropped as {@code too_long}.
     *
     * @param n characters, {@code >= 1}
     * @return this builder
     * @throws IllegalArgumentException if {@code n < 1}
     */
    public Builder maxChars(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("maxChars must be >= 1, but is: " + n);
      }
      this.maxChars = n;
      return this;
    }

    /**
     * Sets how many example prompts are in flight at once (default 8): each is its own {@link
     * LanguageModel#generate} call with its own seed, made concurrently, and their rows are written
     * in unit order once all have answered. A killed run asks at most these again.
     *
     * @param n prompts in flight, in {@code [1, 1024]}
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder batchSize(int n) {
      if (n < 1 || n > 1024) {
        throw new IllegalArgumentException("batchSize must be between 1 and 1024, but is: " + n);
      }
      this.batchSize = n;
      return this;
    }

    /**
     * Sets the stop request, asked before each batch (e.g. a {@link StopSignal}): once it says
     * true, the run returns with its files closed and forced to disk.
     *
     * @param s the stop request (default: never); not null
     * @return this builder
     * @throws IllegalArgumentException if null
     */
    public Builder stopWhen(BooleanSupplier s) {
      if (s == null) {
        throw new IllegalArgumentException("stopWhen must not be null");
      }
      this.stopWhen = s;
      return this;
    }

    /**
     * Sets the progress listener (default {@link Listener#NONE}).
     *
     * @param l the listener; not null
     * @return this builder
     * @throws IllegalArgumentException if null
     */
    public Builder listener(Listener l) {
      if (l == null) {
        throw new IllegalArgumentException("listener must not be null");
      }
      this.listener = l;
      return this;
    }

    /**
     * Builds the run.
     *
     * @return the run
     * @throws IllegalStateException if the model, output, tasks per kind or examples per task is
     *     missing
     */
    public SynthRun build() {
      if (llm == null || output == null || tasksPerKind == 0 || examplesPerTask == 0) {
        throw new IllegalStateException("llm, output, tasksPerKind and examplesPerTask are required,"
            + " but llm is " + (llm == null ? "missing" : "set") + ", output " + output
            + ", tasksPerKind " + tasksPerKind + ", examplesPerTask " + examplesPerTask);
      }
      return new SynthRun(this);
    }
  }

  /** One unit of work: one example prompt. */
  private record Unit(String id, E5TaskKind kind, String task, Map<String, String> placeholders,
      long seed) {}

  private static final String LLM_ERROR = "llm_error";

  /**
   * Runs (or resumes) the generation until every unit has a row or a final drop, or a stop is
   * asked for.
   *
   * @return the statistics of the output
   * @throws IllegalArgumentException if the output, drop log or task log holds an invalid complete
   *     line (named by {@code path:line})
   * @throws java.io.UncheckedIOException if reading or writing fails
   */
  public SynthStats run() {
    long start = System.nanoTime();
    long truncated = JsonlAppender.truncateTornTail(output)
        + JsonlAppender.truncateTornTail(dropLog) + JsonlAppender.truncateTornTail(taskLog);
    if (truncated > 0) {
      LOG.log(System.Logger.Level.WARNING, "cut a torn last line ({0} bytes, written by a run that"
          + " was killed or failed) off {1}, {2} or {3}; its unit is asked again", truncated,
          output, dropLog, taskLog);
    }
    Set<String> done = new HashSet<>();
    Set<String> seen = new HashSet<>();
    Map<String, Long> rowsByKind = new TreeMap<>();
    long[] rows = {0};
    FretRows.forEachLine(output, (lineNo, line) -> {
      SynthRow row;
      try {
        row = SynthRow.fromJson(line);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(output + ":" + lineNo + ": not a valid synthetic row: "
            + e.getMessage(), e);
      }
      if (done.add(row.id())) {
        seen.add(QueryGenerator.normalise(row.query()));
        rowsByKind.merge(row.kind(), 1L, Long::sum);
        rows[0]++;
      }
    });
    Map<String, Long> dropped = new TreeMap<>();
    FretRows.forEachLine(dropLog, (lineNo, line) -> {
      JsonNode d = readObject(dropLog, lineNo, line, "id", "reason");
      String id = d.get("id").asText();
      String reason = d.get("reason").asText();
      if (!reason.equals(LLM_ERROR) && done.add(id)) {
        dropped.merge(reason, 1L, Long::sum);
      }
    });
    Map<E5TaskKind, List<List<String>>> rounds = new EnumMap<>(E5TaskKind.class);
    FretRows.forEachLine(taskLog, (lineNo, line) -> {
      JsonNode t = readObject(taskLog, lineNo, line, "kind", "round");
      E5TaskKind kind;
      try {
        kind = E5TaskKind.parse(t.get("kind").asText());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(taskLog + ":" + lineNo + ": " + e.getMessage(), e);
      }
      List<String> tasks = new ArrayList<>();
      JsonNode list = t.get("tasks");
      if (list instanceof ArrayNode a) {
        a.forEach(n -> tasks.add(n.asText()));
      }
      rounds.computeIfAbsent(kind, k -> new ArrayList<>()).add(tasks);
    });
    long resumed = rows[0];
    long dropsBefore = dropped.values().stream().mapToLong(Long::longValue).sum();
    listener.onStart(resumed, dropsBefore, truncated);
    long requests = 0;
    Map<String, Integer> tasksByKind = new TreeMap<>();
    boolean stopped = false;
    pool = java.util.concurrent.Executors.newFixedThreadPool(batchSize, r -> {
      Thread t = new Thread(r, "gecko-synth");
      t.setDaemon(true);
      return t;
    });
    try (JsonlAppender rowOut = new JsonlAppender(output, 1);
        JsonlAppender dropOut = new JsonlAppender(dropLog, 1);
        JsonlAppender taskOut = new JsonlAppender(taskLog, 1)) {
      long target = (long) kinds.size() * tasksPerKind * examplesPerTask;
      kinds:
      for (E5TaskKind kind : kinds) {
        // 1. the task pool: read back, or brainstormed until it holds tasksPerKind tasks
        List<String> pool;
        if (kind.brainstormed()) {
          List<List<String>> done0 = rounds.getOrDefault(kind, new ArrayList<>());
          Set<String> tasks = new LinkedHashSet<>();
          done0.forEach(tasks::addAll);
          int maxRounds = maxRounds(tasksPerKind);
          for (int round = done0.size(); tasks.size() < tasksPerKind && round < maxRounds;
              round++) {
            if (stopWhen.getAsBoolean()) {
              stopped = true;
              break kinds;
            }
            String id = "e5:" + kind.id() + ":brainstorm:" + round;
            requests++;
            String reply;
            try {
              reply = llm.generate(List.of(kind.brainstormPrompt()), options(
                  mix(seed, kind.ordinal(), -1 - round, 0))).get(0).text();
            } catch (LanguageModelException e) {
              logDrop(dropOut, id, kind, LLM_ERROR, String.valueOf(e.getMessage()));
              dropped.merge(LLM_ERROR, 1L, Long::sum);
              break; // asked again by the next run
            }
            List<String> got = E5TripletGenerator.parseTasks(reply);
            ObjectNode line = GeckoJson.mapper().createObjectNode();
            line.put("kind", kind.id());
            line.put("round", round);
            ArrayNode arr = line.putArray("tasks");
            got.forEach(arr::add);
            line.put("model", llm.name());
            line.put("prompt_version", E5TaskKind.VERSION);
            guard(() -> taskOut.append(line.toString()));
            if (got.isEmpty()) {
              logDrop(dropOut, id, kind, "no_task_list",
                  "no JSON list of task strings in the brainstorm reply: " + head(reply));
              dropped.merge("no_task_list", 1L, Long::sum);
            }
            tasks.addAll(got);
          }
          pool = tasks.stream().limit(tasksPerKind).toList();
        } else {
          pool = java.util.Collections.nCopies(tasksPerKind, kind.fixedTask());
        }
        tasksByKind.put(kind.id(), kind.brainstormed() ? pool.size() : 1);
        listener.onTasks(kind, kind.brainstormed() ? pool : List.of(kind.fixedTask()));
        // 2. the examples, in batches
        List<Unit> batch = new ArrayList<>();
        for (int t = 0; t < pool.size(); t++) {
          for (int e = 0; e < examplesPerTask; e++) {
            String id = "e5:" + kind.id() + ":" + t + ":" + e;
            if (done.contains(id)) {
              continue;
            }
            long s = mix(seed, kind.ordinal(), t, e);
            batch.add(new Unit(id, kind, pool.get(t), kind.draw(new Random(s), languages), s));
            if (batch.size() == batchSize) {
              if (stopWhen.getAsBoolean()) {
                stopped = true;
                break kinds;
              }
              requests += runBatch(batch, done, seen, rowsByKind, dropped, rows, target, rowOut,
                  dropOut);
              batch.clear();
            }
          }
        }
        if (!batch.isEmpty()) {
          if (stopWhen.getAsBoolean()) {
            stopped = true;
            break;
          }
          requests += runBatch(batch, done, seen, rowsByKind, dropped, rows, target, rowOut,
              dropOut);
        }
      }
    } finally {
      pool.shutdownNow();
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    long dropCount = dropped.values().stream().mapToLong(Long::longValue).sum();
    return new SynthStats(rows[0], rows[0] - resumed, resumed, rowsByKind, tasksByKind, dropped,
        dropCount, requests, truncated, stopped, elapsed);
  }

  /** Brainstorm rounds for a pool of {@code n} tasks: about 20 a round, some repeated. */
  static int maxRounds(int n) {
    return (n + 9) / 10 + 2;
  }

  /** Asks the model for a batch and writes its rows and drops in unit order; returns requests. */
  private long runBatch(List<Unit> batch, Set<String> done, Set<String> seen,
      Map<String, Long> rowsByKind, Map<String, Long> dropped, long[] rows, long target,
      JsonlAppender rowOut, JsonlAppender dropOut) {
    // each unit is its own call with its own seed (a server that honours seeds answers a resumed
    // run's unit as it answered the first run's), run concurrently; one failure drops only itself
    List<java.util.concurrent.Future<String>> calls = new ArrayList<>(batch.size());
    for (Unit u : batch) {
      String prompt = u.kind().examplePrompt(u.task(), u.placeholders());
      calls.add(pool.submit(() -> llm.generate(List.of(prompt), options(u.seed())).get(0).text()));
    }
    List<String> replies = new ArrayList<>(batch.size());
    List<String> errors = new ArrayList<>(batch.size());
    for (java.util.concurrent.Future<String> call : calls) {
      try {
        replies.add(call.get());
        errors.add(null);
      } catch (java.util.concurrent.ExecutionException e) {
        if (!(e.getCause() instanceof LanguageModelException)) {
          calls.forEach(c -> c.cancel(true));
          throw e.getCause() instanceof RuntimeException r ? r
              : new IllegalStateException("the language model failed: " + e.getCause(), e);
        }
        replies.add(null);
        errors.add(String.valueOf(e.getCause().getMessage()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        calls.forEach(c -> c.cancel(true));
        throw new IllegalStateException("interrupted while waiting for the language model", e);
      }
    }
    long requests = batch.size();
    for (int i = 0; i < batch.size(); i++) {
      Unit u = batch.get(i);
      if (errors.get(i) != null) {
        logDrop(dropOut, u.id(), u.kind(), LLM_ERROR, errors.get(i));
        dropped.merge(LLM_ERROR, 1L, Long::sum);
        continue; // not done: asked again by the next run
      }
      E5TaskKind.Result r = u.kind().parse(replies.get(i), maxChars);
      String reason;
      String detail;
      if (r.valid()) {
        String key = QueryGenerator.normalise(r.triplet().query());
        if (seen.add(key)) {
          E5TaskKind.Triplet t = r.triplet();
          SynthRow row = new SynthRow(u.id(), u.kind().id(), u.task(), t.query(), t.positive(),
              t.negative(), u.placeholders().get("language"), u.placeholders(), llm.name(),
              E5TaskKind.VERSION);
          guard(() -> rowOut.append(row.toJson()));
          done.add(u.id());
          rowsByKind.merge(u.kind().id(), 1L, Long::sum);
          rows[0]++;
          listener.onRow(row, rows[0], target);
          continue;
        }
        reason = "duplicate";
        detail = "the query was already written: " + head(r.triplet().query());
      } else {
        reason = r.rejection().reason();
        detail = r.rejection().detail();
      }
      logDrop(dropOut, u.id(), u.kind(), reason, detail);
      done.add(u.id());
      dropped.merge(reason, 1L, Long::sum);
    }
    return requests;
  }

  private void logDrop(JsonlAppender dropOut, String id, E5TaskKind kind, String reason,
      String detail) {
    ObjectNode d = GeckoJson.mapper().createObjectNode();
    d.put("id", id);
    d.put("kind", kind.id());
    d.put("reason", reason);
    d.put("detail", detail);
    guard(() -> dropOut.append(d.toString()));
    listener.onDrop(id, reason, detail);
  }

  private GenerationOptions options(long s) {
    return GenerationOptions.sampled(maxNewTokens, temperature, topP).withSeed(s);
  }

  /** Runs a write so that a {@link StopSignal}'s forced exit never cuts it. */
  private void guard(Runnable write) {
    if (stopWhen instanceof StopSignal) {
      ((StopSignal) stopWhen).guard(write);
    } else {
      write.run();
    }
  }

  private static JsonNode readObject(Path file, long lineNo, String line, String... required) {
    JsonNode n;
    try {
      n = GeckoJson.mapper().readTree(line);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException(file + ":" + lineNo + ": not one JSON object: "
          + e.getOriginalMessage(), e);
    }
    for (String k : required) {
      if (n == null || !n.isObject() || !n.hasNonNull(k)) {
        throw new IllegalArgumentException(file + ":" + lineNo + ": expected a JSON object with \""
            + k + "\", but is: " + head(line));
      }
    }
    return n;
  }

  /** A seed for one unit: SplitMix64 over the run seed and the unit's coordinates. */
  static long mix(long seed, int kind, int task, int example) {
    long z = seed;
    for (long v : new long[] {kind, task, example}) {
      z = (z ^ v) + 0x9E3779B97F4A7C15L;
      z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
      z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
      z = z ^ (z >>> 31);
    }
    return z;
  }

  private static String head(String s) {
    String one = s.replaceAll("\\s+", " ").strip();
    return one.length() > 120 ? one.substring(0, 120) + "..." : one;
  }
}
