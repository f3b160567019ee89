package dev.gecko4j.spring;

import dev.gecko4j.core.Embedder;
import dev.gecko4j.core.TaskPrompt;
import dev.gecko4j.onnx.OnnxEmbedder;
import dev.gecko4j.onnx.adapter.AdaptedEmbedder;
import dev.gecko4j.onnx.adapter.EmbeddingModelBuilder;
import io.micrometer.observation.ObservationRegistry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.springframework.ai.chat.metadata.DefaultUsage;
import org.springframework.ai.document.Document;
import org.springframework.ai.document.MetadataMode;
import org.springframework.ai.embedding.AbstractEmbeddingModel;
import org.springframework.ai.embedding.BatchingStrategy;
import org.springframework.ai.embedding.Embedding;
import org.springframework.ai.embedding.EmbeddingOptions;
import org.springframework.ai.embedding.EmbeddingRequest;
import org.springframework.ai.embedding.EmbeddingResponse;
import org.springframework.ai.embedding.EmbeddingResponseMetadata;
import org.springframework.ai.embedding.observation.DefaultEmbeddingModelObservationConvention;
import org.springframework.ai.embedding.observation.EmbeddingModelObservationContext;
import org.springframework.ai.embedding.observation.EmbeddingModelObservationConvention;
import org.springframework.ai.embedding.observation.EmbeddingModelObservationDocumentation;
import org.springframework.ai.observation.conventions.AiProvider;

/**
 * gecko4j as a Spring AI {@link org.springframework.ai.embedding.EmbeddingModel}: an
 * {@link Embedder} (by default an {@link OnnxEmbedder} on a bundled model or a model folder) with
 * the model's own prompt convention, batching and Matryoshka dimensions. With the starter on the
 * classpath Spring Boot creates one from the {@code gecko4j.embedding.*} properties (see
 * {@link GeckoEmbeddingAutoConfiguration}).
 *
 * <p><b>Queries and documents.</b> Spring AI has no input type of its own, so by default every
 * entry point embeds a <b>document</b>, and the same text gives the same vector through {@link
 * #embed(String)}, {@link #embed(Document)} (a document without metadata other than its title),
 * {@link #embed(List, EmbeddingOptions, BatchingStrategy)} and {@link #call(EmbeddingRequest)}.
 * Queries get the model's query prompt (the configured query task, default {@value
 * TaskPrompt#SEARCH_RESULT}, rendered as the model was trained: BGE's instruction, E5's {@code
 * query: }) when asked for: {@link Builder#stringsAsQueries(boolean)} (property {@code
 * gecko4j.embedding.strings-as-queries}) makes {@link #embed(String)}, which Spring AI's vector
 * stores call with the search query, embed a query; {@link GeckoEmbeddingOptions#query()} does it
 * for one {@link #call(EmbeddingRequest)}. Documents are titled by their metadata key {@value
 * #TITLE_KEY} when present.
 *
 * <p><b>Document metadata.</b> A document's text is formatted with its metadata as Spring AI's
 * models do, {@code document.getFormattedContent(formatter, metadataMode)}, with the configured
 * {@link MetadataMode} ({@link Builder#metadataMode(MetadataMode)}, property {@code
 * gecko4j.embedding.metadata-mode}; default {@link MetadataMode#EMBED}, the mode Spring AI's
 * remote embedding models default to), the title key left out (it is the prompt's title).
 *
 * <p><b>Dimensions.</b> {@link #dimensions()} is the configured dimension (the model's, or the
 * Matryoshka dimension set on the builder), known without running the model.
 * {@link EmbeddingOptions#getDimensions()} asks for another truncation per call, between 1 and the
 * embedder's dimension: the first values, renormalised to unit length. An options {@code model}
 * naming another model is ignored, as Spring AI's own local {@code TransformersEmbeddingModel}
 * ignores it: this model runs its one model, and every response names it in its metadata.
 *
 * <p><b>Usage and observations.</b> Every {@link EmbeddingResponse} reports its usage: the input
 * tokens the model's tokenizer counted (prompt and special tokens included, after truncation) as
 * prompt and total tokens ({@code 0} for an {@link Builder#embedder(Embedder) embedder of your
 * own} that is not gecko4j's ONNX embedder). Every entry point is observed through the {@link
 * Builder#observationRegistry(ObservationRegistry) ObservationRegistry} (the application's, with
 * the starter) as Spring AI's own models are: {@link
 * EmbeddingModelObservationDocumentation#EMBEDDING_MODEL_OPERATION} with provider {@code onnx},
 * Spring AI's default embedding convention or {@link
 * Builder#observationConvention(EmbeddingModelObservationConvention) yours}, so the {@code
 * gen_ai.client.operation} timer and span and the token-usage meters appear.
 *
 * <p><b>Batching.</b> {@link #embed(List, EmbeddingOptions, BatchingStrategy)} consults the
 * given {@link BatchingStrategy} as Spring AI's default method does (so {@code
 * TokenCountBatchingStrategy} refuses a document over its token limit instead of it being
 * truncated silently) and embeds each of its batches in one call of the embedder, which forms its
 * own padded batches by token count inside.
 *
 * <p>Thread-safe. {@link #close()} closes an embedder the model built (Spring calls it when the
 * context closes); an embedder given to {@link Builder#embedder(Embedder)} stays the caller's.
 */
