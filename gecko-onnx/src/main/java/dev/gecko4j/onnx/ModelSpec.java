package dev.gecko4j.onnx;

import dev.gecko4j.core.Pooling;
import dev.gecko4j.core.PromptConvention;
import dev.gecko4j.core.internal.Args;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

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
 */
public record ModelSpec(String name, Models bundled, Path folder, Path modelFile,
    Path tokenizerFile, Pooling pooling, boolean normalize, int maxLength, int dimension,
    Prompts prompts, String promptConventionName) {

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
    return new ModelSpec(name, bundled, folder, modelFile, tokenizerFile, pooling, normalize,
        maxLength, dimension, prompts, promptConventionName);
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
      throw new ModelLoadException("classpath:" + name, missingResourceAdvice(name), null);
    }
    return in;
  }

  /** What to add when a bundled model's resource is not on the classpath: its model artifact. */
  static String missingResourceAdvice(String name) {
    for (Models m : Models.values()) {
      if (m.modelResource().equals(name) || m.tokenizerResource().equals(name)) {
        return "found no such resource: the model " + m.modelName() + " is not on the classpath;"
            + " add the dependency " + m.mavenCoordinates() + " (Gradle: implementation '"
            + m.mavenCoordinates() + ":<gecko4j version>') next to gecko-onnx";
      }
    }
    return "found no such resource, expected it in a gecko4j model artifact"
        + " (dev.gecko4j:gecko-model-*) on the classpath";
  }
}
