package dev.gecko4j.examples.cli;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import dev.gecko4j.core.Embedding;
import dev.gecko4j.core.TaskPrompt;
import dev.gecko4j.core.eval.BeirDataset;
import dev.gecko4j.core.eval.BeirDocument;
import dev.gecko4j.core.eval.StsDataset;
import dev.gecko4j.core.eval.StsEvaluator;
import dev.gecko4j.core.eval.StsPair;
import dev.gecko4j.onnx.GraphOptimization;
import dev.gecko4j.onnx.Models;
import dev.gecko4j.onnx.OnnxEmbedder;
import dev.gecko4j.onnx.OrtRuntime;
import dev.gecko4j.onnx.TokenizedBatch;
import dev.gecko4j.langchain4j.GeckoEmbeddingModel;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.AbstractInProcessEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.OnnxBertBiEncoder;
import dev.langchain4j.model.embedding.onnx.PoolingMode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
public final class ThroughputCommand implements Callable<Integer> {

  private static final List<String> WORKLOADS = List.of("short", "long");

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
      throw new IllegalArgumentException("--data must hold sts/STSBenchmark.test.tsv and "
          + "beir/scifact/, but " + data.toAbsolutePath() + " does not");
    }
    double loadBefore = OS.getSystemLoadAverage();
    OrtEnvironment env = OrtRuntime.environment();
    byte[] modelBytes = readResource(fp32.modelResource());
    byte[] tokenizerBytes = readResource(fp32.tokenizerResource());

    Map<String, Object> result = new LinkedHashMap<>();
    Map<String, Double> int8Ratios = new LinkedHashMap<>();
    try (OnnxEmbedder gecko = build(fp32); OnnxEmbedder geckoInt8 = int8 == null ? null : build(int8);
        Ceiling ceiling = new Ceiling(env, modelBytes, sessionOptions(intraOp()), gecko.outputName(),
            concurrentBatches);
        Ceiling ceiling1 = skipBatch1Ceiling ? null : new Ceiling(env, modelBytes,
            sessionOptions(intraOp()), gecko.outputName(), concurrentBatches);
        Peer peer = skipPeer ? null : new Peer(env, modelBytes, tokenizerBytes, fp32)) {
      err.printf(Locale.ROOT, "bench: %s | threads=%d (gecko4j and ceiling: %d concurrent batches "
          + "x %d intra-op; peer: %d executor threads x %d intra-op) | runs=%d warmup=%d | %s%n",
          gecko, threads, concurrentBatches, intraOp(), threads, peerIntraOp, runs, warmup,
          int8 == null ? "no int8" : "int8=" + int8.modelName());
      for (String w : workloads) {
        List<String> texts = w.equals("short") ? shortTexts(sts, shortTexts)
            : longTexts(scifact, longTexts, tokenizerBytes, gecko.maxLength());
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
    config.put("load_average_end", round(OS.getSystemLoadAverage(), 2));
    result.put("config", config);
    result.put("targets", targets(result));
    printSummary(result);
    CliSupport.printJson(System.out, result);
    return 0;
  }

  private void validate() {
    if (runs < 1 || runs > 1000) {
      throw new IllegalArgumentException("--runs must be between 1 and 1000, but is: " + runs);
    }
    if (warmup < 0 || warmup > 1000) {
      throw new IllegalArgumentException("--warmup must be between 0 and 1000, but is: " + warmup);
    }
    if (shortTexts < 1 || longTexts < 1) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "--short-texts and --long-texts must be >= 1, but are: %d, %d", shortTexts, longTexts));
    }
    if (threads < 1 || threads > 1024 || peerIntraOp < 1 || peerIntraOp > 1024) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "--threads and --peer-intra-op must be between 1 and 1024, but are: %d, %d", threads,
          peerIntraOp));
    }
    for (String w : workloads) {
      if (!WORKLOADS.contains(w)) {
        throw new IllegalArgumentException(
            "--workloads must name only " + WORKLOADS + ", but has: " + w);
      }
    }
    workloads = new ArrayList<>(new LinkedHashSet<>(workloads));
    if (concurrentBatches == 0) {
      concurrentBatches = threads;
    }
    if (concurrentBatches < 1 || concurrentBatches > threads || threads % concurrentBatches != 0) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "--concurrent-batches must divide --threads (%d), but is: %d", threads,
          concurrentBatches));
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
   * ONNX Runtime session options as {@link OnnxEmbedder} sets them (intra-op threads and graph
   * optimisation level; everything else at ONNX Runtime's defaults). Keep in step with
   * {@code OnnxEmbedder.Builder#build()}.
   */
  private OrtSession.SessionOptions sessionOptions(int intraOp) throws OrtException {
    OrtSession.SessionOptions so = new OrtSession.SessionOptions();
    so.setIntraOpNumThreads(intraOp);
    so.setOptimizationLevel(switch (optimization) {
      case NONE -> OptLevel.NO_OPT;
      case BASIC -> OptLevel.BASIC_OPT;
      case EXTENDED -> OptLevel.EXTENDED_OPT;
      case ALL -> OptLevel.ALL_OPT;
    });
    return so;
  }

  /** One system under test: embeds the whole workload once per call. */
  private record System_(String name, Runnable run) { }

  private Map<String, Object> runWorkload(String w, List<String> texts, OnnxEmbedder gecko,
      OnnxEmbedder geckoInt8, Ceiling ceiling, Ceiling ceiling1, Peer peer) throws OrtException {
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
        double[] t = time(s.run);
        err.printf(Locale.ROOT, "bench: %s warm-up %d/%d %-7s %8.3f s (cpu %.3f s)%n", w, i + 1,
            warmup, s.name, t[0], t[1]);
      }
    }
    for (int i = 0; i < runs; i++) {
      // Rotate the order so no system always runs right after the same other one.
      for (int k = 0; k < systems.size(); k++) {
        System_ s = systems.get((i + k) % systems.size());
        double[] t = time(s.run);
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

    Map<String, Double> median = new HashMap<>();
    Map<String, Double> cpuMedian = new HashMap<>();
    for (Map.Entry<String, double[]> e : seconds.entrySet()) {
      double m = median(e.getValue());
      double c = median(cpuSeconds.get(e.getKey()));
      median.put(e.getKey(), m);
      cpuMedian.put(e.getKey(), c);
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("texts_per_s", round(texts.size() / m, 1));
      s.put("tokens_per_s", round(tokens / m, 0));
      s.put("median_s", round(m, 4));
      s.put("runs_s", rounded(e.getValue()));
      s.put("median_cpu_s", round(c, 4));
      s.put("runs_cpu_s", rounded(cpuSeconds.get(e.getKey())));
      r.put(e.getKey(), s);
    }
    // Wall-clock ratios (the claim), and the same ratios in process CPU time (all threads, ONNX
    // Runtime's native ones included): less sensitive to other load on a shared machine.
    if (peer != null) {
      r.put("vs_peer", round(median.get("peer") / median.get("gecko"), 3));
    }
    r.put("vs_ceiling", round(median.get("ceiling") / median.get("gecko"), 3));
    if (ceiling1 != null) {
      // What batching can gain at most over one text per run on this machine and session: an
      // embedder at the ceiling beats a per-text one at the batch-1 ceiling by this much.
      r.put("batching_bound", round(median.get("ceiling_b1") / median.get("ceiling"), 3));
      if (peer != null) {
        r.put("peer_vs_ceiling_b1", round(median.get("ceiling_b1") / median.get("peer"), 3));
      }
    }
    if (geckoInt8 != null) {
      r.put("int8_vs_fp32", round(median.get("gecko") / median.get("int8"), 3));
    }
    if (adapter != null) {
      r.put("adapter_vs_gecko", round(median.get("gecko") / median.get("lc4j_adapter"), 3));
      if (peer != null) {
        r.put("adapter_vs_peer", round(median.get("peer") / median.get("lc4j_adapter"), 3));
      }
    }
    Map<String, Object> cpu = new LinkedHashMap<>();
    if (peer != null) {
      cpu.put("vs_peer", round(cpuMedian.get("peer") / cpuMedian.get("gecko"), 3));
    }
    cpu.put("vs_ceiling", round(cpuMedian.get("ceiling") / cpuMedian.get("gecko"), 3));
    if (ceiling1 != null) {
      cpu.put("batching_bound", round(cpuMedian.get("ceiling_b1") / cpuMedian.get("ceiling"), 3));
    }
    if (geckoInt8 != null) {
      cpu.put("int8_vs_fp32", round(cpuMedian.get("gecko") / cpuMedian.get("int8"), 3));
    }
    r.put("cpu_time_ratios", cpu);
    return r;
  }

  /** The lowest cosine between gecko4j's and the peer's embedding of the same text (first 32). */
  private static double agreement(OnnxEmbedder gecko, Peer peer, List<String> texts) {
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

  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
          .getOperatingSystemMXBean();

  /** Runs {@code r}; returns {wall seconds, process CPU seconds (all threads, native included)}. */
  private static double[] time(Runnable r) {
    System.gc();
    long c0 = OS.getProcessCpuTime();
    long t0 = System.nanoTime();
    r.run();
    long t1 = System.nanoTime();
    long c1 = OS.getProcessCpuTime();
    return new double[] {(t1 - t0) / 1e9, (c1 - c0) / 1e9};
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

  @SuppressWarnings("unchecked")
  private static Map<String, Object> targets(Map<String, Object> result) {
    Map<String, Object> t = new LinkedHashMap<>();
    if (result.get("short") instanceof Map<?, ?> s) {
      put(t, "short_vs_peer_ge_3", ((Map<String, Object>) s).get("vs_peer"), 3.0);
      put(t, "short_vs_ceiling_ge_0.85", ((Map<String, Object>) s).get("vs_ceiling"), 0.85);
      put(t, "short_adapter_vs_gecko_ge_0.97", ((Map<String, Object>) s).get("adapter_vs_gecko"),
          0.97);
      put(t, "short_adapter_vs_peer_ge_1.7", ((Map<String, Object>) s).get("adapter_vs_peer"),
          1.7);
    }
    if (result.get("long") instanceof Map<?, ?> l) {
      put(t, "long_vs_peer_ge_1.5", ((Map<String, Object>) l).get("vs_peer"), 1.5);
      put(t, "long_vs_ceiling_ge_0.85", ((Map<String, Object>) l).get("vs_ceiling"), 0.85);
    }
    put(t, "int8_vs_fp32_ge_1.8", result.get("int8_vs_fp32"), 1.8);
    if (result.get("sts") instanceof Map<?, ?> sts && sts.get("int8_minus_fp32") instanceof Double d) {
      t.put("int8_sts_within_0.01", Math.abs(d) <= 0.01);
    }
    return t;
  }

  private static void put(Map<String, Object> t, String name, Object value, double min) {
    if (value instanceof Double d) {
      t.put(name, d >= min);
    }
  }

  @SuppressWarnings("unchecked")
  private void printSummary(Map<String, Object> result) {
    err.println();
    err.println("| workload | system | texts/s | tokens/s | median s |");
    err.println("|---|---|---:|---:|---:|");
    for (String w : WORKLOADS) {
      if (!(result.get(w) instanceof Map<?, ?> r)) {
        continue;
      }
      for (String s : List.of("gecko", "peer", "ceiling", "ceiling_b1", "int8", "lc4j_adapter")) {
        if (r.get(s) instanceof Map<?, ?> m) {
          err.printf(Locale.ROOT, "| %s | %s | %s | %s | %s |%n", w, s, m.get("texts_per_s"),
              m.get("tokens_per_s"), m.get("median_s"));
        }
      }
      err.printf(Locale.ROOT, "%s: gecko/peer %s, gecko/ceiling %s, int8/fp32 %s (wall clock); "
          + "batching bound (ceiling / batch-1 ceiling) %s; in process CPU time: %s%n", w,
          r.get("vs_peer"), r.get("vs_ceiling"), r.get("int8_vs_fp32"), r.get("batching_bound"),
          r.get("cpu_time_ratios"));
      if (r.get("adapter_vs_gecko") != null) {
        err.printf(Locale.ROOT, "%s: LangChain4j adapter/gecko %s, adapter/peer %s (wall clock)%n",
            w, r.get("adapter_vs_gecko"), r.get("adapter_vs_peer"));
      }
    }
    err.println("targets: " + result.get("targets"));
  }

  private static double[] rounded(double[] v) {
    double[] out = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = round(v[i], 4);
    }
    return out;
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }

  private static double round(double v, int digits) {
    double f = Math.pow(10, digits);
    return Math.round(v * f) / f;
  }

  /** The first {@code n} distinct STSBenchmark test sentences, in file order. */
  static List<String> shortTexts(Path sts, int n) {
    Set<String> out = new LinkedHashSet<>();
    for (StsPair p : StsDataset.read(sts).pairs()) {
      out.add(p.sentence1());
      out.add(p.sentence2());
    }
    if (out.size() < n) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "--short-texts must be at most the %d distinct sentences of %s, but is: %d", out.size(),
          sts, n));
    }
    return new ArrayList<>(out).subList(0, n);
  }

  /**
   * The first {@code n} SciFact documents (MTEB's {@code title + " " + text}) that fit the model's
   * maximum length, so that gecko4j (which truncates) and the peer (which chunks) do the same work.
   */
  static List<String> longTexts(Path scifact, int n, byte[] tokenizerBytes, int maxLength)
      throws IOException {
    List<String> out = new ArrayList<>(n);
    int skipped = 0;
    Map<String, String> options = Map.of("addSpecialTokens", "true", "truncation", "false",
        "padding", "false", "maxLength", Integer.toString(maxLength));
    try (HuggingFaceTokenizer tok =
            HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(tokenizerBytes), options);
        var docs = BeirDataset.open(scifact).documents()) {
      for (BeirDocument d : (Iterable<BeirDocument>) docs::iterator) {
        if (out.size() == n) {
          break;
        }
        String text = d.mtebText();
        if (tok.encode(text).getIds().length <= maxLength) {
          out.add(text);
        } else {
          skipped++;
        }
      }
    }
    if (out.size() < n) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "--long-texts must be at most the %d SciFact documents within %d tokens, but is: %d",
          out.size(), maxLength, n));
    }
    System.err.printf(Locale.ROOT, "bench: long: skipped %d SciFact documents over %d tokens%n",
        skipped, maxLength);
    return out;
  }

  private static byte[] readResource(String name) throws IOException {
    try (InputStream in = ThroughputCommand.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("classpath resource " + name + " is missing");
      }
      return in.readAllBytes();
    }
  }

  /**
   * ONNX Runtime alone on gecko4j's exact batches: one session on the same model bytes with the
   * same options, int64 input tensors created before timing and reused, only the output gecko4j
   * reads requested, the result closed without copying it out.
   */
  private static final class Ceiling implements AutoCloseable {
    private final OrtEnvironment env;
    private final OrtSession session;
    private final Set<String> outputs;
    private final List<Map<String, OnnxTensor>> inputs = new ArrayList<>();
    private final int concurrent;
    private final ExecutorService pool;

    Ceiling(OrtEnvironment env, byte[] model, OrtSession.SessionOptions so, String output,
        int concurrent) throws OrtException {
      this.env = env;
      this.concurrent = concurrent;
      this.pool = Executors.newFixedThreadPool(concurrent, r -> {
        Thread t = new Thread(r, "ceiling");
        t.setDaemon(true);
        return t;
      });
      try (so) {
        this.session = env.createSession(model, so);
      }
      this.outputs = Set.of(output);
    }

    void prepare(List<TokenizedBatch> batches) throws OrtException {
      release();
      boolean types = session.getInputNames().contains("token_type_ids");
      for (TokenizedBatch b : batches) {
        long[] shape = {b.rows(), b.sequenceLength()};
        Map<String, OnnxTensor> m = new HashMap<>(4);
        m.put("input_ids", tensor(b.inputIds(), shape));
        m.put("attention_mask", tensor(b.attentionMask(), shape));
        if (types) {
          m.put("token_type_ids", tensor(b.tokenTypeIds(), shape));
        }
        inputs.add(m);
      }
    }

    private OnnxTensor tensor(long[] values, long[] shape) throws OrtException {
      LongBuffer direct = ByteBuffer.allocateDirect(values.length * Long.BYTES)
          .order(ByteOrder.nativeOrder()).asLongBuffer();
      direct.put(values).flip();
      return OnnxTensor.createTensor(env, direct, shape);
    }

    /** Runs every batch, {@code concurrent} at a time, in the order gecko4j takes them. */
    void runAll() {
      if (concurrent == 1) {
        for (Map<String, OnnxTensor> in : inputs) {
          runOne(in);
        }
        return;
      }
      AtomicInteger next = new AtomicInteger();
      List<Callable<Void>> workers = new ArrayList<>();
      for (int w = 0; w < concurrent; w++) {
        workers.add(() -> {
          int i;
          while ((i = next.getAndIncrement()) < inputs.size()) {
            runOne(inputs.get(i));
          }
          return null;
        });
      }
      try {
        for (var f : pool.invokeAll(workers)) {
          f.get();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      } catch (java.util.concurrent.ExecutionException e) {
        throw new IllegalStateException("ceiling run failed: " + e.getCause(), e.getCause());
      }
    }

    private void runOne(Map<String, OnnxTensor> in) {
      try (OrtSession.Result r = session.run(in, outputs)) {
        if (r.size() != 1) {
          throw new IllegalStateException("expected one output, got " + r.size());
        }
      } catch (OrtException e) {
        throw new IllegalStateException("ceiling run failed: " + e.getMessage(), e);
      }
    }

    void release() {
      for (Map<String, OnnxTensor> m : inputs) {
        m.values().forEach(OnnxTensor::close);
      }
      inputs.clear();
    }

    @Override
    public void close() throws OrtException {
      release();
      pool.shutdown();
      session.close();
    }
  }

  /**
   * The peer: LangChain4j's {@link OnnxBertBiEncoder} (one ONNX Runtime run per text, CLS pooling,
   * normalised) behind its {@link AbstractInProcessEmbeddingModel#embedAll}, which embeds the texts
   * in parallel on the given executor. Its session is opened here (LangChain4j's public
   * constructor takes one) on the same model bytes, with the same graph optimisation level, and
   * {@code --peer-intra-op} intra-op threads; its executor has {@code --threads} threads.
   */
  private final class Peer implements AutoCloseable {
    private final OrtSession session;
    private final ExecutorService executor;
    private final AbstractInProcessEmbeddingModel model;

    Peer(OrtEnvironment env, byte[] modelBytes, byte[] tokenizerBytes, Models m)
        throws OrtException {
      try (OrtSession.SessionOptions so = sessionOptions(peerIntraOp)) {
        this.session = env.createSession(modelBytes, so);
      }
      AtomicInteger n = new AtomicInteger();
      this.executor = Executors.newFixedThreadPool(threads, r -> {
        Thread t = new Thread(r, "peer-" + n.incrementAndGet());
        t.setDaemon(true);
        return t;
      });
      PoolingMode mode = switch (m.pooling()) {
        case CLS -> PoolingMode.CLS;
        case MEAN -> PoolingMode.MEAN;
        default -> throw new IllegalArgumentException(
            "the peer supports CLS and MEAN pooling, but " + m.modelName() + " uses " + m.pooling());
      };
      OnnxBertBiEncoder encoder =
          new OnnxBertBiEncoder(env, session, new ByteArrayInputStream(tokenizerBytes), mode);
      this.model = new PeerModel(encoder, executor);
    }

    @Override
    public void close() throws OrtException, InterruptedException {
      executor.shutdown();
      executor.awaitTermination(10, TimeUnit.SECONDS);
      session.close();
    }
  }

  /** LangChain4j's in-process model over a given encoder and executor. */
  private static final class PeerModel extends AbstractInProcessEmbeddingModel {
    private final OnnxBertBiEncoder encoder;

    PeerModel(OnnxBertBiEncoder encoder, java.util.concurrent.Executor executor) {
      super(executor);
      this.encoder = encoder;
    }

    @Override
    protected OnnxBertBiEncoder model() {
      return encoder;
    }
  }
}
