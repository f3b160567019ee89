package dev.gecko4j.examples.cli;

import dev.gecko4j.onnx.ModelSource;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gecko4j.core.Embedder;
import dev.gecko4j.core.Pooling;
import dev.gecko4j.core.PromptConvention;
import dev.gecko4j.core.TaskPrompt;
import dev.gecko4j.core.eval.DatasetFormatException;
import dev.gecko4j.core.eval.DatasetLines;
import dev.gecko4j.core.train.TrainingConfig;
import dev.gecko4j.core.train.TrainingListener;
import dev.gecko4j.core.train.TrainingProgress;
import dev.gecko4j.core.train.TrainingResult;
import dev.gecko4j.core.train.TrainingSource;
import dev.gecko4j.train.DenseLayer;
import dev.gecko4j.train.GeckoTrainer;
import dev.gecko4j.train.QuickEval;
import dev.gecko4j.train.TrainingStoppedException;
import dev.gecko4j.train.data.HardNegatives;
import dev.gecko4j.train.data.TrainingData;
import dev.gecko4j.onnx.ModelSpec;
import dev.gecko4j.onnx.OnnxEmbedder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code gecko train}: fine-tunes the ONNX encoder itself (Gecko loss, MRL, GradCache) and exports
 * a model folder the embedder loads. {@code --recipe scifact} fine-tunes bge-small-en-v1.5 on
 * SciFact's train qrels with hard negatives mined by the model, then (with {@code --eval})
 * scores SciFact test nDCG@10 (384 and 256 dims) and STSBenchmark for the base and the trained
 * model. Ends with one JSON line. On SIGTERM or Ctrl-C the run stops at its next step boundary,
 * writes a checkpoint and ends with {@code {"stopped": true, ...}} and status 143; the same
 * command run again resumes from it.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = "Fine-tune an ONNX embedding model (Gecko loss, MRL) and export it.")
public final class TrainCommand extends GeckoCommand {

  @Option(names = "--recipe", description = "a packaged recipe: scifact (embedding model) or "
      + "scifact-reranker (cross-encoder)")
  String recipe;

  @Option(names = "--cross-encoder", description = "train a cross-encoder (reranker) on --beir / "
      + "--fret data instead of an embedding model; on with --recipe scifact-reranker")
  boolean crossEncoder;
  @Option(names = "--rerank-loss", description = "cross-encoder loss: LISTWISE (softmax cross-entropy "
      + "over the positive and its negatives) or BCE; default LISTWISE")
  dev.gecko4j.train.rerank.RerankLoss rerankLoss;
  @Option(names = "--negatives", description = "cross-encoder: hard negatives per positive "
      + "(default 7)")
  Integer negatives;
  @Option(names = "--max-length", description = "cross-encoder: tokens per (query, passage) pair, "
      + "longest-first truncation (default 256; 128 in the recipe)")
  Integer maxLength;

  @Option(names = "--out", required = true, description = "output folder (checkpoints/, model/)")
  Path out;

  @Option(names = "--model", defaultValue = "bge-small-en-v1.5", description = "bundled model name or model folder")
  String model;

  @Option(names = "--data-dir", description = "shared data folder (default: ../shared/data beside the repo)")
  Path dataDir;

  @Option(names = "--beir", description = "BEIR folder to train on (train qrels + mined negatives)")
  Path beir;

  @Option(names = "--fret", description = "FRet JSONL file(s) to train on")
  List<Path> fret = new ArrayList<>();

  @Option(names = "--classification", paramLabel = "FILE",
      description = "classification rows to train on (CSV/TSV/JSONL with text and label columns, "
          + "e.g. banking77/train.csv), as Gecko's (x, x+ same label, x- other label) triplets with "
          + "a unique id appended to each text")
  List<Path> classification = new ArrayList<>();