public final class GeckoEmbeddingModel extends AbstractEmbeddingModel implements AutoCloseable {

  /** The {@link Document} metadata key whose string value is the document title. */
  public static final String TITLE_KEY = "title";

  private static final EmbeddingModelObservationConvention DEFAULT_CONVENTION =
      new DefaultEmbeddingModelObservationConvention();

  private final AdaptedEmbedder model;
  private final ObservationRegistry observationRegistry;
  private final EmbeddingModelObservationConvention observationConvention;
  private final MetadataMode metadataMode;
  private final boolean stringsAsQueries;

  private GeckoEmbeddingModel(AdaptedEmbedder model, Builder.Settings settings) {
    this.model = model;
    this.observationRegistry = settings.registry;
    this.observationConvention = settings.convention;
    this.metadataMode = settings.metadataMode;
    this.stringsAsQueries = settings.stringsAsQueries;
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
   * @return one embedding per text, indexed in input order, with this model's name and the input
   *     token usage in the metadata
   * @throws IllegalArgumentException if the request or a text is null, or the options' dimensions
   *     are not between 1 and the embedder's dimension
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
    return observed(request, () -> embed(texts, Collections.nCopies(texts.size(), prompt), options));
  }

  /**
   * Embeds {@code text} as an untitled document, or as a <b>query</b> when the model was built
   * with {@link Builder#stringsAsQueries(boolean) stringsAsQueries} (Spring AI's vector stores call
   * this with the search query).
   *
   * @param text the text; not null
   * @return its embedding, {@link #dimensions()} values
   * @throws IllegalArgumentException if {@code text} is null
   */
  @Override
  public float[] embed(String text) {
    if (text == null) {
      throw new IllegalArgumentException("text must not be null");
    }
    List<String> texts = List.of(text);
    return observed(new EmbeddingRequest(texts, null),
        () -> embed(texts, List.of(stringsAsQueries ? model.queryPrompt() : TaskPrompt.document()),
            null)).getResult().getOutput();
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
   * Embeds documents as documents (titled as in {@link #embed(Document)}): the {@code
   * batchingStrategy} splits them (and may refuse one, as {@code TokenCountBatchingStrategy} does a
   * document over its limit), then each batch is one observed call of the embedder.
   *
   * @param documents the documents; not null, no null element
   * @param options may be null; its dimensions, if set, truncate the embeddings
   * @param batchingStrategy how to split the documents; null embeds them as one batch
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
      texts.add(formatted(d));
      Object title = d.getMetadata().get(TITLE_KEY);
      if (title != null && !(title instanceof String)) {
        throw new IllegalArgumentException("documents[" + i + "] metadata '" + TITLE_KEY
            + "' must be a String (the document title), but is " + title.getClass().getName()
            + ": " + title);
      }
      prompts.add(TaskPrompt.document((String) title));
    }
    if (batchingStrategy == null) {
      return vectors(observed(new EmbeddingRequest(texts, options),
          () -> embed(texts, prompts, options)));
    }
    Map<Document, Integer> index = new IdentityHashMap<>();
    for (int i = 0; i < documents.size(); i++) {
      index.putIfAbsent(documents.get(i), i);
    }
    float[][] out = new float[documents.size()][];
    for (List<Document> batch : batchingStrategy.batch(documents)) {
      List<String> batchTexts = new ArrayList<>(batch.size());
      List<TaskPrompt> batchPrompts = new ArrayList<>(batch.size());
      for (Document d : batch) {
        Integer i = index.get(d);
        if (i == null) {
          throw new IllegalStateException("the batching strategy " + batchingStrategy
              + " returned a document that was not given: " + d);
        }
        batchTexts.add(texts.get(i));
        batchPrompts.add(prompts.get(i));
      }
      List<float[]> vectors = vectors(observed(new EmbeddingRequest(batchTexts, options),
          () -> embed(batchTexts, batchPrompts, options)));
      for (int j = 0; j < batch.size(); j++) {
        out[index.get(batch.get(j))] = vectors.get(j);
      }
    }
    for (int i = 0; i < out.length; i++) {
      if (out[i] == null) { // the same Document object twice: one vector for both
        out[i] = out[index.get(documents.get(i))].clone();
      }
    }
    return List.of(out);
  }

