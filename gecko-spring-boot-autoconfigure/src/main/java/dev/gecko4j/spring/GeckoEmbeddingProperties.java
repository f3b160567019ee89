package dev.gecko4j.spring;

import dev.gecko4j.onnx.LongInputPolicy;
import java.nio.file.Path;
import org.springframework.ai.document.MetadataMode;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code gecko4j.embedding.*} properties of {@link GeckoEmbeddingAutoConfiguration}.
 *
 * <pre>
 * gecko4j.embedding.model=bge-small-en-v1.5
 * gecko4j.embedding.dimension=256
 * gecko4j.embedding.query-task=search result
 * </pre>
 */
@ConfigurationProperties(GeckoEmbeddingProperties.PREFIX)
public class GeckoEmbeddingProperties {

  /** The prefix of these properties. */
  public static final String PREFIX = "gecko4j.embedding";

  /**
   * Bundled model to load (bge-small-en-v1.5, bge-small-en-v1.5-q, all-MiniLM-L6-v2,
   * e5-small-v2). Defaults to bge-small-en-v1.5 when model-folder is not set either. Each needs
   * its model artifact on the classpath ({@code dev.gecko4j:gecko-model-*}, see {@code
   * Models.artifactId()}); the starter brings the default one, {@code gecko-model-bge-small-en-v15}.
   */
  private String model;

  /**
   * HuggingFace / sentence-transformers model folder to load instead of a bundled model (for
   * example one written by gecko train). Set either this or model.
   */
  private Path modelFolder;

  /** Matryoshka dimension: embeddings keep their first values, renormalised. Default: the model's. */
  private Integer dimension;

  /** Task rendered in the query prompt of models with task prompts (Gecko format). */
  private String queryTask = "search result";

  /** ONNX Runtime intra-op threads; 0 lets ONNX Runtime choose (one per physical core). */
  private int intraOpThreads = 0;

  /** What to do with texts longer than the model's maximum length. */
  private LongInputPolicy longInputPolicy = LongInputPolicy.TRUNCATE;

  /** How a document's metadata is formatted into the text embedded (Spring AI's MetadataMode). */
  private MetadataMode metadataMode = MetadataMode.EMBED;

  /**
   * Whether embed(String), which Spring AI's vector stores call with the search query, embeds a
   * query (the model's query prompt) rather than a document (the same vector as embed(Document)).
   */
  private boolean stringsAsQueries = false;

  /** {@return the bundled model's name, or null} */
  public String getModel() {
    return model;
  }

  /** @param model the bundled model's name */
  public void setModel(String model) {
    this.model = model;
  }

  /** {@return the model folder, or null} */
  public Path getModelFolder() {
    return modelFolder;
  }

  /** @param modelFolder the model folder */
  public void setModelFolder(Path modelFolder) {
    this.modelFolder = modelFolder;
  }

  /** {@return the Matryoshka dimension, or null for the model's} */
  public Integer getDimension() {
    return dimension;
  }

  /** @param dimension the Matryoshka dimension */
  public void setDimension(Integer dimension) {
    this.dimension = dimension;
  }

  /** {@return the query task} */
  public String getQueryTask() {
    return queryTask;
  }

  /** @param queryTask the query task */
  public void setQueryTask(String queryTask) {
    this.queryTask = queryTask;
  }

  /** {@return ONNX Runtime's intra-op threads (0: its choice)} */
  public int getIntraOpThreads() {
    return intraOpThreads;
  }

  /** @param intraOpThreads ONNX Runtime's intra-op threads */
  public void setIntraOpThreads(int intraOpThreads) {
    this.intraOpThreads = intraOpThreads;
  }

  /** {@return the long-input policy} */
  public LongInputPolicy getLongInputPolicy() {
    return longInputPolicy;
  }

  /** @param longInputPolicy the long-input policy */
  public void setLongInputPolicy(LongInputPolicy longInputPolicy) {
    this.longInputPolicy = longInputPolicy;
  }

  /** {@return the metadata mode documents are formatted with} */
  public MetadataMode getMetadataMode() {
    return metadataMode;
  }

  /** @param metadataMode the metadata mode documents are formatted with */
  public void setMetadataMode(MetadataMode metadataMode) {
    this.metadataMode = metadataMode;
  }

  /** {@return whether embed(String) embeds queries} */
  public boolean isStringsAsQueries() {
    return stringsAsQueries;
  }

  /** @param stringsAsQueries whether embed(String) embeds queries */
  public void setStringsAsQueries(boolean stringsAsQueries) {
    this.stringsAsQueries = stringsAsQueries;
  }
}
