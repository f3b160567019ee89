package dev.gecko4j.examples.cli;

import dev.gecko4j.core.eval.BeirDataset;
import dev.gecko4j.core.eval.BeirDocument;
import dev.gecko4j.core.rerank.RelevanceScores;
import dev.gecko4j.onnx.Models;
import dev.gecko4j.onnx.OnnxCrossEncoder;
import dev.gecko4j.onnx.OrtSessionFactory;
import dev.gecko4j.onnx.SentenceTransformersFolder;
import dev.gecko4j.onnx.TokenizedBatch;
import dev.gecko4j.train.onnx.CrossEncoderFolders;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code gecko bench rerank}: pairs per second of gecko4j's {@link OnnxCrossEncoder} against (a)
 * the ceiling, ONNX Runtime {@code session.run} alone on exactly the batches the cross-encoder
 * forms (pre-tokenised, tensors made before timing, only {@code logits} requested, the result not
 * read), and (b) the peer, LangChain4j's ONNX scoring model's way of scoring ({@link RerankPeer}: a
 * re-implementation, since {@code langchain4j-onnx-scoring} is not reachable here): every pair of a
 * call padded to the longest and run as one batch. A fourth system, ONNX Runtime alone on the
 * peer's batches ({@code peer_ceiling}), bounds what gecko4j's length-sorted token-budget batches
 * can gain over the peer's: {@code batching_bound} = peer_ceiling time / ceiling time.
 *
 * <p>Workload: SciFact test queries in id order, each with {@code --candidates} passages (its
 * relevant documents, the rest drawn at random with a fixed seed, shuffled), MTEB's {@code title +
 * " " + text}: the lists a retriever hands a reranker. Every system scores the queries one call at
 * a time, the same model bytes, the same thread budget; runs interleaved (order rotated), medians.
 */
@Command(name = "rerank", mixinStandardHelpOptions = true,
    description = "Reranker throughput: gecko4j's OnnxCrossEncoder vs ONNX Runtime alone on the "
        + "same batches (ceiling) vs LangChain4j's ONNX scoring model's batching (peer), in one JVM.")
public final class RerankBenchCommand extends GeckoCommand {

  @Option(names = "--model", paramLabel = "FOLDER",
      description = "cross-encoder folder; default: an untrained one written from the bundled "
          + "bge-small-en-v1.5 into a temporary folder (`gecko cross-encoder`: the speed of a "
          + "bge-small cross-encoder does not depend on its head)")
  Path model;

  @Option(names = "--queries", defaultValue = "10",
      description = "SciFact test queries (one rerank call each); default: ${DEFAULT-VALUE}")
  int queries;

  @Option(names = "--candidates", defaultValue = "20",
      description = "passages per query; default: ${DEFAULT-VALUE}")
  int candidates;

  @Option(names = "--runs", defaultValue = "3",
      description = "timed runs per system (median reported); default: ${DEFAULT-VALUE}")
  int runs;

  @Option(names = "--warmup", defaultValue = "1",
      description = "untimed runs per system first; default: ${DEFAULT-VALUE}")
  int warmup;

  @Option(names = "--threads", defaultValue = "2",
      description = "thread budget of every system; default: ${DEFAULT-VALUE}")
  int threads;

  @Option(names = "--concurrent-batches", defaultValue = "0",
      description = "batches gecko4j (and its ceiling) run at once, each with --threads / this "
          + "many intra-op threads; 0 means --threads. The peer runs one batch per call with "
          + "--threads intra-op threads.")
  int concurrentBatches;

  @Option(names = "--token-budget", defaultValue = "0",
      description = "gecko4j token budget per batch; 0 keeps the cross-encoder's default")
  int tokenBudget;

  @Option(names = "--seed", defaultValue = "42", description = "seed of the candidate draw")
  long seed;

  @Option(names = "--skip-peer", description = "do not measure the peer nor its ceiling")
  boolean skipPeer;

  @Option(names = "--data", defaultValue = "../shared/data",
      description = "the shared data folder (beir/scifact/); default: ${DEFAULT-VALUE}")
  Path data;

  private final PrintStream err = System.err;

  private record Call(String query, List<String> passages) { }

  private record System_(String name, Runnable run) { }

