package dev.gecko4j.examples.cli;

import dev.gecko4j.core.Embedding;
import dev.gecko4j.core.TaskPrompt;
import dev.gecko4j.core.eval.BeirDataset;
import dev.gecko4j.core.eval.BeirDocument;
import dev.gecko4j.core.index.FlatIndex;
import dev.gecko4j.core.index.Hit;
import dev.gecko4j.core.index.VectorIndex;
import dev.gecko4j.core.vector.Similarity;
import dev.gecko4j.jvector.GraphIndex;
import dev.gecko4j.jvector.GraphIndexConfig;
import dev.gecko4j.onnx.OnnxEmbedder;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code gecko bench ann}: the JVector graph index ({@link GraphIndex}) against the exact {@link
 * FlatIndex} in one run, on two workloads:
 *
 * <ul>
 *   <li>synthetic: {@code --vectors} x {@code --dimension} seeded clustered vectors ({@code
 *       --clusters} centres drawn from N(0, 1) per coordinate, each vector a random centre plus
 *       N(0, 0.5^2) noise per coordinate; the queries are drawn the same way from the same centres
 *       with another seed), cosine;
 *   <li>SciFact: the corpus (5,183 documents) and its 1,109 queries, embedded by {@code
 *       --scifact-model} at {@code --scifact-max-length} tokens (skipped with a message when
 *       {@code ../shared/data/beir/scifact} is absent).
 * </ul>
 *
 * <p>For each: build time (graph inserts on all cores, plus {@link GraphIndex#optimize()}), heap
 * of each index (measured around its build after a GC), recall@10 of the graph against the flat
 * index's exact top 10, and queries/s of both: batched ({@code searchBatch}, all cores; the flat
 * index's blocked kernel is its fastest path) and on one thread ({@code search}). {@code speedup}
 * is the batched ratio. Progress goes to stderr; the last stdout line is one JSON object.
 */
@Command(name = "ann", mixinStandardHelpOptions = true,
    description = "JVector graph index vs exact FlatIndex: build time, memory, recall@10, "
        + "queries/s, on clustered synthetic vectors and on SciFact embeddings, in one run.")
public final class AnnBenchCommand extends GeckoCommand {

  @Option(names = "--vectors", defaultValue = "1000000",
      description = "synthetic corpus size; default: ${DEFAULT-VALUE}")
  int vectors;

  @Option(names = "--dimension", defaultValue = "384",
      description = "synthetic vector dimension; default: ${DEFAULT-VALUE}")
  int dimension;

  @Option(names = "--clusters", defaultValue = "1000",
      description = "synthetic cluster centres; default: ${DEFAULT-VALUE}")
  int clusters;

  @Option(names = "--queries", defaultValue = "1000",
      description = "synthetic queries (recall and batched queries/s); default: ${DEFAULT-VALUE}")
  int queries;

  @Option(names = "--single-thread-queries", defaultValue = "100",
      description = "queries timed one by one on one thread, per index; default: ${DEFAULT-VALUE}")
  int singleQueries;

  @Option(names = "--seed", defaultValue = "42",
      description = "seed of the synthetic data; default: ${DEFAULT-VALUE}")
  long seed;

  @Option(names = "--m", defaultValue = "32",
      description = "graph max degree M (16 is too low for 0.95 recall on the 1M synthetic set);"
          + " default: ${DEFAULT-VALUE}")
  int maxDegree;

  @Option(names = "--beam-width", defaultValue = "100",
      description = "construction beam width; default: ${DEFAULT-VALUE}")
  int beamWidth;

  @Option(names = "--search-rerank", defaultValue = "100,200,400", split = ",",
      description = "search beam (candidates kept and reranked exactly); a comma list sweeps"
          + " several on the same index; default: ${DEFAULT-VALUE}")
  List<Integer> searchRerank;

  @Option(names = "--target-recall", defaultValue = "0.95",
      description = "with a sweep, the top-level figures are those of the fastest search beam"
          + " reaching this recall@10 (else of the best recall); default: ${DEFAULT-VALUE}")
  double targetRecall;

  @Option(names = "--no-refine", description = "skip JVector's refine pass in optimize()")
  boolean noRefine;

  @Option(names = "--pq-subspaces", defaultValue = "0",
      description = "product quantisation subspaces (0: none); default: ${DEFAULT-VALUE}")
  int pqSubspaces;

  @Option(names = "--skip-scifact", description = "do not run the SciFact workload")
  boolean skipScifact;

  @Option(names = "--skip-synthetic", description = "do not run the synthetic workload")
  boolean skipSynthetic;

  @Option(names = "--scifact-model", defaultValue = "bge-small-en-v1.5-q",
      description = "model that embeds SciFact (bundled name or folder); default: ${DEFAULT-VALUE}")
  String scifactModel;

  @Option(names = "--scifact-max-length", defaultValue = "128",
      description = "token limit when embedding SciFact (shorter is faster); default: ${DEFAULT-VALUE}")
  int scifactMaxLength;

  @Option(names = "--data", defaultValue = "../shared/data",
      description = "the shared data folder (holds beir/scifact); default: ${DEFAULT-VALUE}")
  Path data;

  private final PrintStream err = System.err;

  @Override
  public Integer call() {
    if (searchRerank.isEmpty() || searchRerank.stream().anyMatch(r -> r == null || r < 1)) {
      throw badOption("--search-rerank must be one or more integers >= 1, but is: %s",
          searchRerank);
    }
    searchRerank = searchRerank.stream().distinct().sorted().toList();
    if (vectors < 10 || queries < 1 || singleQueries < 1 || dimension < 1 || clusters < 1) {
      throw badOption("--vectors must be >= 10 and --queries, "
          + "--single-thread-queries, --dimension, --clusters >= 1, but are: %d, %d, %d, %d, %d",
          vectors, queries, singleQueries, dimension, clusters);
    }
    GraphIndexConfig config = GraphIndexConfig.builder().maxDegree(maxDegree).beamWidth(beamWidth)
        .searchRerank(searchRerank.get(0)).refine(!noRefine).pqSubspaces(pqSubspaces).build();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("java", Runtime.version().toString());
    out.put("cores", Runtime.getRuntime().availableProcessors());
    out.put("max_heap_mb", Runtime.getRuntime().maxMemory() >> 20);
    out.put("m", maxDegree);
    out.put("beam_width", beamWidth);
    out.put("target_recall", targetRecall);
    out.put("refine", !noRefine);
    out.put("pq_subspaces", pqSubspaces);
    if (!skipSynthetic) {
      synthetic(config, out);
    }
    if (!skipScifact) {
      scifact(config, out);
    }
    CliSupport.printJson(System.out, out);
    return 0;
  }

  private void synthetic(GraphIndexConfig config, Map<String, Object> out) {
    err.printf(Locale.ROOT, "bench ann: %,d x %d clustered vectors (%d clusters, seed %d)%n",
        vectors, dimension, clusters, seed);
    Clustered gen = new Clustered(dimension, clusters, seed);
    long heap0 = usedHeap();
    FlatIndex flat = new FlatIndex(dimension, Similarity.COSINE);
    Random corpusRandom = new Random(seed + 1);
    final int chunk = 50_000;
    for (int start = 0; start < vectors; start += chunk) {
      int n = Math.min(chunk, vectors - start);
      flat.addAll(ids(start, n), gen.sample(n, corpusRandom));
    }
    long flatHeap = usedHeap() - heap0;
    err.printf(Locale.ROOT, "  flat index: %,d MB%n", flatHeap >> 20);

    long heap1 = usedHeap();
    GraphIndex graph = new GraphIndex(dimension, Similarity.COSINE, config);
    corpusRandom = new Random(seed + 1);
    long t0 = System.nanoTime();
    for (int start = 0; start < vectors; start += chunk) {
      int n = Math.min(chunk, vectors - start);
      graph.addAll(ids(start, n), gen.sample(n, corpusRandom));
      err.printf(Locale.ROOT, "  graph: %,d / %,d inserted, %.0f s%n", start + n, vectors,
          (System.nanoTime() - t0) / 1e9);
    }
    long t1 = System.nanoTime();
    graph.optimize();
    long t2 = System.nanoTime();
    long graphHeap = usedHeap() - heap1;
    err.printf(Locale.ROOT, "  graph: inserts %.1f s, optimize %.1f s, %,d MB%n", (t1 - t0) / 1e9,
        (t2 - t1) / 1e9, graphHeap >> 20);
    List<float[]> qs = gen.sample(queries, new Random(seed + 2));
    Map<String, Object> r = compare("", graph, flat, qs);
    out.put("vectors", vectors);
    out.put("dimension", dimension);
    out.put("clusters", clusters);
    out.put("queries", queries);
    out.put("build_s", round((t2 - t0) / 1e9));
    out.put("insert_s", round((t1 - t0) / 1e9));
    out.put("optimize_s", round((t2 - t1) / 1e9));
    out.put("graph_heap_mb", graphHeap >> 20);
    out.put("graph_ram_estimate_mb", graph.ramBytesUsed() >> 20);
    out.put("flat_heap_mb", flatHeap >> 20);
    out.putAll(r);
  }

  private void scifact(GraphIndexConfig config, Map<String, Object> out) {
    Path dir = data.resolve("beir").resolve("scifact");
    if (!Files.isRegularFile(dir.resolve("corpus.jsonl"))) {
      err.println("bench ann: SciFact not found at " + dir.toAbsolutePath() + "; skipping it");
      out.put("scifact_skipped", "not found: " + dir.toAbsolutePath());
      return;
    }
    BeirDataset ds = BeirDataset.open(dir);
    List<BeirDocument> docs;
    try (Stream<BeirDocument> s = ds.documents()) {
      docs = s.collect(Collectors.toList());
    }
    List<String> qtexts = new ArrayList<>(BeirDataset.readQueries(dir.resolve("queries.jsonl"))
        .values());
    err.printf(Locale.ROOT, "bench ann: embedding SciFact (%,d docs, %,d queries) with %s at %d"
        + " tokens%n", docs.size(), qtexts.size(), scifactModel, scifactMaxLength);
    List<Embedding> dv;
    List<Embedding> qv;
    long e0 = System.nanoTime();
    try (OnnxEmbedder embedder = CliSupport.builderFor(scifactModel).maxLength(scifactMaxLength)
        .build()) {
      dv = embedder.embedAll(docs.stream().map(BeirDocument::mtebText)
          .collect(Collectors.toList()), TaskPrompt.document());
      qv = embedder.embedAll(qtexts, TaskPrompt.query(TaskPrompt.SEARCH_RESULT));
    }
    err.printf(Locale.ROOT, "  embedded in %.0f s%n", (System.nanoTime() - e0) / 1e9);
    int dim = dv.get(0).dimension();
    List<String> ids = docs.stream().map(BeirDocument::id).collect(Collectors.toList());
    List<float[]> vs = dv.stream().map(Embedding::toArray).collect(Collectors.toList());
    FlatIndex flat = new FlatIndex(dim, Similarity.COSINE);
    flat.addAll(ids, vs);
    GraphIndex graph = new GraphIndex(dim, Similarity.COSINE, config);
    long t0 = System.nanoTime();
    graph.addAll(ids, vs);
    graph.optimize();
    long t1 = System.nanoTime();
    List<float[]> qs = qv.stream().map(Embedding::toArray).collect(Collectors.toList());
    out.put("scifact_model", scifactModel);
    out.put("scifact_max_length", scifactMaxLength);
    out.put("scifact_vectors", docs.size());
    out.put("scifact_queries", qs.size());
    out.put("scifact_build_s", round((t1 - t0) / 1e9));
    out.putAll(compare("scifact_", graph, flat, qs));
  }

  /**
   * Recall@10 and queries/s of {@code graph} against {@code flat} on {@code qs}, for each search
   * beam of {@code --search-rerank} (the flat index is timed once). The top-level figures are
   * those of the fastest beam that reaches {@code --target-recall}, else of the best recall; every
   * beam's figures are in {@code sweep}.
   */
  private Map<String, Object> compare(String prefix, GraphIndex graph, FlatIndex flat,
      List<float[]> qs) {
    int k = 10;
    // warm-up (JIT) on a few queries, untimed
    List<float[]> warm = qs.subList(0, Math.min(qs.size(), 32));
    graph.searchBatch(warm, k);
    flat.searchBatch(warm, k);
    long t1 = System.nanoTime();
    List<List<Hit>> exact = flat.searchBatch(qs, k);
    double flatQps = qs.size() / ((System.nanoTime() - t1) / 1e9);
    int single = Math.min(singleQueries, qs.size());
    double flatSingle = singleThreadQps(flat, qs.subList(0, single), k, 0);

    List<Map<String, Object>> sweep = new ArrayList<>();
    Map<String, Object> chosen = null;
    Map<String, Object> best = null;
    for (int rerank : searchRerank) {
      long t0 = System.nanoTime();
      List<List<Hit>> approx = graph.searchBatch(qs, k, rerank);
      double annQps = qs.size() / ((System.nanoTime() - t0) / 1e9);
      double annSingle = singleThreadQps(graph, qs.subList(0, single), k, rerank);
      long found = 0;
      for (int i = 0; i < qs.size(); i++) {
        Set<Integer> truth = new HashSet<>();
        exact.get(i).forEach(h -> truth.add(h.ordinal()));
        for (Hit h : approx.get(i)) {
          if (truth.contains(h.ordinal())) {
            found++;
          }
        }
      }
      double recall = found / (double) (k * qs.size());
      err.printf(Locale.ROOT, "  %ssearch beam %d: recall@10 %.4f; batched q/s: graph %.0f, flat"
          + " %.1f (x%.1f); one thread q/s: graph %.0f, flat %.1f%n", prefix, rerank, recall,
          annQps, flatQps, annQps / flatQps, annSingle, flatSingle);
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("search_rerank", rerank);
      r.put("recall_at_10", round4(recall));
      r.put("ann_queries_per_s", round(annQps));
      r.put("flat_queries_per_s", round(flatQps));
      r.put("speedup", round(annQps / flatQps));
      r.put("ann_single_thread_queries_per_s", round(annSingle));
      r.put("flat_single_thread_queries_per_s", round(flatSingle));
      r.put("single_thread_speedup", round(annSingle / flatSingle));
      sweep.add(r);
      if (chosen == null && recall >= targetRecall) {
        chosen = r;
      }
      if (best == null || recall > (double) best.get("recall_at_10")) {
        best = r;
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    (chosen != null ? chosen : best).forEach((key, v) -> out.put(prefix + key, v));
    out.put(prefix + "reaches_target_recall", chosen != null);
    if (sweep.size() > 1) {
      out.put(prefix + "sweep", sweep);
    }
    return out;
  }

  /** Queries/s of one-by-one searches on this thread ({@code rerank} 0: the index's own). */
  private static double singleThreadQps(VectorIndex index, List<float[]> qs, int k, int rerank) {
    long t0 = System.nanoTime();
    for (float[] q : qs) {
      if (rerank > 0 && index instanceof GraphIndex g) {
        g.search(q, k, rerank);
      } else {
        index.search(q, k);
      }
    }
    return qs.size() / ((System.nanoTime() - t0) / 1e9);
  }

  private static List<String> ids(int from, int n) {
    List<String> ids = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      ids.add(Integer.toString(from + i));
    }
    return ids;
  }

  private static long usedHeap() {
    Runtime rt = Runtime.getRuntime();
    for (int i = 0; i < 2; i++) {
      System.gc();
    }
    return rt.totalMemory() - rt.freeMemory();
  }

  private static double round(double v) {
    return Math.round(v * 10.0) / 10.0;
  }

  private static double round4(double v) {
    return Math.round(v * 10_000.0) / 10_000.0;
  }

  /** Seeded clustered vectors: fixed centres, samples drawn from a caller's random. */
  static final class Clustered {
    private final int dim;
    private final float[][] centres;

    Clustered(int dim, int clusters, long seed) {
      this.dim = dim;
      Random r = new Random(seed);
      centres = new float[clusters][dim];
      for (float[] c : centres) {
        for (int i = 0; i < dim; i++) {
          c[i] = (float) r.nextGaussian();
        }
      }
    }

    List<float[]> sample(int n, Random r) {
      List<float[]> out = new ArrayList<>(n);
      for (int j = 0; j < n; j++) {
        float[] c = centres[r.nextInt(centres.length)];
        float[] v = new float[dim];
        for (int i = 0; i < dim; i++) {
          v[i] = (float) (c[i] + 0.5 * r.nextGaussian());
        }
        out.add(v);
      }
      return out;
    }
  }
}