  @Option(names = "--steps") Integer steps;
  @Option(names = "--batch-size") Integer batchSize;
  @Option(names = "--micro-batch", description = "GradCache chunk size") Integer microBatch;
  @Option(names = "--matmul-precision", defaultValue = "auto",
      description = "matrix products in training: auto (bf16 where the CPU has AVX-512 BF16 or AMX, else fp32), fp32 or bf16")
  String matmulPrecision;
  @Option(names = "--lr") Double lr;
  @Option(names = "--warmup") Integer warmup;
  @Option(names = "--temperature") Double temperature;
  @Option(names = "--loss", description = "GECKO, E5 (in-batch + hard negative, no query-query negatives) or IN_BATCH (default: GECKO; E5 for last-token decoder models)") TrainingConfig.Loss loss;
  @Option(names = "--mrl", split = ",", description = "Matryoshka dims, e.g. 384,256,128") int[] mrl;
  @Option(names = "--query-max-length") Integer queryMaxLength;
  @Option(names = "--passage-max-length") Integer passageMaxLength;
  @Option(names = "--seed", defaultValue = "42") long seed;
  @Option(names = "--checkpoint-every", defaultValue = "20") int checkpointEvery;
  @Option(names = "--no-resume", description = "ignore existing checkpoints") boolean noResume;
  @Option(names = "--mine-max-length", defaultValue = "128", description = "passage tokens when mining") int mineMaxLength;
  @Option(names = "--neg-from", defaultValue = "3") int negFrom;
  @Option(names = "--neg-to", defaultValue = "30") int negTo;
  @Option(names = "--eval", negatable = true,
      description = "score SciFact test nDCG@10 (384 and 256 dims) before and after; on with --recipe")
  Boolean evalOption;
  @Option(names = "--eval-max-length", description = "document tokens in --eval (default 512 with --recipe, else 256)")
  Integer evalMaxLengthOption;
  @Option(names = "--eval-sts", negatable = true, description = "with --eval, also score STSBenchmark; on with --recipe")
  Boolean evalStsOption;
  private boolean eval;
  private int evalMaxLength;
  private boolean evalSts;
  @Option(names = "--skip-base-eval", description = "with --eval, score only the trained model") boolean skipBaseEval;
  @Option(names = "--pooling", description = "pooling to train and export with: cls, mean, max, mean_sqrt_len_tokens, weightedmean or lasttoken (default: the base model's)")
  String pooling;
  @Option(names = "--dense", description = "add a trainable Dense head of this many outputs after the pooling, exported as 2_Dense (sentence-transformers layout)")
  Integer dense;
  @Option(names = "--dense-activation", defaultValue = "identity", description = "the Dense head's activation: identity, tanh, relu, sigmoid or silu")
  String denseActivation;
  @Option(names = "--lora-rank", description = "train low-rank adapters of this rank instead of every weight (LoRA); the export merges them into model/ and writes them alone to adapter/ (PEFT layout)")
  Integer loraRank;
  @Option(names = "--lora-alpha", description = "LoRA alpha: the update is scaled by alpha / rank (default: twice the rank)")
  Double loraAlpha;
  @Option(names = "--lora-dropout", defaultValue = "0", description = "dropout on the adapters' input (default 0)")
  double loraDropout;
  @Option(names = "--lora-targets", defaultValue = "attention", description = "projections to adapt, comma-separated: attention, mlp, all, or regular expressions over the end of the module name (default: attention)")
  String loraTargets;

