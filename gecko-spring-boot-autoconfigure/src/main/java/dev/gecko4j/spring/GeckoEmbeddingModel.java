package dev.gecko4j.spring;

import dev.gecko4j.core.Embedder;
import dev.gecko4j.core.TaskPrompt;
import dev.gecko4j.onnx.LongInputPolicy;
import dev.gecko4j.onnx.Models;
import dev.gecko4j.onnx.OnnxEmbedder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.springframework.ai.chat.metadata.EmptyUsage;
import org.springframework.ai.document.Document;
import org.springframework.ai.embedding.AbstractEmbeddingModel;
import org.springframework.ai.embedding.BatchingStrategy;
import org.springframework.ai.embedding.Embedding;
import org.springframework.ai.embedding.EmbeddingOptions;
import org.springframework.ai.embedding.EmbeddingRequest;
import org.springframework.ai.embedding.EmbeddingResponse;
import org.springframework.ai.embedding.EmbeddingResponseMetadata;

/**
 * gecko4j as a Spring AI {@link org.springframework.ai.embedding.EmbeddingModel}: an
 * {@link Embedder} (by default an {@link OnnxEmbedder} on a bundled model or a model folder) with
 * the model's own prompt convention, batching and Matryoshka dimensions. With the starter on the
 * classpath Spring Boot creates one from the {@code gecko4j.embedding.*} properties (see
 * {@link GeckoEmbeddingAutoConfiguration}).
 *
 * <p><b>Queries and documents.</b> Spring AI has no input type of its own, so this model follows
 * how Spring AI's vector stores call it: {@link #embed(String)} (what a {@code VectorStore}'s
 * similarity search calls with the query) renders the text as a <b>query</b>, with the configured
 * query task (default {@value TaskPrompt#SEARCH_RESULT}); {@link #embed(Document)} and
 * {@link #embed(List, EmbeddingOptions, BatchingStrategy)} (what {@code VectorStore.add} calls)
 * render <b>documents</b>, titled by the metadata key {@value #TITLE_KEY} when present.
 * {@link #call(EmbeddingRequest)} embeds its texts as untitled documents unless its options are
 * {@link GeckoEmbeddingOptions} with {@link GeckoEmbeddingOptions.InputType#QUERY}.
 *
 * <p><b>Dimensions.</b> {@link #dimensions()} is the configured dimension (the model's, or the
 * Matryoshka dimension set on the builder), known without running the model.
 * {@link EmbeddingOptions#getDimensions()} asks for another truncation per call, between 1 and the
 * embedder's dimension: the first values, renormalised to unit length. A request naming another
 * model ({@link EmbeddingOptions#getModel()}) is rejected.
 *
 * <p>Thread-safe. {@link #close()} closes an embedder the model built (Spring calls it when the
 * context closes); an embedder given to {@link Builder#embedder(Embedder)} stays the caller's.
 */
public final class GeckoEmbeddingModel extends AbstractEmbeddingModel implements AutoCloseable {

  /** The {@link Document} metadata key whose string value is the document title. */
  public static final String TITLE_KEY = "title";

  private final Embedder embedder;
  private final boolean ownsEmbedder;
  private final String modelName;
  private final int embedderDimension;
  private final int dimension;
  private final TaskPrompt queryPrompt;

  private GeckoEmbeddingModel(Embedder embedder, boolean ownsEmbedder, String modelName,
      int dimension, String queryTask) {
    this.embedder = embedder;
    this.ownsEmbedder = ownsEmbedder;
    this.modelName = modelName;
    this.embedderDimension = embedder.dimension();
    this.dimension = dimension;
    this.queryPrompt = TaskPrompt.query(queryTask);
    this.embeddingDimensions.set(dimension);
  }

