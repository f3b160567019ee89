package dev.gecko4j.onnx;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
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
 * gecko4j parses or produces one. A folder holds {@code model.onnx} or {@code onnx/model.onnx},
 * {@code tokenizer.json}, {@code modules.json} (the pipeline: where the Pooling module lives, and
 * whether a Normalize module follows), the pooling module's {@code config.json} (usually {@code
 * 1_Pooling/}), {@code sentence_bert_config.json} (max length) and {@code
 * config_sentence_transformers.json} (prompts: {@code query} for queries, {@code document} or
 * {@code passage} for documents, and for symmetric texts the prompt {@code default_prompt_name}
 * names, else none, as sentence-transformers does).
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

  /** {@code 1_Pooling/config.json}; the modes gecko4j cannot pool with are read to reject them. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record PoolingConfig(
      @JsonProperty("word_embedding_dimension") Integer wordEmbeddingDimension,
      @JsonProperty("pooling_mode") String poolingMode,
      @JsonProperty("pooling_mode_cls_token") Boolean clsToken,
      @JsonProperty("pooling_mode_mean_tokens") Boolean meanTokens,
      @JsonProperty("pooling_mode_max_tokens") Boolean maxTokens,
      @JsonProperty("pooling_mode_mean_sqrt_len_tokens") Boolean meanSqrtLenTokens,
      @JsonProperty("pooling_mode_weightedmean_tokens") Boolean weightedMeanTokens,
      @JsonProperty("pooling_mode_lasttoken") Boolean lastToken) { }

  /** {@code sentence_bert_config.json}. */
  record SentenceBertConfig(@JsonProperty("max_seq_length") Integer maxSeqLength,
      @JsonProperty("do_lower_case") Boolean doLowerCase) { }

  /** {@code config_sentence_transformers.json}. */
  record SentenceTransformersConfig(@JsonProperty("prompts") Map<String, String> prompts,
      @JsonProperty("default_prompt_name") String defaultPromptName,
      @JsonProperty("similarity_fn_name") String similarityFnName) { }

  /**
   * Reads a model folder into a spec named after the folder's file name.
   *
   * @param folder the folder; not null
   * @return the spec
   * @throws IllegalArgumentException if {@code folder} is null
   * @throws ModelLoadException if the folder, the model or the tokenizer is missing, or a config
   *     file is unreadable or says something gecko4j cannot do (the message names the file, what
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

    String poolingDir = "1_Pooling";
    boolean normalize = false;
    Path modules = folder.resolve(MODULES);
    if (Files.isRegularFile(modules)) {
      JsonNode mods = readJson(modules, "a JSON array of {idx, name, path, type}");
      if (!mods.isArray()) {
        throw ModelLoadException.of(modules,
            "found " + mods.getNodeType() + ", expected a JSON array of {idx, name, path, type}");
      }
      for (Module m : bind(modules, mods, Module[].class, "a JSON array of {idx, name, path, type}")) {
        String type = m.type() == null ? "" : m.type();
        if (type.endsWith(".Pooling")) {
          poolingDir = m.path() != null ? m.path() : poolingDir;
        } else if (type.endsWith(".Normalize")) {
          normalize = true;
        }
      }
    }

    Pooling pooling = Pooling.MEAN;
    int dimension = 0;
    Path poolingConfig = folder.resolve(poolingDir).resolve("config.json");
    if (Files.isRegularFile(poolingConfig)) {
      PoolingConfig cfg = bind(poolingConfig, readJson(poolingConfig, "a pooling config"),
          PoolingConfig.class, "a pooling config");
      pooling = poolingOf(poolingConfig, cfg);
      if (cfg.wordEmbeddingDimension() != null && cfg.wordEmbeddingDimension() > 0) {
        dimension = cfg.wordEmbeddingDimension();
      }
    } else {
      LOG.log(System.Logger.Level.INFO,
          "{0} has no {1}/config.json; using mean pooling (sentence-transformers'' default)",
          folder, poolingDir);
    }

    int maxLength = readMaxLength(folder);

    ModelSpec.Prompts prompts = ModelSpec.Prompts.NONE;
    String conventionName = "NONE";
    Path stConfig = folder.resolve(ST_CONFIG);
    if (Files.isRegularFile(stConfig)) {
      JsonNode st = readJson(stConfig, "a sentence-transformers config");
      JsonNode p = st.path("prompts");
      if (p.isObject() && !p.isEmpty()) {
        String query = p.path("query").asText("");
        String document = p.has("document") ? p.path("document").asText("")
            : p.path("passage").asText("");
        // As in sentence-transformers: a text encoded without a prompt name gets the prompt named
        // by default_prompt_name, or none. Symmetric tasks (STS, classification) name no side.
        String defaultName = st.path("default_prompt_name").isTextual()
            ? st.path("default_prompt_name").asText() : null;
        if (defaultName != null && !p.path(defaultName).isTextual()) {
          List<String> names = new ArrayList<>();
          p.fieldNames().forEachRemaining(names::add);
          throw ModelLoadException.of(stConfig, "found default_prompt_name '" + defaultName
              + "', expected the name of one of the prompts " + names);
        }
        String symmetric = defaultName == null ? "" : p.path(defaultName).asText();
        prompts = new ModelSpec.Prompts(query, document, symmetric);
        conventionName = prompts.describe();
      }
    }
    Path name = folder.toAbsolutePath().normalize().getFileName();
    return new ModelSpec(name == null ? folder.toString() : name.toString(), null, folder, model,
        tokenizer, pooling, normalize, maxLength, dimension, prompts, conventionName);
  }

  /**
   * Returns the configuration files of a sentence-transformers folder for {@code spec}, by path
   * relative to the folder: {@code modules.json} (Transformer, Pooling and, when the spec
   * normalises, Normalize), {@code 1_Pooling/config.json}, {@code sentence_bert_config.json} and,
   * when the spec has prompts, {@code config_sentence_transformers.json} with {@code prompts:
   * {query, document}} (and {@code default_prompt_name} naming a {@code symmetric} prompt when it
   * has one), so the folder carries its prompt convention to whoever loads it. The model, the
   * tokenizer and {@code config.json} are the caller's to write. {@link #read} of a folder holding
   * these files gives back the spec's pooling, normalisation, max length, dimension and prompts.
   *
   * @param spec the model; not null, pooling {@link Pooling#CLS}, {@link Pooling#MEAN} or {@link
   *     Pooling#LAST_TOKEN}
   * @param dimension the embedding dimension to record, {@code >= 1}
   * @return the files' UTF-8 bytes in writing order
   * @throws IllegalArgumentException if an argument is invalid
   */
  public static Map<String, byte[]> configFiles(ModelSpec spec, int dimension) {
    Args.notNull(spec, "spec");
    Args.positive(dimension, "dimension");
    Map<String, byte[]> files = new LinkedHashMap<>();
    Pooling p = spec.pooling();
    files.put(POOLING_CONFIG, pretty(new PoolingConfig(dimension, null, p == Pooling.CLS,
        p == Pooling.MEAN, false, false, null, p == Pooling.LAST_TOKEN ? Boolean.TRUE : null)));
    List<Module> modules = new ArrayList<>();
    modules.add(new Module(0, "0", "", "sentence_transformers.models.Transformer"));
    modules.add(new Module(1, "1", "1_Pooling", "sentence_transformers.models.Pooling"));
    if (spec.normalize()) {
      modules.add(new Module(2, "2", "2_Normalize", "sentence_transformers.models.Normalize"));
    }
    files.put(MODULES, pretty(modules));
    files.put(SENTENCE_BERT_CONFIG, pretty(new SentenceBertConfig(spec.maxLength(), false)));
    ModelSpec.Prompts prompts = spec.prompts();
    if (!prompts.isNone()) {
      Map<String, String> map = new LinkedHashMap<>();
      map.put("query", prompts.query());
      map.put("document", prompts.document());
      String defaultName = null;
      if (!prompts.symmetric().isEmpty()) {
        map.put("symmetric", prompts.symmetric());
        defaultName = "symmetric";
      }
      files.put(ST_CONFIG, pretty(new SentenceTransformersConfig(map, defaultName, "cosine")));
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

  private static Pooling poolingOf(Path file, PoolingConfig cfg) {
    if (cfg.poolingMode() != null) {
      try {
        return Pooling.parse(cfg.poolingMode());
      } catch (IllegalArgumentException e) {
        throw ModelLoadException.of(file, e.getMessage(), e);
      }
    }
    List<Pooling> on = new ArrayList<>();
    List<String> unsupported = new ArrayList<>();
    if (Boolean.TRUE.equals(cfg.clsToken())) {
      on.add(Pooling.CLS);
    }
    if (Boolean.TRUE.equals(cfg.meanTokens())) {
      on.add(Pooling.MEAN);
    }
    if (Boolean.TRUE.equals(cfg.maxTokens())) {
      unsupported.add("pooling_mode_max_tokens");
    }
    if (Boolean.TRUE.equals(cfg.meanSqrtLenTokens())) {
      unsupported.add("pooling_mode_mean_sqrt_len_tokens");
    }
    if (Boolean.TRUE.equals(cfg.weightedMeanTokens())) {
      unsupported.add("pooling_mode_weightedmean_tokens");
    }
    if (Boolean.TRUE.equals(cfg.lastToken())) {
      on.add(Pooling.LAST_TOKEN);
    }
    if (!unsupported.isEmpty() || on.size() != 1) {
      throw ModelLoadException.of(file, "found pooling modes " + on + (unsupported.isEmpty() ? ""
          : " and unsupported " + unsupported)
          + ", expected exactly one of pooling_mode_cls_token, pooling_mode_mean_tokens, "
          + "pooling_mode_lasttoken set to true");
    }
    return on.get(0);
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
