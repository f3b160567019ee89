package dev.gecko4j.onnx;

import dev.gecko4j.core.internal.Args;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a model comes from: a bundled model or a folder in sentence-transformers layout. The one
 * place gecko4j resolves "a bundled name or a folder" (the CLI, the trainer, the LangChain4j and
 * Spring adapters and Spark all call {@link #of(String)}): an existing folder at that path wins,
 * else a bundled model of that name ({@link Models#byName}), else the name is refused naming both
 * choices.
 *
 * {@snippet lang=java :
 * ModelSource src = ModelSource.of(args.model());          // "bge-small-en-v1.5" or "path/to/folder"
 * try (OnnxEmbedder e = src.builder().build()) { }
 * ModelSpec spec = src.spec();                              // what the trainer opens
 * }
 *
 * @param bundled the bundled model, or null for a folder
 * @param folder the model folder, or null for a bundled model
 */
public record ModelSource(Models bundled, Path folder) {

  /**
   * Validates the source.
   *
   * @throws IllegalArgumentException unless exactly one of the two is given
   */
  public ModelSource {
    if ((bundled == null) == (folder == null)) {
      throw new IllegalArgumentException("exactly one of bundled and folder must be given, but "
          + "they are: " + bundled + ", " + folder);
    }
  }

  /**
   * Resolves a bundled model name or a model folder: an existing folder at {@code nameOrFolder}
   * wins, else the bundled model of that name.
   *
   * @param nameOrFolder a bundled model's name ({@code bge-small-en-v1.5} or {@code
   *     BGE_SMALL_EN_V15}, any case) or a folder's path; not blank
   * @return the source
   * @throws IllegalArgumentException if {@code nameOrFolder} is blank, or neither a folder nor a
   *     bundled name (the message starts as {@link Models#byName}'s and names the bundled models)
   */
  public static ModelSource of(String nameOrFolder) {
    Args.notBlank(nameOrFolder, "model");
    Path p;
    try {
      p = Path.of(nameOrFolder.trim());
    } catch (java.nio.file.InvalidPathException e) {
      p = null;
    }
    if (p != null && Files.isDirectory(p)) {
      return new ModelSource(null, p);
    }
    try {
      return new ModelSource(Models.byName(nameOrFolder), null);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage() + "; and no model folder exists at "
          + nameOrFolder, e);
    }
  }

  /**
   * A model folder.
   *
   * @param folder the folder (read when the model loads); not null
   * @return the source
   * @throws IllegalArgumentException if {@code folder} is null
   */
  public static ModelSource folder(Path folder) {
    Args.notNull(folder, "folder");
    return new ModelSource(null, folder);
  }

  /** {@return whether this is a bundled model} */
  public boolean isBundled() {
    return bundled != null;
  }

  /**
   * {@return the model's description: the bundled model's, or the folder's as {@link
   * SentenceTransformersFolder#read} reads it}
   *
   * @throws ModelLoadException if the folder cannot be read
   */
  public ModelSpec spec() {
    return bundled != null ? bundled.spec() : SentenceTransformersFolder.read(folder);
  }

  /**
   * Sets this source on {@code builder}.
   *
   * @param builder the builder; not null
   * @return the same builder
   * @throws IllegalArgumentException if {@code builder} is null
   */
  public OnnxEmbedder.Builder applyTo(OnnxEmbedder.Builder builder) {
    Args.notNull(builder, "builder");
    return bundled != null ? builder.model(bundled) : builder.modelFolder(folder);
  }

  /** {@return a new embedder builder on this source} */
  public OnnxEmbedder.Builder builder() {
    return applyTo(OnnxEmbedder.builder());
  }

  /** {@return the bundled model's name or the folder's path} */
  @Override
  public String toString() {
    return bundled != null ? bundled.modelName() : folder.toString();
  }
}
