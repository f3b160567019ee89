package dev.gecko4j.core.eval;

import dev.gecko4j.core.Embedder;
import dev.gecko4j.core.Embedding;
import dev.gecko4j.core.TaskPrompt;
import dev.gecko4j.core.index.FlatIndex;
import dev.gecko4j.core.index.Hit;
import dev.gecko4j.core.index.VectorIndex;
import dev.gecko4j.core.index.VectorIndexFactory;
import dev.gecko4j.core.internal.Args;
import dev.gecko4j.core.vector.Similarity;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Evaluates an {@link Embedder} on a {@link BeirDataset} as MTEB's retrieval evaluator does, and
 * scores the ranking as pytrec_eval does.
 *
 * <p>Protocol:
 * <ol>
 *   <li>The queries of the chosen qrels split that have at least one relevant document are
 *       embedded with {@code TaskPrompt.query(task)} (default task {@link TaskPrompt#SEARCH_RESULT};
 *       BGE renders it as its retrieval instruction, E5 as {@code query: }, MiniLM as nothing).
 *   <li>The corpus is streamed and embedded in chunks of {@link Builder#batchSize} documents, in
 *       the chosen {@link DocumentForm} ({@link DocumentForm#MTEB} by default:
 *       {@code (title + " " + text).strip()} with {@code TaskPrompt.document()}).
 *   <li>Each query keeps its exact top 100 documents by cosine (enough for every reported metric;
 *       MTEB keeps 1000, which changes none of them), searched with a {@link FlatIndex}. Ties are
 *       ordered as trec_eval orders them: score descending, then document id descending. The
 *       index breaks ties by insertion order, so the evaluator fetches {@value #TIE_MARGIN} extra
 *       hits and re-sorts them; the kept 100 equal MTEB's (whose {@code heapq} of
 *       {@code (score, id)} also keeps the larger id at a tie) unless more than
 *       {@value #TIE_MARGIN} documents tie exactly at the cut-off. Another index can be chosen
 *       with {@link Builder#index} (e.g. a quantized {@link
 *       dev.gecko4j.core.index.QuantizedFlatIndex}, to measure what int8 or binary vectors cost
 *       in quality), and {@link #evaluateEach} scores several indexes on one set of embeddings.
 *   <li>nDCG@10, Recall@1/10/100, MRR@10 and MAP@100 are averaged over the split's judged
 *       queries ({@link RetrievalScores#evaluate}); a judged query without any relevant document
 *       counts with 0, as in MTEB, unless {@link Builder#skipQueriesWithoutRelevant} is set.
 * </ol>
 *
 * <p>Ids that refer to nothing: a judged query (one with a relevant document) missing from
 * {@code queries.jsonl} is a {@link DatasetFormatException}; judgments naming a document missing
 * from {@code corpus.jsonl} are counted and logged as a {@code WARNING} on the
 * {@code System.Logger} named after this class (path, count and the first such pair), and scored
 * as documents never retrieved, as MTEB scores them.
 *
 * <p>Identical query and document ids: MTEB's {@code RetrievalEvaluator.evaluate} has an
 * {@code ignore_identical_ids} flag that drops a document whose id equals the query id from that
 * query's results; it is off by default and only switched on by a few tasks (e.g. ArguAna, Quora),
 * not by SciFact. This evaluator keeps such documents by default and drops them when
 * {@link Builder#ignoreIdenticalIds} is set (then the identical document is excluded before the
 * top-100 cut, so the query still gets 100 results).
 *
 * {@snippet lang=java :
 * RetrievalResult r = RetrievalEvaluator.builder()
 *     .listener((stage, done, total) -> System.err.printf("%s %d/%d%n", stage, done, total))
 *     .build()
 *     .evaluate(embedder, BeirDataset.open(Path.of("../shared/data/beir/scifact")));
 * }
 *
 * <p>Instances are immutable and thread-safe (the listener is called on the evaluating thread).
 */
public final class RetrievalEvaluator extends EmbeddingEvaluator {

  private static final System.Logger LOG = System.getLogger(RetrievalEvaluator.class.getName());

  /** How many results are kept per query. */
  public static final int TOP_K = 100;

  /** Extra hits fetched beyond {@link #TOP_K} so ties at the cut-off are resolved as trec_eval. */
  public static final int TIE_MARGIN = 32;

  /** How a corpus document is turned into the text and prompt that are embedded. */
  public enum DocumentForm {
    /**
     * MTEB's form: the text {@code (title + " " + text).strip()} ({@code text.strip()} when the
     * record has no title field) with {@code TaskPrompt.document()}; reproduces MTEB for BGE, E5
     * and MiniLM conventions.
     */
    MTEB,
    /**
     * The text alone with {@code TaskPrompt.document(title)}, for conventions that render the
     * title themselves (Gecko: {@code title: {title or none} | text: {text}}).
     */
    TITLED
  }

  private final String task;
  private final DocumentForm documentForm;
  private final String split;
  private final boolean ignoreIdenticalIds;
  private final boolean skipQueriesWithoutRelevant;
  private final VectorIndexFactory index;

  private RetrievalEvaluator(Builder b) {
    super(b);
    this.task = b.task;
    this.documentForm = b.documentForm;
    this.split = b.split;
    this.ignoreIdenticalIds = b.ignoreIdenticalIds;
    this.skipQueriesWithoutRelevant = b.skipQueriesWithoutRelevant;
    this.index = b.index;
  }

  /**
   * Returns a builder with the defaults: task {@link TaskPrompt#SEARCH_RESULT}, form
   * {@link DocumentForm#MTEB}, split {@code test}, batch size 256, full dimension, identical ids
   * kept, no listener.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /** {@return the task of the query prompt} */
  public String task() {
    return task;
  }

  /** {@return how documents are embedded} */
  public DocumentForm documentForm() {
    return documentForm;
  }

  /** {@return the qrels split evaluated} */
  public String split() {
    return split;
  }

  /**
   * Embeds the split's queries and the corpus with {@code embedder}, searches exactly, and scores
   * the rankings against the split's qrels.
   *
   * @param embedder the embedder; not null, not closed
   * @param dataset the dataset; not null
   * @return the averaged metrics
   * @throws IllegalArgumentException if an argument is null, the split is missing from the
   *     dataset, or the configured dimension exceeds the embedder's
   * @throws DatasetFormatException if a dataset file is malformed, or a judged query is missing
   *     from {@code queries.jsonl}
   * @throws IllegalStateException if the embedder is closed or returns the wrong number of
   *     embeddings or too few dimensions
   */
  public RetrievalResult evaluate(Embedder embedder, BeirDataset dataset) {
    RetrievalRun r = retrieve(embedder, dataset);
    return RetrievalResult.of(dataset.name(), split, r.scores(), r.documents(), r.dimension());
  }

  /**
   * Does what {@link #evaluate} does and returns the ranking itself as well (for a second stage
   * such as {@link RerankEvaluator}).
   *
   * @param embedder the embedder; not null, not closed
   * @param dataset the dataset; not null
   * @return the judged queries, their texts, the top {@value #TOP_K} per query and the scores
   * @throws IllegalArgumentException as {@link #evaluate}
   * @throws DatasetFormatException as {@link #evaluate}
   * @throws IllegalStateException as {@link #evaluate}
   */
  public RetrievalRun retrieve(Embedder embedder, BeirDataset dataset) {
    return retrieveEach(embedder, dataset, List.of(index)).get(0);
  }

  /**
   * Embeds the split's queries and the corpus once, adds the corpus to one index per factory,
   * and scores each index's rankings against the split's qrels: e.g. the exact float index and a
   * quantized one, compared on the same embeddings.
   *
   * @param embedder the embedder; not null, not closed
   * @param dataset the dataset; not null
   * @param indexes the index factories; not null, not empty, no null (cosine similarity is asked
   *     of each)
   * @return one result per factory, in order
   * @throws IllegalArgumentException as {@link #evaluate}, or if {@code indexes} is null, empty
   *     or holds null
   * @throws DatasetFormatException as {@link #evaluate}
   * @throws IllegalStateException as {@link #evaluate}
   */
  public List<RetrievalResult> evaluateEach(Embedder embedder, BeirDataset dataset,
      List<VectorIndexFactory> indexes) {
    List<RetrievalResult> results = new ArrayList<>(indexes == null ? 0 : indexes.size());
    for (RetrievalRun r : retrieveEach(embedder, dataset, indexes)) {
      results.add(RetrievalResult.of(dataset.name(), split, r.scores(), r.documents(),
          r.dimension()));
    }
    return results;
  }

  /** Embeds once, searches each index, and returns one run per index, in order. */
  private List<RetrievalRun> retrieveEach(Embedder embedder, BeirDataset dataset,
      List<VectorIndexFactory> indexes) {
    Args.notNull(embedder, "embedder");
    Args.notNull(dataset, "dataset");
    Args.notNull(indexes, "indexes");
    Args.require(!indexes.isEmpty(), "indexes must not be empty; expected at least 1 factory");
    Args.copyNoNulls(indexes, "indexes");
    int dim = Batches.resolveDimension(embedder, dimension());
    Map<String, Map<String, Integer>> qrels = dataset.qrels(split);
    Map<String, String> allQueries = dataset.queries();
    Map<String, Map<String, Integer>> judged = new LinkedHashMap<>();
    List<String> queryIds = new ArrayList<>();
    List<String> queryTexts = new ArrayList<>();
    for (Map.Entry<String, Map<String, Integer>> e : qrels.entrySet()) {
      if (RetrievalMetrics.relevantCount(e.getValue()) == 0) {
        if (!skipQueriesWithoutRelevant) {
          judged.put(e.getKey(), e.getValue()); // scores 0 whatever is retrieved: not embedded
        }
        continue;
      }
      String text = allQueries.get(e.getKey());
      if (text == null) {
        throw new DatasetFormatException(dataset.dir().resolve("queries.jsonl"), 0,
            "query '" + e.getKey() + "' of qrels/" + split + ".tsv is missing; expected every"
                + " judged query in queries.jsonl");
      }
      judged.put(e.getKey(), e.getValue());
      queryIds.add(e.getKey());
      queryTexts.add(text);
    }

    Embedding[] queries = Batches.embedInBatches(embedder, queryTexts, TaskPrompt.query(task), dim,
        true, batchSize(), listener(), "queries");
    List<float[]> queryVectors = new ArrayList<>(queries.length);
    for (Embedding q : queries) {
      queryVectors.add(q.toArray());
    }

    long total = dataset.countDocuments();
    List<VectorIndex> built = new ArrayList<>(indexes.size());
    for (VectorIndexFactory f : indexes) {
      built.add(f.create(dim, Similarity.COSINE, (int) Math.min(Integer.MAX_VALUE, total)));
    }
    long done = 0;
    Set<String> docIds = new HashSet<>();
    try (Stream<BeirDocument> docs = dataset.documents()) {
      Iterator<BeirDocument> it = docs.iterator();
      List<BeirDocument> chunk = new ArrayList<>(batchSize());
      while (it.hasNext()) {
        BeirDocument d = it.next();
        docIds.add(d.id());
        chunk.add(d);
        if (chunk.size() == batchSize() || !it.hasNext()) {
          embedChunk(embedder, chunk, dim, built);
          done += chunk.size();
          listener().onProgress("documents", done, Math.max(total, done));
          chunk.clear();
        }
      }
    }

    warnAboutUnknownDocuments(dataset, split, judged, docIds);

    Map<String, String> texts = new LinkedHashMap<>();
    for (int q = 0; q < queryIds.size(); q++) {
      texts.put(queryIds.get(q), queryTexts.get(q));
    }
    List<RetrievalRun> runs = new ArrayList<>(built.size());
    for (VectorIndex index : built) {
      Map<String, List<ScoredDocument>> run = new LinkedHashMap<>();
      if (!queryIds.isEmpty() && index.size() > 0) {
        int fetch = Math.min(index.size(), TOP_K + TIE_MARGIN + (ignoreIdenticalIds ? 1 : 0));
        List<List<Hit>> hits = index.searchBatch(queryVectors, fetch);
        for (int q = 0; q < queryIds.size(); q++) {
          run.put(queryIds.get(q), topResults(queryIds.get(q), hits.get(q)));
        }
      }
      runs.add(new RetrievalRun(judged, texts, run,
          RetrievalScores.evaluate(judged, run, skipQueriesWithoutRelevant), done, dim,
          skipQueriesWithoutRelevant));
    }
    return runs;
  }


  /**
   * Counts the judgments naming a document the corpus lacks and logs them (a WARNING): they stay
   * in the qrels and are scored as never retrieved, as MTEB scores them.
   *
   * @return the number of such judgments
   */
  static long warnAboutUnknownDocuments(BeirDataset dataset, String split,
      Map<String, Map<String, Integer>> judged, Set<String> docIds) {
    long unknown = 0;
    String example = null;
    for (Map.Entry<String, Map<String, Integer>> e : judged.entrySet()) {
      for (String doc : e.getValue().keySet()) {
        if (!docIds.contains(doc)) {
          unknown++;
          if (example == null) {
            example = "query '" + e.getKey() + "' -> document '" + doc + "'";
          }
        }
      }
    }
    if (unknown > 0) {
      LOG.log(System.Logger.Level.WARNING, String.format(Locale.ROOT,
          "%s: %d judgment(s) name a document that %s does not hold (first: %s); they are scored"
              + " as never retrieved, as MTEB does", dataset.dir().resolve("qrels/" + split + ".tsv"),
          unknown,
          dataset.dir().resolve("corpus.jsonl"), example));
    }
    return unknown;
  }

  /**
   * Scores vectors embedded elsewhere exactly as {@link #evaluate} scores its own: cosine search
   * over the documents at the configured {@link #dimension()} (vectors longer than it are cut to
   * their first values; the cosine renormalises), the top {@value #TOP_K} in trec_eval order, and
   * the metrics of {@link RetrievalScores}. For callers that embed a corpus once and score several
   * Matryoshka truncations, such as the trainer's in-training evaluation.
   *
   * @param name the dataset name to report; not null
   * @param qrels judgements: query id to document id to relevance; not null
   * @param queries query id to vector, for every judged query with a relevant document; not null
   * @param documents document id to vector, in corpus order; not null, not empty
   * @return the averaged metrics
   * @throws IllegalArgumentException if an argument is null, a judged query with a relevant
   *     document has no vector, a vector is shorter than the configured dimension, or the vectors'
   *     lengths differ
   */
  public RetrievalResult evaluateVectors(String name, Map<String, Map<String, Integer>> qrels,
      Map<String, float[]> queries, Map<String, float[]> documents) {
    Args.notNull(name, "name");
    Args.notNull(qrels, "qrels");
    Args.notNull(queries, "queries");
    Args.notNull(documents, "documents");
    Args.require(!documents.isEmpty(), "documents must not be empty");
    int full = documents.values().iterator().next().length;
    int dim = dimension() == 0 ? full : dimension();
    Args.require(dim <= full, "dimension must be at most the vectors' length %s, but is: %s", full,
        dim);
    FlatIndex index = new FlatIndex(dim, Similarity.COSINE);
    documents.forEach((id, v) -> {
      Args.require(v != null && v.length == full,
          "every document vector must have %s values, but '%s' has %s", full, id,
          v == null ? "none" : v.length);
      index.add(id, java.util.Arrays.copyOf(v, dim));
    });
    Map<String, Map<String, Integer>> judged = new LinkedHashMap<>();
    List<String> queryIds = new ArrayList<>();
    List<float[]> queryVectors = new ArrayList<>();
    for (Map.Entry<String, Map<String, Integer>> e : qrels.entrySet()) {
      if (RetrievalMetrics.relevantCount(e.getValue()) == 0) {
        if (!skipQueriesWithoutRelevant) {
          judged.put(e.getKey(), e.getValue());
        }
        continue;
      }
      float[] v = queries.get(e.getKey());
      Args.require(v != null && v.length >= dim,
          "every judged query needs a vector of at least %s values, but '%s' has %s", dim,
          e.getKey(), v == null ? "none" : v.length);
      judged.put(e.getKey(), e.getValue());
      queryIds.add(e.getKey());
      queryVectors.add(java.util.Arrays.copyOf(v, dim));
    }
    Map<String, List<ScoredDocument>> run = new LinkedHashMap<>();
    if (!queryIds.isEmpty()) {
      int fetch = Math.min(index.size(), TOP_K + TIE_MARGIN + (ignoreIdenticalIds ? 1 : 0));
      List<List<Hit>> hits = index.searchBatch(queryVectors, fetch);
      for (int q = 0; q < queryIds.size(); q++) {
        run.put(queryIds.get(q), topResults(queryIds.get(q), hits.get(q)));
      }
    }
    return RetrievalResult.of(name, split,
        RetrievalScores.evaluate(judged, run, skipQueriesWithoutRelevant), documents.size(), dim);
  }

  /** The first TOP_K hits in trec_eval order, less the query's own id when asked. */
  private List<ScoredDocument> topResults(String queryId, List<Hit> hits) {
    List<ScoredDocument> ranked = new ArrayList<>(hits.size());
    for (Hit h : hits) {
      ranked.add(new ScoredDocument(h.id(), h.score()));
    }
    ranked.sort(RetrievalMetrics.TREC_ORDER);
    List<ScoredDocument> out = new ArrayList<>(TOP_K);
    for (ScoredDocument d : ranked) {
      if (ignoreIdenticalIds && d.id().equals(queryId)) {
        continue;
      }
      if (out.size() == TOP_K) {
        break;
      }
      out.add(d);
    }
    return out;
  }

  private void embedChunk(Embedder embedder, List<BeirDocument> chunk, int dim,
      List<VectorIndex> indexes) {
    List<String> texts = new ArrayList<>(chunk.size());
    List<TaskPrompt> prompts = new ArrayList<>(chunk.size());
    List<String> ids = new ArrayList<>(chunk.size());
    for (BeirDocument d : chunk) {
      ids.add(d.id());
      if (documentForm == DocumentForm.MTEB) {
        texts.add(d.mtebText());
        prompts.add(TaskPrompt.document());
      } else {
        texts.add(d.text());
        prompts.add(TaskPrompt.document(d.title()));
      }
    }
    Embedding[] out = Batches.embed(embedder, texts, prompts, dim, true);
    for (int i = 0; i < out.length; i++) {
      float[] v = out[i].toArray();
      for (VectorIndex index : indexes) {
        index.add(ids.get(i), v);
      }
    }
  }

  /** Builds a {@link RetrievalEvaluator}; each setter validates its argument. */
  public static final class Builder
      extends EmbeddingEvaluator.Builder<Builder, RetrievalEvaluator> {
    private String task = TaskPrompt.SEARCH_RESULT;
    private DocumentForm documentForm = DocumentForm.MTEB;
    private String split = "test";
    private boolean ignoreIdenticalIds = false;
    private boolean skipQueriesWithoutRelevant = false;
    private VectorIndexFactory index = VectorIndexFactory.flat();

    private Builder() {
      super(256);
    }

    /**
     * Sets the task of the query prompt {@code TaskPrompt.query(task)}.
     *
     * @param task a task from {@link TaskPrompt#KNOWN_TASKS} or a custom one; not blank
     * @return this builder
     * @throws IllegalArgumentException if {@code task} is null or blank
     */
    public Builder task(String task) {
      TaskPrompt.query(task); // validates
      this.task = task;
      return this;
    }

    /**
     * Sets how documents are embedded.
     *
     * @param documentForm the form; not null; default {@link DocumentForm#MTEB}
     * @return this builder
     * @throws IllegalArgumentException if {@code documentForm} is null
     */
    public Builder documentForm(DocumentForm documentForm) {
      if (documentForm == null) {
        throw new IllegalArgumentException(
            "documentForm must not be null; expected one of " + List.of(DocumentForm.values()));
      }
      this.documentForm = documentForm;
      return this;
    }

    /**
     * Sets the qrels split to evaluate ({@code qrels/<split>.tsv}).
     *
     * @param split the split name; not blank; default {@code test}
     * @return this builder
     * @throws IllegalArgumentException if {@code split} is null or blank
     */
    public Builder split(String split) {
      if (split == null || split.isBlank()) {
        throw new IllegalArgumentException("split must be a non-blank name, but is: "
            + (split == null ? "null" : "'" + split + "'"));
      }
      this.split = split;
      return this;
    }

    /**
     * Sets whether a document whose id equals the query id is dropped from that query's results
     * (MTEB's {@code ignore_identical_ids}; off by default, as in MTEB for SciFact).
     *
     * @param ignore true to drop identical ids
     * @return this builder
     */
    public Builder ignoreIdenticalIds(boolean ignore) {
      this.ignoreIdenticalIds = ignore;
      return this;
    }

    /**
     * Sets whether judged queries without any relevant document (all relevances below 1) are left
     * out of the averages. Off by default: MTEB counts them, each with 0 on every metric (they
     * are not embedded either way, since nothing they retrieve can change their score). BEIR's
     * usual test sets, SciFact included, have no such query.
     *
     * @param skip true to leave such queries out of the averages and the query count
     * @return this builder
     */
    public Builder skipQueriesWithoutRelevant(boolean skip) {
      this.skipQueriesWithoutRelevant = skip;
      return this;
    }

    /**
     * Sets the index the corpus is searched with; default {@link VectorIndexFactory#flat()}, the
     * exact float scan MTEB's protocol means. A quantized index ({@link
     * dev.gecko4j.core.index.QuantizedFlatIndex#factory}) measures the quality int8 or binary
     * vectors keep.
     *
     * @param index the factory; not null (asked for a cosine index of the evaluated dimension)
     * @return this builder
     * @throws IllegalArgumentException if {@code index} is null
     */
    public Builder index(VectorIndexFactory index) {
      this.index = Args.notNull(index, "index");
      return this;
    }

    @Override
    public RetrievalEvaluator build() {
      return new RetrievalEvaluator(this);
    }
  }
}
