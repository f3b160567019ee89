package dev.gecko4j.onnx.lm;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OrtException;
import dev.gecko4j.core.internal.Args;
import dev.gecko4j.core.lm.Capabilities;
import dev.gecko4j.core.lm.ContinuationScore;
import dev.gecko4j.core.lm.Generation;
import dev.gecko4j.core.lm.GenerationOptions;
import dev.gecko4j.core.lm.LanguageModel;
import dev.gecko4j.core.lm.LanguageModelException;
import dev.gecko4j.core.lm.ScoreRequest;
import dev.gecko4j.onnx.ExecutionProvider;
import dev.gecko4j.onnx.GraphOptimization;
import dev.gecko4j.onnx.ModelLoadException;
import dev.gecko4j.onnx.OrtRuntime;
import dev.gecko4j.onnx.OrtSessionFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
 * <h2>Session</h2>
 *
 * <p>The ONNX Runtime session is opened by {@link OrtSessionFactory}, as the embedder's: {@link
 * Builder#intraOpThreads}, {@link Builder#graphOptimization} (default {@link GraphOptimization#ALL})
 * and {@link Builder#executionProvider} (default the CPU; CUDA falls back to the CPU with a logged
 * reason, see {@link #executionProvider()}).
 *
 * <p>Thread-safe: ONNX Runtime sessions and the tokenizer may be used concurrently; {@link #close()}
 * waits for running calls and is idempotent.
 */
public final class OnnxCausalLanguageModel implements LanguageModel {

  private static final System.Logger LOG = System.getLogger(OnnxCausalLanguageModel.class.getName());

  private final String name;
  private final HuggingFaceTokenizer tokenizer;
  private final DecoderGraph graph;
  private final ExecutionProvider executionProvider;
  private final Generator generator;
  private final ContinuationScorer scorer;
  private final int maxContext;
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
    LmConfig config = LmConfig.read(dir, b.maxContext);
    this.name = b.name != null ? b.name : "onnx:" + dir.getFileName();
    this.maxContext = config.maxContext();

    Map<String, String> opts = new HashMap<>();
    opts.put("addSpecialTokens", "true");
    opts.put("truncation", "false");
    opts.put("padding", "false");
    opts.put("maxLength", Integer.toString(Math.max(maxContext, 1_000_000)));
    OrtRuntime.environment(); // natives cached, telemetry off, DJL opted out: before any native code
    HuggingFaceTokenizer tok = HuggingFaceTokenizer.newInstance(tokenizerFile, opts);
    this.tokenizer = tok;

    this.bosId = config.bosId();
    this.eosId = config.eosId();
    long[] probe = tok.encode("a").getIds();
    this.prependBos = bosId >= 0 && (probe.length == 0 || probe[0] != bosId);

    OrtSessionFactory.Opened opened = null;
    try {
      opened = b.sessionFactory().open(modelFile);
      this.graph = new DecoderGraph(name, opened.session(), config.padId(), modelFile);
    } catch (OrtException | RuntimeException e) {
      if (opened != null) {
        opened.session().close();
      }
      tok.close();
      if (e instanceof ModelLoadException) {
        throw new LanguageModelException(
            "cannot load the causal LM in " + dir + ": " + e.getMessage(), e);
      }
      throw e;
    }
    this.executionProvider = opened.executionProvider();
    this.generator = new Generator(name, graph, ids -> tokenizer.decode(ids, true), eosId,
        maxContext, b.maxBatchSize);
    this.scorer = new ContinuationScorer(graph, this::encode, maxContext, b.maxBatchSize);
    LOG.log(System.Logger.Level.DEBUG, "loaded {0}: context {1}, bos {2}, eos {3}, kv-cache inputs {4}, "
        + "execution provider {5}", modelFile, maxContext, bosId, eosId, graph.kvInputs().size(),
        executionProvider);
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
    private GraphOptimization optimization = GraphOptimization.ALL;
    private ExecutionProvider provider = ExecutionProvider.CPU;

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
     * Sets ONNX Runtime's graph optimisation level (default {@link GraphOptimization#ALL}, ONNX
     * Runtime's own default).
     *
     * @param level the level; not null
     * @return this builder
     * @throws IllegalArgumentException if {@code level} is null
     */
    public Builder graphOptimization(GraphOptimization level) {
      this.optimization = Args.notNull(level, "graphOptimization");
      return this;
    }

    /**
     * Sets the execution provider (default {@link ExecutionProvider#CPU}). CUDA falls back to the
     * CPU, with a logged reason, when it cannot load; {@link OnnxCausalLanguageModel#executionProvider()}
     * tells which one is in use.
     *
     * @param provider the provider; not null
     * @return this builder
     * @throws IllegalArgumentException if {@code provider} is null
     */
    public Builder executionProvider(ExecutionProvider provider) {
      this.provider = Args.notNull(provider, "executionProvider");
      return this;
    }

    private OrtSessionFactory sessionFactory() {
      return OrtSessionFactory.builder().intraOpThreads(intraOpThreads)
          .graphOptimization(optimization).executionProvider(provider).build();
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
   * Returns the execution provider the session runs on: the one asked for with {@link
   * Builder#executionProvider}, or the CPU after a CUDA fallback.
   *
   * @return the provider in use
   */
  public ExecutionProvider executionProvider() {
    return executionProvider;
  }

  /**
   * Returns whether the graph has KV-cache inputs, which generation reuses from step to step (see
   * the class comment).
   *
   * @return true if the graph declares {@code past_key_values.*} inputs
   */
  public boolean hasKvCacheInputs() {
    return graph.hasKvCache();
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
    return graph.tokensComputed();
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
      return generator.generateBatch(List.of(promptIds.clone()), new int[] {0}, options).get(0);
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
      return generator.generate(ids, options);
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
      return scorer.score(requests);
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
        graph.close();
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
}
