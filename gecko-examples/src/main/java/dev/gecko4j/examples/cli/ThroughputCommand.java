package dev.gecko4j.examples.cli;

import static dev.gecko4j.examples.cli.ThroughputReport.round;

import ai.onnxruntime.OrtException;
import dev.gecko4j.core.Embedding;
import dev.gecko4j.core.TaskPrompt;
import dev.gecko4j.core.eval.StsDataset;
import dev.gecko4j.core.eval.StsEvaluator;
import dev.gecko4j.onnx.GraphOptimization;
import dev.gecko4j.onnx.Models;
import dev.gecko4j.onnx.OnnxEmbedder;
import dev.gecko4j.onnx.OrtSessionFactory;
import dev.gecko4j.onnx.TokenizedBatch;
import dev.gecko4j.langchain4j.GeckoEmbeddingModel;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.OnnxBertBiEncoder;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code gecko bench throughput}: end-to-end embedding throughput of gecko4j's {@link OnnxEmbedder}
 * against the Java peer (LangChain4j's in-process embedding model: one ONNX Runtime run per text,
 * texts in parallel on an executor) and against the ceiling (ONNX Runtime {@code session.run} alone
 * on exactly the batches gecko4j forms, pre-tokenised, tensors created before timing, only the used
 * output requested, no pooling). All three run in one JVM on the same model file with the same
 * thread budget, interleaved run by run, so their ratios are comparable on a noisy machine. A
 * fourth system, ONNX Runtime alone on the same texts one per run (the batch-1 ceiling), measures
 * how much batching can gain at all over a per-text embedder on this machine ({@code
 * batching_bound} = batch-1 ceiling time / ceiling time).
 *
 * <p>Workloads: short texts (STSBenchmark test sentences) and long texts (SciFact corpus documents,
 * {@code title + " " + text}, only documents that fit the model's 512 tokens so that neither side
 * truncates nor chunks). Each figure is the median of {@code --runs} timed runs after
 * {@code --warmup} untimed ones. Also measures the int8 model's tokens/s against fp32 and both
 * models' STSBenchmark Spearman.
 */
@Command(name = "throughput", mixinStandardHelpOptions = true,
    description = "Embedding throughput: gecko4j vs LangChain4j (peer) vs ONNX Runtime alone "
        + "(ceiling), and int8 vs fp32, side by side in one JVM.")
public final class ThroughputCommand extends GeckoCommand {

  static final List<String> WORKLOADS = List.of("short", "long");

  @Option(names = "--runs", defaultValue = "5",
      description = "timed runs per system and workload (median reported); default: ${DEFAULT-VALUE}")
  int runs;

  @Option(names = "--warmup", defaultValue = "1",
      description = "untimed runs per system and workload first; default: ${DEFAULT-VALUE}")
  int warmup;

  @Option(names = "--short-texts", defaultValue = "2000",
      description = "STSBenchmark sentences in the short workload; default: ${DEFAULT-VALUE}")
  int shortTexts;

  @Option(names = "--long-texts", defaultValue = "1000",
      description = "SciFact documents in the long workload; default: ${DEFAULT-VALUE}")
  int longTexts;

  @Option(names = "--model", defaultValue = "bge-small-en-v1.5",
      description = "bundled fp32 model (see `gecko models`); default: ${DEFAULT-VALUE}")
  String model;

  @Option(names = "--int8-model", defaultValue = "bge-small-en-v1.5-q",
      description = "bundled int8 model compared with --model; default: ${DEFAULT-VALUE}")
  String int8Model;

  @Option(names = "--threads", defaultValue = "2",
      description = "thread budget for every system (ONNX Runtime intra-op threads for gecko4j "
          + "and the ceiling; executor threads for the peer); default: ${DEFAULT-VALUE}")
  int threads;

  @Option(names = "--peer-intra-op", defaultValue = "1",
      description = "ONNX Runtime intra-op threads of the peer's session (its executor runs "
          + "--threads texts at once, so 1 keeps it within the budget); default: ${DEFAULT-VALUE}")
  int peerIntraOp;

