package dev.gecko4j.examples.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.gecko4j.core.fret.FretOptions;
import dev.gecko4j.core.fret.NegativeStrategy;
import dev.gecko4j.core.internal.GeckoJson;
import dev.gecko4j.core.lm.LanguageModel;
import dev.gecko4j.fret.FretMine;
import dev.gecko4j.fret.export.FretExporters;
import dev.gecko4j.fret.generate.FretPrompts;
import dev.gecko4j.fret.retrieve.AnnPolicy;
import dev.gecko4j.fret.run.FretStats;
import dev.gecko4j.fret.run.MiningListener;
import dev.gecko4j.fret.run.StopSignal;
import dev.gecko4j.onnx.OnnxEmbedder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code gecko mine}: FRet mining over a BEIR-format corpus into a resumable JSONL file. With
 * {@code --queries} and {@code --qrels} it relabels existing (query, passage) pairs (neighbours and
 * LLM re-ranking only); without, it generates a (task, query) per passage first. Rerunning with the
 * same arguments resumes: rows already written are kept, a torn last line is cut. {@code SIGTERM}
 * or Ctrl-C stops it after the row in flight (at most {@code --stop-grace} seconds), with every row
 * written kept, the summary printed ({@code "stopped": true}) and exit status 143. Progress goes to
 * stderr; the last stdout line is one JSON object of statistics.
 */
@Command(name = "mine", mixinStandardHelpOptions = true,
    description = "FRet: mine (task, query, positive, hard negative) rows with an LLM; resumable.")
public final class MineCommand extends GeckoCommand {

  @Option(names = "--corpus", required = true, description = "BEIR corpus.jsonl ({_id, title, text})")
  Path corpus;

  @Option(names = "--queries", description = "BEIR queries.jsonl (relabel mode, with --qrels)")
  Path queries;

  @Option(names = "--qrels", description = "qrels TSV query-id, corpus-id, score (relabel mode)")
  Path qrels;

  @Mixin LlmOption llm;

  @Option(names = "--out", required = true, description = "output JSONL (appended to; resumable)")
  Path out;

  @Option(names = "--limit", description = "rows the output should hold at the end (default: all seeds)")
  Long limit;

  @Option(names = "--max-seeds", description = "the most seeds this run tries (default: no limit)")
  Long maxSeeds;

  @Option(names = {"--neighbors", "--neighbours"}, defaultValue = "20",
      description = "N, neighbours re-ranked per query; default: ${DEFAULT-VALUE}")
  int neighbours;

  @Option(names = "--model", defaultValue = "bge-small-en-v1.5",
      description = "embedder: bundled model name or sentence-transformers folder; default: ${DEFAULT-VALUE}")
  String model;

  @Option(names = "--max-length", description = "embedder token limit per text (default: the model's;"
      + " lower is faster on long passages)")
  Integer maxLength;

  @Option(names = "--cache", description = "folder of the corpus embeddings cache"
      + " (default: ~/.cache/gecko4j/fret)")
  Path cache;

  @Option(names = "--ann-threshold", defaultValue = "200000",
      description = "corpora of at least this many passages get their neighbours from a JVector"
          + " graph index (gecko-jvector) instead of an exact scan; default: ${DEFAULT-VALUE}")
  int annThreshold;

  @Option(names = "--negative", defaultValue = "LOWEST",
      description = "hard negative: LOWEST (p_N) or RANDOM_REST; default: ${DEFAULT-VALUE}")
  NegativeStrategy negative;

  @Option(names = "--seed", defaultValue = "42", description = "random seed; default: ${DEFAULT-VALUE}")
  long seed;

  @Option(names = "--task", description = "an extra task type for query generation (repeatable);"
      + " added to question answering, search result, fact checking, sentence similarity")
  List<String> extraTasks = new ArrayList<>();

  @Option(names = "--relabel-task", defaultValue = "search result",
      description = "task description of relabelled queries; default: ${DEFAULT-VALUE}")
  String relabelTask;

  @Option(names = "--max-passage-chars", defaultValue = "600",
      description = "passages are cut to this length inside LLM prompts; default: ${DEFAULT-VALUE}")
  int maxPassageChars;

  @Option(names = "--retries", defaultValue = "2",
      description = "retries of a failed LLM call; default: ${DEFAULT-VALUE}")
  int retries;

  @Option(names = "--stop-grace", defaultValue = "5",
      description = "on SIGTERM/Ctrl-C, seconds to finish the row in flight before exiting anyway;"
          + " default: ${DEFAULT-VALUE}")
  int stopGrace;