  @Override
  public Integer call() throws Exception {
    Path data = dataDir != null ? dataDir : defaultDataDir();
    boolean scifact = "scifact".equalsIgnoreCase(recipe);
    dev.gecko4j.train.MatmulPrecision precisionOption;
    try {
      precisionOption = dev.gecko4j.train.MatmulPrecision.parse(matmulPrecision);
    } catch (IllegalArgumentException e) {
      throw badOption("--matmul-precision: %s", e.getMessage());
    }
    boolean scifactReranker = "scifact-reranker".equalsIgnoreCase(recipe);
    if (recipe != null && !scifact && !scifactReranker) {
      throw badOption("--recipe must be one of [scifact, scifact-reranker], but is: %s", recipe);
    }
    if (scifactReranker || crossEncoder) {
      return trainCrossEncoder(data, scifactReranker);
    }
    Pooling poolingMode = null;
    if (pooling != null) {
      try {
        poolingMode = Pooling.parse(pooling);
      } catch (IllegalArgumentException e) {
        throw badOption("--pooling: %s", e.getMessage());
      }
    }
    dev.gecko4j.onnx.PipelineModule.Activation activation;
    try {
      activation = DenseLayer.activation(denseActivation);
    } catch (IllegalArgumentException e) {
      throw badOption("--dense-activation: %s", e.getMessage());
    }
    if (dense != null && dense < 1) {
      throw badOption("--dense must be >= 1, but is: %s", dense);
    }
    dev.gecko4j.train.lora.LoraConfig lora = null;
    if (loraRank != null) {
      try {
        dev.gecko4j.train.lora.LoraConfig.Builder lb = dev.gecko4j.train.lora.LoraConfig.builder()
            .rank(loraRank).dropout(loraDropout)
            .targets(dev.gecko4j.train.lora.LoraConfig.parseTargets(loraTargets)).seed(seed);
        if (loraAlpha != null) {
          lb.alpha(loraAlpha);
        }
        lora = lb.build();
      } catch (IllegalArgumentException e) {
        throw badOption("--lora-*: %s", e.getMessage());
      }
    } else if (loraAlpha != null || loraDropout != 0 || !"attention".equals(loraTargets)) {
      throw badOption("--lora-alpha, --lora-dropout and --lora-targets need --lora-rank");
    }
    if (scifact && beir == null) {
      beir = data.resolve("beir/scifact");
    }
    if (beir == null && fret.isEmpty() && classification.isEmpty()) {
      throw badOption("give --recipe scifact, --beir <dir>, --fret <file.jsonl> or "
          + "--classification <file> as training data");
    }
    // The recipe's defaults are the settings measured in gecko-train/README.md (60 steps x 16 rows).
    eval = or(evalOption, scifact);
    evalSts = or(evalStsOption, scifact);
    evalMaxLength = or(evalMaxLengthOption, scifact ? 512 : 256);
    long started = System.nanoTime();
    ModelSpec baseSpec = GeckoTrainer.resolve(model);
    if (poolingMode != null) {
      baseSpec = baseSpec.withSettings(poolingMode, baseSpec.normalize(), baseSpec.maxLength(),
          baseSpec.prompts(), baseSpec.promptConventionName());
    }
    // E5-mistral trains its last-token (decoder-only) embedder at tau 0.02; encoders keep 0.05.
    boolean decoder = baseSpec.pooling() == Pooling.LAST_TOKEN;
    double defaultTemperature = decoder ? 0.02 : 0.05;
    if (temperature == null) {
      System.err.printf(Locale.ROOT, "train: temperature %.2f (the default for %s)%n",
          defaultTemperature, decoder ? "last-token decoder embedders, as E5-mistral trains them"
              : "encoders");
    }
    // E5-mistral's loss for decoders: in-batch positives and the hard negative, no query-query
    // negatives (every query starts with the same instruction)
    TrainingConfig.Loss lossKind = loss != null ? loss
        : decoder ? TrainingConfig.Loss.E5 : TrainingConfig.Loss.GECKO;
    if (loss == null && decoder) {
      System.err.println("train: loss E5 (in-batch positives + the hard negative, as E5-mistral "
          + "trains last-token decoder embedders)");
    }
    // LoRA wants a much larger learning rate than full fine-tuning (the adapters start at zero):
    // on the SciFact recipe 1e-3 reached nDCG@10 0.7444 where 2e-4 reached 0.7209 (BENCHMARKS.md).
    double defaultLr = lora == null ? 2e-5 : 1e-3;
    TrainingConfig config = TrainingConfig.builder(model, out)
        .steps(or(steps, 60)).batchSize(or(batchSize, scifact ? 16 : 32)).microBatchSize(or(microBatch, 8))
        .learningRate(or(lr, defaultLr)).warmupSteps(or(warmup, or(steps, 60) / 10)).temperature(or(temperature, defaultTemperature))
        .loss(lossKind)
        .matryoshkaDims(mrl != null ? mrl : (scifact ? java.util.stream.IntStream
            .of(dense == null ? 384 : dense, 256, 128).filter(d -> dense == null || d <= dense)
            .distinct().toArray() : new int[0]))
        .queryMaxLength(or(queryMaxLength, 64)).passageMaxLength(or(passageMaxLength, 192))
        .seed(seed).checkpointEvery(checkpointEvery).resume(!noResume).build();
    System.err.println("train: " + config);
    Files.createDirectories(out);
    ObjectMapper json = dev.gecko4j.core.internal.GeckoJson.mapper();
    ObjectNode result = json.createObjectNode();
    double baseEvalSeconds = 0;
    GracefulStop stop = null;
    try (GeckoTrainer t = lora != null
        ? (dense == null ? GeckoTrainer.open(baseSpec, null, seed, lora)
            : GeckoTrainer.open(baseSpec, dense, activation, seed, lora))
        : dense == null ? GeckoTrainer.open(baseSpec)
        : GeckoTrainer.open(baseSpec, dense, activation, seed)) {
      long trainable = t.encoder().parameterCount();
      long total = t.encoder().modelParameterCount();
      System.err.printf(Locale.ROOT, "train: %s; %,d of %,d parameters trainable (%.2f%%)%n",
          lora != null ? t.encoder().loraConfig().orElseThrow() + " on "
              + t.encoder().loraModules().size() + " projections" : "full fine-tuning", trainable, total,
          100.0 * trainable / total);
      result.put("trainable_parameters", trainable);
      result.put("model_parameters", total);
      result.put("trainable_percent", 100.0 * trainable / total);
      // SIGTERM / Ctrl-C: the run stops at its next step boundary with a checkpoint, and resumes
      stop = GracefulStop.install(t, STOP_WAIT);
      dev.gecko4j.train.MatmulPrecision precision = t.encoder().useMatmulPrecision(precisionOption);
      System.err.println("train: matmul precision " + precisionOption + " -> " + precision
          + " (CPU bf16 instructions: " + dev.gecko4j.train.MatmulPrecision.cpuBf16Features() + ")");
      result.put("matmul_precision", precision.toString());
      // the base model's prompts, as the trainer read them (bundled model or the folder's config)
      ModelSpec base = t.encoder().spec();
      PromptConvention convention = base.bundled() != null ? base.bundled().promptConvention()
          : base.promptConvention();
      TaskPrompt queryPrompt = TaskPrompt.query(TaskPrompt.FACT_CHECKING);
      List<TrainingSource> sources = new ArrayList<>();
      for (Path f : fret) {
        sources.add(TrainingData.fretJsonl(f, convention, 1.0));
      }
      for (Path f : classification) {
        List<dev.gecko4j.core.eval.LabeledText> rows = dev.gecko4j.core.eval.LabeledTexts.read(f);
        sources.add(TrainingData.classification(
            rows.stream().map(dev.gecko4j.core.eval.LabeledText::text).toList(),
            rows.stream().map(dev.gecko4j.core.eval.LabeledText::label).toList(), convention,
            f.toAbsolutePath().getParent().getFileName() + "-classification", 1.0, seed));
      }
      TrainingData.Beir testSet = null;
      Path sts = data.resolve("sts/STSBenchmark.test.tsv");
      float[][] baseDocs = null;
      if (eval) {
        testSet = TrainingData.readBeir(data.resolve("beir/scifact"), "test");
      }
      if (beir != null) {
        TrainingData.Beir train = TrainingData.readBeir(beir, "train");
        Path cache = out.resolve("mined-rankings.tsv");
        Map<String, List<String>> rankings;
        if (!noResume && Files.isRegularFile(cache)) {
          rankings = readRankings(cache);
          System.err.println("train: reusing mined negatives from " + cache);
        } else {
          long t0 = System.nanoTime();
          Embedder miner = servingEmbedder(null, mineMaxLength, t, convention);
          baseDocs = TrainingData.embedCorpus(train, miner, m -> System.err.println("train: mining: " + m));
          rankings = TrainingData.mineRankings(train, baseDocs, miner, queryPrompt, negTo);
          miner.close();
          writeRankings(cache, rankings);
          System.err.printf(Locale.ROOT, "train: mined negatives for %d queries in %.0f s (passages cut at %d tokens)%n",
              rankings.size(), (System.nanoTime() - t0) / 1e9, mineMaxLength);
        }
        sources.add(TrainingData.beirWithNegatives(train, rankings, new HardNegatives(negFrom, negTo, seed),
            convention, TaskPrompt.FACT_CHECKING, beir.getFileName().toString(), 1.0));
      }
      if (eval && !skipBaseEval) {
        boolean sameCorpus = beir != null && beir.toAbsolutePath().normalize()
            .equals(data.resolve("beir/scifact").toAbsolutePath().normalize());
        Map<String, Object> evalBase = evaluate(null, t, convention, testSet, queryPrompt, sts,
            evalMaxLength == mineMaxLength && sameCorpus ? baseDocs : null);
        System.err.println("train: base model " + evalBase);
        baseEvalSeconds = (Double) evalBase.get("eval_seconds");
        result.set("base", json.valueToTree(evalBase));
      }
      System.err.println("train: " + sources.stream().map(s -> s.name() + "=" + s.examples().size() + " rows").toList());
      double peak = t.measureMatmulPeak();
      System.err.printf(Locale.ROOT, "train: matmul peak %.1f GFLOP/s (1024x1024 fp32)%n", peak);
      TrainingResult r = t.train(config, sources, new TrainingListener() {
        @Override
        public void onStep(TrainingProgress p) {
          System.err.printf(Locale.ROOT, "train: step %d/%d loss %.4f lr %.2e |g| %.3f  %.2f ex/s  ETA %.0f s%n",
              p.step(), p.totalSteps(), p.loss(), p.learningRate(), p.gradNorm(), p.examplesPerSecond(), p.etaSeconds());
        }

        @Override
        public void onCheckpoint(int step, Path directory) {
          System.err.println("train: checkpoint " + directory);
        }

        @Override
        public void onMessage(String message) {
          System.err.println("train: " + message);
        }
      });
      result.put("steps", r.steps());
      result.put("final_loss", r.finalLoss());
      result.put("examples_per_s", r.examplesPerSecond());
      result.put("gflops", r.achievedGflops());
      // measured again after training: the higher of the two is the peak (a busy moment on the
      // machine lowers one measurement)
      double peakAfter = t.measureMatmulPeak();
      System.err.printf(Locale.ROOT, "train: matmul peak after training %.1f GFLOP/s%n", peakAfter);
      result.put("matmul_peak_gflops", Math.max(peak, peakAfter));
      result.putArray("matmul_peak_gflops_before_after").add(peak).add(peakAfter);
      result.put("skipped_steps", r.skippedSteps());
      result.put("out", r.modelDirectory().toString());
      result.put("train_seconds", (System.nanoTime() - started) / 1e9 - baseEvalSeconds);
      // the exported model is fp32: compare it with the trainer's fp32 forward pass
      t.encoder().useMatmulPrecision(dev.gecko4j.train.MatmulPrecision.FP32);
      result.set("export_check", json.valueToTree(exportCheck(r.modelDirectory(), t)));
      if (lora != null) {
        Path adapter = out.resolve("adapter");
        result.put("adapter", adapter.toString());
        result.put("adapter_bytes", Files.size(adapter.resolve(
            dev.gecko4j.train.lora.LoraAdapterFiles.WEIGHTS)));
      }
      if (eval) {
        Map<String, Object> after = evaluate(r.modelDirectory(), t, convention, testSet, queryPrompt, sts, null);
        System.err.println("train: trained model " + after);
        result.set("trained", json.valueToTree(after));
      }
      result.put("wall_seconds", (System.nanoTime() - started) / 1e9);
      System.out.println(json.writeValueAsString(result));
      return 0;
    } catch (TrainingStoppedException e) { // its message went to stderr through the listener
      ObjectNode stopped = json.createObjectNode();
      stopped.put("stopped", true);
      stopped.put("steps", e.step());
      stopped.put("checkpoint", e.checkpoint().map(Path::toString).orElse(null));
      stopped.put("wall_seconds", (System.nanoTime() - started) / 1e9);
      System.out.println(json.writeValueAsString(stopped));
      return STOPPED;
    } finally {
      if (stop != null) {
        stop.release();
      }
    }
  }