  /** {@return a new builder; with nothing set it loads the bundled {@code bge-small-en-v1.5}} */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Embeds the request's texts: as queries when its options are {@link GeckoEmbeddingOptions}
   * with {@code QUERY}, else as untitled documents; truncated to the options' dimensions if set.
   *
   * @param request the request; not null, no null text
   * @return one embedding per text, indexed in input order, with this model's name in the metadata
   * @throws IllegalArgumentException if the request or a text is null, the options name another
   *     model, or their dimensions are not between 1 and the embedder's dimension
   */
  @Override
  public EmbeddingResponse call(EmbeddingRequest request) {
    if (request == null || request.getInstructions() == null) {
      throw new IllegalArgumentException("request and its texts must not be null");
    }
    EmbeddingOptions options = request.getOptions();
    TaskPrompt prompt = options instanceof GeckoEmbeddingOptions g
        && g.inputType() == GeckoEmbeddingOptions.InputType.QUERY ? queryPrompt
        : TaskPrompt.document();
    List<String> texts = request.getInstructions();
    return response(embed(texts, Collections.nCopies(texts.size(), prompt), options));
  }

  /**
   * Embeds {@code text} as a <b>query</b> (what Spring AI's vector stores call for a similarity
   * search).
   *
   * @param text the query; not null
   * @return its embedding, {@link #dimensions()} values
   * @throws IllegalArgumentException if {@code text} is null
   */
  @Override
  public float[] embed(String text) {
    if (text == null) {
      throw new IllegalArgumentException("text must not be null");
    }
    return embed(List.of(text), List.of(queryPrompt), null).get(0);
  }

  /**
   * Embeds a document's text as a document, titled by its metadata key {@value #TITLE_KEY}.
   *
   * @param document the document; not null, with text
   * @return its embedding, {@link #dimensions()} values
   * @throws IllegalArgumentException if {@code document} or its text is null
   */
  @Override
  public float[] embed(Document document) {
    if (document == null) {
      throw new IllegalArgumentException("document must not be null");
    }
    return embed(List.of(document), null, null).get(0);
  }

  /**
   * Embeds documents as documents (titled as in {@link #embed(Document)}) in one call of the
   * embedder, which batches by tokens itself ({@code batchingStrategy} is not needed and ignored).
   *
   * @param documents the documents; not null, no null element
   * @param options may be null; its dimensions, if set, truncate the embeddings
   * @param batchingStrategy ignored (may be null)
   * @return one embedding per document, in input order
   * @throws IllegalArgumentException if the list, an element or its text is null (naming its
   *     index), or the options are invalid for this model
   */
  @Override
  public List<float[]> embed(List<Document> documents, EmbeddingOptions options,
      BatchingStrategy batchingStrategy) {
    if (documents == null) {
      throw new IllegalArgumentException("documents must not be null");
    }
    List<String> texts = new ArrayList<>(documents.size());
    List<TaskPrompt> prompts = new ArrayList<>(documents.size());
    for (int i = 0; i < documents.size(); i++) {
      Document d = documents.get(i);
      if (d == null || d.getText() == null) {
        throw new IllegalArgumentException("documents[" + i + "] must be a document with text, "
            + "but is: " + d);
      }
      texts.add(d.getText());
      Object title = d.getMetadata().get(TITLE_KEY);
      prompts.add(TaskPrompt.document(title instanceof String s ? s : null));
    }
    return embed(texts, prompts, options);
  }

  /** {@return the configured number of values per embedding; runs no model} */
  @Override
  public int dimensions() {
    return dimension;
  }

  /** {@return the model's name: the bundled name, the model folder, or the embedder's class} */
  public String modelName() {
    return modelName;
  }

  /** {@return the embedder behind this model} */
  public Embedder embedder() {
    return embedder;
  }

  /** {@return the query task rendered on queries} */
  public String queryTask() {
    return queryPrompt.task();
  }

  /** Closes the embedder if this model built it; idempotent. */
  @Override
  public void close() {
    if (ownsEmbedder) {
      embedder.close();
    }
  }

