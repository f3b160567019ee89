package dev.gecko4j.onnx;

import dev.gecko4j.core.Pooling;
import dev.gecko4j.core.PromptConvention;
import dev.gecko4j.core.internal.Args;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An immutable description of a text-embedding model: where its ONNX graph and tokenizer are, and
 * how its authors embed with it (pooling, normalisation, maximum length, prompts). The one model
 * description of gecko4j: {@link OnnxEmbedder} serves it, {@code GeckoTrainer} trains it and
 * {@link SentenceTransformersFolder} reads and writes it as a sentence-transformers folder.
 *
 * {@snippet lang=java :
 * ModelSpec bge = Models.BGE_SMALL_EN_V15.spec();              // bundled
 * ModelSpec mine = SentenceTransformersFolder.read(Path.of("my-model")); // a folder
 * try (OnnxEmbedder e = OnnxEmbedder.builder().modelFolder(Path.of("my-model")).build()) { }
 * }
 *
 * <p>The files are either classpath resources of a bundled model ({@link #bundled()} non-null) or
 * files on disk ({@link #modelFile()}, {@link #tokenizerFile()}); {@link #folder()} is the model
 * folder they came from, if any (for its {@code config.json}).
 *
 * @param name a short name: the bundled model's ({@code bge-small-en-v1.5}) or the folder's
 * @param bundled the bundled model whose resources hold the files, or null for files on disk
 * @param folder the sentence-transformers folder the spec was read from, or null
 * @param modelFile the ONNX graph on disk, or null when bundled
 * @param tokenizerFile the HuggingFace {@code tokenizer.json} on disk, or null when bundled
 * @param pooling how token states are pooled; not null
 * @param normalize whether embeddings are L2-normalised
 * @param maxLength the most tokens per row, special tokens included, 2 to 8192
 * @param dimension the embedding dimension when known (the pooling config's {@code
 *     word_embedding_dimension}), or 0 when only the model can tell
 * @param prompts the prompt prefixes per side; not null ({@link Prompts#NONE} for none)
 * @param promptConventionName the name of the prompt convention ({@code BGE}, {@code NONE},
 *     {@code prefixes(...)}); not blank
 * @param modules the sentence-transformers pipeline in order: a {@link PipelineModule.Transformer},
 *     then (unless the graph exports {@code sentence_embedding}) a {@link PipelineModule.Pool},
 *     then {@link PipelineModule.Dense} and {@link PipelineModule.Normalize} modules; null for the
 *     pipeline {@code pooling} and {@code normalize} describe (Transformer, Pooling, Normalize when
 *     normalised). {@code pooling} must be the Pooling module's first mode and {@code normalize}
 *     true exactly when the last module is a Normalize
 * @param namedPrompts every prompt of {@code config_sentence_transformers.json} by name, in file
 *     order (unmodifiable copy); null for the prompts {@code prompts} describes ({@code query},
 *     {@code document} and {@code symmetric} where non-empty)
 * @param defaultPromptName the prompt used when none is named ({@code default_prompt_name}), a key
 *     of {@code namedPrompts}, or null
 * @param similarityFnName {@code cosine}, {@code dot}, {@code euclidean} or {@code manhattan}
 *     ({@code similarity_fn_name}); null for sentence-transformers' default, {@code cosine}
 */
public record ModelSpec(String name, Models bundled, Path folder, Path modelFile,
    Path tokenizerFile, Pooling pooling, boolean normalize, int maxLength, int dimension,
    Prompts prompts, String promptConventionName, List<PipelineModule> modules,
    Map<String, String> namedPrompts, String defaultPromptName, String similarityFnName) {

  /** The similarity functions sentence-transformers knows. */
  static final Set<String> SIMILARITIES = Set.of("cosine", "dot", "euclidean", "manhattan");

  /**
   * The prompt prefixes of a model, as sentence-transformers' {@code prompts} hold them: one
   * prefix per side, each possibly empty.
   *
   * @param query the prefix of retrieval queries; not null
   * @param document the prefix of documents; not null
   * @param symmetric the prefix of symmetric texts (STS, classification); not null
   */
  public record Prompts(String query, String document, String symmetric) {
    /** No prefix on any side. */
    public static final Prompts NONE = new Prompts("", "", "");

    /**
     * Validates the prefixes.
     *
     * @throws IllegalArgumentException if a prefix is null
     */
    public Prompts {
      Args.notNull(query, "query prefix");
      Args.notNull(document, "document prefix");
      Args.notNull(symmetric, "symmetric prefix");
    }

    /** {@return the convention that prepends these prefixes} */
    public PromptConvention convention() {
      return PromptConvention.prefixes(query, document, symmetric);
    }

    /** {@return true when no side has a prefix} */
    public boolean isNone() {
      return query.isEmpty() && document.isEmpty() && symmetric.isEmpty();
    }

    /**
     * {@return these prefixes as sentence-transformers' named prompts: {@code query} and {@code
     * document} (when any side has a prefix) and {@code symmetric} when it is not empty}
     */
    public Map<String, String> asNamed() {
      if (isNone()) {
        return Map.of();
      }
      Map<String, String> map = new LinkedHashMap<>();
      map.put("query", query);
      map.put("document", document);
      if (!symmetric.isEmpty()) {
        map.put("symmetric", symmetric);
      }
      return Collections.unmodifiableMap(map);
    }

    /** {@return the name gecko4j gives prefixes read from a folder} */
    String describe() {
      return "prefixes(query='" + query + "', document='" + document + "', symmetric='"
          + symmetric + "')";
    }
  }

  /**
   * Validates the description.
   *
   * @throws IllegalArgumentException if a required value is null, neither a bundled model nor
   *     both files are given, or a number is out of range
   */
  public ModelSpec {
    Args.notBlank(name, "name");
    if (bundled == null && (modelFile == null || tokenizerFile == null)) {
      throw new IllegalArgumentException("modelFile and tokenizerFile must not be null for a model "
          + "that is not bundled, but are: " + modelFile + ", " + tokenizerFile);
    }
    Args.notNull(pooling, "pooling");
    Args.inRange(maxLength, 2, 8192, "maxLength");
    Args.atLeast(dimension, 0, "dimension");
    Args.notNull(prompts, "prompts");
    Args.notBlank(promptConventionName, "promptConventionName");
    modules = modules == null ? defaultModules(pooling, normalize, dimension)
        : Args.copyNoNulls(modules, "modules");
    checkPipeline(modules, pooling, normalize);
    boolean derivedPrompts = namedPrompts == null;
    namedPrompts = derivedPrompts ? prompts.asNamed()
        : Collections.unmodifiableMap(new LinkedHashMap<>(namedPrompts));
    namedPrompts.forEach((k, v) -> {
      if (k == null || v == null) {
        throw new IllegalArgumentException("namedPrompts must not hold a null name or prompt, but "
            + "holds " + k + "=" + v);
      }
    });
    if (derivedPrompts && defaultPromptName == null && !prompts.symmetric().isEmpty()) {
      defaultPromptName = "symmetric";
    }
    if (defaultPromptName != null && !namedPrompts.containsKey(defaultPromptName)) {
      throw new IllegalArgumentException("defaultPromptName must be one of the prompts "
          + namedPrompts.keySet() + ", but is: " + defaultPromptName);
    }
    similarityFnName = similarityFnName == null ? "cosine" : similarityFnName;
    if (!SIMILARITIES.contains(similarityFnName)) {
      throw new IllegalArgumentException("similarityFnName must be one of [cosine, dot, "
          + "euclidean, manhattan], but is: " + similarityFnName);
    }
  }

  /**
   * The description of the bare settings: Transformer, Pooling ({@code pooling}) and, when
   * normalised, Normalize; prompts as {@code prompts} gives them.
   *
   * @param name the name; not blank
   * @param bundled the bundled model, or null
   * @param folder the folder it came from, or null
   * @param modelFile the graph on disk, or null when bundled
   * @param tokenizerFile the tokenizer on disk, or null when bundled
   * @param pooling the pooling; not null
   * @param normalize whether vectors are L2-normalised
   * @param maxLength the most tokens per row, 2 to 8192
   * @param dimension the dimension, or 0 when unknown
   * @param prompts the prompts per side; not null
   * @param promptConventionName their name; not blank
   * @throws IllegalArgumentException as the canonical constructor
   */
  public ModelSpec(String name, Models bundled, Path folder, Path modelFile, Path tokenizerFile,
      Pooling pooling, boolean normalize, int maxLength, int dimension, Prompts prompts,
      String promptConventionName) {
    this(name, bundled, folder, modelFile, tokenizerFile, pooling, normalize, maxLength, dimension,
        prompts, promptConventionName, null, null, null, null);
  }

  private static List<PipelineModule> defaultModules(Pooling pooling, boolean normalize,
      int dimension) {
    List<PipelineModule> m = new ArrayList<>();
    m.add(new PipelineModule.Transformer(""));
    m.add(PipelineModule.Pool.of("1_Pooling", pooling, dimension));
    if (normalize) {
      m.add(new PipelineModule.Normalize("2_Normalize"));
    }
    return List.copyOf(m);
  }

  private static void checkPipeline(List<PipelineModule> modules, Pooling pooling,
      boolean normalize) {
    if (modules.isEmpty() || !(modules.get(0) instanceof PipelineModule.Transformer)) {
      throw new IllegalArgumentException("modules must start with a Transformer, but are: "
          + modules);
    }
    boolean seenPool = false;
    boolean seenHead = false;
    for (PipelineModule m : modules.subList(1, modules.size())) {
      if (m instanceof PipelineModule.Transformer) {
        throw new IllegalArgumentException("modules must hold one Transformer, but are: " + modules);
      }
      if (m instanceof PipelineModule.Pool p) {
        if (seenPool || seenHead) {
          throw new IllegalArgumentException("modules must hold at most one Pooling, right after "
              + "the Transformer, but are: " + modules);
        }
        if (p.modes().get(0) != pooling) {
          throw new IllegalArgumentException("pooling must be the Pooling module's first mode "
              + p.modes() + ", but is: " + pooling);
        }
        seenPool = true;
      } else {
        seenHead = true;
      }
    }
    boolean lastNormalize = modules.get(modules.size() - 1) instanceof PipelineModule.Normalize;
    if (lastNormalize != normalize) {
      throw new IllegalArgumentException("normalize must be " + lastNormalize + " for modules "
          + modules + ", but is: " + normalize);
    }
  }

  /** {@return the Pooling module, or null when the graph's output is already pooled} */
  public PipelineModule.Pool poolingModule() {
    for (PipelineModule m : modules) {
      if (m instanceof PipelineModule.Pool p) {
        return p;
      }
    }
    return null;
  }

  /** {@return the Dense layers in pipeline order} */
  public List<PipelineModule.Dense> denseLayers() {
    return modules.stream().filter(PipelineModule.Dense.class::isInstance)
        .map(PipelineModule.Dense.class::cast).toList();
  }

  /**
   * Returns this spec pooling with exactly one mode: the Pooling module's modes replaced by {@code
   * mode} (its path, {@code include_prompt} and dimension kept), or a Pooling module added after
   * the Transformer when there is none.
   *
   * @param mode the mode; not null
   * @return a new spec
   * @throws IllegalArgumentException if {@code mode} is null
   */
  public ModelSpec withPooling(Pooling mode) {
    Args.notNull(mode, "mode");
    List<PipelineModule> m = new ArrayList<>(modules);
    PipelineModule.Pool pool = poolingModule();
    if (pool == null) {
      m.add(1, PipelineModule.Pool.of("1_Pooling", mode, 0));
    } else {
      m.set(m.indexOf(pool), new PipelineModule.Pool(pool.path(), List.of(mode),
          pool.includePrompt(), pool.dimension()));
    }
    return withModules(m);
  }

  /**
   * Returns this spec with another pipeline (for example with a trained Dense head); {@code
   * pooling} and {@code normalize} follow the modules.
   *
   * @param newModules the modules, as the canonical constructor requires; not null
   * @return a new spec
   * @throws IllegalArgumentException if the modules are not a valid pipeline
   */
  public ModelSpec withModules(List<PipelineModule> newModules) {
    Args.notNull(newModules, "modules");
    Pooling p = pooling;
    for (PipelineModule m : newModules) {
      if (m instanceof PipelineModule.Pool pool) {
        p = pool.modes().get(0);
      }
    }
    boolean n = !newModules.isEmpty()
        && newModules.get(newModules.size() - 1) instanceof PipelineModule.Normalize;
    return new ModelSpec(name, bundled, folder, modelFile, tokenizerFile, p, n, maxLength,
        dimension, prompts, promptConventionName, newModules, namedPrompts, defaultPromptName,
        similarityFnName);
  }

  /**
   * Describes model files on disk with sentence-transformers' defaults for a bare encoder: mean
   * pooling, normalised, 512 tokens, no prompts, dimension unknown.
   *
   * @param modelFile the {@code .onnx} file; not null
   * @param tokenizerFile the {@code tokenizer.json}; not null
   * @return the spec, named after the model file's path
   * @throws IllegalArgumentException if a path is null
   */
  public static ModelSpec ofFiles(Path modelFile, Path tokenizerFile) {
    Args.notNull(modelFile, "modelFile");
    Args.notNull(tokenizerFile, "tokenizerFile");
    return new ModelSpec(modelFile.toString(), null, null, modelFile, tokenizerFile, Pooling.MEAN,
        true, 512, 0, Prompts.NONE, "NONE");
  }

  /** {@return the prompt convention that renders {@link #prompts()}} */
  public PromptConvention promptConvention() {
    return prompts.convention();
  }

  /** {@return where the ONNX graph is: its path, or {@code classpath:<resource>}} */
  public String modelLocation() {
    return bundled != null ? "classpath:" + bundled.modelResource() : modelFile.toString();
  }

  /** {@return where the tokenizer is: its path, or {@code classpath:<resource>}} */
  public String tokenizerLocation() {
    return bundled != null ? "classpath:" + bundled.tokenizerResource() : tokenizerFile.toString();
  }

  /**
   * Reads the ONNX graph's bytes.
   *
   * @return the bytes
   * @throws ModelLoadException if the file or resource is missing or unreadable
   */
  public byte[] readModelBytes() {
    return bundled != null ? readResource(bundled.modelResource())
        : readFile(modelFile, "an ONNX model file");
  }

  /**
   * Reads the tokenizer's bytes.
   *
   * @return the bytes of the {@code tokenizer.json}
   * @throws ModelLoadException if the file or resource is missing or unreadable
   */
  public byte[] readTokenizerBytes() {
    return bundled != null ? readResource(bundled.tokenizerResource())
        : readFile(tokenizerFile, "a HuggingFace tokenizer.json file");
  }

  /**
   * Returns this spec with other settings, for overrides (files and name unchanged).
   *
   * @param pooling the pooling; not null
   * @param normalize whether to L2-normalise
   * @param maxLength the maximum length, 2 to 8192
   * @param prompts the prompts; not null
   * @param promptConventionName their name; not blank
   * @return a new spec
   * @throws IllegalArgumentException if a value is invalid
   */
  public ModelSpec withSettings(Pooling pooling, boolean normalize, int maxLength, Prompts prompts,
      String promptConventionName) {
    Args.notNull(pooling, "pooling");
    List<PipelineModule> m = new ArrayList<>();
    for (PipelineModule module : modules) {
      if (module instanceof PipelineModule.Pool p && p.modes().get(0) != pooling) {
        m.add(new PipelineModule.Pool(p.path(), List.of(pooling), p.includePrompt(),
            p.dimension()));
      } else if (!(module instanceof PipelineModule.Normalize)
          || module != modules.get(modules.size() - 1)) {
        m.add(module);
      }
    }
    if (normalize) {
      PipelineModule last = modules.get(modules.size() - 1);
      m.add(last instanceof PipelineModule.Normalize ? last
          : new PipelineModule.Normalize(modules.size() + "_Normalize"));
    }
    boolean samePrompts = prompts.equals(this.prompts);
    return new ModelSpec(name, bundled, folder, modelFile, tokenizerFile, pooling, normalize,
        maxLength, dimension, prompts, promptConventionName, m,
        samePrompts ? namedPrompts : null, samePrompts ? defaultPromptName : null,
        similarityFnName);
  }

  static byte[] readFile(Path file, String expected) {
    if (!Files.isRegularFile(file)) {
      throw ModelLoadException.of(file, Files.exists(file) ? "found a folder, expected " + expected
          : "found nothing, expected " + expected);
    }
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new ModelLoadException(file.toString(), "cannot read it (" + e + ")", e);
    }
  }

  static byte[] readResource(String name) {
    try (InputStream in = openResource(name)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new ModelLoadException("classpath:" + name, "cannot read it (" + e + ")", e);
    }
  }

  static InputStream openResource(String name) {
    InputStream in = ModelSpec.class.getClassLoader().getResourceAsStream(name);
    if (in == null) {
      throw new ModelLoadException("classpath:" + name, "found no such resource, expected it in "
          + "a dev.langchain4j:langchain4j-embeddings-* model jar on the classpath", null);
    }
    return in;
  }
}