  /** {@code --recipe scifact-reranker} / {@code --cross-encoder}: see {@link RerankerRecipe}. */
  private int trainCrossEncoder(Path data, boolean recipeDefaults) throws Exception {
    if (recipeDefaults && beir == null) {
      beir = data.resolve("beir/scifact");
    }
    if (beir == null && fret.isEmpty()) {
      throw badOption("a cross-encoder trains on --beir <dir> (train qrels + mined negatives) "
          + "and/or --fret <file.jsonl>; give one, or --recipe scifact-reranker");
    }
    if (!classification.isEmpty() || dense != null || mrl != null || loss != null) {
      throw badOption("--classification, --dense, --mrl and --loss apply to embedding models, "
          + "not to a cross-encoder (its loss option is --rerank-loss)");
    }
    // the recipe's defaults are the measured run (BENCHMARKS.md: 500 steps of 4 groups of 1 + 7
    // pairs, 128 tokens, lr 5e-5: 29 minutes on 2 cores, SciFact top-100 nDCG@10 0.7127 -> 0.7614);
    // --cross-encoder alone takes the trainer's usual settings
    int k = or(negatives, 7);
    if (k < 1 || k > negTo - negFrom) {
      throw badOption("--negatives must be between 1 and --neg-to - --neg-from = %d, but is: %d",
          negTo - negFrom, k);
    }
    int stepCount = or(steps, recipeDefaults ? 500 : 150);
    dev.gecko4j.train.rerank.CrossEncoderConfig config;
    try {
      config = dev.gecko4j.train.rerank.CrossEncoderConfig.builder(out).steps(stepCount)
          .groupsPerStep(or(batchSize, 4)).maxLength(or(maxLength, recipeDefaults ? 128 : 256))
          .loss(rerankLoss == null ? dev.gecko4j.train.rerank.RerankLoss.LISTWISE : rerankLoss)
          .learningRate(or(lr, recipeDefaults ? 5e-5 : 3e-5)).warmupSteps(or(warmup, stepCount / 10)).seed(seed)
          .checkpointEvery(checkpointEvery).resume(!noResume).build();
    } catch (IllegalArgumentException e) {
      throw badOption("%s", e.getMessage());
    }
    return RerankerRecipe.run(new RerankerRecipe.Settings(model, out, beir, fret, config, k,
        new HardNegatives(negFrom, negTo, seed), mineMaxLength, !noResume));
  }