  @Override
  public Integer call() throws Exception {
    validate();
    Path scifact = data.resolve("beir/scifact");
    if (!Files.isDirectory(scifact)) {
      throw badOption("--data must hold beir/scifact/, but %s does not", data.toAbsolutePath());
    }
    double loadBefore = ThroughputReport.OS.getSystemLoadAverage();
    Path folder = model;
    Path temp = null;
    if (folder == null) {
      temp = Files.createTempDirectory("gecko-bench-rerank");
      folder = temp.resolve("bge-small-en-v1.5-untrained-ce");
      CrossEncoderFolders.initialize(Models.BGE_SMALL_EN_V15.spec(), 1, 42, folder);
    }
    try {
      return run(folder, scifact, loadBefore);
    } finally {
      if (temp != null) {
        try (var files = Files.walk(temp)) {
          files.sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    }
  }

  private int run(Path folder, Path scifact, double loadBefore) throws Exception {
    List<Call> calls = workload(scifact);
    var spec = SentenceTransformersFolder.read(folder);
    byte[] modelBytes = spec.readModelBytes();
    byte[] tokenizerBytes = spec.readTokenizerBytes();
    int intraOp = threads / concurrentBatches;
    OnnxCrossEncoder.Builder b = OnnxCrossEncoder.builder().modelFolder(folder)
        .intraOpThreads(intraOp).concurrentBatches(concurrentBatches);
    if (tokenBudget > 0) {
      b.tokenBudget(tokenBudget);
    }
    Map<String, Object> result = new LinkedHashMap<>();
    try (OnnxCrossEncoder gecko = b.build();
        ThroughputCeiling ceiling = new ThroughputCeiling(sessions(intraOp), modelBytes,
            spec.modelLocation(), "logits", concurrentBatches);
        RerankPeer peer = skipPeer ? null : new RerankPeer(sessions(threads), modelBytes,
            spec.modelLocation(), tokenizerBytes);
        ThroughputCeiling peerCeiling = skipPeer ? null : new ThroughputCeiling(
            sessions(threads), modelBytes, spec.modelLocation(), "logits", 1)) {
      err.printf(Locale.ROOT, "bench rerank: %s | %d calls x %d passages | threads=%d (gecko4j and "
          + "ceiling: %d concurrent batches x %d intra-op; peer and its ceiling: one batch per "
          + "call x %d intra-op) | runs=%d warmup=%d%n", gecko, calls.size(), candidates, threads,
          concurrentBatches, intraOp, threads, runs, warmup);
      List<TokenizedBatch> batches = new ArrayList<>();
      List<TokenizedBatch> peerBatches = new ArrayList<>();
      for (Call c : calls) {
        batches.addAll(gecko.tokenize(c.query, c.passages));
        if (peer != null) {
          peerBatches.add(peer.batch(c.query, c.passages));
        }
      }
      long[] ours = counts(batches);
      int pairs = calls.size() * candidates;
      result.put("pairs", pairs);
      result.put("calls", calls.size());
      result.put("tokens", ours[0]);
      result.put("batches", batches.size());
      result.put("padded_tokens", ours[1]);
      result.put("padding", ThroughputReport.round(1.0 * (ours[1] - ours[0]) / ours[1], 4));
      err.printf(Locale.ROOT, "bench rerank: gecko4j batches: %d, %d tokens (%.1f per pair), "
          + "%.1f%% padding%n", batches.size(), ours[0], 1.0 * ours[0] / pairs,
          100.0 * (ours[1] - ours[0]) / ours[1]);
      ceiling.prepare(batches);
      List<System_> systems = new ArrayList<>();
      systems.add(new System_("gecko", () -> {
        for (Call c : calls) {
          gecko.score(c.query, c.passages);
        }
      }));
      systems.add(new System_("ceiling", ceiling::runAll));
      if (peer != null) {
        long[] theirs = counts(peerBatches);
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("tokens", theirs[0]);
        p.put("batches", peerBatches.size());
        p.put("padded_tokens", theirs[1]);
        p.put("padding", ThroughputReport.round(1.0 * (theirs[1] - theirs[0]) / theirs[1], 4));
        result.put("peer_batches", p);
        result.put("padded_tokens_saved", theirs[1] - ours[1]);
        result.put("padded_tokens_ratio", ThroughputReport.round(1.0 * theirs[1] / ours[1], 3));
        err.printf(Locale.ROOT, "bench rerank: peer batches: %d, %d tokens, %.1f%% padding (%d "
            + "padded tokens against gecko4j's %d)%n", peerBatches.size(), theirs[0],
            100.0 * (theirs[1] - theirs[0]) / theirs[1], theirs[1], ours[1]);
        result.put("peer_max_abs_logit_diff", ThroughputReport.round(agreement(gecko, peer,
            calls.get(0)), 6));
        peerCeiling.prepare(peerBatches);
        systems.add(new System_("peer", () -> {
          for (Call c : calls) {
            peer.scoreAll(c.query, c.passages);
          }
        }));
        systems.add(new System_("peer_ceiling", peerCeiling::runAll));
      }
      Map<String, double[]> seconds = new LinkedHashMap<>();
      Map<String, double[]> cpu = new LinkedHashMap<>();
      for (System_ s : systems) {
        seconds.put(s.name, new double[runs]);
        cpu.put(s.name, new double[runs]);
      }
      for (int i = 0; i < warmup; i++) {
        for (System_ s : systems) {
          double[] t = ThroughputReport.time(s.run);
          err.printf(Locale.ROOT, "bench rerank: warm-up %d/%d %-12s %8.3f s (cpu %.3f s)%n",
              i + 1, warmup, s.name, t[0], t[1]);
        }
      }
      for (int i = 0; i < runs; i++) {
        for (int k = 0; k < systems.size(); k++) {
          System_ s = systems.get((i + k) % systems.size());
          double[] t = ThroughputReport.time(s.run);
          seconds.get(s.name)[i] = t[0];
          cpu.get(s.name)[i] = t[1];
          err.printf(Locale.ROOT, "bench rerank: run %d/%d %-12s %8.3f s (cpu %7.3f s) %8.1f "
              + "pairs/s%n", i + 1, runs, s.name, t[0], t[1], pairs / t[0]);
        }
      }
      ceiling.release();
      if (peerCeiling != null) {
        peerCeiling.release();
      }
      ThroughputReport.addFigures(result, seconds, cpu, pairs, ours[0]);
      Map<String, Double> median = new TreeMap<>();
      for (var e : seconds.entrySet()) {
        median.put(e.getKey(), ThroughputReport.median(e.getValue()));
        if (result.get(e.getKey()) instanceof Map<?, ?> m) {
          @SuppressWarnings("unchecked")
          Map<String, Object> figures = (Map<String, Object>) m;
          figures.put("pairs_per_s", figures.remove("texts_per_s"));
        }
      }
      if (median.containsKey("peer_ceiling")) {
        result.put("batching_bound", ThroughputReport.round(median.get("peer_ceiling")
            / median.get("ceiling"), 3));
        result.put("peer_vs_peer_ceiling", ThroughputReport.round(median.get("peer_ceiling")
            / median.get("peer"), 3));
        result.put("vs_peer_over_bound", ThroughputReport.round(
            (median.get("peer") / median.get("gecko"))
                / (median.get("peer_ceiling") / median.get("ceiling")), 3));
      }
    }
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("model", folder.toString());
    config.put("model_note", model == null ? "untrained head on bundled bge-small-en-v1.5 "
        + "(gecko cross-encoder): speed only" : "as given");
    config.put("queries", queries);
    config.put("candidates", candidates);
    config.put("threads", threads);
    config.put("concurrent_batches", concurrentBatches);
    config.put("intra_op", threads / concurrentBatches);
    config.put("token_budget", tokenBudget == 0 ? "default" : tokenBudget);
    config.put("peer", skipPeer ? null : "re-implementation of LangChain4j OnnxScoringModel."
        + "scoreAll (langchain4j-onnx-scoring, not served here): one batch per call padded to the "
        + "longest pair, truncation at 508 tokens, one session with " + threads + " intra-op "
        + "threads");
    config.put("runs", runs);
    config.put("warmup", warmup);
    config.put("cpus", Runtime.getRuntime().availableProcessors());
    config.put("java", Runtime.version().toString());
    config.put("load_average_start", ThroughputReport.round(loadBefore, 2));
    config.put("load_average_end",
        ThroughputReport.round(ThroughputReport.OS.getSystemLoadAverage(), 2));
    result.put("config", config);
    Map<String, Object> targets = new LinkedHashMap<>();
    ThroughputReport.put(targets, "vs_ceiling_ge_0.95", result.get("vs_ceiling"), 0.95);
    ThroughputReport.put(targets, "vs_peer_gt_1", result.get("vs_peer"), 1.0 + 1e-9);
    result.put("targets", targets);
    err.printf(Locale.ROOT, "bench rerank: gecko/ceiling %s, gecko/peer %s, batching bound "
        + "(peer_ceiling / ceiling) %s, padded tokens peer/gecko %s; CPU-time ratios %s%n",
        result.get("vs_ceiling"), result.get("vs_peer"), result.get("batching_bound"),
        result.get("padded_tokens_ratio"), result.get("cpu_time_ratios"));
    CliSupport.printJson(System.out, result);
    return 0;
  }

  private void validate() {
    if (runs < 1 || runs > 1000 || warmup < 0 || warmup > 1000) {
      throw badOption("--runs must be in [1, 1000] and --warmup in [0, 1000], but are: %d, %d",
          runs, warmup);
    }
    if (queries < 1 || queries > 300 || candidates < 1 || candidates > 1000) {
      throw badOption("--queries must be in [1, 300] and --candidates in [1, 1000], but are: "
          + "%d, %d", queries, candidates);
    }
    if (threads < 1 || threads > 1024) {
      throw badOption("--threads must be between 1 and 1024, but is: %d", threads);
    }
    if (concurrentBatches == 0) {
      concurrentBatches = threads;
    }
    if (concurrentBatches < 1 || concurrentBatches > threads || threads % concurrentBatches != 0) {
      throw badOption("--concurrent-batches must divide --threads (%d), but is: %d", threads,
          concurrentBatches);
    }
  }

  private OrtSessionFactory sessions(int intraOp) {
    return OrtSessionFactory.builder().intraOpThreads(intraOp).build();
  }

  /** SciFact test queries in id order, each with its relevant documents and seeded random ones. */
  private List<Call> workload(Path scifact) {
    BeirDataset ds = BeirDataset.open(scifact);
    List<BeirDocument> docs = ds.loadDocuments();
    Map<String, String> byId = new LinkedHashMap<>();
    for (BeirDocument d : docs) {
      byId.put(d.id(), d.mtebText());
    }
    Map<String, String> queryTexts = ds.queries();
    Map<String, Map<String, Integer>> qrels = new TreeMap<>(ds.qrels("test"));
    Random random = new Random(seed);
    List<Call> calls = new ArrayList<>();
    for (var e : qrels.entrySet()) {
      if (calls.size() == queries) {
        break;
      }
      List<String> passages = new ArrayList<>();
      for (String id : e.getValue().keySet()) {
        if (passages.size() < candidates && byId.containsKey(id)) {
          passages.add(byId.get(id));
        }
      }
      while (passages.size() < candidates) {
        passages.add(docs.get(random.nextInt(docs.size())).mtebText());
      }
      Collections.shuffle(passages, random);
      calls.add(new Call(queryTexts.get(e.getKey()), passages));
    }
    if (calls.size() < queries) {
      throw badOption("--queries must be at most the %d SciFact test queries, but is: %d",
          calls.size(), queries);
    }
    return calls;
  }

  /** {real tokens, padded tokens (rows x length)} of the batches. */
  private static long[] counts(List<TokenizedBatch> batches) {
    long tokens = 0;
    long padded = 0;
    for (TokenizedBatch b : batches) {
      tokens += b.tokenCount();
      padded += (long) b.rows() * b.sequenceLength();
    }
    return new long[] {tokens, padded};
  }

  /**
   * The largest |gecko4j logit - peer logit| over the first call's pairs that neither truncates
   * (the peer cuts at 508 tokens, gecko4j at the model's 512).
   */
  private static double agreement(OnnxCrossEncoder gecko, RerankPeer peer, Call c) {
    RelevanceScores ours = gecko.score(c.query, c.passages);
    List<Double> theirs = peer.scoreAll(c.query, c.passages);
    int[] tokens = new int[c.passages.size()];
    for (TokenizedBatch b : gecko.tokenize(c.query, c.passages)) {
      for (int r = 0; r < b.rows(); r++) {
        tokens[b.rowOwners()[r]] = b.rowTokens()[r];
      }
    }
    double max = 0;
    for (int i = 0; i < tokens.length; i++) {
      if (tokens[i] < RerankPeer.MODEL_MAX_LENGTH - 2) {
        max = Math.max(max, Math.abs(ours.logit(i) - theirs.get(i)));
      }
    }
    return max;
  }
}
