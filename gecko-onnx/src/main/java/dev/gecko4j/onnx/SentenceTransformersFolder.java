package dev.gecko4j.onnx;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.gecko4j.core.Pooling;
import dev.gecko4j.core.internal.Args;
import dev.gecko4j.core.internal.GeckoJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Reads and writes a model folder in HuggingFace / sentence-transformers layout: the one place
 * gecko4j parses or produces one. A folder holds {@code model.onnx} or {@code onnx/model.onnx}
 * (with {@code model.onnx_data} beside it when its weights are external), {@code tokenizer.json},
 * {@code modules.json} (the pipeline, in order: Transformer, Pooling, Dense, Normalize; any other
 * module type is refused naming its type and path), each Pooling module's {@code config.json}
 * (every mode and {@code include_prompt}), each Dense module's {@code config.json} and {@code
 * model.safetensors} ({@link SafeTensors}; weights only in {@code pytorch_model.bin} are refused),
 * {@code sentence_bert_config.json} (max length) and {@code config_sentence_transformers.json}
 * (the whole {@code prompts} dictionary, {@code default_prompt_name}, {@code
 * similarity_fn_name}). Of the prompts, {@code query} is used for queries, {@code document} or
 * {@code passage} for documents, and for symmetric texts the prompt {@code default_prompt_name}
 * names, else none, as sentence-transformers does; a {@code ModelFamily} maps other names.
 * {@link #read} after {@link #configFiles} gives back the same description.
 *
 * {@snippet lang=java :
 * ModelSpec spec = SentenceTransformersFolder.read(Path.of("my-model"));
 * Map<String, byte[]> files = SentenceTransformersFolder.configFiles(spec, 384);
 * }
 */
public final class SentenceTransformersFolder {

  private static final System.Logger LOG =
      System.getLogger(SentenceTransformersFolder.class.getName());
  private static final ObjectMapper JSON = GeckoJson.mapper();
  /** Pretty printing as Python's {@code json.dump(indent=2)} writes these files: {@code "k": v}. */
  private static final ObjectWriter PRETTY = JSON.writer(new DefaultPrettyPrinter()
      .withSeparators(Separators.createDefaultInstance()
          .withObjectFieldValueSpacing(Separators.Spacing.AFTER)));

  /** The pooling config file written by {@link #configFiles}. */
  public static final String POOLING_CONFIG = "1_Pooling/config.json";
  /** The pipeline file. */
  public static final String MODULES = "modules.json";
  /** The file holding {@code max_seq_length}. */
  public static final String SENTENCE_BERT_CONFIG = "sentence_bert_config.json";
  /** The file holding the prompts. */
  public static final String ST_CONFIG = "config_sentence_transformers.json";

  private SentenceTransformersFolder() {}

  /** One entry of {@code modules.json}. */
  record Module(@JsonProperty("idx") int idx, @JsonProperty("name") String name,
      @JsonProperty("path") String path, @JsonProperty("type") String type) { }

  /** {@code N_Pooling/config.json}, every key sentence-transformers writes. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"word_embedding_dimension", "pooling_mode_cls_token",
      "pooling_mode_mean_tokens", "pooling_mode_max_tokens", "pooling_mode_mean_sqrt_len_tokens",
      "pooling_mode_weightedmean_tokens", "pooling_mode_lasttoken", "include_prompt"})
  record PoolingConfig(
      @JsonProperty("word_embedding_dimension") Integer wordEmbeddingDimension,
      @JsonProperty("pooling_mode") String poolingMode,
      @JsonProperty("pooling_mode_cls_token") Boolean clsToken,
      @JsonProperty("pooling_mode_mean_tokens") Boolean meanTokens,
      @JsonProperty("pooling_mode_max_tokens") Boolean maxTokens,
      @JsonProperty("pooling_mode_mean_sqrt_len_tokens") Boolean meanSqrtLenTokens,
      @JsonProperty("pooling_mode_weightedmean_tokens") Boolean weightedMeanTokens,
      @JsonProperty("pooling_mode_lasttoken") Boolean lastToken,
      @JsonProperty("include_prompt") Boolean includePrompt) { }

  /** {@code N_Dense/config.json}. */
  @JsonPropertyOrder({"in_features", "out_features", "bias", "activation_function"})
  record DenseConfig(@JsonProperty("in_features") Integer inFeatures,
      @JsonProperty("out_features") Integer outFeatures, @JsonProperty("bias") Boolean bias,
      @JsonProperty("activation_function") String activationFunction) { }

  /** {@code sentence_bert_config.json}. */
  record SentenceBertConfig(@JsonProperty("max_seq_length") Integer maxSeqLength,
      @JsonProperty("do_lower_case") Boolean doLowerCase) { }

  /** {@code config_sentence_transformers.json}. */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  record SentenceTransformersConfig(@JsonProperty("prompts") Map<String, String> prompts,
      @JsonProperty("default_prompt_name") String defaultPromptName,
      @JsonProperty("similarity_fn_name") String similarityFnName) { }

  /** The module types gecko4j runs, by the class name after the last dot. */
  private static final List<String> RUNNABLE = List.of("Transformer", "Pooling", "Dense",
      "Normalize");

  /**
   * Reads a model folder into a spec named after the folder's file name: the graph, the
   * tokenizer, every module of {@code modules.json} in order (a Dense module with its weights from
   * {@code model.safetensors}), the whole {@code prompts} dictionary with {@code
   * default_prompt_name} and {@code similarity_fn_name}, and {@code max_seq_length}. A folder
   * without {@code modules.json} is a Transformer and the Pooling of {@code 1_Pooling/config.json}
   * (mean pooling when that is absent too), without normalisation.
   *
   * @param folder the folder; not null
   * @return the spec
   * @throws IllegalArgumentException if {@code folder} is null
   * @throws ModelLoadException if the folder, the model or the tokenizer is missing, a config
   *     file is unreadable or says something gecko4j cannot do, or {@code modules.json} lists a
   *     module gecko4j cannot run (the message names the file, the module's type and path, what
   *     was found and what was expected)
   */
  public static ModelSpec read(Path folder) {
    Args.notNull(folder, "folder");
    if (!Files.isDirectory(folder)) {
      throw ModelLoadException.of(folder, Files.exists(folder)
          ? "found a file, expected a model folder (sentence-transformers layout)"
          : "found nothing, expected a model folder (sentence-transformers layout)");
    }
    Path model = folder.resolve("model.onnx");
    if (!Files.isRegularFile(model)) {
      model = folder.resolve("onnx").resolve("model.onnx");
    }
    if (!Files.isRegularFile(model)) {
      throw ModelLoadException.of(folder,
          "found " + listing(folder) + ", expected model.onnx or onnx/model.onnx");
    }
    Path tokenizer = folder.resolve("tokenizer.json");
    if (!Files.isRegularFile(tokenizer)) {
      throw ModelLoadException.of(folder,
          "found " + listing(folder) + ", expected tokenizer.json (HuggingFace fast tokenizer)");
    }

    Path modulesFile = folder.resolve(MODULES);
    List<PipelineModule> modules = Files.isRegularFile(modulesFile)
        ? readModules(folder, modulesFile)
        : List.of(new PipelineModule.Transformer(""), readPool(folder, "1_Pooling"));
    PipelineModule.Pool pool = null;
    int dimension = 0;
    for (PipelineModule m : modules) {
      if (m instanceof PipelineModule.Pool p) {
        pool = p;
        dimension = p.dimension() * p.modes().size();
      } else if (m instanceof PipelineModule.Dense d) {
        dimension = d.outFeatures();
      }
    }
    Pooling pooling = pool != null ? pool.modes().get(0) : Pooling.MEAN;
    boolean normalize = modules.get(modules.size() - 1) instanceof PipelineModule.Normalize;

    int maxLength = readMaxLength(folder);

    ModelSpec.Prompts prompts = ModelSpec.Prompts.NONE;
    String conventionName = "NONE";
    Map<String, String> named = new LinkedHashMap<>();
    String defaultName = null;
    String similarity = null;
    Path stConfig = folder.resolve(ST_CONFIG);
    if (Files.isRegularFile(stConfig)) {
      JsonNode st = readJson(stConfig, "a sentence-transformers config");
      JsonNode p = st.path("prompts");
      if (p.isObject()) {
        p.fields().forEachRemaining(e -> {
          if (!e.getValue().isTextual()) {
            throw ModelLoadException.of(stConfig, "found prompt '" + e.getKey() + "' = "
                + e.getValue() + ", expected a string");
          }
          named.put(e.getKey(), e.getValue().asText());
        });
      }
      // As in sentence-transformers: a text encoded without a prompt name gets the prompt named
      // by default_prompt_name, or none. Symmetric tasks (STS, classification) name no side.
      defaultName = st.path("default_prompt_name").isTextual()
          ? st.path("default_prompt_name").asText() : null;
      if (defaultName != null && !named.containsKey(defaultName)) {
        throw ModelLoadException.of(stConfig, "found default_prompt_name '" + defaultName
            + "', expected the name of one of the prompts " + new ArrayList<>(named.keySet()));
      }
      JsonNode sim = st.path("similarity_fn_name");
      if (sim.isTextual()) {
        similarity = sim.asText();
        if (!ModelSpec.SIMILARITIES.contains(similarity)) {
          throw ModelLoadException.of(stConfig, "found similarity_fn_name '" + similarity
              + "', expected one of [cosine, dot, euclidean, manhattan]");
        }
      }
      if (!named.isEmpty()) {
        String query = named.getOrDefault("query", "");
        String document = named.containsKey("document") ? named.get("document")
            : named.getOrDefault("passage", "");
        String symmetric = defaultName == null ? "" : named.get(defaultName);
        prompts = new ModelSpec.Prompts(query, document, symmetric);
        conventionName = prompts.describe();
      }
    }
    Path name = folder.toAbsolutePath().normalize().getFileName();
    try {
      return new ModelSpec(name == null ? folder.toString() : name.toString(), null, folder, model,
          tokenizer, pooling, normalize, maxLength, dimension, prompts, conventionName, modules,
          named, defaultName, similarity);
    } catch (IllegalArgumentException e) {
      throw ModelLoadException.of(modulesFile, "found a pipeline gecko4j cannot run ("
          + e.getMessage() + "), expected Transformer, Pooling, then Dense and Normalize modules",
          e);
    }
  }

  private static List<PipelineModule> readModules(Path folder, Path modulesFile) {
    JsonNode mods = readJson(modulesFile, "a JSON array of {idx, name, path, type}");
    if (!mods.isArray() || mods.isEmpty()) {
      throw ModelLoadException.of(modulesFile, "found " + (mods.isArray() ? "an empty array"
          : mods.getNodeType()) + ", expected a JSON array of {idx, name, path, type}");
    }
    List<PipelineModule> modules = new ArrayList<>();
    for (Module m : bind(modulesFile, mods, Module[].class,
        "a JSON array of {idx, name, path, type}")) {
      String type = m.type() == null ? "" : m.type();
      String path = m.path() == null ? "" : m.path();
      String simple = type.substring(type.lastIndexOf('.') + 1);
      if (!type.startsWith("sentence_transformers.") || !RUNNABLE.contains(simple)) {
        throw ModelLoadException.of(modulesFile, "found module '" + m.name() + "' of type '"
            + type + "' at path '" + path + "', which gecko4j cannot run; expected only "
            + "sentence_transformers.models.Transformer, Pooling, Dense and Normalize modules");
      }
      if (path.contains("..") || Path.of(path).isAbsolute()) {
        throw ModelLoadException.of(modulesFile, "found module '" + m.name() + "' at path '"
            + path + "', expected a path inside the model folder");
      }
      modules.add(switch (simple) {
        case "Transformer" -> new PipelineModule.Transformer(path);
        case "Pooling" -> readPool(folder, path);
        case "Dense" -> readDense(folder, path);
        default -> new PipelineModule.Normalize(path);
      });
    }
    return modules;
  }

  private static PipelineModule.Pool readPool(Path folder, String path) {
    Path config = folder.resolve(path).resolve("config.json");
    if (!Files.isRegularFile(config)) {
      LOG.log(System.Logger.Level.INFO,
          "{0} has no {1}/config.json; using mean pooling (sentence-transformers'' default)",
          folder, path);
      return PipelineModule.Pool.of(path, Pooling.MEAN, 0);
    }
    PoolingConfig cfg = bind(config, readJson(config, "a pooling config"), PoolingConfig.class,
        "a pooling config");
    List<Pooling> modes = new ArrayList<>();
    if (cfg.poolingMode() != null) {
      try {
        modes.add(Pooling.parse(cfg.poolingMode()));
      } catch (IllegalArgumentException e) {
        throw ModelLoadException.of(config, e.getMessage(), e);
      }
    } else {
      addIf(modes, cfg.clsToken(), Pooling.CLS);
      addIf(modes, cfg.maxTokens(), Pooling.MAX);
      addIf(modes, cfg.meanTokens(), Pooling.MEAN);
      addIf(modes, cfg.meanSqrtLenTokens(), Pooling.MEAN_SQRT_LEN);
      addIf(modes, cfg.weightedMeanTokens(), Pooling.WEIGHTED_MEAN);
      addIf(modes, cfg.lastToken(), Pooling.LAST_TOKEN);
    }
    if (modes.isEmpty()) {
      throw ModelLoadException.of(config, "found no pooling mode set to true, expected at least "
          + "one of pooling_mode_cls_token, pooling_mode_max_tokens, pooling_mode_mean_tokens, "
          + "pooling_mode_mean_sqrt_len_tokens, pooling_mode_weightedmean_tokens, "
          + "pooling_mode_lasttoken");
    }
    int dim = cfg.wordEmbeddingDimension() != null && cfg.wordEmbeddingDimension() > 0
        ? cfg.wordEmbeddingDimension() : 0;
    return new PipelineModule.Pool(path, modes, !Boolean.FALSE.equals(cfg.includePrompt()), dim);
  }

  private static void addIf(List<Pooling> modes, Boolean on, Pooling mode) {
    if (Boolean.TRUE.equals(on)) {
      modes.add(mode);
    }
  }

  private static PipelineModule.Dense readDense(Path folder, String path) {
    Path dir = folder.resolve(path);
    Path config = dir.resolve("config.json");
    if (!Files.isRegularFile(config)) {
      throw ModelLoadException.of(dir, "found " + listing(dir) + ", expected config.json of the "
          + "Dense module (in_features, out_features, bias, activation_function)");
    }
    DenseConfig cfg = bind(config, readJson(config, "a Dense config"), DenseConfig.class,
        "a Dense config");
    if (cfg.inFeatures() == null || cfg.outFeatures() == null || cfg.inFeatures() < 1
        || cfg.outFeatures() < 1) {
      throw ModelLoadException.of(config, "found in_features " + cfg.inFeatures()
          + " and out_features " + cfg.outFeatures() + ", expected two positive integers");
    }
    PipelineModule.Activation activation;
    try {
      activation = PipelineModule.Activation.of(cfg.activationFunction() == null
          ? PipelineModule.Activation.TANH.className() : cfg.activationFunction());
    } catch (IllegalArgumentException e) {
      throw ModelLoadException.of(config, "found a Dense module gecko4j cannot run: "
          + e.getMessage(), e);
    }
    Path weights = dir.resolve("model.safetensors");
    if (!Files.isRegularFile(weights)) {
      Path bin = dir.resolve("pytorch_model.bin");
      if (Files.isRegularFile(bin)) {
        throw ModelLoadException.of(bin, "found the Dense module's weights as a PyTorch pickle "
            + "(sentence_transformers.models.Dense at path '" + path + "'), which gecko4j cannot "
            + "read; expected model.safetensors (save the model again with a recent "
            + "sentence-transformers, which writes safetensors)");
      }
      throw ModelLoadException.of(dir, "found " + listing(dir) + ", expected model.safetensors "
          + "with the Dense module's linear.weight and linear.bias");
    }
    Map<String, SafeTensors.Tensor> tensors = SafeTensors.read(weights);
    boolean hasBias = !Boolean.FALSE.equals(cfg.bias());
    SafeTensors.Tensor w = tensors.get("linear.weight");
    SafeTensors.Tensor b = tensors.get("linear.bias");
    long[] expectedW = {cfg.outFeatures(), cfg.inFeatures()};
    if (w == null || !java.util.Arrays.equals(w.shape(), expectedW)
        || hasBias && (b == null || !java.util.Arrays.equals(b.shape(), new long[] {cfg.outFeatures()}))) {
      throw ModelLoadException.of(weights, "found tensors " + tensors
          + ", expected linear.weight " + java.util.Arrays.toString(expectedW)
          + (hasBias ? " and linear.bias [" + cfg.outFeatures() + "]" : ""));
    }
    return new PipelineModule.Dense(path, cfg.inFeatures(), cfg.outFeatures(), activation,
        w.values(), hasBias ? b.values() : null);
  }

  /**
   * Returns the files of a sentence-transformers folder for {@code spec}, by path relative to the
   * folder: {@code modules.json} (the spec's modules in order), each Pooling module's {@code
   * config.json} (every mode flag and {@code include_prompt}), each Dense module's {@code
   * config.json} and {@code model.safetensors}, {@code sentence_bert_config.json} and, unless
   * the spec has no prompts and cosine similarity, {@code config_sentence_transformers.json} with
   * the whole prompts dictionary, {@code default_prompt_name} and {@code similarity_fn_name}. The model, the tokenizer and {@code
   * config.json} are the caller's to write. {@link #read} of a folder holding these files gives
   * back the spec's modules, prompts, similarity, pooling, normalisation and max length.
   *
   * @param spec the model; not null
   * @param dimension the token-state size to record as {@code word_embedding_dimension} where the
   *     Pooling module does not know it, {@code >= 1}
   * @return the files' bytes in writing order
   * @throws IllegalArgumentException if an argument is invalid
   */
  public static Map<String, byte[]> configFiles(ModelSpec spec, int dimension) {
    Args.notNull(spec, "spec");
    Args.positive(dimension, "dimension");
    Map<String, byte[]> files = new LinkedHashMap<>();
    List<Module> modules = new ArrayList<>();
    for (int i = 0; i < spec.modules().size(); i++) {
      PipelineModule m = spec.modules().get(i);
      modules.add(new Module(i, String.valueOf(i), m.path(), m.type()));
      String prefix = m.path().isEmpty() ? "" : m.path() + "/";
      if (m instanceof PipelineModule.Pool p) {
        List<Pooling> on = p.modes();
        files.put(prefix + "config.json", pretty(new PoolingConfig(
            p.dimension() > 0 ? p.dimension() : dimension, null, on.contains(Pooling.CLS),
            on.contains(Pooling.MEAN), on.contains(Pooling.MAX),
            on.contains(Pooling.MEAN_SQRT_LEN), on.contains(Pooling.WEIGHTED_MEAN),
            on.contains(Pooling.LAST_TOKEN), p.includePrompt())));
      } else if (m instanceof PipelineModule.Dense d) {
        files.put(prefix + "config.json", pretty(new DenseConfig(d.inFeatures(),
            d.outFeatures(), d.bias() != null, d.activation().className())));
        Map<String, SafeTensors.Tensor> tensors = new LinkedHashMap<>();
        tensors.put("linear.weight", SafeTensors.Tensor.of(d.weight(), d.outFeatures(),
            d.inFeatures()));
        if (d.bias() != null) {
          tensors.put("linear.bias", SafeTensors.Tensor.of(d.bias(), d.outFeatures()));
        }
        files.put(prefix + "model.safetensors", SafeTensors.toBytes(tensors));
      }
    }
    files.put(MODULES, pretty(modules));
    files.put(SENTENCE_BERT_CONFIG, pretty(new SentenceBertConfig(spec.maxLength(), false)));
    // Written when it says anything beyond sentence-transformers' defaults (no prompts, cosine).
    if (!spec.namedPrompts().isEmpty() || spec.defaultPromptName() != null
        || !spec.similarityFnName().equals("cosine")) {
      files.put(ST_CONFIG, pretty(new SentenceTransformersConfig(spec.namedPrompts(),
          spec.defaultPromptName(), spec.similarityFnName())));
    }
    return files;
  }

  /**
   * Writes {@link #configFiles} into {@code folder} (created if absent) with plain writes; a
   * caller that needs a complete-or-absent folder writes the map itself.
   *
   * @param folder the model folder; not null
   * @param spec the model; not null
   * @param dimension the embedding dimension, {@code >= 1}
   * @throws IllegalArgumentException if an argument is invalid
   * @throws IOException if writing fails
   */
  public static void writeConfig(Path folder, ModelSpec spec, int dimension) throws IOException {
    Args.notNull(folder, "folder");
    for (Map.Entry<String, byte[]> f : configFiles(spec, dimension).entrySet()) {
      Path file = folder.resolve(f.getKey());
      Files.createDirectories(file.getParent());
      Files.write(file, f.getValue());
    }
  }

  private static byte[] pretty(Object value) {
    try {
      return (PRETTY.writeValueAsString(value) + "\n")
          .getBytes(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write " + value + " as JSON", e);
    }
  }

  private static int readMaxLength(Path folder) {
    Path sb = folder.resolve(SENTENCE_BERT_CONFIG);
    if (Files.isRegularFile(sb)) {
      JsonNode n = readJson(sb, "a sentence-transformers config").path("max_seq_length");
      if (n.canConvertToInt() && n.asInt() > 0) {
        return n.asInt();
      }
    }
    Path tc = folder.resolve("tokenizer_config.json");
    if (Files.isRegularFile(tc)) {
      JsonNode n = readJson(tc, "a tokenizer config").path("model_max_length");
      if (n.isNumber() && n.asLong() > 0 && n.asLong() <= 1_000_000) {
        return n.asInt();
      }
    }
    Path c = folder.resolve("config.json");
    if (Files.isRegularFile(c)) {
      JsonNode n = readJson(c, "a model config").path("max_position_embeddings");
      if (n.canConvertToInt() && n.asInt() > 0) {
        return n.asInt();
      }
    }
    return 512;
  }

  private static <T> T bind(Path file, JsonNode node, Class<T> type, String expected) {
    try {
      return JSON.treeToValue(node, type);
    } catch (IOException | IllegalArgumentException e) {
      throw ModelLoadException.of(file, "found JSON of another shape (" + firstLine(e.getMessage())
          + "), expected " + expected, e);
    }
  }

  static JsonNode readJson(Path file, String expected) {
    try {
      return JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw ModelLoadException.of(file, "found unreadable JSON (" + firstLine(e.getMessage())
          + "), expected " + expected, e);
    }
  }

  static String listing(Path folder) {
    try (Stream<Path> s = Files.list(folder)) {
      List<String> names = s.map(p -> p.getFileName() + (Files.isDirectory(p) ? "/" : ""))
          .sorted().limit(20).toList();
      return names.isEmpty() ? "an empty folder" : names.toString();
    } catch (IOException e) {
      return "an unreadable folder (" + e.getMessage() + ")";
    }
  }

  static String firstLine(String s) {
    if (s == null) {
      return "no message";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