  @Option(names = "--concurrent-batches", defaultValue = "0",
      description = "batches gecko4j (and the ceiling) run at once, each with --threads / this "
          + "many ONNX Runtime intra-op threads; 0 means --threads (one intra-op thread each)")
  int concurrentBatches;

  @Option(names = "--token-budget", defaultValue = "0",
      description = "gecko4j token budget per batch; 0 keeps the embedder's default")
  int tokenBudget;

  @Option(names = "--max-batch-size", defaultValue = "0",
      description = "gecko4j rows per batch at most; 0 keeps the embedder's default")
  int maxBatchSize;

  @Option(names = "--optimization", defaultValue = "ALL",
      description = "ONNX Runtime graph optimisation level for every system: ${COMPLETION-CANDIDATES}; "
          + "default: ${DEFAULT-VALUE}")
  GraphOptimization optimization;

  @Option(names = "--workloads", split = ",", defaultValue = "short,long",
      description = "comma-separated workloads to run (short, long); default: ${DEFAULT-VALUE}")
  List<String> workloads;

  @Option(names = "--skip-peer", description = "do not measure the LangChain4j peer")
  boolean skipPeer;

  @Option(names = "--skip-adapter",
      description = "do not measure gecko4j through LangChain4j's EmbeddingModel API "
          + "(gecko-langchain4j's GeckoEmbeddingModel.embedAll on the same embedder)")
  boolean skipAdapter;

  @Option(names = "--skip-batch1-ceiling",
      description = "do not measure ONNX Runtime alone on one text per run (the bound of what "
          + "batching can gain over a per-text embedder such as the peer)")
  boolean skipBatch1Ceiling;

  @Option(names = "--skip-int8", description = "do not measure the int8 model")
  boolean skipInt8;

  @Option(names = "--skip-sts",
      description = "do not evaluate STSBenchmark Spearman of the fp32 and int8 models")
  boolean skipSts;

  @Option(names = "--data", defaultValue = "../shared/data",
      description = "the shared data folder (sts/, beir/scifact/); default: ${DEFAULT-VALUE}")
  Path data;

  private final PrintStream err = System.err;

