package dev.gecko4j.onnx;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.util.PairList;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import com.fasterxml.jackson.databind.JsonNode;
import dev.gecko4j.core.internal.Args;
import dev.gecko4j.core.rerank.RelevanceScores;
import dev.gecko4j.core.rerank.ScoreScale;
import dev.gecko4j.core.rerank.TextReranker;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A cross-encoder {@link TextReranker} served by ONNX Runtime: a HuggingFace sequence-classification
 * export (inputs {@code input_ids}, {@code attention_mask}, optional {@code token_type_ids}, int64
 * {@code [batch, sequence]}; output {@code logits}, float {@code [batch, labels]}) with its
 * {@code tokenizer.json}, read from a model folder (sentence-transformers {@code CrossEncoder}
 * layout: {@code model.onnx} or {@code onnx/model.onnx}, {@code tokenizer.json}, {@code
 * config.json}) or from a graph and tokenizer file.
 *
 * {@snippet lang=java :
 * try (OnnxCrossEncoder ce = OnnxCrossEncoder.builder().modelFolder(Path.of("my-reranker")).build()) {
 *   RelevanceScores s = ce.score("what do geckos eat?", passages);  // input order
 *   double p = s.probability(0), logit = s.logit(0);
 *   List<RankedPassage> top = ce.rerank(query, passages, 10, ScoreScale.PROBABILITY);
 * }
 * }
 *
 * <p><b>Labels and scales.</b> The labels are {@code config.json}'s {@code id2label} (one label
 * {@code "score"} when the folder has no config); their number must equal the graph's
 * {@code logits} width, checked at load. Single scores are read from the relevance label: the only
 * one, or else the last (label 1 of a binary classifier), or the one set with {@link
 * Builder#relevanceLabel(int)}. {@link RelevanceScores} gives both the raw logits and the
 * probabilities (sigmoid for one label, softmax over several), in double. The activation the
 * folder's {@code config.json} declares ({@code sentence_transformers.activation_fn}, or the older
 * {@code sbert_ce_default_activation_function}) is reported by {@link #declaredScale()} (Sigmoid →
 * {@link ScoreScale#PROBABILITY}, Identity → {@link ScoreScale#LOGIT}): it tells which of the two
 * sentence-transformers' {@code CrossEncoder.predict} returns for this model, and never changes
 * what {@link RelevanceScores} holds.
 *
 * <p><b>Tokens.</b> Each (query, passage) pair is encoded by the tokenizer's pair template ({@code
 * [CLS] query [SEP] passage [SEP]} with segment ids 0 and 1 for BERT), truncated longest-first to
 * the maximum length (special tokens included) as sentence-transformers does. Pairs are sorted by
 * length and cut into batches by the same token budget as {@link OnnxEmbedder}, so a pair's score
 * does not depend on the other pairs beyond float rounding.
 *
 * <p><b>Bad input.</b> As {@link OnnxEmbedder}: null lists or elements are rejected naming the
 * index; empty strings are scored (just the special tokens); unpaired UTF-16 surrogates are
 * replaced by U+FFFD. An empty passage list gives empty scores without running the model.
 *
 * <p>Thread-safe; {@link #close()} waits for running calls and is idempotent.
 */
public final class OnnxCrossEncoder implements TextReranker {

  private static final System.Logger LOG = System.getLogger(OnnxCrossEncoder.class.getName());
  /** The output a sequence-classification export names its scores. */
  static final String LOGITS = "logits";
  private static final Set<OnnxJavaType> FLOATS =
      EnumSet.of(OnnxJavaType.FLOAT, OnnxJavaType.FLOAT16, OnnxJavaType.BFLOAT16);

  private final String name;
  private final ModelSpec spec;
  private final int maxLength;
  private final HuggingFaceTokenizer tokenizer;
  private final OrtSession session;
  private final boolean hasTokenTypeIds;
  private final List<String> labels;
  private final int relevanceLabel;
  private final ScoreScale declaredScale;
  private final BatchPlanner planner;
  private final ConcurrentBatches runner;
  private final ExecutionProvider executionProvider;
  private final Lifecycle lifecycle;

  private OnnxCrossEncoder(Builder b, ModelSpec spec, int maxLength, HuggingFaceTokenizer tokenizer,
      OrtSessionFactory.Opened opened, boolean hasTokenTypeIds, Labels config) {
    this.name = spec.name();
    this.lifecycle = new Lifecycle("OnnxCrossEncoder (" + name + ")");
    this.spec = spec;
    this.maxLength = maxLength;
    this.tokenizer = tokenizer;
    this.session = opened.session();
    this.executionProvider = opened.executionProvider();
    this.hasTokenTypeIds = hasTokenTypeIds;
    this.labels = config.names();
    this.declaredScale = config.declaredScale();
    int budget = b.tokenBudget > 0 ? b.tokenBudget
        : executionProvider == ExecutionProvider.CPU ? OnnxEmbedder.CPU_TOKEN_BUDGET
        : OnnxEmbedder.GPU_TOKEN_BUDGET;
    this.planner = new BatchPlanner(budget, executionProvider == ExecutionProvider.CPU,
        b.maxBatchSize);
    if (b.relevanceLabel != null && (b.relevanceLabel < 0 || b.relevanceLabel >= labels.size())) {
      throw new IllegalArgumentException("relevanceLabel must be in [0, " + (labels.size() - 1)
          + "] for the labels " + labels + " of " + spec.modelLocation() + ", but is: "
          + b.relevanceLabel);
    }
    this.relevanceLabel = b.relevanceLabel != null ? b.relevanceLabel : labels.size() - 1;
    // probe: the graph runs on a real pair and gives as many logits per row as labels
    float[] probe;
    try {
      probe = forward(EncoderTokenizer.pad(rows(List.of("a"), "a").toArray(
          new EncoderTokenizer.Row[0]), 0, 1, PaddingSide.RIGHT));
    } catch (RuntimeException e) {
      throw new ModelLoadException(spec.modelLocation(), "the model failed on a one-pair probe ("
          + e.getMessage() + "), expected a sequence-classification graph taking input_ids, "
          + "attention_mask[, token_type_ids]", e);
    }
    if (probe.length != labels.size()) {
      throw new ModelLoadException(spec.modelLocation(), "found " + probe.length
          + " logits per pair, expected one per label of " + labels
          + (spec.folder() != null ? " (config.json id2label)" : ""), null);
    }
    // last: its worker threads exist only once loading cannot fail any more
    this.runner = new ConcurrentBatches(b.concurrentBatches, name);
  }

  /** {@return a new builder} */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String name() {
    return name;
  }

  /** {@return the model description (files, maximum length)} */
  public ModelSpec spec() {
    return spec;
  }

  /** {@return the label names, one per logit} */
  public List<String> labels() {
    return labels;
  }

  /** {@return the index of the label single scores are read from} */
  public int relevanceLabel() {
    return relevanceLabel;
  }

  /**
   * {@return the scale sentence-transformers' {@code CrossEncoder.predict} returns for this model by
   * default} From {@code config.json}'s activation: Sigmoid (the default for one label) gives
   * {@link ScoreScale#PROBABILITY}, Identity {@link ScoreScale#LOGIT}.
   */
  public ScoreScale declaredScale() {
    return declaredScale;
  }

  /** {@return the most tokens per pair, special tokens included} */
  public int maxLength() {
    return maxLength;
  }

  /** {@return the execution provider in use} */
  public ExecutionProvider executionProvider() {
    return executionProvider;
  }

  @Override
  public RelevanceScores score(String query, List<String> passages) {
    Args.notNull(query, "query");
    Args.notNull(passages, "passages");
    for (int i = 0; i < passages.size(); i++) {
      if (passages.get(i) == null) {
        throw new IllegalArgumentException("passages[" + i + "] must not be null");
      }
    }
    double[][] logits = new double[passages.size()][];
    if (!passages.isEmpty()) {
      List<TokenizedBatch> batches = lifecycle.whileOpen(() -> planner.plan(rows(passages, query)));
      float[][] out = runner.runAll(batches, this::forwardGuarded);
      int width = labels.size();
      for (int b = 0; b < batches.size(); b++) {
        TokenizedBatch batch = batches.get(b);
        for (int r = 0; r < batch.rows(); r++) {
          double[] row = new double[width];
          for (int j = 0; j < width; j++) {
            row[j] = out[b][r * width + j];
          }
          logits[batch.rowOwners()[r]] = row;
        }
      }
    }
    return RelevanceScores.ofLogits(labels, relevanceLabel, logits);
  }

  /** Pair-encodes (query, passage_i), owner i, truncated longest-first by the tokenizer. */
  private List<EncoderTokenizer.Row> rows(List<String> passages, String query) {
    String q = EncoderTokenizer.replaceUnpairedSurrogates(query);
    PairList<String, String> pairs = new PairList<>(passages.size());
    for (String p : passages) {
      pairs.add(q, EncoderTokenizer.replaceUnpairedSurrogates(p));
    }
    Encoding[] enc = tokenizer.batchEncode(pairs);
    List<EncoderTokenizer.Row> rows = new ArrayList<>(enc.length);
    for (int i = 0; i < enc.length; i++) {
      rows.add(new EncoderTokenizer.Row(i, enc[i].getIds(), enc[i].getTypeIds()));
    }
    return rows;
  }

  /**
   * Tokenises the pairs into the batches {@link #score} runs, for benchmarks that time the model
   * alone on the same batches.
   *
   * @param query the query; not null
   * @param passages the passages; not null, no null element, not empty
   * @return the batches
   * @throws IllegalArgumentException naming the bad argument
   * @throws IllegalStateException if closed
   */
  public List<TokenizedBatch> tokenize(String query, List<String> passages) {
    Args.notNull(query, "query");
    Args.noNulls(passages, "passages");
    Args.require(!passages.isEmpty(), "passages must not be empty");
    return lifecycle.whileOpen(() -> planner.plan(rows(passages, query)));
  }

  private float[] forwardGuarded(TokenizedBatch batch) {
    return lifecycle.whileOpen(() -> forward(batch));
  }

  /** Runs one batch; returns {@code [rows, labels]} row-major. */
  private float[] forward(TokenizedBatch batch) {
    try {
      EncoderSession.Output out = EncoderSession.run(OrtRuntime.environment(), session, batch,
          hasTokenTypeIds, false, LOGITS);
      long[] outShape = out.shape();
      if (outShape.length != 2 || outShape[0] != batch.rows()) {
        throw new IllegalStateException("model output logits has shape "
            + java.util.Arrays.toString(outShape) + ", expected [" + batch.rows() + ", labels]");
      }
      return out.data();
    } catch (OrtException e) {
      throw new IllegalStateException("ONNX Runtime failed on a batch of " + batch.rows()
          + " pairs x " + batch.sequenceLength() + " tokens: " + e.getMessage(), e);
    }
  }

  /** Closes the session and the tokenizer after running calls; idempotent. */
  @Override
  public void close() {
    lifecycle.close(() -> {
      runner.shutdown();
      try {
        session.close();
      } catch (OrtException e) {
        LOG.log(Level.WARNING, "closing the ONNX Runtime session failed: " + e.getMessage());
      }
      tokenizer.close();
    });
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "OnnxCrossEncoder[model=%s, labels=%s, relevance=%s, "
        + "maxLength=%d, provider=%s]", name, labels, labels.get(relevanceLabel), maxLength,
        executionProvider);
  }

  /** The labels and declared activation of a cross-encoder's {@code config.json}. */
  record Labels(List<String> names, ScoreScale declaredScale) {

    /** No config: one label, sentence-transformers' default activation for it (Sigmoid). */
    static final Labels DEFAULT = new Labels(List.of("score"), ScoreScale.PROBABILITY);

    static Labels read(Path folder) {
      Path file = folder.resolve("config.json");
      if (!Files.isRegularFile(file)) {
        return DEFAULT;
      }
      JsonNode c = SentenceTransformersFolder.readJson(file, "a HuggingFace model config");
      List<String> names;
      JsonNode id2label = c.path("id2label");
      if (id2label.isObject() && id2label.size() > 0) {
        TreeMap<Integer, String> byId = new TreeMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = id2label.fields();
        while (it.hasNext()) {
          Map.Entry<String, JsonNode> e = it.next();
          int id;
          try {
            id = Integer.parseInt(e.getKey());
          } catch (NumberFormatException ex) {
            throw ModelLoadException.of(file, "found id2label key '" + e.getKey()
                + "', expected label ids 0..n-1");
          }
          byId.put(id, e.getValue().asText());
        }
        if (byId.firstKey() != 0 || byId.lastKey() != byId.size() - 1) {
          throw ModelLoadException.of(file, "found id2label ids " + byId.keySet()
              + ", expected 0.." + (byId.size() - 1));
        }
        names = List.copyOf(byId.values());
      } else if (c.path("num_labels").canConvertToInt() && c.path("num_labels").asInt() > 0) {
        int n = c.path("num_labels").asInt();
        names = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          names.add(n == 1 ? "score" : "LABEL_" + i);
        }
      } else {
        names = List.of("score");
      }
      if (c.has("num_labels") && c.path("num_labels").asInt() != names.size()) {
        throw ModelLoadException.of(file, "found num_labels " + c.path("num_labels")
            + " and " + names.size() + " id2label entries, expected them to agree");
      }
      String activation = c.path("sentence_transformers").path("activation_fn").asText(
          c.path("sbert_ce_default_activation_function").asText(""));
      ScoreScale scale;
      if (activation.isEmpty()) {
        scale = names.size() == 1 ? ScoreScale.PROBABILITY : ScoreScale.LOGIT;
      } else if (activation.endsWith(".Sigmoid")) {
        scale = ScoreScale.PROBABILITY;
      } else if (activation.endsWith(".Identity")) {
        scale = ScoreScale.LOGIT;
      } else {
        throw ModelLoadException.of(file, "found activation '" + activation + "', expected "
            + "torch.nn.modules.activation.Sigmoid or torch.nn.modules.linear.Identity");
      }
      return new Labels(names, scale);
    }
  }

  /**
   * Configures an {@link OnnxCrossEncoder}; {@link #build()} validates and loads. Setters record
   * values; every check happens in {@link #build()}, which throws naming the bad value.
   */
  public static final class Builder {
    private Path folder;
    private Path modelPath;
    private Path tokenizerPath;
    private Integer maxLength;
    private Integer relevanceLabel;
    private int intraOpThreads;
    private ExecutionProvider provider = ExecutionProvider.CPU;
    private int tokenBudget;
    private boolean tokenBudgetSet;
    private int maxBatchSize = 64;
    private int concurrentBatches = 1;

    private Builder() { }

    /**
     * Loads a cross-encoder folder ({@code model.onnx} or {@code onnx/model.onnx}, {@code
     * tokenizer.json}, optional {@code config.json}, {@code sentence_bert_config.json} or {@code
     * tokenizer_config.json} for the maximum length).
     *
     * @param folder the folder
     * @return this
     */
    public Builder modelFolder(Path folder) {
      this.folder = folder;
      return this;
    }

    /**
     * Loads a graph file (with {@link #tokenizerPath}); one label, no config.
     *
     * @param model the ONNX graph
     * @return this
     */
    public Builder modelPath(Path model) {
      this.modelPath = model;
      return this;
    }

    /**
     * The {@code tokenizer.json} of {@link #modelPath}.
     *
     * @param tokenizer the file
     * @return this
     */
    public Builder tokenizerPath(Path tokenizer) {
      this.tokenizerPath = tokenizer;
      return this;
    }

    /**
     * The most tokens per pair, special tokens included (default: the folder's, else 512).
     *
     * @param maxLength 4 to 8192
     * @return this
     */
    public Builder maxLength(int maxLength) {
      this.maxLength = maxLength;
      return this;
    }

    /**
     * The label single scores are read from (default: the only label, or the last one).
     *
     * @param index a label index
     * @return this
     */
    public Builder relevanceLabel(int index) {
      this.relevanceLabel = index;
      return this;
    }

    /**
     * ONNX Runtime's intra-op threads (0: its default).
     *
     * @param threads 0 to 1024
     * @return this
     */
    public Builder intraOpThreads(int threads) {
      this.intraOpThreads = threads;
      return this;
    }

    /**
     * The execution provider (CUDA falls back to the CPU, logged).
     *
     * @param provider not null
     * @return this
     */
    public Builder executionProvider(ExecutionProvider provider) {
      this.provider = provider;
      return this;
    }

    /**
     * The most padded tokens per batch (default as {@link OnnxEmbedder}).
     *
     * @param tokens 1 to 1048576
     * @return this
     */
    public Builder tokenBudget(int tokens) {
      this.tokenBudget = tokens;
      this.tokenBudgetSet = true;
      return this;
    }

    /**
     * The most pairs per batch (default 64).
     *
     * @param rows 1 to 4096
     * @return this
     */
    public Builder maxBatchSize(int rows) {
      this.maxBatchSize = rows;
      return this;
    }

    /**
     * How many batches one call runs at once (default 1).
     *
     * @param n 1 to 256
     * @return this
     */
    public Builder concurrentBatches(int n) {
      this.concurrentBatches = n;
      return this;
    }

    /**
     * Validates the settings and loads the model.
     *
     * @return the cross-encoder
     * @throws IllegalArgumentException naming a bad setting
     * @throws IllegalStateException if the model sources conflict or are incomplete
     * @throws ModelLoadException if a file is missing or the graph breaks the contract
     */
    public OnnxCrossEncoder build() {
      if (folder != null && (modelPath != null || tokenizerPath != null)) {
        throw new IllegalStateException("modelFolder(" + folder + ") cannot be combined with "
            + "modelPath/tokenizerPath");
      }
      if (folder == null && (modelPath == null || tokenizerPath == null)) {
        throw new IllegalStateException("set modelFolder(...), or modelPath(...) and "
            + "tokenizerPath(...); got modelPath=" + modelPath + ", tokenizerPath=" + tokenizerPath);
      }
      if (maxLength != null && (maxLength < 4 || maxLength > 8192)) {
        throw new IllegalArgumentException("maxLength must be between 4 and 8192, but is: "
            + maxLength);
      }
      Args.inRange(intraOpThreads, 0, 1024, "intraOpThreads");
      Args.notNull(provider, "provider");
      if (tokenBudgetSet) {
        Args.inRange(tokenBudget, 1, 1 << 20, "tokenBudget");
      }
      Args.inRange(maxBatchSize, 1, 4096, "maxBatchSize");
      Args.inRange(concurrentBatches, 1, 256, "concurrentBatches");
      ModelSpec spec = folder != null ? SentenceTransformersFolder.read(folder)
          : ModelSpec.ofFiles(modelPath, tokenizerPath);
      Labels config = folder != null ? Labels.read(folder) : Labels.DEFAULT;
      int max = maxLength != null ? maxLength : spec.maxLength();
      OrtRuntime.environment();
      HuggingFaceTokenizer tok = openPairTokenizer(spec, max);
      OrtSessionFactory.Opened opened = null;
      try {
        opened = OrtSessionFactory.builder().intraOpThreads(intraOpThreads)
            .executionProvider(provider).build().open(spec.modelFile());
        boolean types = checkContract(opened.session(), spec.modelLocation());
        return new OnnxCrossEncoder(this, spec, max, tok, opened, types, config);
      } catch (RuntimeException e) {
        if (opened != null) {
          try {
            opened.session().close();
          } catch (OrtException ignored) {
            // already failing
          }
        }
        tok.close();
        throw e;
      }
    }
  }

  private static HuggingFaceTokenizer openPairTokenizer(ModelSpec spec, int maxLength) {
    OrtRuntime.optOutOfDjlTracking();
    Map<String, String> options = new LinkedHashMap<>();
    options.put("addSpecialTokens", "true");
    options.put("truncation", "LONGEST_FIRST");
    options.put("padding", "false");
    options.put("maxLength", Integer.toString(maxLength));
    try {
      return HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(spec.readTokenizerBytes()),
          options);
    } catch (IOException | RuntimeException e) {
      throw new ModelLoadException(spec.tokenizerLocation(), "found a file the HuggingFace "
          + "tokenizers library cannot load (" + SentenceTransformersFolder.firstLine(e.getMessage())
          + "), expected a tokenizer.json", e);
    }
  }

  /** Checks the inputs and the {@code logits} output; returns whether token_type_ids is taken. */
  static boolean checkContract(OrtSession session, String location) {
    Map<String, NodeInfo> inputs;
    Map<String, NodeInfo> outputs;
    try {
      inputs = session.getInputInfo();
      outputs = session.getOutputInfo();
    } catch (OrtException e) {
      throw new ModelLoadException(location, "cannot read the model's inputs and outputs ("
          + e.getMessage() + ")", e);
    }
    for (Map.Entry<String, NodeInfo> in : inputs.entrySet()) {
      String n = in.getKey();
      if (!n.equals(ModelContract.INPUT_IDS) && !n.equals(ModelContract.ATTENTION_MASK)
          && !n.equals(ModelContract.TOKEN_TYPE_IDS)) {
        throw new ModelLoadException(location, "found inputs " + inputs.keySet()
            + ", expected input_ids, attention_mask (token_type_ids optional)", null);
      }
      if (!(in.getValue().getInfo() instanceof TensorInfo ti) || ti.type != OnnxJavaType.INT64) {
        throw new ModelLoadException(location, "found input " + n + " of type "
            + in.getValue().getInfo() + ", expected an int64 tensor [batch, sequence]", null);
      }
    }
    if (!inputs.containsKey(ModelContract.INPUT_IDS)
        || !inputs.containsKey(ModelContract.ATTENTION_MASK)) {
      throw new ModelLoadException(location, "found inputs " + inputs.keySet()
          + ", expected input_ids and attention_mask (token_type_ids optional)", null);
    }
    NodeInfo out = outputs.get(LOGITS);
    if (out == null) {
      throw new ModelLoadException(location, "found outputs " + outputs.keySet()
          + ", expected logits [batch, labels] (a sequence-classification export)", null);
    }
    if (!(out.getInfo() instanceof TensorInfo ti) || !FLOATS.contains(ti.type)
        || ti.getShape().length != 2) {
      throw new ModelLoadException(location, "found output logits as " + out.getInfo()
          + ", expected a float tensor [batch, labels]", null);
    }
    return inputs.containsKey(ModelContract.TOKEN_TYPE_IDS);
  }
}