  /** How long a SIGTERM waits for the run to stop at a step boundary and write its checkpoint. */
  static final java.time.Duration STOP_WAIT = java.time.Duration.ofSeconds(25);
  /** The exit status of a run stopped by a signal (128 + SIGTERM's 15, as the shell reports it). */
  static final int STOPPED = 143;

  /**
   * The embedder as served: ONNX Runtime through OnnxEmbedder on the base model (folder null: the
   * bundled model or the base model folder) or on an exported folder.
   */
  private Embedder servingEmbedder(Path folder, int maxLength, GeckoTrainer t, PromptConvention convention) {
    OnnxEmbedder.Builder b = OnnxEmbedder.builder().maxLength(maxLength).intraOpThreads(2);
    ModelSpec base = t.encoder().spec();
    if (folder == null && base.bundled() == null) {
      // a model folder as the base: served by ONNX Runtime with the prompts it carries
      return ModelSource.of(model).applyTo(b).build();
    }
    // an exported folder is served with the prompts it carries, as `gecko evaluate` serves it
    return folder == null
        ? b.model(base.bundled()).promptConvention(convention, base.promptConventionName()).build()
        : b.modelFolder(folder).build();
  }


  /** The largest difference the export check accepts between served and trained vectors. */
  static final double EXPORT_CHECK_TOLERANCE = 1e-4;

