package dev.gecko4j.spark;

import dev.gecko4j.core.fret.FretOptions;
import dev.gecko4j.core.index.VectorIndex;
import dev.gecko4j.core.internal.GeckoJson;
import dev.gecko4j.core.lm.LanguageModel;
import dev.gecko4j.fret.FretPipeline;
import dev.gecko4j.fret.retrieve.CorpusStore;
import dev.gecko4j.fret.retrieve.MappedVectors;
import dev.gecko4j.jvector.GraphIndex;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;

/**
 * The FRet state of one JVM (a Spark executor, or the driver in {@code local} mode): per job, the
 * corpus snapshot opened in place (passages, vectors, graph index) and a {@link FretPipeline} over
 * it; per {@link LanguageModelSource}, one language model. Created lazily by the first task that
 * needs it, shared by every later task of the JVM (the pipeline, the embedder and the models are
 * thread-safe), closed by a JVM shutdown hook.
 */
final class ExecutorMining {

  private static final System.Logger LOG = System.getLogger(ExecutorMining.class.getName());
  private static final JvmCache<LanguageModelSource, LanguageModel> MODELS =
      new JvmCache<>("language models");
  private static final JvmCache<Job, Context> CONTEXTS = new JvmCache<>("fret snapshots");

  private ExecutorMining() {
  }

  /**
   * What a task needs to build the pipeline: shipped inside the partition function.
   *
   * @param snapshot the corpus snapshot
   * @param embedder the embedder settings (the snapshot's vectors were made with them)
   * @param llm the language model
   * @param optionsJson the {@link FretOptions}, as JSON
   */
  record Job(CorpusSnapshot snapshot, EmbedderSettings embedder, LanguageModelSource llm,
      String optionsJson) implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  /** An opened snapshot and its pipeline. */
  record Context(CorpusStore corpus, MappedVectors vectors, VectorIndex index,
      FretPipeline pipeline) implements AutoCloseable {
    @Override
    public void close() {
      try (CorpusStore c = corpus; MappedVectors v = vectors) {
        // closes both
      }
    }
  }

  /** {@return this JVM's snapshot and pipeline for {@code job}, opened on first use} */
  static Context context(Job job) {
    return CONTEXTS.get(job, ExecutorMining::open);
  }

  private static Context open(Job job) {
    long t0 = System.nanoTime();
    CorpusSnapshot s = job.snapshot();
    FretOptions options;
    try {
      options = GeckoJson.mapper().readValue(job.optionsJson(), FretOptions.class);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the FRet options " + job.optionsJson(), e);
    }
    CorpusStore corpus = CorpusStore.open(s.resolve(s.corpusFile()));
    MappedVectors vectors = null;
    try {
      vectors = MappedVectors.open(s.resolve(s.vectorsFile()));
      VectorIndex index = s.indexFile() == null ? null : GraphIndex.load(s.resolve(s.indexFile()));
      LanguageModel llm = MODELS.get(job.llm(), LanguageModelSource::open);
      FretPipeline pipeline = FretPipeline.builder().embedder(ExecutorEmbedders.get(job.embedder()))
          .languageModel(llm).corpus(corpus).vectors(vectors).index(index).options(options)
          .deduplicateQueries(false).build();
      LOG.log(System.Logger.Level.INFO, String.format(java.util.Locale.ROOT,
          "gecko-spark fret: opened snapshot %s (%d passages, %s) and LM %s in %.1f s", s.id(),
          s.size(), index == null ? "exact scan" : "graph index", llm.name(),
          (System.nanoTime() - t0) / 1e9));
      return new Context(corpus, vectors, index, pipeline);
    } catch (IOException | RuntimeException e) {
      corpus.close();
      if (vectors != null) {
        vectors.close();
      }
      throw e instanceof IOException io
          ? new UncheckedIOException("cannot load the graph index of snapshot " + s.id() + ": "
              + io.getMessage(), io)
          : (RuntimeException) e;
    }
  }

  /** Closes and forgets every snapshot and model (the shutdown hook; also usable by tests). */
  static void closeAll() {
    CONTEXTS.closeAll();
    MODELS.closeAll();
  }
}
