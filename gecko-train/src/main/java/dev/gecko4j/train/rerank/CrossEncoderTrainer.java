package dev.gecko4j.train.rerank;

import dev.gecko4j.train.internal.EncoderInternals;
import dev.gecko4j.train.internal.Scalars;
import ai.djl.engine.Engine;
import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.util.PairList;
import dev.gecko4j.core.internal.Args;
import dev.gecko4j.core.train.TrainingListener;
import dev.gecko4j.core.train.TrainingProgress;
import dev.gecko4j.core.train.TrainingResult;
import dev.gecko4j.onnx.ModelSpec;
import dev.gecko4j.onnx.OrtRuntime;
import dev.gecko4j.onnx.TokenizedBatch;
import dev.gecko4j.train.GeckoTrainer;
import dev.gecko4j.train.TrainableEncoder;
import dev.gecko4j.train.checkpoint.Checkpoints;
import dev.gecko4j.train.optim.AdamW;
import dev.gecko4j.train.optim.LearningRateSchedule;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Trains a cross-encoder (reranker) from an encoder model: the encoder's own ONNX graph runs on
 * DJL's PyTorch engine ({@link TrainableEncoder}) over the tokenizer's pair encoding of (query,
 * passage) ({@code [CLS] query [SEP] passage [SEP]}, {@code token_type_ids} 0 then 1 when the
 * graph takes them, longest-first truncation to the maximum length, exactly as {@code
 * OnnxCrossEncoder} encodes pairs), and a new classification head reads the {@code [CLS]} token
 * state: {@code logit = W·h_CLS + b}, {@code W} {@code [1, hidden]} initialised N(0, 0.02) as
 * BERT initialises its classifier, {@code b} 0. BERT's pooler (Dense + tanh) is not used: the
 * bundled ONNX exports do not carry it (or, as all-MiniLM-L6-v2's, carry one never trained for
 * this), and a fresh random pooler would be 148k more weights to learn from a few thousand pairs;
 * the head reads the final [CLS] state directly, as ELECTRA-style and many sentence-transformers
 * cross-encoders do.
 *
 * <p>Each step takes {@link CrossEncoderConfig#groupsPerStep()} groups (a query with its positive
 * and k negatives, {@link RerankExample}); a group is one forward batch, and its loss ({@link
 * RerankLoss}) is back-propagated at once, so the step's gradient accumulates over groups (memory
 * is one group's activations). AdamW, linear warm-up and decay, global-norm clipping, and
 * checkpoints every N steps with resume, through the embedding trainer's own {@link Checkpoints}
 * (a resumed run continues with the same weights, optimizer state and group order, so it ends
 * where an uninterrupted run ends). Steps whose loss or gradient is not finite are skipped and
 * counted. The group order is a seeded shuffle per epoch.
 *
 * <p>{@link #export(Path)} writes a HuggingFace sequence-classification ONNX folder ({@code
 * logits} {@code [batch, 1]}, {@code tokenizer.json}, {@code config.json} with one label and
 * sentence-transformers' Sigmoid activation) that {@code OnnxCrossEncoder} serves with the
 * trainer's own scores ({@link #score}).
 *
 * <p>Not thread-safe: one thread trains, scores and exports; {@link #close()} frees the native
 * memory.
 */
public final class CrossEncoderTrainer implements AutoCloseable {

  /** The parameter name of the classification head's weight {@code [1, hidden]}. */
  public static final String HEAD_WEIGHT = "classifier.weight";
  /** The parameter name of the classification head's bias {@code [1]}. */
  public static final String HEAD_BIAS = "classifier.bias";

  private final TrainableEncoder encoder;
  private final int hidden;
  private final float[] headWeight;
  private final float[] headBias;
  /** Encoder parameters (live arrays) and the head, one map for the optimizer and checkpoints. */
  private final Map<String, float[]> params = new LinkedHashMap<>();
  private final Map<Integer, HuggingFaceTokenizer> tokenizers = new ConcurrentHashMap<>();
  private int maxLength;
  private boolean closed;

  private CrossEncoderTrainer(TrainableEncoder encoder, int maxLength, long seed) {
    this.encoder = encoder;
    this.maxLength = maxLength;
    this.hidden = encoder.hiddenSize();
    Random r = new Random(seed);
    this.headWeight = new float[hidden];
    for (int i = 0; i < hidden; i++) {
      headWeight[i] = (float) (r.nextGaussian() * 0.02);
    }
    this.headBias = new float[1];
    params.putAll(encoder.parameters());
    params.put(HEAD_WEIGHT, headWeight);
    params.put(HEAD_BIAS, headBias);
  }

  /**
   * Opens a trainer over a base encoder: a bundled fp32 model by name ({@code bge-small-en-v1.5},
   * {@code all-MiniLM-L6-v2}, {@code e5-small-v2}) or a model folder.
   *
   * @param model the bundled name or folder; not blank
   * @param maxLength tokens per (query, passage) pair, special tokens included, 8 to the model's
   *     maximum length
   * @param seed the seed of the head's initial weights
   * @return the trainer, which owns its encoder
   * @throws IOException if the model cannot be read
   * @throws IllegalArgumentException if the model is unknown or not trainable, or maxLength is out
   *     of range
   */
  public static CrossEncoderTrainer open(String model, int maxLength, long seed)
      throws IOException {
    return open(GeckoTrainer.resolve(model), maxLength, seed);
  }

  /**
   * Opens a trainer over a model description.
   *
   * @param spec the base model; not null, fp32
   * @param maxLength tokens per pair, 8 to {@code spec.maxLength()}
   * @param seed the seed of the head's initial weights
   * @return the trainer
   * @throws IOException if the model cannot be read
   * @throws IllegalArgumentException if an argument is invalid or the model is not trainable
   */
  public static CrossEncoderTrainer open(ModelSpec spec, int maxLength, long seed)
      throws IOException {
    Args.notNull(spec, "spec");
    Args.inRange(maxLength, 8, spec.maxLength(), "maxLength");
    TrainableEncoder encoder = TrainableEncoder.open(spec);
    return new CrossEncoderTrainer(encoder, maxLength, seed);
  }

  /** {@return the encoder under the head} */
  public TrainableEncoder encoder() {
    checkOpen();
    return encoder;
  }

  /** {@return the tokens per pair of the last training run (or of open), special tokens included} */
  public int maxLength() {
    return maxLength;
  }

  /** {@return the hidden size the head reads} */
  public int hiddenSize() {
    return hidden;
  }

  /** {@return a copy of the head: weight {@code [hidden]} then bias, {@code hidden + 1} values} */
  public float[] head() {
    float[] h = Arrays.copyOf(headWeight, hidden + 1);
    h[hidden] = headBias[0];
    return h;
  }

  /** {@return the live trainable parameters (encoder and head) by name, unmodifiable} */
  public Map<String, float[]> parameters() {
    return Collections.unmodifiableMap(params);
  }

  /** The pair tokenizer for a length: the HuggingFace tokenizer as OnnxCrossEncoder opens it. */
  private HuggingFaceTokenizer tokenizer(int length) {
    return tokenizers.computeIfAbsent(length, n -> {
      OrtRuntime.optOutOfDjlTracking();
      Map<String, String> options = new LinkedHashMap<>();
      options.put("addSpecialTokens", "true");
      options.put("truncation", "LONGEST_FIRST");
      options.put("padding", "false");
      options.put("maxLength", Integer.toString(n));
      try {
        return HuggingFaceTokenizer.newInstance(
            new ByteArrayInputStream(encoder.tokenizerJson()), options);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot open the tokenizer of " + encoder.spec().name(), e);
      }
    });
  }

  /**
   * Pair-encodes (query, passage_i) into one right-padded batch in input order.
   *
   * @param query the query; not null
   * @param passages the passages; not empty, no nulls
   * @param length tokens per pair, special tokens included
   * @return the batch
   */
  TokenizedBatch encodePairs(String query, List<String> passages, int length) {
    String q = withoutUnpairedSurrogates(query);
    PairList<String, String> pairs = new PairList<>(passages.size());
    for (String p : passages) {
      pairs.add(q, withoutUnpairedSurrogates(p));
    }
    Encoding[] enc = tokenizer(length).batchEncode(pairs);
    int seq = 1;
    for (Encoding e : enc) {
      seq = Math.max(seq, e.getIds().length);
    }
    int n = enc.length;
    long[] ids = new long[n * seq];
    long[] mask = new long[n * seq];
    long[] types = new long[n * seq];
    int[] owners = new int[n];
    int[] tokens = new int[n];
    for (int r = 0; r < n; r++) {
      long[] id = enc[r].getIds();
      System.arraycopy(id, 0, ids, r * seq, id.length);
      System.arraycopy(enc[r].getTypeIds(), 0, types, r * seq, id.length);
      Arrays.fill(mask, r * seq, r * seq + id.length, 1L);
      owners[r] = r;
      tokens[r] = id.length;
    }
    return new TokenizedBatch(n, seq, ids, mask, types, owners, tokens);
  }

  /** U+FFFD for each unpaired UTF-16 surrogate, as the serving tokenizers do. */
  private static String withoutUnpairedSurrogates(String s) {
    StringBuilder b = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean paired = Character.isHighSurrogate(c) && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1));
      if (paired) {
        if (b != null) {
          b.append(c).append(s.charAt(i + 1));
        }
        i++;
        continue;
      }
      if (Character.isSurrogate(c)) {
        if (b == null) {
          b = new StringBuilder(s.length()).append(s, 0, i);
        }
        b.append('\uFFFD');
      } else if (b != null) {
        b.append(c);
      }
    }
    return b == null ? s : b.toString();
  }

  /** Logits {@code [rows]} of a batch: the head over the [CLS] state. */
  private NDArray logits(NDManager scope, Map<String, NDArray> p, TokenizedBatch batch) {
    NDArray states = EncoderInternals.access().tokenStates(encoder, scope, p, batch);
    NDArray cls = states.get(new NDIndex(":, 0, :"));
    return cls.matMul(p.get(HEAD_WEIGHT).transpose()).add(p.get(HEAD_BIAS))
        .reshape(batch.rows());
  }

  private Map<String, NDArray> upload(NDManager scope, boolean grad) {
    Map<String, NDArray> p = EncoderInternals.access().upload(encoder, scope, grad);
    NDArray w = scope.create(headWeight, new Shape(1, hidden));
    NDArray b = scope.create(headBias, new Shape(1));
    if (grad) {
      w.setRequiresGradient(true);
      b.setRequiresGradient(true);
    }
    p.put(HEAD_WEIGHT, w);
    p.put(HEAD_BIAS, b);
    return p;
  }

  /**
   * Scores (query, passage) pairs with the current weights, no gradients: the raw logits {@code
   * OnnxCrossEncoder} serves from the exported folder.
   *
   * @param query the query; not null
   * @param passages the passages; not null, no nulls
   * @param batchSize pairs per forward pass, {@code >= 1}
   * @return one logit per passage, in input order
   * @throws IllegalArgumentException naming a bad argument
   * @throws IllegalStateException if closed
   */
  public double[] score(String query, List<String> passages, int batchSize) {
    checkOpen();
    Args.notNull(query, "query");
    Args.noNulls(passages, "passages");
    Args.positive(batchSize, "batchSize");
    double[] out = new double[passages.size()];
    try (NDManager scope = EncoderInternals.access().manager(encoder).newSubManager()) {
      Map<String, NDArray> p = upload(scope, false);
      for (int from = 0; from < passages.size(); from += batchSize) {
        List<String> chunk = passages.subList(from, Math.min(passages.size(), from + batchSize));
        try (NDManager inner = scope.newSubManager()) {
          float[] l = logits(inner, p, encodePairs(query, chunk, maxLength)).toFloatArray();
          for (int i = 0; i < l.length; i++) {
            out[from + i] = l[i];
          }
        }
      }
    }
    return out;
  }

  /** The loss of one group: a scalar NDArray. */
  static NDArray loss(NDManager scope, NDArray logits, double[] relevance, RerankLoss kind) {
    float[] t = new float[relevance.length];
    double sum = 0;
    for (double r : relevance) {
      sum += r;
    }
    for (int i = 0; i < t.length; i++) {
      t[i] = (float) (kind == RerankLoss.LISTWISE ? relevance[i] / sum : relevance[i]);
    }
    NDArray target = scope.create(t, new Shape(t.length));
    if (kind == RerankLoss.LISTWISE) {
      return logits.logSoftmax(0).mul(target).sum().neg();
    }
    // BCEWithLogits, stable: max(x, 0) - x t + log(1 + exp(-|x|))
    NDArray x = logits;
    return x.maximum(Scalars.of(x, 0)).sub(x.mul(target))
        .add(x.abs().neg().exp().add(Scalars.of(x, 1)).log()).mean();
  }

  /**
   * Trains on {@code groups} and exports the model to {@code <out>/model}.
   *
   * @param config the settings; not null
   * @param groups the training groups; not empty
   * @param listener progress, checkpoints and messages; null for none
   * @return the run: steps, last loss, pairs per second (as {@code examplesPerSecond}), skipped
   *     steps and the exported folder
   * @throws IllegalArgumentException if an argument is invalid
   * @throws IllegalStateException if closed, or resume finds no intact checkpoint among several
   */
  public TrainingResult train(CrossEncoderConfig config, List<RerankExample> groups,
      TrainingListener listener) {
    checkOpen();
    Args.notNull(config, "config");
    Args.noNulls(groups, "groups");
    Args.require(!groups.isEmpty(), "groups must not be empty");
    Args.inRange(config.maxLength(), 8, encoder.maxLength(), "config.maxLength");
    TrainingListener out = listener == null ? TrainingListener.NONE : listener;
    this.maxLength = config.maxLength();
    Map<String, Boolean> decayed = new LinkedHashMap<>();
    for (String name : params.keySet()) {
      decayed.put(name, name.equals(HEAD_WEIGHT)
          || (!name.equals(HEAD_BIAS) && encoder.shape(name).length >= 2));
    }
    AdamW opt = new AdamW(config.weightDecay());
    LearningRateSchedule schedule = new LearningRateSchedule(config.learningRate(),
        config.warmupSteps(), config.steps());
    Checkpoints ckpt = new Checkpoints(config.outputDirectory().resolve("checkpoints"));
    int start = 0;
    int skipped = 0;
    double lastLoss = Double.NaN;
    if (config.resume()) {
      Optional<Checkpoints.Resumed> resumed = ckpt.resume(params, opt, out::onMessage);
      if (resumed.isPresent()) {
        Checkpoints.State s = resumed.get().state();
        start = s.step();
        skipped = s.skipped();
        lastLoss = s.lastLoss();
        out.onMessage("resumed from " + resumed.get().directory() + " at step " + start);
      }
    }
    GroupOrder order = new GroupOrder(groups.size(), config.seed());
    long t0 = System.nanoTime();
    long pairs = 0;
    for (int step = start; step < config.steps(); step++) {
      List<RerankExample> batch = new ArrayList<>(config.groupsPerStep());
      for (int g = 0; g < config.groupsPerStep(); g++) {
        batch.add(groups.get(order.at((long) step * config.groupsPerStep() + g)));
      }
      double lr = schedule.at(step);
      double lossValue = 0;
      Map<String, float[]> grads = new LinkedHashMap<>();
      try (NDManager scope = EncoderInternals.access().manager(encoder).newSubManager()) {
        Map<String, NDArray> p = upload(scope, true);
        for (RerankExample ex : batch) {
          try (NDManager inner = scope.newSubManager();
              GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
            NDArray l = loss(inner, logits(inner, p, encodePairs(ex.query(), ex.passages(),
                config.maxLength())), ex.relevance(), config.loss());
            l = l.div(Scalars.of(l, batch.size()));
            lossValue += l.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble();
            gc.backward(l);
          }
          pairs += ex.passages().size();
        }
        for (Map.Entry<String, NDArray> e : p.entrySet()) {
          NDArray a = e.getValue();
          grads.put(e.getKey(), a.hasGradient() ? a.getGradient().toFloatArray()
              : new float[params.get(e.getKey()).length]);
        }
      }
      double norm = globalNorm(grads);
      if (!Double.isFinite(lossValue) || !Double.isFinite(norm)) {
        skipped++;
        out.onMessage(String.format(Locale.ROOT, "step %d skipped: loss %s, gradient norm %s",
            step + 1, lossValue, norm));
      } else {
        if (config.maxGradNorm() > 0 && norm > config.maxGradNorm()) {
          float f = (float) (config.maxGradNorm() / norm);
          for (float[] g : grads.values()) {
            for (int i = 0; i < g.length; i++) {
              g[i] *= f;
            }
          }
        }
        opt.step(params, grads, decayed, lr);
        lastLoss = lossValue;
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      double pps = pairs / Math.max(1e-9, secs);
      double perStep = secs / (step + 1 - start);
      out.onStep(new TrainingProgress(step + 1, config.steps(), lossValue, lr, norm, pps,
          perStep * (config.steps() - step - 1), skipped));
      if (config.checkpointEvery() > 0 && (step + 1) % config.checkpointEvery() == 0
          && step + 1 < config.steps()) {
        Path dir = ckpt.save(new Checkpoints.State(step + 1, opt.steps(), skipped, lastLoss),
            params, opt);
        out.onCheckpoint(step + 1, dir);
      }
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    Path model = export(config.outputDirectory().resolve("model"));
    out.onMessage("exported " + model);
    return new TrainingResult(config.steps(), lastLoss, pairs / Math.max(1e-9, secs), Double.NaN,
        skipped, model);
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

  /**
   * Exports the current weights as a sequence-classification ONNX folder ({@link
   * CrossEncoderExport}), complete or absent.
   *
   * @param directory the folder: absent, empty, or an earlier export
   * @return the folder
   * @throws UncheckedIOException naming the file if writing fails
   * @throws IllegalArgumentException if the folder holds other files
   */
  public Path export(Path directory) {
    checkOpen();
    Args.notNull(directory, "directory");
    return CrossEncoderExport.write(this, directory);
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the cross-encoder trainer is closed");
    }
  }

  /** Frees the encoder's native memory and the tokenizers; idempotent. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      tokenizers.values().forEach(HuggingFaceTokenizer::close);
      tokenizers.clear();
      encoder.close();
    }
  }

  /** Group indices in a seeded shuffle per epoch; position i depends only on i and the seed. */
  static final class GroupOrder {
    private final int n;
    private final long seed;
    private long epoch = -1;
    private int[] perm;

    GroupOrder(int n, long seed) {
      this.n = n;
      this.seed = seed;
    }

    int at(long i) {
      long e = i / n;
      if (e != epoch) {
        perm = new int[n];
        for (int k = 0; k < n; k++) {
          perm[k] = k;
        }
        Random r = new Random(seed * 1_000_003L + e);
        for (int k = n - 1; k > 0; k--) {
          int j = r.nextInt(k + 1);
          int tmp = perm[k];
          perm[k] = perm[j];
          perm[j] = tmp;
        }
        epoch = e;
      }
      return perm[(int) (i % n)];
    }
  }
}
