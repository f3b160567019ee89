package dev.gecko4j.onnx;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.gecko4j.core.Embedder;
import dev.gecko4j.core.Embedding;
import dev.gecko4j.core.Pooling;
import dev.gecko4j.core.PromptConvention;
import dev.gecko4j.core.TaskPrompt;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * An {@link Embedder} that runs a BERT-family encoder exported to ONNX in ONNX Runtime, with the
 * model's own HuggingFace tokenizer (DJL), pooling, normalisation, maximum length and prompt
 * convention, so it gives the embeddings the model's authors published scores for.
 *
 * {@snippet lang=java :
 * try (OnnxEmbedder embedder = OnnxEmbedder.builder().model(Models.BGE_SMALL_EN_V15).build()) {
 *   Embedding q = embedder.embed("what do geckos eat?", TaskPrompt.query(TaskPrompt.SEARCH_RESULT));
 *   List<Embedding> docs = embedder.embedAll(passages, TaskPrompt.document());
 * }
 * }
 *
 * <p><b>Batching.</b> {@link #embedAll} tokenises every text, sorts the token sequences by length,
 * cuts them into batches whose padded size ({@code rows * longest row}) stays within the token
 * budget (and at most {@code maxBatchSize} rows), pads each batch to its own longest row, runs it,
 * and returns the embeddings in input order. fp32 results of one text do not depend on what else is
 * in its batch beyond float rounding (within 1e-5); int8 (dynamically quantised) models vary more.
 *
 * <p><b>Long inputs.</b> Texts longer than the model's maximum length (in tokens, special tokens
 * included) follow the {@link LongInputPolicy}: truncated (default, what sentence-transformers
 * does), chunked and averaged, or rejected.
 *
 * <p><b>Bad input.</b> Null lists or elements are rejected naming the index. The empty string is
 * embedded as the reference implementation does (just the special tokens). Unpaired UTF-16
 * surrogates are replaced by U+FFFD before tokenisation (they cannot be encoded as UTF-8); control
 * characters and NUL are passed to the tokenizer, whose normaliser usually drops them.
 *
 * <p><b>Threads.</b> Instances are immutable and thread-safe; concurrent callers share one ONNX
 * Runtime session. ONNX Runtime parallelises each operator over {@code intraOpThreads}; with
 * {@link Builder#concurrentBatches} one call also runs several batches at once (the fastest setting
 * on a CPU is usually {@code intraOpThreads(1).concurrentBatches(cores)}). Results do not depend on
 * either setting. {@link #close()} waits for running batches, and is idempotent.
 */
public final class OnnxEmbedder implements Embedder {

  private static final System.Logger LOG = System.getLogger(OnnxEmbedder.class.getName());

  private static final String INPUT_IDS = "input_ids";
  private static final String ATTENTION_MASK = "attention_mask";
  private static final String TOKEN_TYPE_IDS = "token_type_ids";
  private static final List<String> TOKEN_OUTPUTS =
      List.of("last_hidden_state", "token_embeddings", "output_0");
  private static final String SENTENCE_OUTPUT = "sentence_embedding";
  /**
   * Default token budget on the CPU: batches of about 1,000 padded tokens keep the activations in
   * cache; larger ones were slower per token in {@code gecko bench throughput} (bge-small, 2 cores:
   * long texts 0.69x the peer at 8192, 0.79x at 2048-4096, 0.99x at 1024).
   */
  static final int CPU_TOKEN_BUDGET = 1024;
  /** Default token budget on a GPU, which needs large batches to be busy. */
  static final int GPU_TOKEN_BUDGET = 8192;

  private final String modelName;
  private final OrtEnvironment env;
  private final OrtSession session;
  private final HuggingFaceTokenizer tokenizer;
  private final Pooling pooling;
  private final boolean normalize;
  private final int maxLength;
  private final PromptConvention convention;
  private final String conventionName;
  private final LongInputPolicy longInputPolicy;
  private final int hiddenSize;
  private final int dimension;
  private final String outputName;
  private final boolean outputIsPooled;
  private final boolean hasTokenTypeIds;
  private final int tokenBudget;
  /** Most attention-score cells (rows x length^2) per batch; unbounded off the CPU. */
  private final long attentionBudget;
  /**
   * On the CPU, from this length on the attention budget (tokenBudget x this) binds before the token
   * budget: rows of ~300 tokens ran 9% faster one per batch than three per batch (`gecko bench
   * throughput`, BENCHMARKS.md), while short rows keep the token budget's large batches.
   */
  private static final int ATTENTION_LENGTH = 128;
  private final int maxBatchSize;
  private final int concurrentBatches;
  private final ExecutorService batchPool;
  private final long padId;
  private final int prefixSpecials;
  private final int suffixSpecials;
  private final ExecutionProvider executionProvider;
  private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private volatile boolean closed;

  private OnnxEmbedder(Builder b, Resolved r, OrtSession session, HuggingFaceTokenizer tokenizer,
      ExecutionProvider provider) {
    this.modelName = r.name;
    this.env = OrtRuntime.environment();
    this.session = session;
    this.tokenizer = tokenizer;
    this.pooling = r.pooling;
    this.normalize = r.normalize;
    this.maxLength = r.maxLength;
    this.convention = r.convention;
    this.conventionName = r.conventionName;
    this.longInputPolicy = b.longInputPolicy;
    this.tokenBudget = b.tokenBudget > 0 ? b.tokenBudget
        : provider == ExecutionProvider.CPU ? CPU_TOKEN_BUDGET : GPU_TOKEN_BUDGET;
    this.maxBatchSize = b.maxBatchSize;
    this.attentionBudget = provider == ExecutionProvider.CPU
        ? (long) tokenBudget * ATTENTION_LENGTH : Long.MAX_VALUE;
    this.concurrentBatches = b.concurrentBatches;
    this.padId = r.padId;
    this.executionProvider = provider;

    Map<String, NodeInfo> inputs;
    Map<String, NodeInfo> outputs;
    try {
      inputs = session.getInputInfo();
      outputs = session.getOutputInfo();
    } catch (OrtException e) {
      throw new ModelLoadException(r.modelLocation, "cannot read the model's inputs and outputs ("
          + e.getMessage() + ")", e);
    }
    for (String required : List.of(INPUT_IDS, ATTENTION_MASK)) {
      if (!inputs.containsKey(required)) {
        throw new ModelLoadException(r.modelLocation, "found inputs " + inputs.keySet()
            + ", expected input_ids and attention_mask (token_type_ids optional)", null);
      }
    }
    for (Map.Entry<String, NodeInfo> in : inputs.entrySet()) {
      String name = in.getKey();
      if (!name.equals(INPUT_IDS) && !name.equals(ATTENTION_MASK) && !name.equals(TOKEN_TYPE_IDS)) {
        throw new ModelLoadException(r.modelLocation, "found inputs " + inputs.keySet()
            + ", expected only input_ids, attention_mask and token_type_ids", null);
      }
      if (!(in.getValue().getInfo() instanceof TensorInfo ti) || ti.type != OnnxJavaType.INT64) {
        throw new ModelLoadException(r.modelLocation, "found input " + name + " of type "
            + in.getValue().getInfo() + ", expected an int64 tensor [batch, sequence]", null);
      }
    }
    this.hasTokenTypeIds = inputs.containsKey(TOKEN_TYPE_IDS);

    String chosen = null;
    boolean pooled = false;
    for (String name : TOKEN_OUTPUTS) {
      if (outputs.containsKey(name)) {
        chosen = name;
        break;
      }
    }
    if (chosen == null && outputs.containsKey(SENTENCE_OUTPUT)) {
      chosen = SENTENCE_OUTPUT;
      pooled = true;
    }
    if (chosen == null) {
      throw new ModelLoadException(r.modelLocation, "found outputs " + outputs.keySet()
          + ", expected one of " + TOKEN_OUTPUTS + " (token states [batch, sequence, hidden]) or "
          + SENTENCE_OUTPUT + " ([batch, hidden])", null);
    }
    NodeInfo out = outputs.get(chosen);
    int expectedRank = pooled ? 2 : 3;
    if (!(out.getInfo() instanceof TensorInfo ti) || ti.type != OnnxJavaType.FLOAT
        || ti.getShape().length != expectedRank) {
      throw new ModelLoadException(r.modelLocation, "found output " + chosen + " as "
          + out.getInfo() + ", expected a float tensor of rank " + expectedRank, null);
    }
    this.outputName = chosen;
    this.outputIsPooled = pooled;

    // Template of special tokens around a single sequence (BERT: [CLS] ... [SEP] = 1 + 1).
    Encoding probe = tokenizer.encode("a");
    long[] mask = probe.getSpecialTokenMask();
    int pre = 0;
    while (pre < mask.length && mask[pre] != 0) {
      pre++;
    }
    int suf = 0;
    while (suf < mask.length - pre && mask[mask.length - 1 - suf] != 0) {
      suf++;
    }
    this.prefixSpecials = pre;
    this.suffixSpecials = suf;
    if (maxLength <= pre + suf) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "maxLength must be greater than the %d special tokens the tokenizer adds, but is: %d",
          pre + suf, maxLength));
    }

    // Smoke run: proves the graph runs and gives the hidden size.
    this.hiddenSize = probeHiddenSize(r.modelLocation, probe);
    if (b.dimension > hiddenSize) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "dimension must be between 1 and the model's %d, but is: %d", hiddenSize, b.dimension));
    }
    this.dimension = b.dimension > 0 ? b.dimension : hiddenSize;
    this.batchPool = concurrentBatches > 1 ? newBatchPool(concurrentBatches - 1, modelName) : null;
  }

  /** Daemon workers that run batches beside the calling thread (see concurrentBatches). */
  private static ExecutorService newBatchPool(int workers, String model) {
    AtomicInteger n = new AtomicInteger();
    return Executors.newFixedThreadPool(workers, task -> {
      Thread t = new Thread(task, "gecko4j-onnx-batch-" + n.incrementAndGet() + " (" + model + ")");
      t.setDaemon(true);
      return t;
    });
  }

  private int probeHiddenSize(String location, Encoding probe) {
    long[] ids = probe.getIds();
    TokenizedBatch batch = new TokenizedBatch(1, ids.length, ids, filled(ids.length, 1L),
        probe.getTypeIds(), new int[] {0}, new int[] {ids.length});
    try {
      return forwardRaw(batch).length;
    } catch (RuntimeException e) {
      throw new ModelLoadException(location,
          "the model failed on a one-token probe (" + e.getMessage() + "), expected a BERT-family "
              + "encoder taking input_ids, attention_mask[, token_type_ids]", e);
    }
  }

  /** {@return a new builder; {@link Builder#build()} with no model set loads {@link Models#BGE_SMALL_EN_V15}} */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public int dimension() {
    return dimension;
  }

  @Override
  public PromptConvention promptConvention() {
    return convention;
  }

  /** {@return the model's name (bundled name or folder/file path)} */
  public String modelName() {
    return modelName;
  }

  /** {@return the name of the prompt convention in use (e.g. {@code BGE})} */
  public String promptConventionName() {
    return conventionName;
  }

  /** {@return the pooling applied to token states} */
  public Pooling pooling() {
    return pooling;
  }

  /** {@return whether the embeddings are L2-normalised (always true with a Matryoshka dimension)} */
  public boolean normalizes() {
    return normalize || dimension < hiddenSize;
  }

  /** {@return the maximum number of tokens per row, special tokens included} */
  public int maxLength() {
    return maxLength;
  }

  /** {@return the model's hidden size (the dimension before any Matryoshka truncation)} */
  public int modelDimension() {
    return hiddenSize;
  }

  /** {@return the long-input policy} */
  public LongInputPolicy longInputPolicy() {
    return longInputPolicy;
  }

  /** {@return the execution provider actually in use (CPU after a CUDA fallback)} */
  public ExecutionProvider executionProvider() {
    return executionProvider;
  }

  /** {@return the name of the model output that is read} */
  public String outputName() {
    return outputName;
  }

  @Override
  public List<Embedding> embedAll(List<String> texts, List<TaskPrompt> prompts) {
    List<TokenizedBatch> batches = tokenize(texts, prompts);
    float[][] pooledBatches = runAll(batches);
    int n = texts.size();
    float[][] sums = new float[n][];
    int[] weights = new int[n];
    int[] parts = new int[n];
    // Assembled in batch order whatever order the batches ran in: results do not depend on threads.
    for (int bi = 0; bi < batches.size(); bi++) {
      TokenizedBatch batch = batches.get(bi);
      float[] pooled = pooledBatches[bi];
      for (int r = 0; r < batch.rows(); r++) {
        int owner = batch.rowOwners()[r];
        float[] v = Arrays.copyOfRange(pooled, r * hiddenSize, (r + 1) * hiddenSize);
        if (normalize) {
          normalizeInPlace(v);
        }
        parts[owner]++;
        if (sums[owner] == null) {
          sums[owner] = v;
          weights[owner] = batch.rowTokens()[r];
        } else {
          // Chunked text: token-weighted average of the chunk embeddings.
          addWeighted(sums[owner], weights[owner], parts[owner] == 2, v, batch.rowTokens()[r]);
          weights[owner] += batch.rowTokens()[r];
        }
      }
    }
    List<Embedding> result = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      float[] v = sums[i];
      if (parts[i] > 1) {
        float inv = 1f / weights[i];
        for (int d = 0; d < v.length; d++) {
          v[d] *= inv;
        }
        if (normalize) {
          normalizeInPlace(v);
        }
      }
      if (dimension < hiddenSize) {
        v = Arrays.copyOf(v, dimension);
        normalizeInPlace(v);
      }
      result.add(Embedding.wrap(v));
    }
    return result;
  }

  /**
   * Runs every batch: on the calling thread alone, or with {@code concurrentBatches - 1} pool
   * workers beside it, each taking the next batch not yet taken (longest batches come first).
   */
  private float[][] runAll(List<TokenizedBatch> batches) {
    float[][] out = new float[batches.size()][];
    if (batchPool == null || batches.size() < 2) {
      for (int i = 0; i < out.length; i++) {
        out[i] = forwardRaw(batches.get(i));
      }
      return out;
    }
    AtomicInteger next = new AtomicInteger();
    AtomicBoolean failed = new AtomicBoolean();
    Runnable worker = () -> {
      int i;
      while (!failed.get() && (i = next.getAndIncrement()) < out.length) {
        try {
          out[i] = forwardRaw(batches.get(i));
        } catch (RuntimeException | Error e) {
          failed.set(true);
          throw e;
        }
      }
    };
    int helpers = Math.min(concurrentBatches, batches.size()) - 1;
    List<Future<?>> futures = new ArrayList<>(helpers);
    try {
      for (int h = 0; h < helpers; h++) {
        futures.add(batchPool.submit(worker));
      }
    } catch (RejectedExecutionException e) {
      // closed concurrently: forwardRaw below reports it
    }
    RuntimeException first = null;
    try {
      worker.run();
    } catch (RuntimeException e) {
      first = e;
    }
    for (Future<?> f : futures) {
      try {
        f.get();
      } catch (ExecutionException e) {
        if (first == null) {
          first = e.getCause() instanceof RuntimeException re ? re
              : new IllegalStateException("a batch worker failed: " + e.getCause(), e.getCause());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        failed.set(true);
        if (first == null) {
          first = new IllegalStateException("interrupted while waiting for batch workers", e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
    return out;
  }

  /** Adds chunk {@code v} (weight {@code w}) to {@code acc}, which holds the first chunk unscaled
   * (weight {@code accWeight}) when {@code first} is true, or a weighted sum otherwise. */
  private static void addWeighted(float[] acc, int accWeight, boolean first, float[] v, int w) {
    for (int d = 0; d < acc.length; d++) {
      acc[d] = (first ? acc[d] * accWeight : acc[d]) + v[d] * w;
    }
  }

  private static void normalizeInPlace(float[] v) {
    double s = 0;
    for (float x : v) {
      s += (double) x * x;
    }
    if (s == 0) {
      return;
    }
    double inv = 1.0 / Math.sqrt(s);
    for (int d = 0; d < v.length; d++) {
      v[d] = (float) (v[d] * inv);
    }
  }

  /**
   * Tokenises {@code texts} with their prompts and forms the exact batches {@link #embedAll} runs:
   * rows sorted by token count (longest first), each batch padded to its longest row, within the
   * token budget. Long texts follow the {@link LongInputPolicy}.
   *
   * @param texts the texts; neither the list nor any element may be null
   * @param prompts one prompt per text; no element may be null
   * @return the batches; every text owns at least one row
   * @throws IllegalArgumentException if a list or element is null (naming the index), the sizes
   *     differ, or a text is too long under {@link LongInputPolicy#FAIL}
   * @throws IllegalStateException if the embedder is closed
   */
  public List<TokenizedBatch> tokenize(List<String> texts, List<TaskPrompt> prompts) {
    if (texts == null) {
      throw new IllegalArgumentException("texts must not be null");
    }
    if (prompts == null) {
      throw new IllegalArgumentException("prompts must not be null");
    }
    if (texts.size() != prompts.size()) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "texts and prompts must have the same size, but have %d and %d", texts.size(),
          prompts.size()));
    }
    String[] rendered = new String[texts.size()];
    for (int i = 0; i < rendered.length; i++) {
      String t = texts.get(i);
      if (t == null) {
        throw new IllegalArgumentException("texts[" + i + "] must not be null");
      }
      TaskPrompt p = prompts.get(i);
      if (p == null) {
        throw new IllegalArgumentException(
            "prompts[" + i + "] must not be null; use TaskPrompt.none() for none");
      }
      rendered[i] = replaceUnpairedSurrogates(convention.apply(p, t));
    }
    if (rendered.length == 0) {
      return List.of();
    }
    Encoding[] encodings;
    lifecycle.readLock().lock();
    try {
      ensureOpen();
      encodings = tokenizer.batchEncode(rendered);
    } finally {
      lifecycle.readLock().unlock();
    }
    List<Row> rows = new ArrayList<>(rendered.length);
    for (int i = 0; i < encodings.length; i++) {
      split(i, encodings[i].getIds(), encodings[i].getTypeIds(), rows);
    }
    return formBatches(rows);
  }

  private record Row(int owner, long[] ids, long[] typeIds) { }

  private void split(int owner, long[] ids, long[] typeIds, List<Row> rows) {
    int len = ids.length;
    if (len <= maxLength) {
      rows.add(new Row(owner, ids, typeIds));
      return;
    }
    int content = len - prefixSpecials - suffixSpecials;
    int window = maxLength - prefixSpecials - suffixSpecials;
    switch (longInputPolicy) {
      case FAIL -> throw new IllegalArgumentException(String.format(Locale.ROOT,
          "texts[%d] has %d tokens, but the model's max length is %d (LongInputPolicy.FAIL); "
              + "shorten it or use TRUNCATE or CHUNK_AND_AVERAGE", owner, len, maxLength));
      case TRUNCATE -> rows.add(new Row(owner, cut(ids, prefixSpecials, window, len),
          cut(typeIds, prefixSpecials, window, len)));
      case CHUNK_AND_AVERAGE -> {
        for (int start = 0; start < content; start += window) {
          int take = Math.min(window, content - start);
          rows.add(new Row(owner, chunk(ids, start, take, len), chunk(typeIds, start, take, len)));
        }
      }
    }
  }

  /** The leading specials, the first {@code window} content tokens, the trailing specials. */
  private long[] cut(long[] a, int pre, int window, int len) {
    long[] out = new long[pre + window + suffixSpecials];
    System.arraycopy(a, 0, out, 0, pre + window);
    System.arraycopy(a, len - suffixSpecials, out, pre + window, suffixSpecials);
    return out;
  }

  private long[] chunk(long[] a, int start, int take, int len) {
    long[] out = new long[prefixSpecials + take + suffixSpecials];
    System.arraycopy(a, 0, out, 0, prefixSpecials);
    System.arraycopy(a, prefixSpecials + start, out, prefixSpecials, take);
    System.arraycopy(a, len - suffixSpecials, out, prefixSpecials + take, suffixSpecials);
    return out;
  }

  private List<TokenizedBatch> formBatches(List<Row> rows) {
    Row[] sorted = rows.toArray(new Row[0]);
    // Longest first; ties keep input order, so batches are a pure function of the input.
    Arrays.sort(sorted, (a, b) -> a.ids.length != b.ids.length
        ? Integer.compare(b.ids.length, a.ids.length) : Integer.compare(a.owner, b.owner));
    List<TokenizedBatch> batches = new ArrayList<>();
    int i = 0;
    while (i < sorted.length) {
      int seq = sorted[i].ids.length;
      int count = 1;
      while (i + count < sorted.length && count < maxBatchSize
          && (long) (count + 1) * seq <= tokenBudget
          && (long) (count + 1) * seq * seq <= attentionBudget) {
        count++;
      }
      long[] ids = new long[count * seq];
      long[] mask = new long[count * seq];
      long[] types = new long[count * seq];
      int[] owners = new int[count];
      int[] tokens = new int[count];
      if (padId != 0) {
        Arrays.fill(ids, padId);
      }
      for (int r = 0; r < count; r++) {
        Row row = sorted[i + r];
        int len = row.ids.length;
        System.arraycopy(row.ids, 0, ids, r * seq, len);
        System.arraycopy(row.typeIds, 0, types, r * seq, len);
        Arrays.fill(mask, r * seq, r * seq + len, 1L);
        owners[r] = row.owner;
        tokens[r] = len;
      }
      batches.add(new TokenizedBatch(count, seq, ids, mask, types, owners, tokens));
      i += count;
    }
    return batches;
  }

  /**
   * Runs one batch through the model and pools it: returns {@code [rows, modelDimension()]}
   * row-major, before normalisation and Matryoshka truncation.
   *
   * @param batch a batch from {@link #tokenize}; not null
   * @return the pooled vectors, a new array
   * @throws IllegalArgumentException if {@code batch} is null
   * @throws IllegalStateException if the embedder is closed or ONNX Runtime fails
   */
  public float[] forward(TokenizedBatch batch) {
    if (batch == null) {
      throw new IllegalArgumentException("batch must not be null");
    }
    return forwardRaw(batch);
  }

  private float[] forwardRaw(TokenizedBatch batch) {
    long[] shape = {batch.rows(), batch.sequenceLength()};
    lifecycle.readLock().lock();
    try {
      ensureOpen();
      try (OnnxTensor ids = OnnxTensor.createTensor(env, LongBuffer.wrap(batch.inputIds()), shape);
          OnnxTensor mask =
              OnnxTensor.createTensor(env, LongBuffer.wrap(batch.attentionMask()), shape);
          OnnxTensor types = hasTokenTypeIds
              ? OnnxTensor.createTensor(env, LongBuffer.wrap(batch.tokenTypeIds()), shape) : null) {
        Map<String, OnnxTensor> inputs = new HashMap<>(4);
        inputs.put(INPUT_IDS, ids);
        inputs.put(ATTENTION_MASK, mask);
        if (types != null) {
          inputs.put(TOKEN_TYPE_IDS, types);
        }
        try (OrtSession.Result result = session.run(inputs, Set.of(outputName))) {
          OnnxValue value = result.get(outputName)
              .orElseThrow(() -> new IllegalStateException("model returned no " + outputName));
          if (!(value instanceof OnnxTensor tensor)) {
            throw new IllegalStateException(outputName + " is not a tensor: " + value.getType());
          }
          long[] outShape = tensor.getInfo().getShape();
          FloatBuffer fb = tensor.getFloatBuffer();
          float[] data;
          if (fb.hasArray() && fb.arrayOffset() == 0 && fb.array().length == fb.remaining()) {
            data = fb.array();
          } else {
            data = new float[fb.remaining()];
            fb.get(data);
          }
          if (outputIsPooled) {
            return data;
          }
          int seq = (int) outShape[1];
          int hidden = (int) outShape[2];
          if (outShape[0] != batch.rows() || seq != batch.sequenceLength()) {
            throw new IllegalStateException("model output " + outputName + " has shape "
                + Arrays.toString(outShape) + ", expected [" + batch.rows() + ", "
                + batch.sequenceLength() + ", hidden]");
          }
          return pooling.pool(data, batch.attentionMask(), batch.rows(), seq, hidden);
        }
      } catch (OrtException e) {
        throw new IllegalStateException("ONNX Runtime failed on a batch of " + batch.rows()
            + " rows x " + batch.sequenceLength() + " tokens: " + e.getMessage(), e);
      }
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("this OnnxEmbedder (" + modelName + ") is closed");
    }
  }

  /**
   * Replaces every unpaired UTF-16 surrogate by U+FFFD; returns {@code s} itself when it has none.
   */
  static String replaceUnpairedSurrogates(String s) {
    StringBuilder sb = null;
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      boolean bad;
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
          if (sb != null) {
            sb.append(c).append(s.charAt(i + 1));
          }
          i++;
          continue;
        }
        bad = true;
      } else {
        bad = Character.isLowSurrogate(c);
      }
      if (bad && sb == null) {
        sb = new StringBuilder(n).append(s, 0, i);
      }
      if (sb != null) {
        sb.append(bad ? '\uFFFD' : c);
      }
    }
    return sb == null ? s : sb.toString();
  }

  private static long[] filled(int n, long v) {
    long[] a = new long[n];
    Arrays.fill(a, v);
    return a;
  }

  /** Closes the ONNX Runtime session and the tokenizer; waits for running calls; idempotent. */
  @Override
  public void close() {
    lifecycle.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      if (batchPool != null) {
        batchPool.shutdown();
      }
      try {
        session.close();
      } catch (OrtException e) {
        LOG.log(Level.WARNING, "closing the ONNX Runtime session failed: " + e.getMessage());
      }
      tokenizer.close();
    } finally {
      lifecycle.writeLock().unlock();
    }
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT,
        "OnnxEmbedder[model=%s, dim=%d, pooling=%s, normalize=%s, maxLength=%d, prompts=%s, "
            + "longInputs=%s, provider=%s]", modelName, dimension, pooling, normalizes(), maxLength,
        conventionName, longInputPolicy, executionProvider);
  }

  /** What the model source resolves to before loading. */
  private static final class Resolved {
    String name;
    String modelLocation;
    Path modelPath;
    String modelResource;
    String tokenizerLocation;
    Path tokenizerPath;
    String tokenizerResource;
    Pooling pooling;
    boolean normalize;
    int maxLength;
    PromptConvention convention;
    String conventionName;
    long padId;
  }

  /**
   * Builds an {@link OnnxEmbedder}. Immutable: every setter returns a new builder, so a builder can
   * be shared and specialised. Exactly one model source is used: a bundled {@link #model(Models)},
   * a {@link #modelFolder(Path) folder} in sentence-transformers layout, or explicit
   * {@link #modelPath(Path) model} and {@link #tokenizerPath(Path) tokenizer} files. The model's
   * settings can be overridden ({@link #pooling}, {@link #normalize}, {@link #maxLength},
   * {@link #promptConvention}).
   */
  public static final class Builder {
    private Models bundled;
    private Path folder;
    private Path modelPath;
    private Path tokenizerPath;
    private Pooling pooling;
    private Boolean normalize;
    private Integer maxLength;
    private PromptConvention convention;
    private String conventionName;
    private LongInputPolicy longInputPolicy = LongInputPolicy.TRUNCATE;
    private int dimension;
    private int intraOpThreads;
    private GraphOptimization optimization = GraphOptimization.ALL;
    private ExecutionProvider provider = ExecutionProvider.CPU;
    private int cudaDevice;
    private int tokenBudget;
    private int maxBatchSize = 64;
    private int concurrentBatches = 1;

    private Builder() { }

    private Builder copy() {
      Builder b = new Builder();
      b.bundled = bundled;
      b.folder = folder;
      b.modelPath = modelPath;
      b.tokenizerPath = tokenizerPath;
      b.pooling = pooling;
      b.normalize = normalize;
      b.maxLength = maxLength;
      b.convention = convention;
      b.conventionName = conventionName;
      b.longInputPolicy = longInputPolicy;
      b.dimension = dimension;
      b.intraOpThreads = intraOpThreads;
      b.optimization = optimization;
      b.provider = provider;
      b.cudaDevice = cudaDevice;
      b.tokenBudget = tokenBudget;
      b.maxBatchSize = maxBatchSize;
      b.concurrentBatches = concurrentBatches;
      return b;
    }

    private void requireNoSource(String what) {
      if (bundled != null || folder != null || modelPath != null) {
        throw new IllegalStateException(what + " cannot be combined with the model source already set ("
            + (bundled != null ? "bundled " + bundled : folder != null ? "folder " + folder
                : "modelPath " + modelPath) + ")");
      }
    }

    /**
     * Uses a bundled model with its published settings.
     *
     * @param model the model; not null
     * @return a new builder
     * @throws IllegalArgumentException if {@code model} is null
     * @throws IllegalStateException if another model source is set
     */
    public Builder model(Models model) {
      if (model == null) {
        throw new IllegalArgumentException("model must not be null; expected one of "
            + List.of(Models.values()));
      }
      requireNoSource("model(" + model + ")");
      Builder b = copy();
      b.bundled = model;
      return b;
    }

    /**
     * Uses a model folder in HuggingFace / sentence-transformers layout ({@code model.onnx} or
     * {@code onnx/model.onnx}, {@code tokenizer.json}, {@code modules.json},
     * {@code 1_Pooling/config.json}, {@code sentence_bert_config.json},
     * {@code config_sentence_transformers.json}); checked at {@link #build()}.
     *
     * @param folder the folder; not null
     * @return a new builder
     * @throws IllegalArgumentException if {@code folder} is null
     * @throws IllegalStateException if another model source is set
     */
    public Builder modelFolder(Path folder) {
      if (folder == null) {
        throw new IllegalArgumentException("folder must not be null");
      }
      requireNoSource("modelFolder(" + folder + ")");
      Builder b = copy();
      b.folder = folder;
      return b;
    }

    /**
     * Uses an explicit ONNX file; needs {@link #tokenizerPath(Path)} too. Pooling defaults to mean,
     * normalisation to true, max length to 512 and prompts to none unless set.
     *
     * @param model the {@code .onnx} file; not null
     * @return a new builder
     * @throws IllegalArgumentException if {@code model} is null
     * @throws IllegalStateException if another model source is set
     */
    public Builder modelPath(Path model) {
      if (model == null) {
        throw new IllegalArgumentException("model path must not be null");
      }
      requireNoSource("modelPath(" + model + ")");
      Builder b = copy();
      b.modelPath = model;
      return b;
    }

    /**
     * Sets the HuggingFace {@code tokenizer.json} for {@link #modelPath(Path)}.
     *
     * @param tokenizer the file; not null
     * @return a new builder
     * @throws IllegalArgumentException if {@code tokenizer} is null
     */
    public Builder tokenizerPath(Path tokenizer) {
      if (tokenizer == null) {
        throw new IllegalArgumentException("tokenizer path must not be null");
      }
      Builder b = copy();
      b.tokenizerPath = tokenizer;
      return b;
    }

    /**
     * Overrides the model's pooling.
     *
     * @param pooling the pooling; not null
     * @return a new builder
     * @throws IllegalArgumentException if {@code pooling} is null
     */
    public Builder pooling(Pooling pooling) {
      if (pooling == null) {
        throw new IllegalArgumentException("pooling must not be null; expected one of "
            + List.of(Pooling.values()));
      }
      Builder b = copy();
      b.pooling = pooling;
      return b;
    }

    /**
     * Overrides whether embeddings are L2-normalised.
     *
     * @param normalize true to normalise
     * @return a new builder
     */
    public Builder normalize(boolean normalize) {
      Builder b = copy();
      b.normalize = normalize;
      return b;
    }

    /**
     * Overrides the maximum number of tokens per row (special tokens included).
     *
     * @param maxLength between 2 and 8192
     * @return a new builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder maxLength(int maxLength) {
      if (maxLength < 2 || maxLength > 8192) {
        throw new IllegalArgumentException(
            "maxLength must be between 2 and 8192, but is: " + maxLength);
      }
      Builder b = copy();
      b.maxLength = maxLength;
      return b;
    }

    /**
     * Overrides the prompt convention.
     *
     * @param convention the convention; not null
     * @param name a name for it, shown by {@link OnnxEmbedder#promptConventionName()}; not null
     * @return a new builder
     * @throws IllegalArgumentException if an argument is null
     */
    public Builder promptConvention(PromptConvention convention, String name) {
      if (convention == null || name == null) {
        throw new IllegalArgumentException("convention and name must not be null");
      }
      Builder b = copy();
      b.convention = convention;
      b.conventionName = name;
      return b;
    }

    /**
     * Sets what happens to texts longer than the maximum length (default
     * {@link LongInputPolicy#TRUNCATE}).
     *
     * @param policy the policy; not null
     * @return a new builder
     * @throws IllegalArgumentException if {@code policy} is null
     */
    public Builder longInputPolicy(LongInputPolicy policy) {
      if (policy == null) {
        throw new IllegalArgumentException("policy must not be null; expected one of "
            + List.of(LongInputPolicy.values()));
      }
      Builder b = copy();
      b.longInputPolicy = policy;
      return b;
    }

    /**
     * Sets a Matryoshka dimension: embeddings keep their first {@code dimension} values and are
     * renormalised. Checked against the model's hidden size at {@link #build()}.
     *
     * @param dimension {@code >= 1}
     * @return a new builder
     * @throws IllegalArgumentException if {@code dimension < 1}
     */
    public Builder dimension(int dimension) {
      if (dimension < 1) {
        throw new IllegalArgumentException("dimension must be >= 1, but is: " + dimension);
      }
      Builder b = copy();
      b.dimension = dimension;
      return b;
    }

    /**
     * Sets ONNX Runtime's intra-op thread count; 0 (default) lets ONNX Runtime choose (one per
     * physical core).
     *
     * @param threads between 0 and 1024
     * @return a new builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder intraOpThreads(int threads) {
      if (threads < 0 || threads > 1024) {
        throw new IllegalArgumentException(
            "intraOpThreads must be between 0 and 1024, but is: " + threads);
      }
      Builder b = copy();
      b.intraOpThreads = threads;
      return b;
    }

    /**
     * Sets the graph optimisation level (default {@link GraphOptimization#ALL}).
     *
     * @param level the level; not null
     * @return a new builder
     * @throws IllegalArgumentException if {@code level} is null
     */
    public Builder graphOptimization(GraphOptimization level) {
      if (level == null) {
        throw new IllegalArgumentException("level must not be null; expected one of "
            + List.of(GraphOptimization.values()));
      }
      Builder b = copy();
      b.optimization = level;
      return b;
    }

    /**
     * Sets the execution provider (default {@link ExecutionProvider#CPU}). CUDA falls back to the
     * CPU, with a logged reason, when it cannot load.
     *
     * @param provider the provider; not null
     * @return a new builder
     * @throws IllegalArgumentException if {@code provider} is null
     */
    public Builder executionProvider(ExecutionProvider provider) {
      if (provider == null) {
        throw new IllegalArgumentException("provider must not be null; expected one of "
            + List.of(ExecutionProvider.values()));
      }
      Builder b = copy();
      b.provider = provider;
      return b;
    }

    /**
     * Sets the CUDA device id (default 0), used with {@link ExecutionProvider#CUDA}.
     *
     * @param device {@code >= 0}
     * @return a new builder
     * @throws IllegalArgumentException if negative
     */
    public Builder cudaDevice(int device) {
      if (device < 0) {
        throw new IllegalArgumentException("cudaDevice must be >= 0, but is: " + device);
      }
      Builder b = copy();
      b.cudaDevice = device;
      return b;
    }

    /**
     * Sets the token budget of a batch: rows times padded length stays within it (a single row
     * longer than the budget still runs alone). Default 1024 on the CPU (small batches stay in
     * cache and are faster per token there) and 8192 with CUDA. On the CPU, rows times the square
     * of the padded length (the attention scores' size) also stays within {@code tokens x 128}, so
     * rows longer than 128 tokens are batched fewer at a time (over 256 tokens, one per batch with
     * the default budget), which measured faster on long texts.
     *
     * @param tokens between 1 and 1,048,576
     * @return a new builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder tokenBudget(int tokens) {
      if (tokens < 1 || tokens > 1 << 20) {
        throw new IllegalArgumentException(
            "tokenBudget must be between 1 and 1048576, but is: " + tokens);
      }
      Builder b = copy();
      b.tokenBudget = tokens;
      return b;
    }

    /**
     * Sets the most rows in one batch (default 64).
     *
     * @param rows between 1 and 4096
     * @return a new builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder maxBatchSize(int rows) {
      if (rows < 1 || rows > 4096) {
        throw new IllegalArgumentException(
            "maxBatchSize must be between 1 and 4096, but is: " + rows);
      }
      Builder b = copy();
      b.maxBatchSize = rows;
      return b;
    }

    /**
     * Sets how many batches of one {@link OnnxEmbedder#embedAll} call run at the same time
     * (default 1: one after the other on the calling thread). With {@code n > 1} the calling
     * thread and {@code n - 1} daemon workers of the embedder each take the next batch; results
     * are the same as with 1. On a CPU, {@code concurrentBatches(cores)} with
     * {@link #intraOpThreads intraOpThreads(1)} uses the cores without ONNX Runtime's per-operator
     * thread synchronisation, which pays most on small batches and on a busy machine; the thread
     * budget is then {@code n * intraOpThreads}.
     *
     * @param n between 1 and 256
     * @return a new builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder concurrentBatches(int n) {
      if (n < 1 || n > 256) {
        throw new IllegalArgumentException(
            "concurrentBatches must be between 1 and 256, but is: " + n);
      }
      Builder b = copy();
      b.concurrentBatches = n;
      return b;
    }

    /**
     * Loads the model and tokenizer, checks the model's inputs and outputs and runs a probe.
     *
     * @return the embedder
     * @throws ModelLoadException if a model, tokenizer or configuration file is missing or unusable
     *     (the message names the path, what was found and what was expected)
     * @throws IllegalStateException if {@link #tokenizerPath} is set without {@link #modelPath}, or
     *     the reverse
     * @throws IllegalArgumentException if the Matryoshka dimension exceeds the model's
     */
    public OnnxEmbedder build() {
      Resolved r = resolve();
      OrtRuntime.environment(); // natives cached, telemetry off, DJL opted out: before any native code
      HuggingFaceTokenizer tok = loadTokenizer(r);
      OrtSession session = null;
      ExecutionProvider actual = ExecutionProvider.CPU;
      try {
        OrtEnvironment env = OrtRuntime.environment();
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
          if (intraOpThreads > 0) {
            so.setIntraOpNumThreads(intraOpThreads);
          }
          so.setOptimizationLevel(optimization.ortLevel());
          if (provider == ExecutionProvider.CUDA) {
            try {
              so.addCUDA(cudaDevice);
              actual = ExecutionProvider.CUDA;
            } catch (OrtException | LinkageError e) {
              LOG.log(Level.WARNING, "CUDA execution provider could not load (" + e.getMessage()
                  + "); falling back to CPU. CUDA needs the gpu Maven profile "
                  + "(onnxruntime_gpu) and CUDA 12 libraries.");
            }
          }
          session = openSession(env, so, r);
        }
        return new OnnxEmbedder(this, r, session, tok, actual);
      } catch (OrtException e) {
        closeQuietly(session, tok);
        throw new ModelLoadException(r.modelLocation, "ONNX Runtime rejected the session options ("
            + e.getMessage() + ")", e);
      } catch (RuntimeException e) {
        closeQuietly(session, tok);
        throw e;
      }
    }

    private static void closeQuietly(OrtSession session, HuggingFaceTokenizer tok) {
      if (session != null) {
        try {
          session.close();
        } catch (OrtException ignored) {
          // already failing
        }
      }
      tok.close();
    }

    private static OrtSession openSession(OrtEnvironment env, OrtSession.SessionOptions so,
        Resolved r) {
      byte[] bytes = null;
      try {
        if (r.modelPath != null) {
          if (!Files.isRegularFile(r.modelPath)) {
            throw ModelLoadException.of(r.modelPath, Files.exists(r.modelPath)
                ? "found a folder, expected an ONNX model file"
                : "found nothing, expected an ONNX model file");
          }
          return env.createSession(r.modelPath.toString(), so);
        }
        try (InputStream in = resource(r.modelResource)) {
          bytes = in.readAllBytes();
        }
        return env.createSession(bytes, so);
      } catch (OrtException e) {
        long size = bytes != null ? bytes.length : sizeOf(r.modelPath);
        throw new ModelLoadException(r.modelLocation, "found " + size
            + " bytes that ONNX Runtime cannot load (" + ModelFolder.firstLine(e.getMessage())
            + "), expected an ONNX model (ModelProto)", e);
      } catch (IOException e) {
        throw new ModelLoadException(r.modelLocation, "cannot read the model (" + e + ")", e);
      }
    }

    private static long sizeOf(Path p) {
      try {
        return Files.size(p);
      } catch (IOException e) {
        return -1;
      }
    }

    private static InputStream resource(String name) {
      InputStream in = OnnxEmbedder.class.getClassLoader().getResourceAsStream(name);
      if (in == null) {
        throw new ModelLoadException("classpath:" + name, "found no such resource, expected it in "
            + "a dev.langchain4j:langchain4j-embeddings-* model jar on the classpath", null);
      }
      return in;
    }

    private static HuggingFaceTokenizer loadTokenizer(Resolved r) {
      Map<String, String> options = new LinkedHashMap<>();
      // We truncate, chunk and pad ourselves (see LongInputPolicy): the tokenizer returns all tokens.
      options.put("addSpecialTokens", "true");
      options.put("truncation", "false");
      options.put("padding", "false");
      options.put("maxLength", Integer.toString(r.maxLength));
      try {
        if (r.tokenizerPath != null) {
          if (!Files.isRegularFile(r.tokenizerPath)) {
            throw ModelLoadException.of(r.tokenizerPath, Files.exists(r.tokenizerPath)
                ? "found a folder, expected a HuggingFace tokenizer.json file"
                : "found nothing, expected a HuggingFace tokenizer.json file");
          }
          try (InputStream in = Files.newInputStream(r.tokenizerPath)) {
            return HuggingFaceTokenizer.newInstance(in, options);
          }
        }
        try (InputStream in = resource(r.tokenizerResource)) {
          return HuggingFaceTokenizer.newInstance(in, options);
        }
      } catch (ModelLoadException e) {
        throw e;
      } catch (IOException | RuntimeException e) {
        throw new ModelLoadException(r.tokenizerLocation, "found a file the HuggingFace tokenizers "
            + "library cannot load (" + ModelFolder.firstLine(e.getMessage())
            + "), expected a tokenizer.json", e);
      }
    }

    private Resolved resolve() {
      if (tokenizerPath != null && modelPath == null) {
        throw new IllegalStateException(
            "tokenizerPath(" + tokenizerPath + ") needs modelPath(...) as well");
      }
      Resolved r = new Resolved();
      if (folder != null) {
        ModelFolder f = ModelFolder.read(folder);
        r.name = folder.toString();
        r.modelPath = f.model();
        r.tokenizerPath = f.tokenizer();
        r.pooling = f.pooling();
        r.normalize = f.normalize();
        r.maxLength = f.maxLength();
        r.convention = f.convention();
        r.conventionName = f.conventionName();
      } else if (modelPath != null) {
        if (tokenizerPath == null) {
          throw new IllegalStateException("modelPath(" + modelPath
              + ") needs tokenizerPath(...) (a HuggingFace tokenizer.json)");
        }
        r.name = modelPath.toString();
        r.modelPath = modelPath;
        r.tokenizerPath = tokenizerPath;
        r.pooling = Pooling.MEAN;
        r.normalize = true;
        r.maxLength = 512;
        r.convention = PromptConvention.NONE;
        r.conventionName = "NONE";
      } else {
        Models m = bundled != null ? bundled : Models.BGE_SMALL_EN_V15;
        r.name = m.modelName();
        r.modelResource = m.modelResource();
        r.tokenizerResource = m.tokenizerResource();
        r.pooling = m.pooling();
        r.normalize = m.normalize();
        r.maxLength = m.maxLength();
        r.convention = m.promptConvention();
        r.conventionName = m.conventionName();
      }
      r.modelLocation = r.modelPath != null ? r.modelPath.toString() : "classpath:" + r.modelResource;
      r.tokenizerLocation = r.tokenizerPath != null ? r.tokenizerPath.toString()
          : "classpath:" + r.tokenizerResource;
      if (pooling != null) {
        r.pooling = pooling;
      }
      if (normalize != null) {
        r.normalize = normalize;
      }
      if (maxLength != null) {
        r.maxLength = maxLength;
      }
      if (convention != null) {
        r.convention = convention;
        r.conventionName = conventionName;
      }
      r.padId = 0;
      return r;
    }
  }
}