  /** Texts the export check embeds both ways. */
  private static final List<String> EXPORT_CHECK_TEXTS = List.of(
      "Geckos eat insects.", "A man is playing a guitar on a stage in front of a crowd.",
      "stock markets fell", "Vitamin D deficiency is associated with higher mortality in adults.");

  /**
   * Serves the exported folder with ONNX Runtime and compares it with the trainer's own forward
   * pass (PyTorch, the same weights) on a few texts of different lengths: what a user reloading
   * the folder gets.
   */
  private Map<String, Object> exportCheck(Path folder, GeckoTrainer t) {
    float[][] trained = t.encoder().embedTexts(EXPORT_CHECK_TEXTS, 128, EXPORT_CHECK_TEXTS.size());
    Map<String, Object> m = new LinkedHashMap<>();
    try (OnnxEmbedder e = OnnxEmbedder.builder().modelFolder(folder).maxLength(128).build()) {
      List<dev.gecko4j.core.Embedding> served = e.embedAll(EXPORT_CHECK_TEXTS,
          java.util.Collections.nCopies(EXPORT_CHECK_TEXTS.size(), TaskPrompt.none()));
      double max = 0;
      boolean sameDimension = served.get(0).dimension() == trained[0].length;
      for (int i = 0; sameDimension && i < trained.length; i++) {
        float[] s = served.get(i).toArray();
        for (int d = 0; d < s.length; d++) {
          max = Math.max(max, Math.abs(s[d] - trained[i][d]));
        }
      }
      m.put("trained_dimension", trained[0].length);
      m.put("served_dimension", served.get(0).dimension());
      m.put("max_abs_diff", sameDimension ? max : null);
      m.put("matches", sameDimension && max <= EXPORT_CHECK_TOLERANCE);
    }
    System.err.println("train: export check (served folder vs the trainer's forward) " + m);
    if (!Boolean.TRUE.equals(m.get("matches"))) {
      System.err.println("train: WARNING: OnnxEmbedder serving " + folder + " does not reproduce "
          + "the trained model (tolerance " + EXPORT_CHECK_TOLERANCE + ")");
    }
    return m;
  }

