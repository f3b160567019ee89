package dev.gecko4j.onnx.lm;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gecko4j.core.lm.Capabilities;
import dev.gecko4j.core.lm.ContinuationScore;
import dev.gecko4j.core.lm.Generation;
import dev.gecko4j.core.lm.GenerationOptions;
import dev.gecko4j.core.lm.LanguageModel;
import dev.gecko4j.core.lm.LanguageModelException;
import dev.gecko4j.core.lm.ScoreRequest;
import dev.gecko4j.onnx.OrtRuntime;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * An in-process causal language model: an ONNX decoder ({@code model.onnx}) run by ONNX Runtime
 * and its HuggingFace {@code tokenizer.json} run by DJL's tokenizers, implementing {@link
 * LanguageModel} for FRet (generation and continuation scoring) without any server.
 *
 * <h2>Model contract</h2>
 *
 * <ul>
 *   <li>input {@code input_ids} int64 {@code [batch, seq]}; optional {@code attention_mask} and
 *       {@code position_ids} (int64 {@code [batch, seq]}) are fed when the graph declares them;
 *   <li>output {@code logits} float32 {@code [batch, seq, vocab]} (or the first output);
 *   <li>KV-cache graphs, in the layout of HuggingFace Optimum / transformers.js decoder exports:
 *       inputs {@code past_key_values.{i}.key|value} (or {@code past.*}), float32 or float16 {@code
 *       [batch, heads, past_sequence, head_dim]} with {@code heads} and {@code head_dim} fixed in
 *       the graph, each fed at the next step from the output of the same name with {@code present}
 *       in place of {@code past_key_values} ({@code [batch, heads, past_sequence + sequence,
 *       head_dim]}); {@code attention_mask} then covers past and current positions ({@code [batch,
 *       past_sequence + sequence]}); a boolean {@code use_cache_branch} input (merged decoders) is
 *       fed false at the first step and true after. A KV input of another shape is rejected when
 *       the model is loaded, naming the input and the expected shape.
 * </ul>
 *
 * <p>Rows of a batch are right-padded. For a causal model, a padded position never influences the
 * logits of an earlier position, so right padding is exact even for graphs without an {@code
 * attention_mask} input.
 *
 * <h2>KV cache</h2>
 *
 * <p>When the graph has KV-cache inputs, generation reuses the cache: the first step runs the
 * right-padded prompts with an empty past, and every later step feeds only each row's newest
 * token, its past being the previous step's {@code present.*} outputs (kept as native tensors, not
 * copied, except that a finished row's cache rows are dropped from the batch). The padding slots of
 * shorter prompts stay in the cache, hidden by {@code attention_mask} (0 there, 1 for every real
 * prompt and generated token), and {@code position_ids} count the real tokens before each position
 * (HuggingFace's {@code attention_mask.cumsum(-1) - 1}), so a row's tokens are those it gets alone.
 * A KV-cache graph without {@code attention_mask} or {@code position_ids} cannot hide that padding,
 * so prompts of different lengths are then generated one at a time. Generating {@code N} tokens from
 * a {@code P}-token prompt feeds {@code P + N - 1} token positions with the cache instead of {@code
 * N*P + N*(N-1)/2} without one ({@link #tokensComputed()} counts them). Scoring is always one
 * forward pass with an empty past.
 *
 * <h2>Tokenisation</h2>
 *
 * <p>Text is tokenised with the special tokens of the tokenizer's post-processor (for llama-style
 * tokenizers: a leading BOS). If the tokenizer adds no BOS and {@code config.json} names a {@code
 * bos_token_id}, the BOS is prepended, so there is always a position to condition on. Decoding skips
 * special tokens and applies the tokenizer's decoder (byte fallback, leading-space strip).
 *
 * <h2>Scoring boundary</h2>
 *
 * <p>{@code log P(continuation | prompt)}: the continuation's tokens are those of {@code
 * tokenize(prompt + continuation)} beyond the longest common prefix with {@code tokenize(prompt)}.
 * When a token straddles the boundary (a BPE merge across the join, e.g. prompt {@code "ab"} and
 * continuation {@code "c"} tokenised as {@code "abc"}), that token is scored as part of the
 * continuation, together with the prompt characters it covers: the alternative (dropping it) would
 * score nothing of the continuation's first characters. Write the space at the start of the
 * continuation ({@code "Question:"} + {@code " why"}) to get word-aligned boundaries.
 *
 * <h2>Generation</h2>
 *
 * <p>Greedy (temperature 0: argmax) or sampled: softmax of {@code logits / temperature} in double
 * precision, restricted to the smallest set of most likely tokens whose mass reaches {@code topP}.
 * Each prompt of a call gets its own random stream derived from {@code seed} and its index, so a run
 * is reproducible; prompts are batched by length (less padding), which changes no prompt's result.
 * Generation ends at the EOS token (not included; finish reason {@code "stop"}), at a stop string
 * (the text is cut before it, finish reason {@code "stop"}; {@code tokenIds} still holds the tokens
 * that spelled it), or after {@code maxNewTokens} ({@code "length"}). The text is the decoding of
 * the new tokens alone.
 *
 * <h2>Context length</h2>
 *
 * <p>The context is {@link Builder#maxContext(int)}, else {@code config.json}'s {@code
 * max_position_embeddings}, {@code n_positions}, {@code n_ctx}, {@code trained_seq_len} or {@code
 * max_seq_len} (first found), else 2048. A prompt that leaves no room for one new token, and a score
 * request longer than the context, are rejected with {@link IllegalArgumentException}; generation
 * ends with finish reason {@code "length"} when the context is full.
 *
 * <p>Thread-safe: ONNX Runtime sessions and the tokenizer may be used concurrently; {@link #close()}
 * waits for running calls and is idempotent.
 */
public final class OnnxCausalLanguageModel implements LanguageModel {

  private static final System.Logger LOG = System.getLogger(OnnxCausalLanguageModel.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String name;
  private final OrtEnvironment env;
  private final OrtSession session;
  private final HuggingFaceTokenizer tokenizer;
  private final String logitsName;
  private final boolean hasAttentionMask;
  private final boolean hasPositionIds;
  /** The KV-cache inputs in graph order, each with the output that feeds it at the next step. */
  private final List<KvInput> kvInputs;
  private final boolean hasUseCacheBranch;
  /** Output names requested from a cached generation step: logits and the present.* outputs. */
  private final Set<String> cachedOutputs;
  private final AtomicLong tokensComputed = new AtomicLong();
  private final int maxContext;
  private final int maxBatchSize;
  private final long bosId;
  private final long eosId;
  private final boolean prependBos;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private volatile boolean closed;

  private OnnxCausalLanguageModel(Builder b) throws IOException, OrtException {
    Path dir = b.dir;
    Path modelFile = dir.resolve("model.onnx");
    Path tokenizerFile = dir.resolve("tokenizer.json");
    if (!Files.isRegularFile(modelFile)) {
      throw new IllegalArgumentException("model folder must contain model.onnx, but " + modelFile + " is missing");
    }
    if (!Files.isRegularFile(tokenizerFile)) {
      throw new IllegalArgumentException(
          "model folder must contain tokenizer.json, but " + tokenizerFile + " is missing");
    }
    JsonNode config = JSON.createObjectNode();
    Path configFile = dir.resolve("config.json");
    if (Files.isRegularFile(configFile)) {
      config = JSON.readTree(configFile.toFile());
    }
    this.name = b.name != null ? b.name : "onnx:" + dir.getFileName();
    this.maxBatchSize = b.maxBatchSize;

    int ctx = b.maxContext;
    if (ctx == 0) {
      ctx = 2048;
      for (String key : List.of("max_position_embeddings", "n_positions", "n_ctx", "trained_seq_len", "max_seq_len")) {
        if (config.path(key).isInt()) {
          ctx = config.get(key).asInt();
          break;
        }
      }
    }
    this.maxContext = ctx;

    Map<String, String> opts = new HashMap<>();
    opts.put("addSpecialTokens", "true");
    opts.put("truncation", "false");
    opts.put("padding", "false");
    opts.put("maxLength", Integer.toString(Math.max(ctx, 1_000_000)));
    OrtRuntime.environment(); // natives cached, telemetry off, DJL opted out: before any native code
    HuggingFaceTokenizer tok = HuggingFaceTokenizer.newInstance(tokenizerFile, opts);
    this.tokenizer = tok;

    this.bosId = config.path("bos_token_id").isIntegralNumber() ? config.get("bos_token_id").asLong() : -1;
    this.eosId = config.path("eos_token_id").isIntegralNumber() ? config.get("eos_token_id").asLong() : -1;
    long[] probe = tok.encode("a").getIds();
    this.prependBos = bosId >= 0 && (probe.length == 0 || probe[0] != bosId);

    this.env = OrtRuntime.environment();
    OrtSession s = null;
    try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
      if (b.intraOpThreads > 0) {
        so.setIntraOpNumThreads(b.intraOpThreads);
      }
      s = env.createSession(modelFile.toString(), so);
      Map<String, NodeInfo> inputs = s.getInputInfo();
      if (!inputs.containsKey("input_ids")) {
        throw new IllegalArgumentException(
            "model.onnx must have an input named input_ids, but its inputs are: " + inputs.keySet());
      }
      this.hasAttentionMask = inputs.containsKey("attention_mask");
      this.hasPositionIds = inputs.containsKey("position_ids");
      Set<String> outs = s.getOutputNames();
      this.logitsName = outs.contains("logits") ? "logits" : outs.iterator().next();
      List<KvInput> kv = new ArrayList<>();
      boolean useCacheBranch = false;
      for (Map.Entry<String, NodeInfo> e : inputs.entrySet()) {
        String n = e.getKey();
        if (n.startsWith("past_key_values") || n.startsWith("past.")) {
          kv.add(kvInput(n, e.getValue(), outs));
        } else if (n.equals("use_cache_branch")) {
          useCacheBranch = true;
        } else if (!n.equals("input_ids") && !n.equals("attention_mask") && !n.equals("position_ids")) {
          throw new IllegalArgumentException("model.onnx has an input this class cannot feed: " + n
              + " (supported: input_ids, attention_mask, position_ids, past_key_values.*, use_cache_branch)");
        }
      }
      this.kvInputs = List.copyOf(kv);
      this.hasUseCacheBranch = useCacheBranch;
      Set<String> cached = new LinkedHashSet<>();
      cached.add(logitsName);
      for (KvInput k : kv) {
        cached.add(k.output());
      }
      this.cachedOutputs = Set.copyOf(cached);
      if (!kv.isEmpty() && !(hasAttentionMask && hasPositionIds)) {
        LOG.log(System.Logger.Level.INFO,
            "{0} has a KV cache but no {1} input: prompts of different lengths are generated one at a time",
            modelFile, hasAttentionMask ? "position_ids" : "attention_mask");
      }
    } catch (OrtException | RuntimeException e) {
      if (s != null) {
        s.close();
      }
      tok.close();
      throw e;
    }
    this.session = s;
    LOG.log(System.Logger.Level.DEBUG, "loaded {0}: context {1}, bos {2}, eos {3}, kv-cache inputs {4}",
        modelFile, maxContext, bosId, eosId, kvInputs.size());
  }

  /**
   * Starts a builder for the model in {@code dir}.
   *
   * @param dir a folder with {@code model.onnx}, {@code tokenizer.json} and optionally {@code
   *     config.json}
   * @return a builder
   * @throws IllegalArgumentException if {@code dir} is null or not a folder
   */
  public static Builder builder(Path dir) {
    if (dir == null || !Files.isDirectory(dir)) {
      throw new IllegalArgumentException("dir must be an existing folder, but is: " + dir);
    }
    return new Builder(dir);
  }

  /** Builder for {@link OnnxCausalLanguageModel}. */
  public static final class Builder {
    private final Path dir;
    private String name;
    private int maxContext;
    private int maxBatchSize = 8;
    private int intraOpThreads;

    private Builder(Path dir) {
      this.dir = dir;
    }

    /**
     * Sets the name returned by {@link #name()} (default {@code onnx:<folder name>}).
     *
     * @param name a non-blank name
     * @return this builder
     * @throws IllegalArgumentException if {@code name} is null or blank
     */
    public Builder name(String name) {
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException("name must be a non-blank string, but is: " + name);
      }
      this.name = name;
      return this;
    }

    /**
     * Overrides the context length read from {@code config.json}.
     *
     * @param tokens the most tokens one sequence may hold, {@code >= 2}
     * @return this builder
     * @throws IllegalArgumentException if {@code tokens < 2}
     */
    public Builder maxContext(int tokens) {
      if (tokens < 2) {
        throw new IllegalArgumentException("maxContext must be >= 2, but is: " + tokens);
      }
      this.maxContext = tokens;
      return this;
    }

    /**
     * Sets the most sequences per forward pass (default 8); larger lists are run in chunks.
     *
     * @param size between 1 and 4096
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder maxBatchSize(int size) {
      if (size < 1 || size > 4096) {
        throw new IllegalArgumentException("maxBatchSize must be between 1 and 4096, but is: " + size);
      }
      this.maxBatchSize = size;
      return this;
    }

    /**
     * Sets ONNX Runtime's intra-op thread count (default: ONNX Runtime's choice).
     *
     * @param threads {@code >= 1}
     * @return this builder
     * @throws IllegalArgumentException if {@code threads < 1}
     */
    public Builder intraOpThreads(int threads) {
      if (threads < 1) {
        throw new IllegalArgumentException("intraOpThreads must be >= 1, but is: " + threads);
      }
      this.intraOpThreads = threads;
      return this;
    }

    /**
     * Loads the model and tokenizer.
     *
     * @return the model; close it
     * @throws IllegalArgumentException if a file is missing, the graph has inputs this class cannot
     *     feed, or a KV-cache input has a shape other than {@code [batch, heads, past_sequence,
     *     head_dim]} with fixed heads and head_dim (or no matching {@code present.*} output)
     * @throws LanguageModelException if ONNX Runtime or the tokenizer fails to load
     */
    public OnnxCausalLanguageModel build() {
      try {
        return new OnnxCausalLanguageModel(this);
      } catch (IOException | OrtException e) {
        throw new LanguageModelException("cannot load the causal LM in " + dir + ": " + e.getMessage(), e);
      }
    }
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Capabilities capabilities() {
    return new Capabilities(true, true, "");
  }

  /**
   * Returns the context length in tokens (prompt plus generated, or prompt plus continuation).
   *
   * @return the context length
   */
  public int maxContext() {
    return maxContext;
  }

  /**
   * Returns the end-of-sequence token id from {@code config.json}.
   *
   * @return the id, or -1 when none is known
   */
  public long eosTokenId() {
    return eosId;
  }

  /**
   * Returns whether the graph has KV-cache inputs, which generation reuses from step to step (see
   * the class comment).
   *
   * @return true if the graph declares {@code past_key_values.*} inputs
   */
  public boolean hasKvCacheInputs() {
    return !kvInputs.isEmpty();
  }

  /**
   * Returns how many token positions this model has fed to the graph since it was loaded: the sum
   * of {@code batch x sequence} of the {@code input_ids} of every forward pass (padding included),
   * for generation and scoring. With a KV cache, generating {@code N} tokens from one {@code
   * P}-token prompt feeds {@code P + N - 1} positions; without one, every step feeds the whole
   * prefix again ({@code N*P + N*(N-1)/2}). Meant for tests and diagnostics.
   *
   * @return the count, {@code >= 0}
   */
  public long tokensComputed() {
    return tokensComputed.get();
  }

  /**
   * Tokenises text as this model sees it (with the BOS the tokenizer or {@code config.json} adds).
   *
   * @param text the text; not null
   * @return the token ids
   * @throws IllegalArgumentException if {@code text} is null
   * @throws IllegalStateException if the model is closed
   */
  public long[] tokenize(String text) {
    if (text == null) {
      throw new IllegalArgumentException("text must not be null");
    }
    lock.readLock().lock();
    try {
      ensureOpen();
      return encode(text);
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Decodes token ids to text, skipping special tokens.
   *
   * @param ids the token ids; not null
   * @return the text
   * @throws IllegalArgumentException if {@code ids} is null
   * @throws IllegalStateException if the model is closed
   */
  public String decode(long[] ids) {
    if (ids == null) {
      throw new IllegalArgumentException("ids must not be null");
    }
    lock.readLock().lock();
    try {
      ensureOpen();
      return tokenizer.decode(ids, true);
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Generates from token ids directly (the prompt given as ids, e.g. {@code [BOS]}), as {@link
   * #generate} does after tokenising.
   *
   * @param promptIds the prompt's token ids, at least one, fewer than {@link #maxContext()}
   * @param options sampling options; not null
   * @return the generation; {@code tokenIds} holds the new tokens (without EOS)
   * @throws IllegalArgumentException if an argument is null or out of range
   * @throws LanguageModelException if ONNX Runtime fails
   */
  public Generation generateFromIds(long[] promptIds, GenerationOptions options) {
    if (promptIds == null || promptIds.length == 0) {
      throw new IllegalArgumentException("promptIds must hold at least one token id, but is: "
          + (promptIds == null ? "null" : "empty"));
    }
    if (options == null) {
      throw new IllegalArgumentException("options must not be null");
    }
    checkPromptLength(0, promptIds.length);
    lock.readLock().lock();
    try {
      ensureOpen();
      return generateBatch(List.of(promptIds.clone()), new int[] {0}, options).get(0);
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public List<Generation> generate(List<String> prompts, GenerationOptions options) {
    if (prompts == null) {
      throw new IllegalArgumentException("prompts must not be null");
    }
    if (options == null) {
      throw new IllegalArgumentException("options must not be null");
    }
    for (int i = 0; i < prompts.size(); i++) {
      if (prompts.get(i) == null) {
        throw new IllegalArgumentException("prompts[" + i + "] must not be null");
      }
    }
    lock.readLock().lock();
    try {
      ensureOpen();
      List<long[]> ids = new ArrayList<>(prompts.size());
      for (int i = 0; i < prompts.size(); i++) {
        long[] p = encode(prompts.get(i));
        checkPromptLength(i, p.length);
        ids.add(p);
      }
      // Batch prompts of similar lengths (less padding); results go back in input order.
      int n = ids.size();
      Integer[] order = new Integer[n];
      for (int i = 0; i < n; i++) {
        order[i] = i;
      }
      Arrays.sort(order, Comparator.comparingInt(i -> ids.get(i).length));
      Generation[] out = new Generation[n];
      for (int from = 0; from < n; from += maxBatchSize) {
        int to = Math.min(n, from + maxBatchSize);
        int[] streams = new int[to - from];
        List<long[]> rows = new ArrayList<>(to - from);
        for (int j = from; j < to; j++) {
          streams[j - from] = order[j];
          rows.add(ids.get(order[j]));
        }
        List<Generation> g = generateBatch(rows, streams, options);
        for (int j = 0; j < streams.length; j++) {
          out[streams[j]] = g.get(j);
        }
      }
      return List.of(out);
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public List<ContinuationScore> score(List<ScoreRequest> requests) {
    if (requests == null) {
      throw new IllegalArgumentException("requests must not be null");
    }
    for (int i = 0; i < requests.size(); i++) {
      if (requests.get(i) == null) {
        throw new IllegalArgumentException("requests[" + i + "] must not be null");
      }
    }
    lock.readLock().lock();
    try {
      ensureOpen();
      int n = requests.size();
      long[][] full = new long[n][];
      int[] start = new int[n];
      for (int i = 0; i < n; i++) {
        ScoreRequest r = requests.get(i);
        long[] p = encode(r.prompt());
        long[] f = encode(r.prompt() + r.continuation());
        int k = 0;
        while (k < p.length && k < f.length && p[k] == f[k]) {
          k++;
        }
        // Position 0 has no logits conditioning it; the first scored token is at index >= 1.
        k = Math.max(k, 1);
        if (k >= f.length) {
          throw new IllegalArgumentException(String.format(Locale.ROOT,
              "requests[%d]: the continuation adds no token beyond the prompt's tokens (continuation: '%s')",
              i, r.continuation()));
        }
        if (f.length > maxContext) {
          throw new IllegalArgumentException(String.format(Locale.ROOT,
              "requests[%d]: prompt plus continuation is %d tokens, but the model's context is %d tokens",
              i, f.length, maxContext));
        }
        full[i] = f;
        start[i] = k;
      }
      // Sort by length so a batch pads little; results go back in input order.
      Integer[] order = new Integer[n];
      for (int i = 0; i < n; i++) {
        order[i] = i;
      }
      Arrays.sort(order, Comparator.comparingInt(i -> full[i].length));
      ContinuationScore[] out = new ContinuationScore[n];
      for (int from = 0; from < n; from += maxBatchSize) {
        int to = Math.min(n, from + maxBatchSize);
        List<long[]> rows = new ArrayList<>(to - from);
        int[] idxs = new int[to - from];
        for (int j = from; j < to; j++) {
          idxs[j - from] = order[j];
          rows.add(full[order[j]]);
        }
        forward(rows, (row, seq, vocab, logits) -> {
          int idx = idxs[row];
          long[] f = full[idx];
          double[] lp = new double[f.length - start[idx]];
          for (int t = start[idx]; t < f.length; t++) {
            int base = (row * seq + t - 1) * vocab;
            lp[t - start[idx]] = logSoftmaxAt(logits, base, vocab, (int) f[t]);
          }
          out[idx] = ContinuationScore.ofTokens(lp);
        });
      }
      return List.of(out);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Closes the session and the tokenizer, waiting for running calls; idempotent. */
  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      try {
        session.close();
      } catch (OrtException e) {
        LOG.log(System.Logger.Level.WARNING, "closing the ONNX session failed: " + e.getMessage(), e);
      }
      tokenizer.close();
    } finally {
      lock.writeLock().unlock();
    }
  }

  // ---------------------------------------------------------------------------------------------

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("the language model " + name + " is closed");
    }
  }

  private void checkPromptLength(int index, int tokens) {
    if (tokens >= maxContext) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "prompts[%d] has %d tokens, but the model's context is %d tokens (at most %d for a prompt, "
              + "so that one token can be generated)", index, tokens, maxContext, maxContext - 1));
    }
  }

  private long[] encode(String text) {
    long[] ids = tokenizer.encode(text, true, false).getIds();
    if (prependBos && (ids.length == 0 || ids[0] != bosId)) {
      long[] withBos = new long[ids.length + 1];
      withBos[0] = bosId;
      System.arraycopy(ids, 0, withBos, 1, ids.length);
      return withBos;
    }
    return ids;
  }

  /** Receives the logits of one row of a forward pass. */
  @FunctionalInterface
  private interface RowConsumer {
    void accept(int row, int seq, int vocab, float[] logits);
  }

  /** Runs one right-padded forward pass over {@code rows} and hands each row to {@code consumer}. */
  private void forward(List<long[]> rows, RowConsumer consumer) {
    int batch = rows.size();
    int seq = 0;
    for (long[] r : rows) {
      seq = Math.max(seq, r.length);
    }
    long[] ids = new long[batch * seq];
    long[] mask = new long[batch * seq];
    long[] pos = new long[batch * seq];
    long pad = eosId >= 0 ? eosId : 0;
    for (int b = 0; b < batch; b++) {
      long[] r = rows.get(b);
      for (int t = 0; t < seq; t++) {
        ids[b * seq + t] = t < r.length ? r[t] : pad;
        mask[b * seq + t] = t < r.length ? 1 : 0;
        pos[b * seq + t] = t;
      }
    }
    long[] shape = {batch, seq};
    Map<String, OnnxTensor> inputs = new HashMap<>();
    try {
      inputs.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape));
      if (hasAttentionMask) {
        // With an empty past the mask covers exactly the current tokens.
        inputs.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape));
      }
      if (hasPositionIds) {
        inputs.put("position_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(pos), shape));
      }
      for (KvInput kv : kvInputs) {
        inputs.put(kv.input(), emptyPast(kv, batch));
      }
      if (hasUseCacheBranch) {
        inputs.put("use_cache_branch", OnnxTensor.createTensor(env, new boolean[] {false}));
      }
      tokensComputed.addAndGet((long) batch * seq);
      try (OrtSession.Result result = session.run(inputs, Set.of(logitsName))) {
        OnnxTensor t = (OnnxTensor) result.get(0);
        long[] outShape = t.getInfo().getShape();
        if (outShape.length != 3 || outShape[0] != batch || outShape[1] != seq) {
          throw new LanguageModelException(String.format(Locale.ROOT,
              "output %s must have shape [%d, %d, vocab], but has %s", logitsName, batch, seq,
              Arrays.toString(outShape)));
        }
        int vocab = (int) outShape[2];
        FloatBuffer fb = t.getFloatBuffer();
        float[] logits = new float[fb.remaining()];
        fb.get(logits);
        for (int b = 0; b < batch; b++) {
          consumer.accept(b, seq, vocab, logits);
        }
      }
    } catch (OrtException e) {
      throw new LanguageModelException("ONNX Runtime failed on a batch of " + batch + " x " + seq
          + " tokens in " + name + ": " + e.getMessage(), e);
    } finally {
      for (OnnxTensor t : inputs.values()) {
        t.close();
      }
    }
  }

  /**
   * A KV-cache input ({@code [batch, heads, past_sequence, head_dim]}) and the output ({@code
   * present.*}) whose value it takes at the next step.
   */
  private record KvInput(String input, String output, long heads, long headDim, OnnxJavaType type) {}

  /** Validates a KV-cache input's shape and type and finds its present.* output. */
  private static KvInput kvInput(String name, NodeInfo node, Set<String> outputs) {
    String expected = "float32 or float16 [batch, heads, past_sequence, head_dim] with batch and "
        + "past_sequence dynamic and heads and head_dim fixed";
    if (!(node.getInfo() instanceof TensorInfo info)) {
      throw new IllegalArgumentException(
          "KV-cache input " + name + " must be a tensor (" + expected + "), but is: " + node.getInfo());
    }
    long[] shape = info.getShape();
    if ((info.type != OnnxJavaType.FLOAT && info.type != OnnxJavaType.FLOAT16) || shape.length != 4
        || shape[0] >= 0 || shape[2] >= 0 || shape[1] <= 0 || shape[3] <= 0) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "KV-cache input %s must be %s, but is %s %s (-1: dynamic)", name, expected, info.type,
          Arrays.toString(shape)));
    }
    String suffix = name.startsWith("past_key_values") ? name.substring("past_key_values".length())
        : name.substring("past".length());
    String output = "present" + suffix;
    if (!outputs.contains(output)) {
      throw new IllegalArgumentException("model.onnx has the KV-cache input " + name
          + " but no output " + output + " to take its next value from; outputs: " + outputs);
    }
    return new KvInput(name, output, shape[1], shape[3], info.type);
  }

  /** An empty past tensor ({@code [batch, heads, 0, head_dim]}) for a KV-cache input. */
  private OnnxTensor emptyPast(KvInput kv, int batch) throws OrtException {
    long[] shape = {batch, kv.heads(), 0, kv.headDim()};
    if (kv.type() == OnnxJavaType.FLOAT16) {
      return OnnxTensor.createTensor(env, java.nio.ShortBuffer.allocate(0), shape, OnnxJavaType.FLOAT16);
    }
    return OnnxTensor.createTensor(env, FloatBuffer.allocate(0), shape);
  }

  /** A copy of {@code t} ({@code [batch, ...]}) holding only the batch rows {@code keep}, in order. */
  private OnnxTensor keepRows(OnnxTensor t, int[] keep) throws OrtException {
    long[] shape = t.getInfo().getShape();
    ByteBuffer all = t.getByteBuffer();
    int rowBytes = all.capacity() / (int) shape[0];
    ByteBuffer kept = ByteBuffer.allocateDirect(rowBytes * keep.length).order(ByteOrder.nativeOrder());
    for (int r : keep) {
      kept.put(all.slice(r * rowBytes, rowBytes));
    }
    kept.rewind();
    shape[0] = keep.length;
    return OnnxTensor.createTensor(env, kept, shape, t.getInfo().type);
  }

  /** {@code log softmax(logits[base .. base+vocab))[token]} in double precision. */
  static double logSoftmaxAt(float[] logits, int base, int vocab, int token) {
    double max = Double.NEGATIVE_INFINITY;
    for (int v = 0; v < vocab; v++) {
      max = Math.max(max, logits[base + v]);
    }
    double sum = 0;
    for (int v = 0; v < vocab; v++) {
      sum += Math.exp(logits[base + v] - max);
    }
    return logits[base + token] - max - Math.log(sum);
  }

  /**
   * Generates for one batch; {@code streams[i]} is prompt {@code i}'s index in the caller's list,
   * which picks its random stream.
   */
  private List<Generation> generateBatch(List<long[]> prompts, int[] streams, GenerationOptions options) {
    if (kvInputs.isEmpty()) {
      return generateRecomputing(new Decoding(prompts, streams, options));
    }
    boolean sameLength = prompts.stream().mapToInt(p -> p.length).distinct().count() == 1;
    if (sameLength || (hasAttentionMask && hasPositionIds)) {
      return generateCached(new Decoding(prompts, streams, options));
    }
    // Without attention_mask and position_ids, padding inside the cache cannot be hidden: one by one.
    List<Generation> out = new ArrayList<>(prompts.size());
    for (int i = 0; i < prompts.size(); i++) {
      out.addAll(generateCached(new Decoding(List.of(prompts.get(i)), new int[] {streams[i]}, options)));
    }
    return out;
  }

  /** Generation without a KV cache: every step runs the whole (right-padded) prefix of the active rows. */
  private List<Generation> generateRecomputing(Decoding d) {
    while (true) {
      List<Integer> active = d.active();
      if (active.isEmpty()) {
        return d.results();
      }
      List<long[]> rows = new ArrayList<>(active.size());
      for (int i : active) {
        rows.add(d.tokens(i));
      }
      forward(rows, (row, seq, vocab, logits) -> {
        int i = active.get(row);
        d.next(i, logits, (row * seq + d.length(i) - 1) * vocab, vocab);
      });
    }
  }

  /**
   * Generation with the KV cache. Step 0 runs the right-padded prompts with an empty past; every
   * later step feeds one token per active row, the past being the previous step's {@code present.*}
   * outputs. Cache slot {@code j} of row {@code i} is real (mask 1) if {@code j < promptLength(i)}
   * or {@code j >= promptWidth} (a generated token); the padding slots between stay masked, and
   * {@code position_ids} count the real tokens before each position. Finished rows are dropped from
   * the batch (their cache rows are copied out).
   */
  private List<Generation> generateCached(Decoding d) {
    int[] rows = d.active().stream().mapToInt(Integer::intValue).toArray();
    int width = 0;
    for (int i : rows) {
      width = Math.max(width, d.length(i));
    }
    long pad = eosId >= 0 ? eosId : 0;
    OrtSession.Result held = null; // owns the present.* tensors that are the current past
    Map<String, OnnxTensor> past = null; // KV input name -> tensor; null at step 0
    List<OnnxTensor> copies = new ArrayList<>(); // compacted past tensors owned here
    try {
      for (int step = 0; rows.length > 0; step++) {
        int batch = rows.length;
        int seq = step == 0 ? width : 1;
        int total = width + step;
        long[] ids = new long[batch * seq];
        long[] pos = new long[batch * seq];
        long[] mask = new long[batch * total];
        for (int r = 0; r < batch; r++) {
          int i = rows[r];
          int len = d.promptLength(i);
          if (step == 0) {
            long[] prompt = d.tokens(i);
            for (int t = 0; t < seq; t++) {
              ids[r * seq + t] = t < len ? prompt[t] : pad;
              pos[r * seq + t] = Math.min(t, len - 1);
            }
          } else {
            ids[r] = d.last(i);
            pos[r] = len + step - 1L;
          }
          for (int j = 0; j < total; j++) {
            mask[r * total + j] = j < len || j >= width ? 1 : 0;
          }
        }
        OrtSession.Result result = runCached(ids, pos, mask, batch, seq, past);
        if (held != null) {
          held.close();
        }
        closeAll(copies);
        held = result;
        OnnxTensor logitsTensor = (OnnxTensor) result.get(logitsName).orElseThrow();
        long[] outShape = logitsTensor.getInfo().getShape();
        if (outShape.length != 3 || outShape[0] != batch || outShape[1] != seq) {
          throw new LanguageModelException(String.format(Locale.ROOT,
              "output %s must have shape [%d, %d, vocab], but has %s", logitsName, batch, seq,
              Arrays.toString(outShape)));
        }
        int vocab = (int) outShape[2];
        FloatBuffer logits = logitsTensor.getFloatBuffer();
        float[] row = new float[vocab];
        List<Integer> keep = new ArrayList<>(batch);
        for (int r = 0; r < batch; r++) {
          int i = rows[r];
          int at = step == 0 ? d.promptLength(i) - 1 : 0;
          logits.get((r * seq + at) * vocab, row);
          d.next(i, row, 0, vocab);
          if (!d.finished(i)) {
            keep.add(r);
          }
        }
        past = new HashMap<>();
        for (KvInput kv : kvInputs) {
          past.put(kv.input(), (OnnxTensor) result.get(kv.output()).orElseThrow());
        }
        if (keep.size() < batch && !keep.isEmpty()) {
          int[] kept = keep.stream().mapToInt(Integer::intValue).toArray();
          for (KvInput kv : kvInputs) {
            OnnxTensor copy = keepRows(past.get(kv.input()), kept);
            copies.add(copy);
            past.put(kv.input(), copy);
          }
          held.close();
          held = null;
        }
        int[] next = new int[keep.size()];
        for (int k = 0; k < next.length; k++) {
          next[k] = rows[keep.get(k)];
        }
        rows = next;
      }
      return d.results();
    } catch (OrtException e) {
      throw new LanguageModelException("ONNX Runtime failed on a cached generation step of " + rows.length
          + " sequences in " + name + ": " + e.getMessage(), e);
    } finally {
      if (held != null) {
        held.close();
      }
      closeAll(copies);
    }
  }

  /**
   * Runs one cached step; {@code past} null means an empty past. The caller closes the result,
   * whose {@code present.*} tensors may be the next step's past.
   */
  private OrtSession.Result runCached(long[] ids, long[] pos, long[] mask, int batch, int seq,
      Map<String, OnnxTensor> past) throws OrtException {
    Map<String, OnnxTensor> inputs = new HashMap<>();
    List<OnnxTensor> created = new ArrayList<>();
    try {
      created.add(OnnxTensor.createTensor(env, LongBuffer.wrap(ids), new long[] {batch, seq}));
      inputs.put("input_ids", created.get(created.size() - 1));
      if (hasAttentionMask) {
        created.add(OnnxTensor.createTensor(env, LongBuffer.wrap(mask), new long[] {batch, mask.length / batch}));
        inputs.put("attention_mask", created.get(created.size() - 1));
      }
      if (hasPositionIds) {
        created.add(OnnxTensor.createTensor(env, LongBuffer.wrap(pos), new long[] {batch, seq}));
        inputs.put("position_ids", created.get(created.size() - 1));
      }
      for (KvInput kv : kvInputs) {
        if (past == null) {
          created.add(emptyPast(kv, batch));
          inputs.put(kv.input(), created.get(created.size() - 1));
        } else {
          inputs.put(kv.input(), past.get(kv.input()));
        }
      }
      if (hasUseCacheBranch) {
        created.add(OnnxTensor.createTensor(env, new boolean[] {past != null}));
        inputs.put("use_cache_branch", created.get(created.size() - 1));
      }
      tokensComputed.addAndGet((long) batch * seq);
      return session.run(inputs, cachedOutputs);
    } finally {
      closeAll(created);
    }
  }

  private static void closeAll(List<OnnxTensor> tensors) {
    for (OnnxTensor t : tensors) {
      t.close();
    }
    tensors.clear();
  }

  /** The per-prompt state of one generation call: tokens so far, random streams, stop rules. */
  private final class Decoding {
    private final GenerationOptions options;
    private final List<List<Long>> seqs;
    private final int[] promptLen;
    private final int[] generated;
    private final String[] text;
    private final String[] finish;
    private final SplittableRandom[] rng;

    Decoding(List<long[]> prompts, int[] streams, GenerationOptions options) {
      int n = prompts.size();
      this.options = options;
      this.seqs = new ArrayList<>(n);
      this.promptLen = new int[n];
      this.generated = new int[n];
      this.text = new String[n];
      this.finish = new String[n];
      this.rng = new SplittableRandom[n];
      for (int i = 0; i < n; i++) {
        List<Long> s = new ArrayList<>();
        for (long id : prompts.get(i)) {
          s.add(id);
        }
        seqs.add(s);
        promptLen[i] = s.size();
        rng[i] = new SplittableRandom(options.seed() * 0x9E3779B97F4A7C15L + streams[i]);
        text[i] = "";
      }
    }

    List<Integer> active() {
      List<Integer> out = new ArrayList<>();
      for (int i = 0; i < finish.length; i++) {
        if (finish[i] == null) {
          out.add(i);
        }
      }
      return out;
    }

    boolean finished(int i) {
      return finish[i] != null;
    }

    int promptLength(int i) {
      return promptLen[i];
    }

    int length(int i) {
      return seqs.get(i).size();
    }

    long last(int i) {
      return seqs.get(i).get(seqs.get(i).size() - 1);
    }

    long[] tokens(int i) {
      return seqs.get(i).stream().mapToLong(Long::longValue).toArray();
    }

    /** Chooses row {@code i}'s next token from {@code logits[base .. base+vocab)} and applies it. */
    void next(int i, float[] logits, int base, int vocab) {
      long tok = options.isGreedy()
          ? argmax(logits, base, vocab)
          : sample(logits, base, vocab, options.temperature(), options.topP(), rng[i]);
      if (tok == eosId) {
        finish[i] = "stop";
        return;
      }
      seqs.get(i).add(tok);
      generated[i]++;
      text[i] = tokenizer.decode(newIds(seqs.get(i), promptLen[i]), true);
      int cut = firstStop(text[i], options.stop());
      if (cut >= 0) {
        text[i] = text[i].substring(0, cut);
        finish[i] = "stop";
      } else if (generated[i] >= options.maxNewTokens() || seqs.get(i).size() >= maxContext) {
        finish[i] = "length";
      }
    }

    List<Generation> results() {
      List<Generation> out = new ArrayList<>(seqs.size());
      for (int i = 0; i < seqs.size(); i++) {
        long[] gen = newIds(seqs.get(i), promptLen[i]);
        List<Integer> ids = new ArrayList<>(gen.length);
        for (long g : gen) {
          ids.add((int) g);
        }
        out.add(new Generation(text[i], ids, finish[i]));
      }
      return out;
    }
  }

  private static long[] newIds(List<Long> seq, int from) {
    long[] out = new long[seq.size() - from];
    for (int j = from; j < seq.size(); j++) {
      out[j - from] = seq.get(j);
    }
    return out;
  }

  private static int firstStop(String text, List<String> stops) {
    int best = -1;
    for (String s : stops) {
      int at = text.indexOf(s);
      if (at >= 0 && (best < 0 || at < best)) {
        best = at;
      }
    }
    return best;
  }

  private static int argmax(float[] logits, int base, int vocab) {
    int best = 0;
    for (int v = 1; v < vocab; v++) {
      if (logits[base + v] > logits[base + best]) {
        best = v;
      }
    }
    return best;
  }

  /** Samples from softmax(logits / temperature) restricted to the top-p nucleus. */
  static int sample(float[] logits, int base, int vocab, double temperature, double topP, SplittableRandom rng) {
    double max = Double.NEGATIVE_INFINITY;
    for (int v = 0; v < vocab; v++) {
      max = Math.max(max, logits[base + v]);
    }
    double[] p = new double[vocab];
    double sum = 0;
    for (int v = 0; v < vocab; v++) {
      p[v] = Math.exp((logits[base + v] - max) / temperature);
      sum += p[v];
    }
    for (int v = 0; v < vocab; v++) {
      p[v] /= sum;
    }
    if (topP >= 1) {
      double u = rng.nextDouble();
      double acc = 0;
      for (int v = 0; v < vocab; v++) {
        acc += p[v];
        if (u < acc) {
          return v;
        }
      }
      return vocab - 1;
    }
    Integer[] order = new Integer[vocab];
    for (int v = 0; v < vocab; v++) {
      order[v] = v;
    }
    Arrays.sort(order, (a, b) -> Double.compare(p[b], p[a]));
    int keep = 0;
    double mass = 0;
    while (keep < vocab && (keep == 0 || mass < topP)) {
      mass += p[order[keep]];
      keep++;
    }
    double u = rng.nextDouble() * mass;
    double acc = 0;
    for (int j = 0; j < keep; j++) {
      acc += p[order[j]];
      if (u < acc) {
        return order[j];
      }
    }
    return order[keep - 1];
  }
}
