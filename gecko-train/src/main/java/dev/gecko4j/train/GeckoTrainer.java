package dev.gecko4j.train;

import dev.gecko4j.onnx.ModelSource;
import dev.gecko4j.train.optim.LearningRateSchedule;
import dev.gecko4j.train.optim.AdamW;
import dev.gecko4j.train.export.ModelExporter;
import dev.gecko4j.train.internal.ModelFolderExport;
import dev.gecko4j.train.checkpoint.FileSink;
import dev.gecko4j.train.checkpoint.Checkpoints;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.gecko4j.core.internal.Args;
import dev.gecko4j.core.train.Trainer;
import dev.gecko4j.core.train.TrainingConfig;
import dev.gecko4j.core.train.TrainingExample;
import dev.gecko4j.core.train.TrainingListener;
import dev.gecko4j.core.train.TrainingProgress;
import dev.gecko4j.core.train.TrainingResult;
import dev.gecko4j.core.train.TrainingSource;
import dev.gecko4j.train.data.MixtureSampler;
import dev.gecko4j.train.loss.ContrastiveLoss;
import dev.gecko4j.train.loss.Losses;
import dev.gecko4j.onnx.ModelSpec;
import dev.gecko4j.onnx.SentenceTransformersFolder;
import dev.gecko4j.onnx.TokenizedBatch;
import dev.gecko4j.train.onnx.OnnxNode;
import dev.gecko4j.train.onnx.TensorData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The {@link Trainer} of gecko4j: fine-tunes the ONNX encoder itself (its graph executed on DJL's
 * PyTorch engine, {@link TrainableEncoder}) with a {@link ContrastiveLoss}, AdamW, linear
 * warm-up and decay, global-norm gradient clipping and GradCache (Gao et al., 2021: embeddings of
 * the whole batch are computed without gradients, the loss gradient with respect to them is
 * taken, then each micro-batch is re-encoded with gradients and back-propagated), so a large
 * contrastive batch fits in memory. Steps whose loss or gradient is not finite are skipped and
 * counted. Checkpoints are written every N steps; a resumed run replays the sampler and continues
 * with the same weights and optimizer state, so it ends where an uninterrupted run ends. Runs on
 * CPU with fp32 master weights and optimizer state; the encoder's matrix products are fp32 or bf16
 * ({@link TrainableEncoder#useMatmulPrecision}). GradCache chunks take the rows of each side
 * sorted by token count, so each chunk pads only to its own longest row.
 *
 * <p>Checkpoints and the exported model folder are complete or absent (written to a temporary
 * folder, forced to disk, renamed atomically; see {@link ModelExporter}); a checkpoint that fails
 * its checksums at resume is reported and never loaded. {@link #requestStop()} (for example from
 * a shutdown hook on SIGTERM) ends a run at the next step or micro-batch boundary with a
 * checkpoint of the completed steps and a {@link TrainingStoppedException}.
 *
 * <p>The trainer owns its encoder's native memory: {@link #close()} frees it (after a running
 * {@code train} has stopped), and every method but {@code close} then throws
 * {@link IllegalStateException}. One {@code train} call runs at a time.
 */
public final class GeckoTrainer implements Trainer, AutoCloseable {
  private final TrainableEncoder encoder;
  private final byte[] configJson;
  /** What the exported folder describes: the base model's pooling, max length and prompts. */
  private final ModelSpec exportSpec;
  private final FileSink sink;
  private double matmulPeakGflops = Double.NaN;
  private final Object lock = new Object();
  /** The thread inside {@link #train}, or null; guarded by {@link #lock}. */
  private Thread running;
  /** Guarded by {@link #lock}. */
  private boolean closed;
  private volatile boolean stopRequested;

  /**
   * Creates a trainer that trains {@code encoder} in place (its master parameters are updated)
   * and owns it: {@link #close()} closes the encoder.
   *
   * @param encoder the encoder to train
   * @param configJson the base model's config.json to copy on export, or null
   * @param queryPrompt the retrieval query prefix to record on export (the exported folder's only
   *     prompt), or null for none
   * @throws IllegalArgumentException if encoder is null
   */
  public GeckoTrainer(TrainableEncoder encoder, byte[] configJson, String queryPrompt) {
    this(encoder, configJson, queryPrompt, FileSink.DISK);
  }

  GeckoTrainer(TrainableEncoder encoder, byte[] configJson, String queryPrompt, FileSink sink) {
    this(encoder, configJson, ModelExporter.exportSpec(Args.notNull(encoder, "encoder"),
        encoder.maxLength(), queryPrompt), sink);
  }

  private GeckoTrainer(TrainableEncoder encoder, byte[] configJson, ModelSpec exportSpec,
      FileSink sink) {
    this.encoder = Args.notNull(encoder, "encoder");
    this.configJson = configJson == null ? null : configJson.clone();
    this.exportSpec = exportSpec;
    this.sink = Args.notNull(sink, "sink");
  }

  /**
   * Returns the encoder being trained.
   *
   * @return the encoder
   * @throws IllegalStateException if the trainer is closed
   */
  public TrainableEncoder encoder() {
    checkOpen();
    return encoder;
  }

  /**
   * Asks the running {@link #train} call to stop: it finishes no further step, writes a
   * checkpoint of the steps it completed (unless one is already on disk) and throws
   * {@link TrainingStoppedException}. The step in progress is abandoned at its next micro-batch
   * boundary without touching the weights, so a resumed run ends exactly where an uninterrupted
   * one would. Returns at once; safe to call from any thread, e.g. a shutdown hook.
   *
   * @return true if a {@code train} call is running and will stop, false if none is running
   */
  public boolean requestStop() {
    synchronized (lock) {
      if (running == null) {
        return false;
      }
      stopRequested = true;
      return true;
    }
  }

  /**
   * Frees the encoder's native memory (PyTorch arrays, tokenizer). A {@code train} call running
   * on another thread is asked to stop first ({@link #requestStop()}) and waited for; called from
   * inside {@code train} (a listener), the memory is freed when {@code train} returns. Idempotent.
   */
  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      stopRequested = true;
      while (running != null) {
        if (running == Thread.currentThread()) {
          return; // train() frees it on its way out
        }
        try {
          lock.wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return; // train() frees it on its way out
        }
      }
    }
    encoder.close();
  }

  private void checkOpen() {
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("the trainer is closed");
      }
    }
  }

  /**
   * Builds the tensor computation of the loss a config asks for ({@link
   * TrainingConfig#contrastiveLoss()}: an instance, or the enum shorthand's equivalent).
   *
   * @param config the config
   * @return the loss's computation (see {@link Losses#of})
   * @throws IllegalArgumentException if the config's loss is of a type the trainer cannot compute
   */
  static ContrastiveLoss lossOf(TrainingConfig config) {
    return Losses.of(Args.notNull(config, "config").contrastiveLoss());
  }

  /**
   * Measures the float32 matmul throughput of the engine: the fastest of 1024x1024 products timed
   * one by one for about two seconds. Achieved GFLOP/s are compared against this peak.
   *
   * @return GFLOP/s
   */
  public double measureMatmulPeak() {
    checkOpen();
    return matmulPeak();
  }

  private double matmulPeak() {
    try (NDManager m = encoder.manager().newSubManager()) {
      NDArray a = m.randomNormal(new Shape(1024, 1024));
      NDArray b = m.randomNormal(new Shape(1024, 1024));
      a.matMul(b).close();
      // The fastest of the products timed one by one over about two seconds: a peak, so a
      // moment of other load on the machine lowers it less than an average would.
      long best = Long.MAX_VALUE;
      int reps = 0;
      long t0 = System.nanoTime();
      while (System.nanoTime() - t0 < 2_000_000_000L || reps < 5) {
        long r0 = System.nanoTime();
        NDArray c = a.matMul(b);
        c.getFloat(0, 0);
        best = Math.min(best, System.nanoTime() - r0);
        c.close();
        reps++;
      }
      matmulPeakGflops = 2.0 * 1024 * 1024 * 1024 / (best / 1e9) / 1e9;
      return matmulPeakGflops;
    }
  }

  /** @return the last measured matmul peak in GFLOP/s, or NaN */
  public double matmulPeakGflops() {
    return matmulPeakGflops;
  }

  /**
   * Forward FLOPs of the encoder for one sequence of {@code seq} tokens: twice the MatMul weight
   * sizes per token plus the attention score and context products.
   *
   * @param seq tokens in the sequence
   * @return FLOPs
   */
  public double forwardFlops(int seq) {
    checkOpen();
    return flopsOf(seq);
  }

  private double flopsOf(int seq) {
    long weights = 0;
    for (OnnxNode n : encoder.model().nodes()) {
      if (n.opType().equals("MatMul") && n.inputs().size() == 2) {
        TensorData w = encoder.model().initializers().get(n.inputs().get(1));
        if (w != null) {
          weights += w.size();
        }
      }
    }
    long hidden = encoder.hiddenSize();
    long layers = encoder.model().initializers().keySet().stream()
        .filter(n -> n.endsWith(".attention.self.query.bias")).count();
    return (double) seq * (2.0 * weights + 4.0 * layers * seq * hidden);
  }

  /**
   * {@inheritDoc}
   *
   * @throws TrainingStoppedException if {@link #requestStop()} or {@link #close()} ended the run
   *     early (a checkpoint of the completed steps is on disk)
   * @throws IllegalStateException if the trainer is closed or already training, or the resume
   *     finds checkpoints of which none is intact
   */
  @Override
  public TrainingResult train(TrainingConfig config, List<TrainingSource> sources, TrainingListener listener) {
    Args.notNull(config, "config");
    if (sources == null || sources.isEmpty()) {
      throw new IllegalArgumentException("sources must name at least one training source");
    }
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("the trainer is closed");
      }
      if (running != null) {
        throw new IllegalStateException("train() is already running on thread " + running.getName());
      }
      running = Thread.currentThread();
      stopRequested = false;
    }
    boolean free;
    try {
      return run(config, sources, listener == null ? TrainingListener.NONE : listener);
    } finally {
      synchronized (lock) {
        running = null;
        free = closed;
        lock.notifyAll();
      }
      if (free) {
        encoder.close();
      }
    }
  }

  private TrainingResult run(TrainingConfig config, List<TrainingSource> sources, TrainingListener out) {
    Losses.checkDimensions(config.contrastiveLoss(), encoder.embeddingDimension());
    ContrastiveLoss loss = lossOf(config);
    Map<String, float[]> params = encoder.parameters();
    Map<String, Boolean> decayed = new LinkedHashMap<>();
    for (String name : params.keySet()) {
      decayed.put(name, encoder.shape(name).length >= 2);
    }
    AdamW opt = new AdamW(config.weightDecay());
    LearningRateSchedule schedule = new LearningRateSchedule(config.learningRate(),
        config.warmupSteps(), config.steps());
    Checkpoints ckpt = new Checkpoints(config.outputDirectory().resolve("checkpoints"), sink);
    int start = 0;
    int skipped = 0;
    double lastLoss = Double.NaN;
    Path lastCheckpoint = null;
    if (config.resume()) {
      Optional<Checkpoints.Resumed> resumed = ckpt.resume(params, opt, out::onMessage);
      if (resumed.isPresent()) {
        Checkpoints.State s = resumed.get().state();
        start = s.step();
        skipped = s.skipped();
        lastLoss = s.lastLoss();
        lastCheckpoint = resumed.get().directory();
        out.onMessage("resumed from " + lastCheckpoint + " at step " + start);
      }
    }
    int checkpointStep = start;
    MixtureSampler sampler = new MixtureSampler(sources, config.batchSize(), config.oneSourcePerBatch(), config.seed());
    sampler.skip(start);
    if (Double.isNaN(matmulPeakGflops)) {
      matmulPeak();
    }
    long t0 = System.nanoTime();
    long examples = 0;
    double flops = 0;
    for (int step = start; step < config.steps(); step++) {
      if (stopRequested) {
        throw stopped(ckpt, step, checkpointStep, lastCheckpoint, new Checkpoints.State(step, opt.steps(), skipped,
            lastLoss), params, opt, out);
      }
      List<TrainingExample> batch = sampler.next();
      double lr = schedule.at(step);
      StepResult r;
      try {
        r = computeGradients(batch, loss, config);
      } catch (StopSignal abandoned) {
        throw stopped(ckpt, step, checkpointStep, lastCheckpoint, new Checkpoints.State(step, opt.steps(), skipped,
            lastLoss), params, opt, out);
      }
      flops += r.flops;
      examples += batch.size();
      double norm = globalNorm(r.grads);
      if (!Double.isFinite(r.loss) || !Double.isFinite(norm)) {
        skipped++;
        out.onMessage(String.format(Locale.ROOT, "step %d skipped: loss %s, gradient norm %s",
            step + 1, r.loss, norm));
      } else {
        if (config.maxGradNorm() > 0 && norm > config.maxGradNorm()) {
          scale(r.grads, (float) (config.maxGradNorm() / norm));
        }
        opt.step(params, r.grads, decayed, lr);
        lastLoss = r.loss;
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      double eps = examples / Math.max(1e-9, secs);
      double eta = (config.steps() - step - 1) * config.batchSize() / Math.max(1e-9, eps);
      out.onStep(new TrainingProgress(step + 1, config.steps(), r.loss, lr, norm, eps, eta, skipped));
      if (config.checkpointEvery() > 0 && (step + 1) % config.checkpointEvery() == 0 && step + 1 < config.steps()) {
        lastCheckpoint = ckpt.save(new Checkpoints.State(step + 1, opt.steps(), skipped, lastLoss), params, opt);
        checkpointStep = step + 1;
        out.onCheckpoint(step + 1, lastCheckpoint);
      }
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    Path modelDir;
    try {
      modelDir = ModelFolderExport.export(encoder, config.outputDirectory().resolve("model"), configJson,
          exportSpec, sink);
    } catch (UncheckedIOException e) {
      throw keepTrainedWeights(e, ckpt, config.steps(), checkpointStep,
          new Checkpoints.State(config.steps(), opt.steps(), skipped, lastLoss), params, opt, out);
    }
    out.onMessage("exported " + modelDir);
    if (encoder.lora().isPresent()) {
      Path adapterDir = dev.gecko4j.train.lora.LoraAdapterFiles.write(encoder,
          config.outputDirectory().resolve("adapter"), baseModelName(encoder.spec()));
      out.onMessage("wrote the LoRA adapters alone to " + adapterDir);
    }
    return new TrainingResult(config.steps(), lastLoss, examples / Math.max(1e-9, secs),
        flops / Math.max(1e-9, secs) / 1e9, skipped, modelDir);
  }

  /** Ends a run asked to stop before {@code step}: a checkpoint of the completed steps, then the exception. */
  private TrainingStoppedException stopped(Checkpoints ckpt, int step, int checkpointStep, Path lastCheckpoint,
      Checkpoints.State state, Map<String, float[]> params, AdamW opt, TrainingListener out) {
    Path dir = lastCheckpoint;
    if (step > checkpointStep) {
      dir = ckpt.save(state, params, opt);
      out.onCheckpoint(step, dir);
    }
    TrainingStoppedException e = new TrainingStoppedException(step, dir);
    out.onMessage(e.getMessage());
    return e;
  }

  /**
   * The export failed after the last step: the trained weights go into a checkpoint of the last
   * step (when there is room), so a rerun only exports them instead of training again.
   */
  private UncheckedIOException keepTrainedWeights(UncheckedIOException failed, Checkpoints ckpt, int steps,
      int checkpointStep, Checkpoints.State state, Map<String, float[]> params, AdamW opt, TrainingListener out) {
    if (steps <= checkpointStep) {
      return new UncheckedIOException(failed.getMessage() + "; the trained weights are in the step " + steps
          + " checkpoint: run again to export them", failed.getCause());
    }
    try {
      Path dir = ckpt.save(state, params, opt);
      out.onCheckpoint(steps, dir);
      return new UncheckedIOException(failed.getMessage() + "; the trained weights are kept in " + dir
          + ": run again (with resume on) to export them", failed.getCause());
    } catch (UncheckedIOException alsoFailed) {
      failed.addSuppressed(alsoFailed);
      return failed;
    }
  }

  /** Thrown inside a step when a stop was requested; the step's gradients are discarded. */
  private static final class StopSignal extends RuntimeException {
    StopSignal() {
      super("stop requested", null, false, false);
    }
  }

  private void stopPoint() {
    if (stopRequested) {
      throw new StopSignal();
    }
  }

  /** Loss value, gradients and model FLOPs (forward + backward, 3x forward) of one step. */
  record StepResult(double loss, Map<String, float[]> grads, double flops) {}

  StepResult computeGradients(List<TrainingExample> batch, ContrastiveLoss loss, TrainingConfig config) {
    int b = batch.size();
    boolean negatives = loss.usesNegatives() && batch.stream().allMatch(e -> e.negative() != null);
    List<String> qs = batch.stream().map(TrainingExample::query).toList();
    List<String> ps = batch.stream().map(TrainingExample::positive).toList();
    List<String> ns = negatives ? batch.stream().map(TrainingExample::negative).toList() : null;
    int micro = config.microBatchSize();
    double[] flops = {0};
    try (NDManager scope = encoder.manager().newSubManager()) {
      Map<String, NDArray> params = encoder.upload(scope, true);
      double lossValue;
      if (micro >= b) {
        try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
          NDArray eq = embed(scope, params, qs, config.queryMaxLength(), flops);
          NDArray ep = embed(scope, params, ps, config.passageMaxLength(), flops);
          NDArray en = ns == null ? null : embed(scope, params, ns, config.passageMaxLength(), flops);
          NDArray l = loss.compute(eq, ep, en);
          lossValue = l.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble();
          gc.backward(l);
        }
      } else {
        // GradCache stage 1: embeddings without gradients
        int[] oq = chunkOrder(qs, config.queryMaxLength());
        int[] op = chunkOrder(ps, config.passageMaxLength());
        int[] on = ns == null ? null : chunkOrder(ns, config.passageMaxLength());
        NDArray eq = embedNoGrad(scope, params, qs, oq, config.queryMaxLength(), micro);
        NDArray ep = embedNoGrad(scope, params, ps, op, config.passageMaxLength(), micro);
        NDArray en = ns == null ? null : embedNoGrad(scope, params, ns, on, config.passageMaxLength(), micro);
        eq.setRequiresGradient(true);
        ep.setRequiresGradient(true);
        if (en != null) {
          en.setRequiresGradient(true);
        }
        // stage 2: loss gradient with respect to the embeddings
        try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
          NDArray l = loss.compute(eq, ep, en);
          lossValue = l.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble();
          gc.backward(l);
        }
        NDArray gq = eq.getGradient().duplicate();
        NDArray gp = ep.getGradient().duplicate();
        NDArray gn = en == null ? null : en.getGradient().duplicate();
        // stage 3: re-encode each micro-batch with gradients, back-propagate the cached gradient
        backwardChunks(scope, params, qs, oq, config.queryMaxLength(), micro, gq, flops);
        backwardChunks(scope, params, ps, op, config.passageMaxLength(), micro, gp, flops);
        if (ns != null) {
          backwardChunks(scope, params, ns, on, config.passageMaxLength(), micro, gn, flops);
        }
      }
      Map<String, float[]> grads = new LinkedHashMap<>();
      for (Map.Entry<String, float[]> e : encoder.parameters().entrySet()) {
        NDArray p = params.get(e.getKey()); // the trainable ones (with LoRA, not the frozen weights)
        grads.put(e.getKey(), p.hasGradient() ? p.getGradient().toFloatArray()
            : new float[e.getValue().length]);
      }
      return new StepResult(lossValue, grads, flops[0]);
    }
  }

  private NDArray embed(NDManager scope, Map<String, NDArray> params, List<String> texts, int maxLen, double[] flops) {
    TokenizedBatch tb = encoder.tokenize(texts, Math.min(encoder.maxLength(), maxLen));
    flops[0] += 3 * tb.rows() * flopsOf(tb.sequenceLength());
    return encoder.embed(scope, params, tb);
  }

  /**
   * Whether GradCache chunks take the rows of one side sorted by token count, so that each chunk
   * pads to its own longest row instead of mixing short and long texts (on by default; the loss
   * and gradients are those of the unsorted chunks up to float rounding).
   */
  private volatile boolean lengthBuckets = true;

  /** Turns the length bucketing of GradCache chunks on or off (for tests and measurements). */
  void lengthBuckets(boolean on) {
    lengthBuckets = on;
  }

  /**
   * The order in which GradCache chunks take the rows of one side: by token count (a stable sort,
   * ties in input order) when bucketing is on, else the input order.
   */
  private int[] chunkOrder(List<String> texts, int maxLen) {
    int n = texts.size();
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    if (lengthBuckets && n > 1) {
      TokenizedBatch tb = encoder.tokenize(texts, Math.min(encoder.maxLength(), maxLen));
      int[] tokens = new int[n];
      for (int r = 0; r < tb.rows(); r++) {
        tokens[tb.rowOwners()[r]] = Math.max(tokens[tb.rowOwners()[r]], tb.rowTokens()[r]);
      }
      java.util.Arrays.sort(order, java.util.Comparator.comparingInt(i -> tokens[i]));
    }
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      out[i] = order[i];
    }
    return out;
  }

  private static List<String> pick(List<String> texts, int[] order, int from, int to) {
    List<String> out = new java.util.ArrayList<>(to - from);
    for (int k = from; k < to; k++) {
      out.add(texts.get(order[k]));
    }
    return out;
  }

  /** Embeds {@code texts} chunk by chunk in {@code order} without gradients; rows in input order. */
  private NDArray embedNoGrad(NDManager scope, Map<String, NDArray> params, List<String> texts, int[] order,
      int maxLen, int micro) {
    float[] all = null;
    int dim = 0;
    for (int from = 0; from < texts.size(); from += micro) {
      stopPoint();
      int to = Math.min(texts.size(), from + micro);
      try (NDManager inner = scope.newSubManager()) {
        NDArray e = encoder.embed(inner, params, encoder.tokenize(pick(texts, order, from, to),
            Math.min(encoder.maxLength(), maxLen)));
        float[] v = e.toFloatArray();
        dim = v.length / (to - from);
        if (all == null) {
          all = new float[texts.size() * dim];
        }
        for (int k = from; k < to; k++) {
          System.arraycopy(v, (k - from) * dim, all, order[k] * dim, dim);
        }
      }
    }
    return scope.create(all, new Shape(texts.size(), dim));
  }

  private void backwardChunks(NDManager scope, Map<String, NDArray> params, List<String> texts, int[] order,
      int maxLen, int micro, NDArray cachedGrad, double[] flops) {
    float[] grad = cachedGrad.toFloatArray();
    int dim = grad.length / texts.size();
    for (int from = 0; from < texts.size(); from += micro) {
      stopPoint();
      int to = Math.min(texts.size(), from + micro);
      float[] rows = new float[(to - from) * dim];
      for (int k = from; k < to; k++) {
        System.arraycopy(grad, order[k] * dim, rows, (k - from) * dim, dim);
      }
      try (NDManager inner = scope.newSubManager();
          GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
        NDArray e = embed(inner, params, pick(texts, order, from, to), maxLen, flops);
        NDArray g = inner.create(rows, new Shape(to - from, dim));
        NDArray surrogate = e.mul(g).sum();
        gc.backward(surrogate);
      }
    }
  }

  static double globalNorm(Map<String, float[]> grads) {
    double s = 0;
    for (float[] g : grads.values()) {
      for (float x : g) {
        s += (double) x * x;
      }
    }
    return Math.sqrt(s);
  }

  private static void scale(Map<String, float[]> grads, float f) {
    for (float[] g : grads.values()) {
      for (int i = 0; i < g.length; i++) {
        g[i] *= f;
      }
    }
  }

  /**
   * Opens the trainer for a base model: a bundled fp32 model by name ({@code bge-small-en-v1.5},
   * {@code all-MiniLM-L6-v2}, {@code e5-small-v2}) or a sentence-transformers model folder (read
   * by {@link SentenceTransformersFolder}: {@code model.onnx} or {@code onnx/model.onnx}, {@code
   * tokenizer.json}, optionally {@code config.json}, the pooling config and the prompts).
   *
   * @param model the bundled name or folder
   * @return a trainer over a fresh encoder, which it owns (close the trainer when done)
   * @throws IOException if files cannot be read
   * @throws IllegalArgumentException if the model is neither a bundled name nor a model folder, or
   *     is the int8 {@code bge-small-en-v1.5-q} (train the fp32 {@code bge-small-en-v1.5})
   */
  public static GeckoTrainer open(String model) throws IOException {
    return open(resolve(model));
  }

  /**
   * Resolves a bundled model name or a sentence-transformers folder into its description, as
   * {@link #open(String)} does.
   *
   * @param model the bundled name or folder
   * @return the description
   * @throws IllegalArgumentException if the model is neither a bundled name nor a model folder
   */
  public static ModelSpec resolve(String model) {
    if (model == null || model.isBlank()) {
      throw new IllegalArgumentException("model must be a bundled name or a folder, but is: " + model);
    }
    return ModelSource.of(model).spec();
  }

  /**
   * Opens the trainer for a model description; the exported folder keeps its pooling, maximum
   * length and prompts (and a folder's {@code config.json}).
   *
   * @param spec the base model; not null
   * @return a trainer over a fresh encoder, which it owns
   * @throws IOException if files cannot be read
   * @throws IllegalArgumentException if {@code spec} is null or not trainable (see {@link
   *     TrainableEncoder#open(ModelSpec)})
   */
  public static GeckoTrainer open(ModelSpec spec) throws IOException {
    Args.notNull(spec, "spec");
    return open(spec, TrainableEncoder.open(spec));
  }

  /**
   * Opens the trainer for a model description with a new trainable Dense head after the pooling
   * ({@link TrainableEncoder#open(ModelSpec, int, dev.gecko4j.onnx.PipelineModule.Activation,
   * long)}); the export
   * writes it as {@code 2_Dense} in sentence-transformers layout.
   *
   * @param spec the base model; not null
   * @param denseOutFeatures the head's output size, {@code >= 1}
   * @param activation the head's activation; not null
   * @param seed the seed of the head's initial weights
   * @return a trainer over a fresh encoder, which it owns
   * @throws IOException if files cannot be read
   * @throws IllegalArgumentException if an argument is invalid or the model is not trainable
   */
  public static GeckoTrainer open(ModelSpec spec, int denseOutFeatures,
      dev.gecko4j.onnx.PipelineModule.Activation activation, long seed) throws IOException {
    Args.notNull(spec, "spec");
    return open(spec, TrainableEncoder.open(spec, denseOutFeatures, activation, seed));
  }

  /**
   * Opens the trainer for a model description with low-rank adapters: only the adapters train
   * ({@link TrainableEncoder#open(ModelSpec, DenseLayer, long,
   * dev.gecko4j.train.lora.LoraConfig)}); the export merges them into the weights ({@code
   * model/}) and also writes them alone in PEFT's layout ({@code adapter/}, see {@link
   * dev.gecko4j.train.lora.LoraAdapterFiles}).
   *
   * @param spec the base model; not null
   * @param dense a new Dense head to train beside the adapters, or null
   * @param seed the seed of the head's initial weights
   * @param lora the adapters; not null
   * @return a trainer over a fresh encoder, which it owns
   * @throws IOException if files cannot be read
   * @throws IllegalArgumentException if an argument is invalid, the model is not trainable, or no
   *     projection matches the adapters' targets
   */
  public static GeckoTrainer open(ModelSpec spec, DenseLayer dense, long seed,
      dev.gecko4j.train.lora.LoraConfig lora) throws IOException {
    Args.notNull(spec, "spec");
    Args.notNull(lora, "lora");
    return open(spec, TrainableEncoder.open(spec, dense, seed, lora));
  }

  /**
   * Opens the trainer for a model description with low-rank adapters and a new Dense head of
   * {@code denseOutFeatures} outputs on the vectors before it (as {@link #open(ModelSpec, int,
   * dev.gecko4j.onnx.PipelineModule.Activation, long)} adds one).
   *
   * @param spec the base model; not null
   * @param denseOutFeatures the head's output size, {@code >= 1}
   * @param activation the head's activation; not null
   * @param seed the seed of the head's initial weights
   * @param lora the adapters; not null
   * @return a trainer over a fresh encoder, which it owns
   * @throws IOException if files cannot be read
   * @throws IllegalArgumentException if an argument is invalid or the model is not trainable
   */
  public static GeckoTrainer open(ModelSpec spec, int denseOutFeatures,
      dev.gecko4j.onnx.PipelineModule.Activation activation, long seed,
      dev.gecko4j.train.lora.LoraConfig lora) throws IOException {
    Args.notNull(spec, "spec");
    Args.notNull(lora, "lora");
    return open(spec, TrainableEncoder.open(spec, denseOutFeatures, activation, seed, lora));
  }

  /** What an adapter folder records as {@code base_model_name_or_path}. */
  static String baseModelName(ModelSpec spec) {
    return spec.bundled() != null || spec.folder() == null ? spec.name()
        : spec.folder().toAbsolutePath().normalize().toString();
  }

  private static GeckoTrainer open(ModelSpec spec, TrainableEncoder encoder) throws IOException {
    byte[] cfg = null;
    if (spec.folder() != null && Files.isRegularFile(spec.folder().resolve("config.json"))) {
      try {
        cfg = Files.readAllBytes(spec.folder().resolve("config.json"));
      } catch (IOException e) {
        encoder.close();
        throw e;
      }
    }
    return new GeckoTrainer(encoder, cfg, ModelExporter.exportSpec(encoder, spec.maxLength(),
        spec.prompts(), spec.promptConventionName()), FileSink.DISK);
  }

}