  @Override
  public Integer call() throws Exception {
    validate();
    Models fp32 = Models.byName(model);
    Models int8 = skipInt8 ? null : Models.byName(int8Model);
    Path sts = data.resolve("sts/STSBenchmark.test.tsv");
    Path scifact = data.resolve("beir/scifact");
    if (!Files.isRegularFile(sts) || !Files.isDirectory(scifact)) {
      throw badOption("--data must hold sts/STSBenchmark.test.tsv and "
          + "beir/scifact/, but %s does not", data.toAbsolutePath());
    }
    double loadBefore = ThroughputReport.OS.getSystemLoadAverage();
    byte[] modelBytes = ThroughputWorkloads.readResource(fp32.modelResource());
    byte[] tokenizerBytes = ThroughputWorkloads.readResource(fp32.tokenizerResource());
    String modelLocation = "classpath:" + fp32.modelResource();

    Map<String, Object> result = new LinkedHashMap<>();
    Map<String, Double> int8Ratios = new LinkedHashMap<>();
    try (OnnxEmbedder gecko = build(fp32); OnnxEmbedder geckoInt8 = int8 == null ? null : build(int8);
        ThroughputCeiling ceiling = new ThroughputCeiling(sessions(intraOp()), modelBytes,
            modelLocation, gecko.outputName(), concurrentBatches);
        ThroughputCeiling ceiling1 = skipBatch1Ceiling ? null : new ThroughputCeiling(
            sessions(intraOp()), modelBytes, modelLocation, gecko.outputName(), concurrentBatches);
        ThroughputPeer peer = skipPeer ? null : new ThroughputPeer(sessions(peerIntraOp),
            modelBytes, modelLocation, tokenizerBytes, fp32, threads)) {
      err.printf(Locale.ROOT, "bench: %s | threads=%d (gecko4j and ceiling: %d concurrent batches "
          + "x %d intra-op; peer: %d executor threads x %d intra-op) | runs=%d warmup=%d | %s%n",
          gecko, threads, concurrentBatches, intraOp(), threads, peerIntraOp, runs, warmup,
          int8 == null ? "no int8" : "int8=" + int8.modelName());
      for (String w : workloads) {
        List<String> texts = w.equals("short") ? ThroughputWorkloads.shortTexts(sts, shortTexts)
            : ThroughputWorkloads.longTexts(scifact, longTexts, tokenizerBytes, gecko.maxLength());
        Map<String, Object> r = runWorkload(w, texts, gecko, geckoInt8, ceiling, ceiling1, peer);
        if (r.get("int8_vs_fp32") instanceof Double d) {
          int8Ratios.put(w, d);
        }
        result.put(w, r);
      }
      if (!int8Ratios.isEmpty()) {
        result.put("int8_vs_fp32", Collections.min(int8Ratios.values()));
      }
      if (!skipSts) {
        result.put("sts", stsScores(gecko, geckoInt8, sts));
      }
    }
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("model", fp32.modelName());
    config.put("int8_model", int8 == null ? null : int8.modelName());
    config.put("threads", threads);
    config.put("peer", "LangChain4j OnnxBertBiEncoder (langchain4j-embeddings 1.8.0-beta15), "
        + threads + "-thread executor, session intra-op " + peerIntraOp);
    config.put("peer_intra_op", peerIntraOp);
    config.put("adapter", skipAdapter ? null : "gecko-langchain4j GeckoEmbeddingModel.embedAll "
        + "(LangChain4j's EmbeddingModel API) over the gecko4j embedder");
    config.put("concurrent_batches", concurrentBatches);
    config.put("intra_op", intraOp());
    config.put("runs", runs);
    config.put("warmup", warmup);
    config.put("token_budget", tokenBudget == 0 ? "default" : tokenBudget);
    config.put("max_batch_size", maxBatchSize == 0 ? "default" : maxBatchSize);
    config.put("optimization", optimization.name());
    config.put("cpus", Runtime.getRuntime().availableProcessors());
    config.put("java", Runtime.version().toString());
    // 1-minute load average of the machine at start and end: above the CPU count, other processes
    // shared the cores and absolute numbers (less so the interleaved ratios) are disturbed.
    config.put("load_average_start", round(loadBefore, 2));
    config.put("load_average_end", round(ThroughputReport.OS.getSystemLoadAverage(), 2));
    result.put("config", config);
    result.put("targets", ThroughputReport.targets(result));
    ThroughputReport.printSummary(err, result);
    CliSupport.printJson(System.out, result);
    return 0;
  }

  private void validate() {
    if (runs < 1 || runs > 1000) {
      throw badOption("--runs must be between 1 and 1000, but is: %d", runs);
    }
    if (warmup < 0 || warmup > 1000) {
      throw badOption("--warmup must be between 0 and 1000, but is: %d", warmup);
    }
    if (shortTexts < 1 || longTexts < 1) {
      throw badOption(
          "--short-texts and --long-texts must be >= 1, but are: %d, %d", shortTexts, longTexts);
    }
    if (threads < 1 || threads > 1024 || peerIntraOp < 1 || peerIntraOp > 1024) {
      throw badOption(
          "--threads and --peer-intra-op must be between 1 and 1024, but are: %d, %d", threads,
          peerIntraOp);
    }
    for (String w : workloads) {
      if (!WORKLOADS.contains(w)) {
        throw badOption("--workloads must name only %s, but has: %s", WORKLOADS, w);
      }
    }
    workloads = new ArrayList<>(new LinkedHashSet<>(workloads));
    if (concurrentBatches == 0) {
      concurrentBatches = threads;
    }
    if (concurrentBatches < 1 || concurrentBatches > threads || threads % concurrentBatches != 0) {
      throw badOption(
          "--concurrent-batches must divide --threads (%d), but is: %d", threads,
          concurrentBatches);
    }
  }