  /** The text with its metadata as the metadata mode asks, the title left to the prompt. */
  private String formatted(Document d) {
    Map<String, Object> metadata = d.getMetadata();
    if (metadataMode == MetadataMode.NONE || metadata.isEmpty()
        || (metadata.size() == 1 && metadata.containsKey(TITLE_KEY))) {
      return d.getText();
    }
    Map<String, Object> rest = new HashMap<>(metadata);
    rest.remove(TITLE_KEY);
    return d.mutate().metadata(rest).build()
        .getFormattedContent(d.getContentFormatter(), metadataMode);
  }

  /** {@return the metadata mode documents are formatted with} */
  public MetadataMode metadataMode() {
    return metadataMode;
  }

  /** {@return whether {@link #embed(String)} embeds queries (else documents)} */
  public boolean stringsAsQueries() {
    return stringsAsQueries;
  }

  private static List<float[]> vectors(EmbeddingResponse response) {
    List<float[]> out = new ArrayList<>(response.getResults().size());
    for (Embedding e : response.getResults()) {
      out.add(e.getOutput());
    }
    return out;
  }

  /**
   * The request as observed: the model its options asked for (the request model of Spring AI's
   * conventions; the response names the model that ran), or this model's when they name none.
   */
  private EmbeddingRequest naming(EmbeddingRequest request) {
    EmbeddingOptions options = request.getOptions();
    if (options != null && options.getModel() != null) {
      return request;
    }
    return new EmbeddingRequest(request.getInstructions(), EmbeddingOptions.builder()
        .model(model.name()).dimensions(options == null ? null : options.getDimensions()).build());
  }