  @Option(names = "--export-flag-embedding", description = "also write FlagEmbedding JSONL here")
  Path exportFlag;

  @Option(names = "--export-sentence-transformers",
      description = "also write sentence-transformers (anchor, positive, negative) JSONL here")
  Path exportSt;

  @Override
  public Integer call() throws Exception {
    if ((queries == null) != (qrels == null)) {
      throw badOption("--queries and --qrels go together (relabel mode), but got"
          + " --queries %s and --qrels %s", queries, qrels);
    }
    if (limit != null && limit < 1) {
      throw badOption("--limit must be >= 1, but is: %d", limit);
    }
    if (stopGrace < 1 || stopGrace > 600) {
      throw badOption("--stop-grace must be between 1 and 600 seconds, but is: %d",
          stopGrace);
    }
    if (maxSeeds != null && maxSeeds < 1) {
      throw badOption("--max-seeds must be >= 1, but is: %d", maxSeeds);
    }
    List<String> tasks = new ArrayList<>(FretOptions.DEFAULT_TASKS);
    tasks.addAll(extraTasks);
    FretOptions options = FretOptions.defaults().withNeighbours(neighbours)
        .withNegativeStrategy(negative).withSeed(seed).withTasks(tasks).withRelabelTask(relabelTask)
        .withMaxPassageChars(maxPassageChars).withLlmRetries(retries);
    Path cacheDir = cache != null ? cache
        : Path.of(System.getProperty("user.home"), ".cache", "gecko4j", "fret");
    LlmSpec spec = llm.spec();
    long t0 = System.nanoTime();
    System.err.println("gecko mine: loading embedder " + model + " and LLM " + llm.value + " ...");
    OnnxEmbedder.Builder eb = CliSupport.builderFor(model);
    if (maxLength != null) {
      eb = eb.maxLength(maxLength);
    }
    try (StopSignal stop = StopSignal.install(java.time.Duration.ofSeconds(stopGrace), System.err);
        OnnxEmbedder embedder = eb.build();
        LanguageModel lm = spec.open()) {
      // for the JSON summary only: the cache keys on embedder.fingerprint()
      String embedderName = embedder.modelName() + (maxLength == null ? "" : "@" + maxLength);
      FretMine mine = new FretMine(corpus, queries, qrels, cacheDir, out,
          limit == null ? Long.MAX_VALUE : limit, maxSeeds == null ? Long.MAX_VALUE : maxSeeds,
          options);
      System.err.println("gecko mine: " + (queries == null ? "generation" : "relabel")
          + " mode, N=" + neighbours + ", negative " + negative + ", prompts " + FretPrompts.VERSION);
      long[] lastPrint = {System.nanoTime()};
      FretMine.Result result = mine.run(embedder, lm, (stage, done, total) -> {
        if (System.nanoTime() - lastPrint[0] > 10_000_000_000L) {
          lastPrint[0] = System.nanoTime();
          System.err.printf(Locale.ROOT, "gecko mine: embedded %d corpus passages (cached for"
              + " later runs)%n", done);
        }
      }, MiningListener.printing(System.err, 10), AnnPolicy.defaults().withThreshold(annThreshold),
          stop);
      FretStats stats = result.stats();
      Map<String, Object> json = new LinkedHashMap<>();
      json.putAll(GeckoJson.mapper().convertValue(stats, new TypeReference<Map<String, Object>>() {}));
      json.put("drop_count", stats.dropCount());
      json.put("skipped_qrels", result.skippedQrels());
      json.put("mode", queries == null ? "generation" : "relabel");
      json.put("stopped", result.stopped());
      json.put("neighbours", neighbours);
      json.put("ann_threshold", annThreshold);
      json.put("llm", lm.name());
      json.put("embedder", embedderName);
      json.put("prompt_version", FretPrompts.VERSION);
      json.put("out", out.toString());
      if (result.stopped()) {
        System.err.println("gecko mine: stopped by signal with " + stats.rows() + " rows in " + out
            + "; rerun the same command to resume");
      } else {
        if (exportFlag != null) {
          json.put("flag_embedding_rows", FretExporters.toFlagEmbedding(out, exportFlag));
        }
        if (exportSt != null) {
          json.put("sentence_transformers_rows",
              FretExporters.toSentenceTransformers(out, exportSt, false));
        }
      }
      json.put("wall_s", Math.round((System.nanoTime() - t0) / 1e7) / 100.0);
      CliSupport.printJson(System.out, json);
      return result.stopped() ? StopSignal.EXIT_STATUS : 0;
    }
  }
}