  /** ONNX Runtime intra-op threads per batch of gecko4j and the ceiling. */
  private int intraOp() {
    return threads / concurrentBatches;
  }

  private OnnxEmbedder build(Models m) {
    OnnxEmbedder.Builder b = OnnxEmbedder.builder().model(m).intraOpThreads(intraOp())
        .concurrentBatches(concurrentBatches).graphOptimization(optimization);
    if (tokenBudget > 0) {
      b = b.tokenBudget(tokenBudget);
    }
    if (maxBatchSize > 0) {
      b = b.maxBatchSize(maxBatchSize);
    }
    return b.build();
  }

  /**
   * The factory of the sessions of the ceiling ({@code intraOp} = {@link #intraOp()}) and the
   * peer ({@code --peer-intra-op}): {@link OrtSessionFactory}, the one {@link OnnxEmbedder} opens
   * its session with, with the embedder's settings here (intra-op threads and graph optimisation
   * level, the CPU), so the ceiling is configured exactly as gecko4j's session.
   */
  private OrtSessionFactory sessions(int intraOp) {
    return OrtSessionFactory.builder().intraOpThreads(intraOp).graphOptimization(optimization)
        .build();
  }


  /** One system under test: embeds the whole workload once per call. */
  private record System_(String name, Runnable run) { }

  private Map<String, Object> runWorkload(String w, List<String> texts, OnnxEmbedder gecko,
      OnnxEmbedder geckoInt8, ThroughputCeiling ceiling, ThroughputCeiling ceiling1,
      ThroughputPeer peer) throws OrtException {
    List<TaskPrompt> prompts = Collections.nCopies(texts.size(), TaskPrompt.none());
    List<TokenizedBatch> batches = gecko.tokenize(texts, prompts);
    long tokens = 0;
    long padded = 0;
    for (TokenizedBatch b : batches) {
      tokens += b.tokenCount();
      padded += (long) b.rows() * b.sequenceLength();
    }
    err.printf(Locale.ROOT, "bench: %s: %d texts, %d tokens (%.1f per text), %d batches, "
        + "%.1f%% padding%n", w, texts.size(), tokens, (double) tokens / texts.size(),
        batches.size(), 100.0 * (padded - tokens) / padded);
    ceiling.prepare(batches);
    if (ceiling1 != null) {
      // the same texts one per run (batch 1, no padding), as a per-text embedder runs them
      List<TokenizedBatch> singles = new ArrayList<>(texts.size());
      for (String t : texts) {
        singles.addAll(gecko.tokenize(List.of(t), List.of(TaskPrompt.none())));
      }
      ceiling1.prepare(singles);
    }
    List<TextSegment> segments = new ArrayList<>(texts.size());
    for (String t : texts) {
      segments.add(TextSegment.from(t));
    }
    List<System_> systems = new ArrayList<>();
    systems.add(new System_("gecko", () -> gecko.embedAll(texts, prompts)));
    systems.add(new System_("ceiling", ceiling::runAll));
    if (ceiling1 != null) {
      systems.add(new System_("ceiling_b1", ceiling1::runAll));
    }
    if (peer != null) {
      systems.add(new System_("peer", () -> peer.model.embedAll(segments)));
    }
    // gecko4j behind LangChain4j's API: the same call as the peer's, on the same embedder (same
    // threads); plain embedAll embeds documents, which BGE renders without a prefix, as gecko's none().
    GeckoEmbeddingModel adapter = skipAdapter ? null
        : GeckoEmbeddingModel.builder().embedder(gecko).build();
    if (adapter != null) {
      systems.add(new System_("lc4j_adapter", () -> adapter.embedAll(segments)));
    }
    if (geckoInt8 != null) {
      systems.add(new System_("int8", () -> geckoInt8.embedAll(texts, prompts)));
    }

    Map<String, Object> r = new LinkedHashMap<>();
    r.put("texts", texts.size());
    r.put("tokens", tokens);
    r.put("batches", batches.size());
    r.put("padding", round(1.0 * (padded - tokens) / padded, 4));
    if (peer != null) {
      r.put("peer_min_cosine", round(agreement(gecko, peer, texts), 6));
    }

    Map<String, double[]> seconds = new LinkedHashMap<>();
    Map<String, double[]> cpuSeconds = new LinkedHashMap<>();
    for (System_ s : systems) {
      seconds.put(s.name, new double[runs]);
      cpuSeconds.put(s.name, new double[runs]);
    }
    for (int i = 0; i < warmup; i++) {
      for (System_ s : systems) {
        double[] t = ThroughputReport.time(s.run);
        err.printf(Locale.ROOT, "bench: %s warm-up %d/%d %-7s %8.3f s (cpu %.3f s)%n", w, i + 1,
            warmup, s.name, t[0], t[1]);
      }
    }
    for (int i = 0; i < runs; i++) {
      // Rotate the order so no system always runs right after the same other one.
      for (int k = 0; k < systems.size(); k++) {
        System_ s = systems.get((i + k) % systems.size());
        double[] t = ThroughputReport.time(s.run);
        seconds.get(s.name)[i] = t[0];
        cpuSeconds.get(s.name)[i] = t[1];
        err.printf(Locale.ROOT, "bench: %s run %d/%d %-7s %8.3f s (cpu %7.3f s) %9.1f texts/s "
            + "%10.0f tokens/s%n", w, i + 1, runs, s.name, t[0], t[1], texts.size() / t[0],
            tokens / t[0]);
      }
    }
    ceiling.release();
    if (ceiling1 != null) {
      ceiling1.release();
    }

    ThroughputReport.addFigures(r, seconds, cpuSeconds, texts.size(), tokens);
    return r;
  }