  private Map<String, Object> evaluate(Path folder, GeckoTrainer t, PromptConvention convention,
      TrainingData.Beir test, TaskPrompt queryPrompt, Path sts, float[][] docs) {
    long t0 = System.nanoTime();
    Map<String, Object> m = new LinkedHashMap<>();
    try (Embedder e = servingEmbedder(folder, evalMaxLength, t, convention)) {
      if (docs == null) {
        docs = TrainingData.embedCorpus(test, e, x -> System.err.println("train: eval: " + x));
      }
      int full = e.dimension();
      double[] ndcg = QuickEval.ndcgAt10(e, test, docs, queryPrompt,
          new int[] {full, Math.min(256, full)});
      m.put("scifact_ndcg10", ndcg[0]);
      m.put("scifact_ndcg10_256", ndcg[1]);
      m.put("mrl_256_loss", ndcg[0] - ndcg[1]);
    }
    if (evalSts && Files.isRegularFile(sts)) {
      try (Embedder e = servingEmbedder(folder, 128, t, convention)) {
        m.put("stsb_spearman", QuickEval.stsSpearman(e, sts));
      }
    }
    m.put("eval_max_length", evalMaxLength);
    m.put("eval_seconds", (System.nanoTime() - t0) / 1e9);
    m.put("embedder", folder != null ? "OnnxEmbedder(" + folder + ")"
        : t.encoder().spec().bundled() == null ? "OnnxEmbedder(" + model + ")"
        : "OnnxEmbedder(bundled " + model + ")");
    return m;
  }

