package dev.gecko4j.fret;

import dev.gecko4j.core.Embedder;
import dev.gecko4j.core.ProgressListener;
import dev.gecko4j.core.eval.BeirDataset;
import dev.gecko4j.core.fret.FretOptions;
import dev.gecko4j.core.fret.FretSeed;
import dev.gecko4j.core.index.VectorIndex;
import dev.gecko4j.core.internal.Args;
import dev.gecko4j.core.lm.LanguageModel;
import dev.gecko4j.fret.retrieve.AnnPolicy;
import dev.gecko4j.fret.retrieve.CorpusStore;
import dev.gecko4j.fret.retrieve.EmbeddingCache;
import dev.gecko4j.fret.retrieve.MappedVectors;
import dev.gecko4j.fret.run.BeirSeeds;
import dev.gecko4j.fret.run.FretStats;
import dev.gecko4j.fret.run.MiningListener;
import dev.gecko4j.fret.run.MiningRun;
import dev.gecko4j.fret.run.StopSignal;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

/**
 * The whole "mine" program as one call, for the CLI and for embedding in applications: opens the
 * corpus, builds or reuses the embeddings cache, wires a {@link FretPipeline} and runs a resumable
 * {@link MiningRun}. Relabel mode when {@code queries} and {@code qrels} are given, generation mode
 * otherwise.
 *
 * @param corpus the BEIR {@code corpus.jsonl}; not null
 * @param queries the BEIR {@code queries.jsonl} (relabel mode), or null
 * @param qrels the qrels TSV (relabel mode), or null; set exactly when {@code queries} is
 * @param cacheDir where the corpus embeddings are cached (keyed on the embedder's {@link
 *     Embedder#fingerprint()}, see {@link EmbeddingCache}); not null
 * @param output the output JSONL; not null
 * @param limit the rows the output should hold at the end, {@code >= 1}, or {@link Long#MAX_VALUE}
 * @param maxSeeds the most seeds this run mines, {@code >= 1}, or {@link Long#MAX_VALUE}
 * @param options the miner options; not null
 */
