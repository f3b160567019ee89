package dev.gecko4j.spring;

import dev.gecko4j.core.Embedder;
import dev.gecko4j.core.TaskPrompt;
import dev.gecko4j.onnx.OnnxEmbedder;
import dev.gecko4j.onnx.adapter.AdaptedEmbedder;
import dev.gecko4j.onnx.adapter.EmbeddingModelBuilder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
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

  private final AdaptedEmbedder model;

  private GeckoEmbeddingModel(AdaptedEmbedder model) {
    this.model = model;
    this.embeddingDimensions.set(model.dimension());
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
        && g.inputType() == GeckoEmbeddingOptions.InputType.QUERY ? model.queryPrompt()
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
    return embed(List.of(text), List.of(model.queryPrompt()), null).get(0);
  }

  /**
   * Embeds a document's text as a document, titled by its metadata key {@value #TITLE_KEY}.
   *
   * @param document the document; not null, with text
   * @return its embedding, {@link #dimensions()} values
   * @throws IllegalArgumentException if {@code document} or its text is null, or its
   *     {@value #TITLE_KEY} metadata is not a {@code String} (naming the key and the value's type;
   *     the LangChain4j adapter rejects it the same way)
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
   *     index), a {@value #TITLE_KEY} metadata value is not a {@code String} (naming the index,
   *     the key and the value's type), or the options are invalid for this model
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
      if (title != null && !(title instanceof String)) {
        throw new IllegalArgumentException("documents[" + i + "] metadata '" + TITLE_KEY
            + "' must be a String (the document title), but is " + title.getClass().getName()
            + ": " + title);
      }
      prompts.add(TaskPrompt.document((String) title));
    }
    return embed(texts, prompts, options);
  }

  /** {@return the configured number of values per embedding; runs no model} */
  @Override
  public int dimensions() {
    return model.dimension();
  }

  /** {@return the model's name: the bundled name, the model folder, or the embedder's class} */
  public String modelName() {
    return model.name();
  }

  /** {@return the embedder behind this model} */
  public Embedder embedder() {
    return model.embedder();
  }

  /** {@return the query task rendered on queries} */
  public String queryTask() {
    return model.queryPrompt().task();
  }

  /** Closes the embedder if this model built it; idempotent. */
  @Override
  public void close() {
    model.close();
  }

  @Override
  public String toString() {
    return model.describe("dimensions");
  }

  private EmbeddingResponse response(List<float[]> vectors) {
    List<Embedding> out = new ArrayList<>(vectors.size());
    for (int i = 0; i < vectors.size(); i++) {
      out.add(new Embedding(vectors.get(i), i));
    }
    return new EmbeddingResponse(out, new EmbeddingResponseMetadata(model.name(), new EmptyUsage()));
  }

  private List<float[]> embed(List<String> texts, List<TaskPrompt> prompts,
      EmbeddingOptions options) {
    Integer asked = null;
    if (options != null) {
      if (options.getModel() != null && !options.getModel().equals(model.name())) {
        throw new IllegalArgumentException("options ask for model '" + options.getModel()
            + "', but this EmbeddingModel runs '" + model.name() + "'");
      }
      asked = options.getDimensions();
    }
    return model.embed(texts, prompts, model.dimensionFor(asked));
  }

  /**
   * Builds a {@link GeckoEmbeddingModel}: one source (a bundled model, a model folder or an
   * embedder; default the bundled {@code bge-small-en-v1.5}), the query task, a Matryoshka
   * dimension, and for a model it loads, ONNX Runtime's intra-op threads and the long-input policy
   * (see {@link EmbeddingModelBuilder} for the setters). Setters return this builder; {@link
   * #build()} checks the combination.
   */
  public static final class Builder
      extends EmbeddingModelBuilder<Builder, GeckoEmbeddingModel> {

    private Builder() {
      super(GeckoEmbeddingModel::new);
    }
  }
}