  /** The lowest cosine between gecko4j's and the peer's embedding of the same text (first 32). */
  private static double agreement(OnnxEmbedder gecko, ThroughputPeer peer, List<String> texts) {
    List<String> probe = texts.subList(0, Math.min(32, texts.size()));
    List<Embedding> ours = gecko.embedAll(probe, Collections.nCopies(probe.size(), TaskPrompt.none()));
    List<TextSegment> segs = new ArrayList<>();
    for (String t : probe) {
      segs.add(TextSegment.from(t));
    }
    List<dev.langchain4j.data.embedding.Embedding> theirs = peer.model.embedAll(segs).content();
    double min = 1;
    for (int i = 0; i < probe.size(); i++) {
      float[] a = ours.get(i).toArray();
      float[] b = theirs.get(i).vector();
      double dot = 0;
      double na = 0;
      double nb = 0;
      for (int d = 0; d < a.length; d++) {
        dot += (double) a[d] * b[d];
        na += (double) a[d] * a[d];
        nb += (double) b[d] * b[d];
      }
      min = Math.min(min, dot / Math.sqrt(na * nb));
    }
    return min;
  }

  private Map<String, Object> stsScores(OnnxEmbedder gecko, OnnxEmbedder geckoInt8, Path sts) {
    StsDataset ds = StsDataset.read(sts);
    StsEvaluator eval = StsEvaluator.builder().batchSize(4096).build();
    Map<String, Object> r = new LinkedHashMap<>();
    double f = eval.evaluate(gecko, ds).spearman();
    r.put("fp32_spearman", round(f, 5));
    err.printf(Locale.ROOT, "bench: STSBenchmark Spearman fp32 %.5f%n", f);
    if (geckoInt8 != null) {
      double q = eval.evaluate(geckoInt8, ds).spearman();
      err.printf(Locale.ROOT, "bench: STSBenchmark Spearman int8 %.5f%n", q);
      r.put("int8_spearman", round(q, 5));
      r.put("int8_minus_fp32", round(q - f, 5));
    }
    return r;
  }
}