public record FretMine(Path corpus, Path queries, Path qrels, Path cacheDir, Path output,
    long limit, long maxSeeds, FretOptions options) {

  /** Validates the fields. */
  public FretMine {
    Args.notNull(corpus, "corpus");
    Args.notNull(cacheDir, "cacheDir");
    Args.notNull(output, "output");
    Args.notNull(options, "options");
    Args.require((queries == null) == (qrels == null), "queries and qrels must be given together"
        + " (relabel mode) or both left out (generation mode), but queries=%s, qrels=%s", queries,
        qrels);
    Args.atLeast(limit, 1, "limit");
    Args.atLeast(maxSeeds, 1, "maxSeeds");
  }

  /**
   * The result: the statistics, plus the qrels skipped when reading relabel seeds.
   *
   * @param stats the output's statistics
   * @param skippedQrels skipped qrels per reason (relabel mode), empty otherwise
   * @param stopped whether the run returned early because a stop was asked for (rerun to resume)
   */
  public record Result(FretStats stats, Map<String, Long> skippedQrels, boolean stopped) {}

  /**
   * Runs the mining.
   *
   * @param embedder the embedder; not null (not closed here)
   * @param llm the language model; not null (not closed here)
   * @param embedProgress hears passages embedded while the cache is built (stage {@code
   *     "passages"}); not null
   * @param listener hears rows and drops; not null
   * @return the statistics
   * @throws IllegalArgumentException if an argument or input file is invalid
   * @throws UncheckedIOException if the embeddings cache cannot be read (its cause a
   *     {@link dev.gecko4j.core.index.CorruptFileException} when it was damaged after
   *     {@link EmbeddingCache#ensure} checked it)
   */
  public Result run(Embedder embedder, LanguageModel llm, ProgressListener embedProgress,
      MiningListener listener) {
    return run(embedder, llm, embedProgress, listener, AnnPolicy.defaults(), () -> false);
  }

  /**
   * Runs the mining until done or until {@code stopWhen} says true (asked before each seed; e.g. a
   * {@link StopSignal}), with the default {@link AnnPolicy}.
   *
   * @param embedder the embedder; not null (not closed here)
   * @param llm the language model; not null (not closed here)
   * @param embedProgress hears passages embedded while the cache is built (stage {@code
   *     "passages"}); not null
   * @param listener hears rows and drops; not null
   * @param stopWhen the stop request; not null
   * @return the statistics
   * @throws IllegalArgumentException if an argument or input file is invalid
   * @throws UncheckedIOException if the embeddings cache cannot be read (its cause a
   *     {@link dev.gecko4j.core.index.CorruptFileException} when it was damaged after
   *     {@link EmbeddingCache#ensure} checked it)
   */
  public Result run(Embedder embedder, LanguageModel llm, ProgressListener embedProgress,
      MiningListener listener, BooleanSupplier stopWhen) {
    return run(embedder, llm, embedProgress, listener, AnnPolicy.defaults(), stopWhen);
  }

  /**
   * Runs the mining until done or until {@code stopWhen} says true, retrieving neighbours as
   * {@code ann} says: by exact scan below its threshold, from an approximate index built from the
   * embeddings cache at and above it (when an approximate index factory is at hand, e.g.
   * {@code gecko-jvector} on the class path).
   *
   * @param embedder the embedder; not null (not closed here)
   * @param llm the language model; not null (not closed here)
   * @param embedProgress hears passages embedded while the cache is built (stage {@code
   *     "passages"}); not null
   * @param listener hears rows and drops; not null
   * @param ann when to use an approximate index; not null
   * @param stopWhen the stop request; not null
   * @return the statistics
   * @throws IllegalArgumentException if an argument or input file is invalid
   * @throws UncheckedIOException if the embeddings cache cannot be read (its cause a
   *     {@link dev.gecko4j.core.index.CorruptFileException} when it was damaged after
   *     {@link EmbeddingCache#ensure} checked it)
   */
  public Result run(Embedder embedder, LanguageModel llm, ProgressListener embedProgress,
      MiningListener listener, AnnPolicy ann, BooleanSupplier stopWhen) {
    Args.notNull(stopWhen, "stopWhen");
    Args.notNull(ann, "ann");
    Args.notNull(embedder, "embedder");
    Args.notNull(llm, "llm");
    Args.notNull(embedProgress, "embedProgress");
    Args.notNull(listener, "listener");
    try (CorpusStore store = CorpusStore.open(corpus)) {
      Path cache = EmbeddingCache.ensure(store, embedder, cacheDir, 32, embedProgress);
      try (MappedVectors vectors = MappedVectors.open(cache)) {
        VectorIndex index = ann.indexFor(cache, ProgressListener.NONE).orElse(null);
        FretPipeline pipeline = FretPipeline.builder().embedder(embedder).languageModel(llm)
            .corpus(store).vectors(vectors).index(index).options(options).build();
        Map<String, Long> skipped = new TreeMap<>();
        Iterator<FretSeed> seeds = queries == null ? BeirSeeds.generation(store)
            : BeirSeeds.relabel(BeirDataset.readQueries(queries), qrels, store, skipped);
        MiningRun.Builder run = MiningRun.builder().miner(pipeline).output(output).listener(listener)
            .stopWhen(stopWhen);
        if (limit != Long.MAX_VALUE) {
          run.limit(limit);
        }
        if (maxSeeds != Long.MAX_VALUE) {
          run.maxSeeds(maxSeeds);
        }
        MiningRun mining = run.build();
        FretStats stats = mining.run(seeds);
        return new Result(stats, skipped, mining.stopped());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the corpus embeddings in " + cacheDir + ": "
          + e.getMessage(), e);
    }
  }
}