  @Override
  public String toString() {
    return "GeckoEmbeddingModel[" + modelName + ", dimensions=" + dimension + ", queryTask='"
        + queryPrompt.task() + "']";
  }

  private EmbeddingResponse response(List<float[]> vectors) {
    List<Embedding> out = new ArrayList<>(vectors.size());
    for (int i = 0; i < vectors.size(); i++) {
      out.add(new Embedding(vectors.get(i), i));
    }
    return new EmbeddingResponse(out, new EmbeddingResponseMetadata(modelName, new EmptyUsage()));
  }

  private List<float[]> embed(List<String> texts, List<TaskPrompt> prompts,
      EmbeddingOptions options) {
    int dims = dimension;
    if (options != null) {
      if (options.getModel() != null && !options.getModel().equals(modelName)) {
        throw new IllegalArgumentException("options ask for model '" + options.getModel()
            + "', but this EmbeddingModel runs '" + modelName + "'");
      }
      Integer asked = options.getDimensions();
      if (asked != null) {
        if (asked < 1 || asked > embedderDimension) {
          throw new IllegalArgumentException(String.format(Locale.ROOT,
              "dimensions must be between 1 and %d (the dimension of %s), but is: %d",
              embedderDimension, modelName, asked));
        }
        dims = asked;
      }
    }
    for (int i = 0; i < texts.size(); i++) {
      if (texts.get(i) == null) {
        throw new IllegalArgumentException("texts[" + i + "] must not be null");
      }
    }
    if (texts.isEmpty()) {
      return List.of();
    }
    List<dev.gecko4j.core.Embedding> ours = embedder.embedAll(texts, prompts);
    List<float[]> out = new ArrayList<>(ours.size());
    for (dev.gecko4j.core.Embedding e : ours) {
      out.add(dims == e.dimension() ? e.toArray() : e.truncate(dims).toArray());
    }
    return out;
  }

  /**
   * Builds a {@link GeckoEmbeddingModel}: one source (a bundled model, a model folder or an
   * embedder; default the bundled {@code bge-small-en-v1.5}), the query task, a Matryoshka
   * dimension, and for a model it loads, ONNX Runtime's intra-op threads and the long-input policy.
   * Setters return this builder; {@link #build()} checks the combination.
   */
  public static final class Builder {
    private String model;
    private Path modelFolder;
    private Embedder embedder;
    private String queryTask = TaskPrompt.SEARCH_RESULT;
    private int dimension;
    private int intraOpThreads;
    private LongInputPolicy longInputPolicy = LongInputPolicy.TRUNCATE;

    private Builder() { }

    /**
     * Uses a bundled model, e.g. {@code bge-small-en-v1.5}, {@code bge-small-en-v1.5-q}.
     *
     * @param bundledName the model's name or constant name, ignoring case; not null
     * @return this builder
     * @throws IllegalArgumentException if no bundled model has that name (the message lists them)
     */
    public Builder model(String bundledName) {
      Models.byName(bundledName);
      this.model = bundledName;
      return this;
    }

    /**
     * Uses a HuggingFace / sentence-transformers model folder (e.g. written by {@code gecko train}).
     *
     * @param folder the folder; not null (checked when the model loads)
     * @return this builder
     * @throws IllegalArgumentException if {@code folder} is null
     */
    public Builder modelFolder(Path folder) {
      if (folder == null) {
        throw new IllegalArgumentException("modelFolder must not be null");
      }
      this.modelFolder = folder;
      return this;
    }

    /**
     * Uses an embedder the caller owns; {@link GeckoEmbeddingModel#close()} leaves it open.
     *
     * @param embedder the embedder; not null
     * @return this builder
     * @throws IllegalArgumentException if {@code embedder} is null
     */
    public Builder embedder(Embedder embedder) {
      if (embedder == null) {
        throw new IllegalArgumentException("embedder must not be null");
      }
      this.embedder = embedder;
      return this;
    }