  /** Runs {@code work} as one observation of {@code request}: Spring AI's embedding operation. */
  private EmbeddingResponse observed(EmbeddingRequest request,
      Supplier<AdaptedEmbedder.Vectors> work) {
    EmbeddingModelObservationContext context = EmbeddingModelObservationContext.builder()
        .embeddingRequest(naming(request))
        .provider(AiProvider.ONNX.value())
        .build();
    return EmbeddingModelObservationDocumentation.EMBEDDING_MODEL_OPERATION
        .observation(observationConvention, DEFAULT_CONVENTION, () -> context, observationRegistry)
        .observe(() -> {
          EmbeddingResponse response = response(work.get());
          context.setResponse(response);
          return response;
        });
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

  private EmbeddingResponse response(AdaptedEmbedder.Vectors vectors) {
    List<Embedding> out = new ArrayList<>(vectors.vectors().size());
    for (int i = 0; i < vectors.vectors().size(); i++) {
      out.add(new Embedding(vectors.vectors().get(i), i));
    }
    int tokens = vectors.inputTokensInt();
    return new EmbeddingResponse(out,
        new EmbeddingResponseMetadata(model.name(), new DefaultUsage(tokens, 0, tokens)));
  }

  /** Embeds; an options model naming another model is ignored, as TransformersEmbeddingModel does. */
  private AdaptedEmbedder.Vectors embed(List<String> texts, List<TaskPrompt> prompts,
      EmbeddingOptions options) {
    Integer asked = options == null ? null : options.getDimensions();
    return model.embedCounted(texts, prompts, model.dimensionFor(asked));
  }

  /**
   * Builds a {@link GeckoEmbeddingModel}: one source (a bundled model, a model folder or an
   * embedder; default the bundled {@code bge-small-en-v1.5}), the query task, a Matryoshka
   * dimension, and for a model it loads, ONNX Runtime's intra-op threads and the long-input policy
   * (see {@link EmbeddingModelBuilder} for the setters), the {@link #observationRegistry
   * ObservationRegistry} and {@link #observationConvention convention}. Setters return this
   * builder; {@link #build()} checks the combination.
   */
  public static final class Builder
      extends EmbeddingModelBuilder<Builder, GeckoEmbeddingModel> {

    private final Settings settings;

    private Builder() {
      this(new Settings());
    }

    private Builder(Settings settings) {
      super(adapted -> new GeckoEmbeddingModel(adapted, settings.copy()));
      this.settings = settings;
    }

    /**
     * Sets how a document's metadata is formatted into the text embedded (Spring AI's {@code
     * Document.getFormattedContent}); default {@link MetadataMode#EMBED}.
     *
     * @param mode the mode; not null
     * @return this builder
     * @throws IllegalArgumentException if {@code mode} is null
     */
    public Builder metadataMode(MetadataMode mode) {
      if (mode == null) {
        throw new IllegalArgumentException("metadataMode must not be null (one of "
            + java.util.Arrays.toString(MetadataMode.values()) + ")");
      }
      settings.metadataMode = mode;
      return this;
    }

    /**
     * Makes {@link GeckoEmbeddingModel#embed(String)} embed a query (the model's query prompt),
     * as a vector store's similarity search wants; default false: a document, the same vector as
     * {@code embed(new Document(text))}.
     *
     * @param asQueries whether strings are queries
     * @return this builder
     */
    public Builder stringsAsQueries(boolean asQueries) {
      settings.stringsAsQueries = asQueries;
      return this;
    }

    /**
     * Sets the registry every embedding call is observed through; default {@link
     * ObservationRegistry#NOOP} (the starter passes the application's).
     *
     * @param registry the registry; not null
     * @return this builder
     * @throws IllegalArgumentException if {@code registry} is null
     */
    public Builder observationRegistry(ObservationRegistry registry) {
      if (registry == null) {
        throw new IllegalArgumentException("observationRegistry must not be null");
      }
      settings.registry = registry;
      return this;
    }

    /**
     * Sets the observation convention; default Spring AI's {@link
     * DefaultEmbeddingModelObservationConvention}.
     *
     * @param convention the convention; not null
     * @return this builder
     * @throws IllegalArgumentException if {@code convention} is null
     */
    public Builder observationConvention(EmbeddingModelObservationConvention convention) {
      if (convention == null) {
        throw new IllegalArgumentException("observationConvention must not be null");
      }
      settings.convention = convention;
      return this;
    }

    /** What the factory reads at build time (set before super() can see this builder). */
    private static final class Settings {
      ObservationRegistry registry = ObservationRegistry.NOOP;
      EmbeddingModelObservationConvention convention = DEFAULT_CONVENTION;
      MetadataMode metadataMode = MetadataMode.EMBED;
      boolean stringsAsQueries;

      Settings copy() {
        Settings c = new Settings();
        c.registry = registry;
        c.convention = convention;
        c.metadataMode = metadataMode;
        c.stringsAsQueries = stringsAsQueries;
        return c;
      }
    }
  }
}