  /** The first line {@link #writeRankings} writes, so that even an empty cache is not 0 bytes. */
  static final String RANKINGS_HEADER = "query-id\tcorpus-ids";

  /**
   * Reads the mined rankings cache: the header {@value #RANKINGS_HEADER}, then one
   * {@code <query id> TAB <doc ids, comma-separated>} line per query (a header-only file is an
   * empty cache). Read through {@link DatasetLines}, the datasets' rule: a 0-byte file (a cache
   * from before the header, or a truncated one), a line that is not UTF-8, a line of another shape,
   * a query twice or an empty document id is a {@link DatasetFormatException} naming
   * {@code path:line}, and says to delete the file so that the negatives are mined again. Caches
   * written before the header existed (data from line 1) are read too.
   *
   * @param file the cache; an existing file
   * @return the rankings by query id, in file order
   * @throws DatasetFormatException if the file is empty or damaged
   */
  static Map<String, List<String>> readRankings(Path file) {
    String again = " (delete the file to mine again)";
    String expected = "the header '" + RANKINGS_HEADER.replace("\t", "\\t")
        + "', then '<query id>\\t<doc ids, comma-separated>' lines";
    Map<String, List<String>> r = new LinkedHashMap<>();
    try (DatasetLines lines = DatasetLines.open(file, expected + again)) {
      for (String line; (line = lines.next()) != null; ) {
        if (lines.lineNumber() == 1 && line.equals(RANKINGS_HEADER)) {
          continue;
        }
        String[] f = line.split("\t", -1);
        if (f.length != 2 || f[0].isEmpty()) {
          throw lines.error("expected '<query id>\\t<doc ids, comma-separated>', but is: '"
              + line.replace("\t", "\\t") + "'" + again);
        }
        if (r.containsKey(f[0])) {
          throw lines.error("query '" + f[0] + "' appears twice; expected each query once" + again);
        }
        List<String> ids = f[1].isEmpty() ? List.of() : List.of(f[1].split(",", -1));
        if (ids.contains("")) {
          throw lines.error("an empty document id in '" + f[1] + "'; expected ids separated by"
              + " single commas" + again);
        }
        r.put(f[0], ids);
      }
    } catch (DatasetFormatException e) {
      if (e.getMessage().endsWith(again)) {
        throw e;
      }
      // a problem DatasetLines found itself (e.g. a line that is not UTF-8): add the remedy
      throw new DatasetFormatException(e.path(), e.line(), e.getCause().getMessage() + again);
    }
    return r;
  }

  /** Writes the mined rankings cache complete or not at all (temporary file, fsync, atomic rename). */
  static void writeRankings(Path file, Map<String, List<String>> rankings) throws java.io.IOException {
    StringBuilder text = new StringBuilder(RANKINGS_HEADER).append('\n');
    rankings.forEach((q, ids) -> text.append(q).append('\t').append(String.join(",", ids)).append('\n'));
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(tmp,
        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.TRUNCATE_EXISTING,
        java.nio.file.StandardOpenOption.WRITE)) {
      java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(text.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      while (b.hasRemaining()) {
        ch.write(b);
      }
      ch.force(true);
    }
    Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  private static Path defaultDataDir() {
    String p = System.getProperty("gecko.shared.data");
    if (p != null) {
      return Path.of(p);
    }
    Path here = Path.of("").toAbsolutePath();
    return here.resolve("../shared/data").normalize();
  }

  private static <T> T or(T v, T fallback) {
    return v != null ? v : fallback;
  }

  static String dims(int[] d) {
    return Arrays.toString(d);
  }
}