    /**
     * Sets the task of the query prompt (default {@value TaskPrompt#SEARCH_RESULT}).
     *
     * @param task a non-blank task description
     * @return this builder
     * @throws IllegalArgumentException if {@code task} is null or blank
     */
    public Builder queryTask(String task) {
      if (task == null || task.isBlank()) {
        throw new IllegalArgumentException("queryTask must be a non-blank string, but is: "
            + (task == null ? "null" : "'" + task + "'") + "; known tasks are "
            + TaskPrompt.KNOWN_TASKS);
      }
      this.queryTask = task;
      return this;
    }

    /**
     * Sets a Matryoshka dimension, checked against the model's at {@link #build()}.
     *
     * @param dimension {@code >= 1}
     * @return this builder
     * @throws IllegalArgumentException if {@code dimension < 1}
     */
    public Builder dimension(int dimension) {
      if (dimension < 1) {
        throw new IllegalArgumentException("dimension must be >= 1, but is: " + dimension);
      }
      this.dimension = dimension;
      return this;
    }

    /**
     * Sets ONNX Runtime's intra-op threads of a model this builder loads (default 0: ONNX Runtime
     * chooses).
     *
     * @param threads between 0 and 1024
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder intraOpThreads(int threads) {
      if (threads < 0 || threads > 1024) {
        throw new IllegalArgumentException(
            "intraOpThreads must be between 0 and 1024, but is: " + threads);
      }
      this.intraOpThreads = threads;
      return this;
    }

    /**
     * Sets what a model this builder loads does with texts over its maximum length (default
     * {@link LongInputPolicy#TRUNCATE}).
     *
     * @param policy the policy; not null
     * @return this builder
     * @throws IllegalArgumentException if {@code policy} is null
     */
    public Builder longInputPolicy(LongInputPolicy policy) {
      if (policy == null) {
        throw new IllegalArgumentException("longInputPolicy must not be null; expected one of "
            + List.of(LongInputPolicy.values()));
      }
      this.longInputPolicy = policy;
      return this;
    }

    /**
     * Loads the model (unless an embedder was given) and builds the embedding model.
     *
     * @return the model
     * @throws IllegalStateException if more than one of model, modelFolder and embedder is set
     * @throws IllegalArgumentException if the dimension exceeds the embedder's
     * @throws dev.gecko4j.onnx.ModelLoadException if the model cannot be loaded
     */
    public GeckoEmbeddingModel build() {
      int sources = (model != null ? 1 : 0) + (modelFolder != null ? 1 : 0)
          + (embedder != null ? 1 : 0);
      if (sources > 1) {
        throw new IllegalStateException("set only one of model(" + model + "), modelFolder("
            + modelFolder + ") and embedder(" + embedder + ")");
      }
      Embedder e = embedder;
      String name;
      if (e == null) {
        OnnxEmbedder.Builder b = OnnxEmbedder.builder().intraOpThreads(intraOpThreads)
            .longInputPolicy(longInputPolicy);
        b = modelFolder != null ? b.modelFolder(modelFolder)
            : b.model(model != null ? Models.byName(model) : Models.BGE_SMALL_EN_V15);
        OnnxEmbedder onnx = b.build();
        e = onnx;
        name = onnx.modelName();
      } else {
        name = e instanceof OnnxEmbedder o ? o.modelName() : e.getClass().getSimpleName();
      }
      int full = e.dimension();
      if (dimension > full) {
        if (embedder == null) {
          e.close();
        }
        throw new IllegalArgumentException(String.format(Locale.ROOT,
            "dimension must be between 1 and %d (the dimension of %s), but is: %d", full, name,
            dimension));
      }
      return new GeckoEmbeddingModel(e, embedder == null, name,
          dimension > 0 ? dimension : full, queryTask);
    }
  }
}
