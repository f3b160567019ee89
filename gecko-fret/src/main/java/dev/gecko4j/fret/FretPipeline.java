package dev.gecko4j.fret;

import dev.gecko4j.core.Embedder;
import dev.gecko4j.core.fret.CandidateScores;
import dev.gecko4j.core.fret.FretExample;
import dev.gecko4j.core.fret.FretMiner;
import dev.gecko4j.core.fret.FretOptions;
import dev.gecko4j.core.fret.FretOutcome;
import dev.gecko4j.core.fret.FretSeed;
import dev.gecko4j.core.index.VectorIndex;
import dev.gecko4j.core.internal.Args;
import dev.gecko4j.core.lm.LanguageModel;
import dev.gecko4j.fret.generate.FretPrompts;
import dev.gecko4j.fret.generate.QueryGenerator;
import dev.gecko4j.fret.rerank.Reranker;
import dev.gecko4j.fret.rerank.RrfSelection;
import dev.gecko4j.fret.retrieve.AnnPolicy;
import dev.gecko4j.fret.retrieve.CorpusStore;
import dev.gecko4j.fret.retrieve.EmbeddingCache;
import dev.gecko4j.fret.retrieve.MappedVectors;
import dev.gecko4j.fret.retrieve.NeighbourRetriever;
import dev.gecko4j.fret.retrieve.Passage;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The FRet pipeline: {@link QueryGenerator} (skipped in relabel mode), {@link NeighbourRetriever},
 * {@link Reranker} and {@link RrfSelection}, over a {@link CorpusStore} and its
 * {@link MappedVectors}. Costs {@code <= 3} LLM requests per row without retries (one generation,
 * one batched QL call, one batched RC call), 2 in relabel mode.
 *
 * <p>Generated queries are de-duplicated (lower-cased, white space collapsed) across the run and,
 * through {@link #resumeFrom}, across resumed runs. Every random choice (task type, random negative)
 * is derived from {@link FretOptions#seed()} and the seed's key, so a resumed run makes the same
 * choices.
 *
 * <p>Thread-safe: several threads may call {@link #mine} at once when the embedder and language
 * model are thread-safe. Does not own (or close) the embedder, model, corpus or vectors.
 */
public final class FretPipeline implements FretMiner {

  private final FretOptions options;
  private final CorpusStore corpus;
  private final NeighbourRetriever retriever;
  private final Reranker reranker;
  private final QueryGenerator generator;
  private final String modelName;
  private final Set<String> seenQueries = ConcurrentHashMap.newKeySet();

  private FretPipeline(Builder b) {
    this.options = b.options;
    this.corpus = b.corpus;
    this.retriever = new NeighbourRetriever(b.embedder, b.vectors, b.index);
    this.reranker = new Reranker(b.llm, b.options);
    this.generator = b.llm.capabilities().canGenerate() ? new QueryGenerator(b.llm, b.options) : null;
    this.modelName = b.llm.name();
    if (b.vectors.size() != b.corpus.size()) {
      throw new IllegalArgumentException("vectors hold " + b.vectors.size()
          + " passages but the corpus has " + b.corpus.size() + "; rebuild the embeddings cache");
    }
    if (b.vectors.size() < 2) {
      throw new IllegalArgumentException("the corpus must have at least 2 passages, but has "
          + b.vectors.size());
    }
  }

  /** {@return a builder} */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link FretPipeline}; every setter is required except {@link #options}. */
  public static final class Builder {
    private Embedder embedder;
    private LanguageModel llm;
    private CorpusStore corpus;
    private MappedVectors vectors;
    private FretOptions options = FretOptions.defaults();
    private VectorIndex index;

    private Builder() {}

    /**
     * Sets an index over the corpus vectors, ordinal for ordinal, that neighbour retrieval
     * searches instead of scanning the vectors (optional; see {@link AnnPolicy#indexFor}).
     *
     * @param i the index, or null for the exact scan (the default)
     * @return this builder
     */
    public Builder index(VectorIndex i) {
      this.index = i;
      return this;
    }

    /**
     * Sets the embedder (the one the vectors were computed with).
     *
     * @param e the embedder; not null
     * @return this builder
     * @throws IllegalArgumentException if null
     */
    public Builder embedder(Embedder e) {
      this.embedder = Args.notNull(e, "embedder");
      return this;
    }

    /**
     * Sets the language model (must score; must generate unless every seed is relabel).
     *
     * @param m the model; not null
     * @return this builder
     * @throws IllegalArgumentException if null
     */
    public Builder languageModel(LanguageModel m) {
      this.llm = Args.notNull(m, "languageModel");
      return this;
    }

    /**
     * Sets the corpus.
     *
     * @param c the corpus; not null
     * @return this builder
     * @throws IllegalArgumentException if null
     */
    public Builder corpus(CorpusStore c) {
      this.corpus = Args.notNull(c, "corpus");
      return this;
    }

    /**
     * Sets the corpus vectors (from {@link EmbeddingCache#ensure}).
     *
     * @param v the vectors; not null
     * @return this builder
     * @throws IllegalArgumentException if null
     */
    public Builder vectors(MappedVectors v) {
      this.vectors = Args.notNull(v, "vectors");
      return this;
    }

    /**
     * Sets the options (default {@link FretOptions#defaults()}).
     *
     * @param o the options; not null
     * @return this builder
     * @throws IllegalArgumentException if null
     */
    public Builder options(FretOptions o) {
      this.options = Args.notNull(o, "options");
      return this;
    }

    /**
     * Builds the pipeline.
     *
     * @return the pipeline
     * @throws IllegalStateException if a required part is missing
     * @throws IllegalArgumentException if the parts do not fit (dimensions, sizes, a model that
     *     cannot score)
     */
    public FretPipeline build() {
      if (embedder == null || llm == null || corpus == null || vectors == null) {
        throw new IllegalStateException("embedder, languageModel, corpus and vectors are required;"
            + " missing: " + (embedder == null ? "embedder " : "") + (llm == null ? "languageModel " : "")
            + (corpus == null ? "corpus " : "") + (vectors == null ? "vectors" : ""));
      }
      return new FretPipeline(this);
    }
  }

  @Override
  public String promptVersion() {
    return FretPrompts.VERSION;
  }

  /** {@return the options} */
  public FretOptions options() {
    return options;
  }

  /**
   * Remembers a row written by an earlier run, so its query counts for duplicate detection.
   *
   * @param row the row; not null
   * @throws IllegalArgumentException if {@code row} is null
   */
  public void resumeFrom(FretExample row) {
    Args.notNull(row, "row");
    if (row.queryId().startsWith("gen:")) {
      seenQueries.add(QueryGenerator.normalise(row.query()));
    }
  }

  /**
   * Returns the task type query generation asks for with {@code seed}: drawn from
   * {@link FretOptions#tasks()} by a hash of the options' seed and the seed's key (stable across
   * runs).
   *
   * @param seed the seed; not null
   * @return one of the task types
   */
  public String taskTypeFor(FretSeed seed) {
    List<String> tasks = options.tasks();
    return tasks.get(new Random(mix(seed)).nextInt(tasks.size()));
  }

  private long mix(FretSeed seed) {
    return options.seed() * 0x9E3779B97F4A7C15L ^ seed.key().hashCode();
  }

  @Override
  public FretOutcome mine(FretSeed seed) {
    Args.notNull(seed, "seed");
    int requests = 0;
    String task;
    String query;
    if (seed.isRelabel()) {
      task = seed.task() != null ? seed.task() : options.relabelTask();
      query = seed.query();
    } else {
      if (generator == null) {
        return new FretOutcome.Dropped("llm_cannot_generate",
            "model '" + modelName + "' cannot generate; give queries (relabel mode)", 0);
      }
      QueryGenerator.Result r = generator.generate(taskTypeFor(seed), seed.text(), mix(seed));
      requests += r.requests();
      if (r instanceof QueryGenerator.Failed f) {
        return new FretOutcome.Dropped(f.reason(), f.detail(), requests);
      }
      QueryGenerator.Generated g = (QueryGenerator.Generated) r;
      if (!seenQueries.add(QueryGenerator.normalise(g.query()))) {
        return new FretOutcome.Dropped("duplicate", g.query(), requests);
      }
      task = g.task();
      query = g.query();
    }
    int seedOrdinal = corpus.ordinal(seed.seedId());
    if (options.includeSeed() && seedOrdinal < 0) {
      return new FretOutcome.Dropped("seed_not_in_corpus", seed.seedId(), requests);
    }
    List<MappedVectors.Hit> hits = retriever.neighbours(task, query, options.neighbours());
    List<Integer> ordinals = new ArrayList<>(hits.size());
    for (MappedVectors.Hit h : hits) {
      ordinals.add(h.ordinal());
    }
    if (options.includeSeed() && !ordinals.contains(seedOrdinal)) {
      ordinals.set(ordinals.size() - 1, seedOrdinal);
    }
    List<Passage> candidates = new ArrayList<>(ordinals.size());
    for (int o : ordinals) {
      candidates.add(corpus.passage(o));
    }
    Reranker.Scores scores;
    try {
      scores = reranker.score(query, candidates);
    } catch (Reranker.RerankException e) {
      return new FretOutcome.Dropped("llm_error", String.valueOf(e.getMessage()),
          requests + e.requests());
    }
    requests += scores.requests();
    RrfSelection.Selection sel = RrfSelection.select(scores.ql(), scores.rc(),
        options.negativeStrategy(), new Random(mix(seed) ^ 0x5DEECE66DL));
    Passage pos = candidates.get(sel.positive());
    Passage neg = candidates.get(sel.negative());
    FretExample row = new FretExample(task, query, pos.fullText(), neg.fullText(),
        seed.rowQueryId(), seed.seedId(), pos.id(), neg.id(),
        scoresOf(sel, scores, sel.positive()), scoresOf(sel, scores, sel.negative()),
        candidates.size(), requests, modelName, FretPrompts.VERSION);
    return new FretOutcome.Mined(row, requests);
  }

  private static CandidateScores scoresOf(RrfSelection.Selection sel, Reranker.Scores s, int i) {
    return new CandidateScores(i + 1, sel.qlRanks()[i], sel.rcRanks()[i], Math.min(0, s.ql()[i]),
        s.rc()[i], sel.rrf()[i]);
  }
}
