package dev.gecko4j.onnx;

import dev.gecko4j.core.Embedder;
import dev.gecko4j.core.Embedding;
import dev.gecko4j.core.ModelFamily;
import dev.gecko4j.core.Pooling;
import dev.gecko4j.core.PromptConvention;
import dev.gecko4j.core.TaskPrompt;
import dev.gecko4j.core.internal.Args;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * An {@link Embedder} that runs a text encoder exported to ONNX in ONNX Runtime, with the model's
 * own HuggingFace tokenizer (DJL) and its whole sentence-transformers pipeline ({@link
 * ModelSpec#modules()}: pooling, Dense heads, normalisation), maximum length and prompt
 * convention, so it gives the embeddings the model's authors published scores for. A graph that
 * exports {@code sentence_embedding} is the whole pipeline and its output is used as is; a module
 * the pipeline cannot run is refused at {@link Builder#build()}.
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
 *
 * <p><b>Identity.</b> {@link #name()} is the bundled model's or the folder's name; {@link
 * #fingerprint()} covers CRC32C checksums of the model and tokenizer bytes (computed once at load)
 * and every setting that shapes the vectors, so caches of embeddings notice a retrained model.
 *
 * <p>The work is split into package-private parts: {@link EncoderTokenizer} (prompts, special
 * tokens, long inputs, padding; shared with training), {@code BatchPlanner}, {@code
 * ConcurrentBatches}, {@code EncoderSession} (one ONNX Runtime run and pooling), {@code
 * EmbeddingAssembler} (normalising, chunk averaging, Matryoshka), {@code ModelContract} (load-time
 * checks) and {@link OrtSessionFactory} (ONNX Runtime session options, shared with the causal LM and the benchmarks).
 */
public final class OnnxEmbedder implements Embedder {

  private static final System.Logger LOG = System.getLogger(OnnxEmbedder.class.getName());

  /**
   * Default token budget on the CPU: batches of about 1,000 padded tokens keep the activations in
   * cache; larger ones were slower per token in {@code gecko bench throughput} (bge-small, 2 cores:
   * long texts 0.69x the peer at 8192, 0.79x at 2048-4096, 0.99x at 1024).
   */
  static final int CPU_TOKEN_BUDGET = 1024;
  /** Default token budget on a GPU, which needs large batches to be busy. */
  static final int GPU_TOKEN_BUDGET = 8192;

  private final ModelSpec spec;
  private final String modelName;
  private final EncoderSession session;
  private final EncoderTokenizer tokenizer;
  private final PromptConvention convention;
  private final String conventionName;
  private final ModelContract contract;
  private final int hiddenSize;
  private final int dimension;
  private final BatchPlanner planner;
  private final ConcurrentBatches runner;
  private final EmbeddingAssembler assembler;
  private final ExecutionProvider executionProvider;
  private final String checksums;
  private final Lifecycle lifecycle;

  OnnxEmbedder(Builder b, ModelSpec spec, String modelName, PromptConvention convention,
      String conventionName, EncoderTokenizer tokenizer, OrtSessionFactory.Opened opened, ModelContract contract,
      String checksums) {
    this.spec = spec;
    this.modelName = modelName;
    this.lifecycle = new Lifecycle("OnnxEmbedder (" + modelName + ")");
    this.convention = convention;
    this.conventionName = conventionName;
    this.tokenizer = tokenizer;
    this.contract = contract;
    this.executionProvider = opened.executionProvider();
    PipelineModule.Pool pool = spec.poolingModule();
    this.session = new EncoderSession(opened.session(), contract,
        pool != null ? pool.modes() : List.of(spec.pooling()), head(spec));
    this.checksums = checksums;
    int budget = b.tokenBudget > 0 ? b.tokenBudget
        : executionProvider == ExecutionProvider.CPU ? CPU_TOKEN_BUDGET : GPU_TOKEN_BUDGET;
    this.planner = new BatchPlanner(budget, executionProvider == ExecutionProvider.CPU,
        b.maxBatchSize, tokenizer.layout().paddingSide());
    // Smoke run: proves the graph runs and gives the hidden size.
    this.hiddenSize = probeHiddenSize(spec.modelLocation());
    if (contract.outputIsPooled() && spec.folder() != null && spec.dimension() > 0
        && spec.dimension() != hiddenSize) {
      throw new ModelLoadException(spec.modelLocation(), String.format(Locale.ROOT,
          "found a sentence_embedding output of %d values, expected the %d values the pipeline "
              + "%s ends with", hiddenSize, spec.dimension(), spec.modules()), null);
    }
    if (b.dimension > hiddenSize) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "dimension must be between 1 and the model's %d, but is: %d", hiddenSize, b.dimension));
    }
    this.dimension = b.dimension > 0 ? b.dimension : hiddenSize;
    // A pooled graph output is the whole pipeline's: normalised already when the pipeline is.
    boolean normalizeRows = contract.outputIsPooled() ? Boolean.TRUE.equals(b.normalize)
        : spec.normalize();
    this.assembler = new EmbeddingAssembler(normalizeRows, hiddenSize, dimension);
    this.runner = new ConcurrentBatches(b.concurrentBatches, modelName);
  }

  /**
   * The pipeline beyond one-mode pooling and normalisation (empty for those, so the bundled
   * models' fingerprints are unchanged): the modules, and a checksum of the Dense weights.
   */
  private String pipelineFingerprint() {
    PipelineModule.Pool pool = spec.poolingModule();
    if (spec.denseLayers().isEmpty() && pool != null && pool.modes().size() == 1
        && pool.includePrompt()) {
      return "";
    }
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    for (PipelineModule.Dense d : spec.denseLayers()) {
      java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(
          4 * (d.weight().length + (d.bias() == null ? 0 : d.bias().length)));
      b.asFloatBuffer().put(d.weight()).put(d.bias() == null ? new float[0] : d.bias());
      crc.update(b.array());
    }
    return "|pipeline=" + spec.modules() + "|dense=crc32c:" + Long.toHexString(crc.getValue());
  }

  /** The modules after the Pooling module, without a final Normalize (the assembler's). */
  private static List<PipelineModule> head(ModelSpec spec) {
    List<PipelineModule> m = spec.modules();
    int from = 1;
    for (int i = 0; i < m.size(); i++) {
      if (m.get(i) instanceof PipelineModule.Pool) {
        from = i + 1;
      }
    }
    int to = spec.normalize() ? m.size() - 1 : m.size();
    return from >= to ? List.of() : m.subList(from, to);
  }

  private int probeHiddenSize(String location) {
    TokenizedBatch batch = tokenizer.probe();
    try {
      return session.forward(batch).length;
    } catch (RuntimeException e) {
      throw new ModelLoadException(location,
          "the model failed on a one-token probe (" + e.getMessage() + "), expected an "
              + "encoder taking input_ids, attention_mask[, token_type_ids] whose output the "
              + "pipeline " + spec.modules() + " can run on", e);
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

  /** {@return the bundled model's name or the model folder's (or model file's) name} */
  @Override
  public String name() {
    return spec.name();
  }

  /**
   * {@return everything that decides this embedder's vectors} The name, dimension and prompt
   * rendering ({@link Embedder#fingerprint()}), CRC32C checksums of the model and tokenizer bytes,
   * pooling, normalisation, hidden size, maximum length, long-input policy and the output read.
   */
  @Override
  public String fingerprint() {
    return Embedder.super.fingerprint() + "|" + checksums + "|pooling=" + spec.pooling()
        + "|normalize=" + normalizes() + "|hidden=" + hiddenSize + "|maxLength="
        + spec.maxLength() + "|longInputs=" + tokenizer.longInputPolicy() + "|output="
        + contract.outputName() + pipelineFingerprint() + (tokenizer.appendedEosTokenId() >= 0
            ? "|eos=" + tokenizer.appendedEosTokenId() : "");
  }

  /**
   * {@return the model's description as loaded, with the builder's pooling, normalisation and
   * maximum-length overrides applied} A {@link Builder#promptConvention prompt-convention
   * override} is not a prefix set the spec can hold: {@link #promptConvention()} and {@link
   * #promptConventionName()} report the convention in use.
   */
  public ModelSpec spec() {
    return spec;
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
    return spec.pooling();
  }

  /** {@return whether the embeddings are L2-normalised (always true with a Matryoshka dimension)} */
  public boolean normalizes() {
    return spec.normalize() || dimension < hiddenSize;
  }

  /** {@return the maximum number of tokens per row, special tokens included} */
  public int maxLength() {
    return spec.maxLength();
  }

  /** {@return the model's hidden size (the dimension before any Matryoshka truncation)} */
  public int modelDimension() {
    return hiddenSize;
  }

  /** {@return the long-input policy} */
  public LongInputPolicy longInputPolicy() {
    return tokenizer.longInputPolicy();
  }

  /** {@return the execution provider actually in use (CPU after a CUDA fallback)} */
  public ExecutionProvider executionProvider() {
    return executionProvider;
  }

  /** {@return the padding side and the EOS token appended to rows, as in use} */
  public TokenizerLayout tokenizerLayout() {
    return tokenizer.layout();
  }

  /** {@return the name of the model output that is read} */
  public String outputName() {
    return contract.outputName();
  }

  @Override
  public List<Embedding> embedAll(List<String> texts, List<TaskPrompt> prompts) {
    return embedAllCounted(texts, prompts).embeddings();
  }

  /**
   * Embeds as {@link #embedAll(List, List)} does and also reports how many tokens the model read:
   * what the framework adapters report as input token usage.
   *
   * @param texts the texts; neither the list nor any element may be null
   * @param prompts one prompt per text; no element may be null
   * @return the embeddings in input order and the token count
   * @throws IllegalArgumentException if a list or element is null (naming the index), the sizes
   *     differ, or a text is too long under {@link LongInputPolicy#FAIL}
   * @throws IllegalStateException if the embedder is closed or ONNX Runtime fails
   */
  public CountedEmbeddings embedAllCounted(List<String> texts, List<TaskPrompt> prompts) {
    List<TokenizedBatch> batches = tokenize(texts, prompts);
    float[][] pooled = runner.runAll(batches, this::forwardRaw);
    long tokens = 0;
    for (TokenizedBatch b : batches) {
      tokens += b.tokenCount();
    }
    return new CountedEmbeddings(assembler.assemble(texts.size(), batches, pooled), tokens);
  }

  /**
   * Embeddings with the number of tokens the model read to make them: every row's real tokens
   * (the rendered prompt and the special tokens included, padding excluded, after truncation;
   * every chunk of a chunked text), as the tokenizer counted them.
   *
   * @param embeddings one per text, in input order
   * @param inputTokens the tokens read, {@code >= 0}
   */
  public record CountedEmbeddings(List<Embedding> embeddings, long inputTokens) {
    /** Validates and copies. */
    public CountedEmbeddings {
      embeddings = List.copyOf(Args.notNull(embeddings, "embeddings"));
      if (inputTokens < 0) {
        throw new IllegalArgumentException("inputTokens must be >= 0, but is: " + inputTokens);
      }
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
    String[] rendered = tokenizer.render(texts, prompts);
    if (rendered.length == 0) {
      return List.of();
    }
    List<EncoderTokenizer.Row> rows =
        lifecycle.whileOpen(() -> tokenizer.rows(rendered, spec.maxLength()));
    return planner.plan(rows);
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
    Args.notNull(batch, "batch");
    return forwardRaw(batch);
  }

  private float[] forwardRaw(TokenizedBatch batch) {
    return lifecycle.whileOpen(() -> session.forward(batch));
  }

  /** Closes the ONNX Runtime session and the tokenizer; waits for running calls; idempotent. */
  @Override
  public void close() {
    lifecycle.close(() -> {
      runner.shutdown();
      var failed = session.close();
      if (failed != null) {
        LOG.log(Level.WARNING, "closing the ONNX Runtime session failed: " + failed.getMessage());
      }
      tokenizer.close();
    });
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT,
        "OnnxEmbedder[model=%s, dim=%d, pooling=%s, normalize=%s, maxLength=%d, prompts=%s, "
            + "longInputs=%s, provider=%s]", modelName, dimension, spec.pooling(), normalizes(),
        spec.maxLength(), conventionName, tokenizer.longInputPolicy(),
        executionProvider);
  }

  /**
   * Builds an {@link OnnxEmbedder}: a mutable builder whose setters store and return {@code this};
   * {@link #build()} validates every value once and loads the model, so a builder can build
   * several embedders (each with the settings at that moment). Exactly one model source is used: a
   * bundled {@link #model(Models)}, a {@link #modelFolder(Path) folder} in sentence-transformers
   * layout, or explicit {@link #modelPath(Path) model} and {@link #tokenizerPath(Path) tokenizer}
   * files. The model's settings can be overridden ({@link #pooling}, {@link #normalize}, {@link
   * #maxLength}, {@link #promptConvention}). Not thread-safe.
   */
  public static final class Builder {
    Models bundled;
    Path folder;
    Path modelPath;
    Path tokenizerPath;
    /** The first conflict between model sources, reported at build(). */
    String sourceConflict;
    /** The first null given to a setter that needs a value, reported at build(). */
    String nullArgument;
    boolean dimensionSet;
    boolean tokenBudgetSet;
    Pooling pooling;
    Boolean normalize;
    Integer maxLength;
    PromptConvention convention;
    String conventionName;
    ModelFamily family;
    LongInputPolicy longInputPolicy = LongInputPolicy.TRUNCATE;
    int dimension;
    int intraOpThreads;
    GraphOptimization optimization = GraphOptimization.ALL;
    ExecutionProvider provider = ExecutionProvider.CPU;
    int cudaDevice;
    int tokenBudget;
    int maxBatchSize = 64;
    int concurrentBatches = 1;
    PaddingSide paddingSide;
    Boolean appendEos;

    private Builder() { }
    private void noteNull(Object value, String message) {
      if (value == null && nullArgument == null) {
        nullArgument = message;
      }
    }

    private void noteSource(String what, boolean sameKind) {
      if (!sameKind && sourceConflict == null
          && (bundled != null || folder != null || modelPath != null)) {
        sourceConflict = what + " cannot be combined with the model source already set ("
            + (bundled != null ? "bundled " + bundled : folder != null ? "folder " + folder
                : "modelPath " + modelPath) + ")";
      }
    }

    /**
     * Uses a bundled model with its published settings.
     *
     * @param model the model (checked at {@link #build()}: not null)
     * @return this builder
     */
    public Builder model(Models model) {
      noteNull(model, "model must not be null; expected one of " + List.of(Models.values()));
      noteSource("model(" + model + ")", folder == null && modelPath == null);
      bundled = model;
      return this;
    }

    /**
     * Uses a model folder in HuggingFace / sentence-transformers layout ({@code model.onnx} or
     * {@code onnx/model.onnx}, {@code tokenizer.json}, {@code modules.json},
     * {@code 1_Pooling/config.json}, {@code sentence_bert_config.json},
     * {@code config_sentence_transformers.json}; see {@link SentenceTransformersFolder}); checked
     * at {@link #build()}.
     *
     * @param folder the folder (checked at {@link #build()}: not null)
     * @return this builder
     */
    public Builder modelFolder(Path folder) {
      noteNull(folder, "folder must not be null");
      noteSource("modelFolder(" + folder + ")", bundled == null && modelPath == null);
      this.folder = folder;
      return this;
    }

    /**
     * Uses an explicit ONNX file; needs {@link #tokenizerPath(Path)} too. Pooling defaults to mean,
     * normalisation to true, max length to 512 and prompts to none unless set.
     *
     * @param model the {@code .onnx} file (checked at {@link #build()}: not null)
     * @return this builder
     */
    public Builder modelPath(Path model) {
      noteNull(model, "model path must not be null");
      noteSource("modelPath(" + model + ")", bundled == null && folder == null);
      modelPath = model;
      return this;
    }

    /**
     * Sets the HuggingFace {@code tokenizer.json} for {@link #modelPath(Path)}.
     *
     * @param tokenizer the file (checked at {@link #build()}: not null)
     * @return this builder
     */
    public Builder tokenizerPath(Path tokenizer) {
      noteNull(tokenizer, "tokenizer path must not be null");
      tokenizerPath = tokenizer;
      return this;
    }

    /**
     * Overrides the model's pooling.
     *
     * @param pooling the pooling (checked at {@link #build()}: not null)
     * @return this builder
     */
    public Builder pooling(Pooling pooling) {
      noteNull(pooling, "pooling must not be null; expected one of " + List.of(Pooling.values()));
      this.pooling = pooling;
      return this;
    }

    /**
     * Overrides whether embeddings are L2-normalised.
     *
     * @param normalize true to normalise
     * @return this builder
     */
    public Builder normalize(boolean normalize) {
      this.normalize = normalize;
      return this;
    }

    /**
     * Overrides the maximum number of tokens per row (special tokens included).
     *
     * @param maxLength between 2 and 8192 (checked at {@link #build()})
     * @return this builder
     */
    public Builder maxLength(int maxLength) {
      this.maxLength = maxLength;
      return this;
    }

    /**
     * Overrides the prompt convention.
     *
     * @param convention the convention (checked at {@link #build()}: not null)
     * @param name a name for it, shown by {@link OnnxEmbedder#promptConventionName()} (checked at
     *     {@link #build()}: not null)
     * @return this builder
     */
    public Builder promptConvention(PromptConvention convention, String name) {
      noteNull(convention == null || name == null ? null : name,
          "convention and name must not be null");
      this.convention = convention;
      this.conventionName = name;
      return this;
    }

    /**
     * Overrides the side padding goes to (default: the folder's {@code tokenizer_config.json}
     * {@code padding_side}, else {@code tokenizer.json}'s padding direction, else right). Pooling
     * reads the attention mask and {@code position_ids} (for a graph that takes them) count real
     * tokens only, so a decoder gives the same vectors either way; an encoder whose graph numbers
     * positions itself from 0 (BERT's absolute position embeddings) must stay right-padded.
     *
     * @param side the side (checked at {@link #build()}: not null)
     * @return this builder
     */
    public Builder paddingSide(PaddingSide side) {
      noteNull(side, "paddingSide must not be null; expected one of "
          + List.of(PaddingSide.values()));
      this.paddingSide = side;
      return this;
    }

    /**
     * Overrides whether an end-of-sequence token is appended to every row, as decoder embedders
     * of the e5-mistral and Qwen3-Embedding line are used (default: the folder's {@code
     * tokenizer_config.json} {@code add_eos_token}; with a {@link #family family} that expects an
     * EOS, appended unless the tokenizer's template already ends with a special token). The EOS
     * is the folder's {@code eos_token}
     * ({@code tokenizer_config.json}) or {@code eos_token_id} ({@code config.json}); it is not
     * appended twice when the tokenizer's template already ends with it.
     *
     * @param append true to append it
     * @return this builder
     */
    public Builder appendEos(boolean append) {
      this.appendEos = append;
      return this;
    }

    /**
     * Names the model family of the folder or files, so prompts follow the family's convention
     * ({@link ModelFamily#convention}): the folder's own {@code config_sentence_transformers.json}
     * prompts win where they hold a name the family looks up, then the family's published
     * prompts, then its format. An explicit {@link #promptConvention} wins over the family.
     *
     * @param family the family (checked at {@link #build()}: not null)
     * @return this builder
     */
    public Builder family(ModelFamily family) {
      noteNull(family, "family must not be null; expected one of "
          + List.of(ModelFamily.values()));
      this.family = family;
      return this;
    }

    /**
     * Sets what happens to texts longer than the maximum length (default
     * {@link LongInputPolicy#TRUNCATE}).
     *
     * @param policy the policy (checked at {@link #build()}: not null)
     * @return this builder
     */
    public Builder longInputPolicy(LongInputPolicy policy) {
      longInputPolicy = policy;
      return this;
    }

    /**
     * Sets a Matryoshka dimension: embeddings keep their first {@code dimension} values and are
     * renormalised. Checked against the model's hidden size at {@link #build()}.
     *
     * @param dimension {@code >= 1} (checked at {@link #build()})
     * @return this builder
     */
    public Builder dimension(int dimension) {
      this.dimension = dimension;
      dimensionSet = true;
      return this;
    }

    /**
     * Sets ONNX Runtime's intra-op thread count; 0 (default) lets ONNX Runtime choose (one per
     * physical core).
     *
     * @param threads between 0 and 1024 (checked at {@link #build()})
     * @return this builder
     */
    public Builder intraOpThreads(int threads) {
      intraOpThreads = threads;
      return this;
    }

    /**
     * Sets the graph optimisation level (default {@link GraphOptimization#ALL}).
     *
     * @param level the level (checked at {@link #build()}: not null)
     * @return this builder
     */
    public Builder graphOptimization(GraphOptimization level) {
      optimization = level;
      return this;
    }

    /**
     * Sets the execution provider (default {@link ExecutionProvider#CPU}). CUDA falls back to the
     * CPU, with a logged reason, when it cannot load.
     *
     * @param provider the provider (checked at {@link #build()}: not null)
     * @return this builder
     */
    public Builder executionProvider(ExecutionProvider provider) {
      this.provider = provider;
      return this;
    }

    /**
     * Sets the CUDA device id (default 0), used with {@link ExecutionProvider#CUDA}.
     *
     * @param device {@code >= 0} (checked at {@link #build()})
     * @return this builder
     */
    public Builder cudaDevice(int device) {
      cudaDevice = device;
      return this;
    }

    /**
     * Sets the token budget of a batch: rows times padded length stays within it (a single row
     * longer than the budget still runs alone). Default 1024 on the CPU (small batches stay in
     * cache and are faster per token there) and 8192 with CUDA. On the CPU, rows times the square
     * of the padded length (the attention scores' size) also stays within {@code tokens x 128}, so
     * rows longer than 128 tokens are batched fewer at a time (over 256 tokens, one per batch with
     * the default budget), which measured faster on long texts.
     *
     * @param tokens between 1 and 1,048,576 (checked at {@link #build()})
     * @return this builder
     */
    public Builder tokenBudget(int tokens) {
      tokenBudget = tokens;
      tokenBudgetSet = true;
      return this;
    }

    /**
     * Sets the most rows in one batch (default 64).
     *
     * @param rows between 1 and 4096 (checked at {@link #build()})
     * @return this builder
     */
    public Builder maxBatchSize(int rows) {
      maxBatchSize = rows;
      return this;
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
     * @param n between 1 and 256 (checked at {@link #build()})
     * @return this builder
     */
    public Builder concurrentBatches(int n) {
      concurrentBatches = n;
      return this;
    }

    /**
     * Validates the settings, loads the model and tokenizer, checks the model's inputs and outputs
     * and runs a probe.
     *
     * @return the embedder
     * @throws IllegalArgumentException if a setting is out of range or null (naming it), or the
     *     Matryoshka dimension exceeds the model's
     * @throws ModelLoadException if a model, tokenizer or configuration file is missing or unusable
     *     (the message names the path, what was found and what was expected)
     * @throws IllegalStateException if two model sources are set, or {@link #tokenizerPath} is set
     *     without {@link #modelPath}, or the reverse
     */
    public OnnxEmbedder build() {
      return EmbedderLoader.load(this);
    }
  }
}
