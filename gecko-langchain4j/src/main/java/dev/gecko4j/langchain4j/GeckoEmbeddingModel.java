package dev.gecko4j.langchain4j;

import dev.gecko4j.core.Embedder;
import dev.gecko4j.core.TaskPrompt;
import dev.gecko4j.onnx.OnnxEmbedder;
import dev.gecko4j.onnx.adapter.AdaptedEmbedder;
import dev.gecko4j.onnx.adapter.EmbeddingModelBuilder;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.listener.EmbeddingModelListener;
import dev.langchain4j.model.embedding.request.EmbeddingInput;
import dev.langchain4j.model.embedding.request.EmbeddingInputType;
import dev.langchain4j.model.embedding.request.EmbeddingParameter;
import dev.langchain4j.model.embedding.request.EmbeddingRequest;
import dev.langchain4j.model.embedding.request.EmbeddingRequestParameters;
import dev.langchain4j.model.embedding.response.EmbeddingResponse;
import dev.langchain4j.model.embedding.response.EmbeddingResponseMetadata;
import dev.langchain4j.model.output.Response;
import dev.langchain4j.model.output.TokenUsage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;

/**
 * gecko4j as a LangChain4j {@link EmbeddingModel}: an {@link Embedder} (by default an
 * {@link OnnxEmbedder} on a bundled model or a model folder) behind LangChain4j's API, with the
 * model's own prompt convention, batching and Matryoshka dimensions.
 *
 * {@snippet lang=java :
 * try (GeckoEmbeddingModel model = GeckoEmbeddingModel.builder().model("bge-small-en-v1.5").build()) {
 *   EmbeddingStore<TextSegment> store = new InMemoryEmbeddingStore<>();
 *   EmbeddingStoreIngestor.builder().embeddingModel(model).embeddingStore(store).build()
 *       .ingest(Document.from("Geckos eat insects.", Metadata.from("title", "Diet")));
 *   ContentRetriever retriever = EmbeddingStoreContentRetriever.builder()
 *       .embeddingStore(store).embeddingModel(model)
 *       .embeddingInputType(EmbeddingInputType.QUERY) // queries get the query prompt
 *       .maxResults(3).build();
 *   List<Content> hits = retriever.retrieve(Query.from("what do geckos eat?"));
 * }
 * }
 *
 * <p><b>Queries and documents.</b> A request ({@link #embed(EmbeddingRequest)}) with
 * {@link EmbeddingInputType#QUERY} embeds its texts with {@code TaskPrompt.query(queryTask)}
 * (default task {@value TaskPrompt#SEARCH_RESULT}); {@link EmbeddingInputType#DOCUMENT}, and a
 * request without an input type, with {@code TaskPrompt.document()}. The model's
 * {@link dev.gecko4j.core.PromptConvention} renders these (BGE prepends its retrieval instruction
 * to queries only, E5 uses {@code query: } / {@code passage: }, Gecko models
 * {@code task: ... | query: ...} and {@code title: ... | text: ...}). <b>The plain methods
 * {@link #embed(String)}, {@link #embed(TextSegment)} and {@link #embedAll(List)} embed every text
 * as a document</b>, with the title taken from the segment's metadata key {@value #TITLE_KEY} when
 * present (LangChain4j's request type does not carry segment metadata, so requests embed documents
 * untitled). Embed queries with a {@code QUERY} request, which is what
 * {@code EmbeddingStoreContentRetriever.builder().embeddingInputType(EmbeddingInputType.QUERY)}
 * sends; a retriever without it embeds its queries as documents.
 *
 * <p><b>Dimensions.</b> Embeddings have {@link #dimension()} values: the model's, or the
 * {@link Builder#dimension(int) Matryoshka dimension} set on the builder. A request's
 * {@code dimensions} asks for another truncation, between 1 and the embedder's own dimension; the
 * result is the first {@code dimensions} values renormalised to unit length. Supported per-call
 * parameters: {@code dimensions} and {@code inputType}; LangChain4j rejects others (such as
 * {@code modelName}) with an {@code UnsupportedFeatureException}.
 *
 * <p><b>Token usage.</b> Every response reports its input tokens ({@link TokenUsage}, in
 * {@code Response.tokenUsage()} and {@code EmbeddingResponse.metadata().tokenUsage()}): the tokens
 * the model read, counted by its tokenizer (prompt and special tokens included, after truncation,
 * padding excluded), so code that sums {@code inputTokenCount()}, as LangChain4j's ingestor does,
 * works as with LangChain4j's own models. An {@link Builder#embedder(Embedder) embedder given to
 * the builder} that is not gecko4j's ONNX embedder is not tokenised here: its responses report 0.
 *
 * <p><b>Listeners.</b> {@link Builder#listeners(List)} (or {@code addListener}) are notified by
 * LangChain4j's {@link #embed(EmbeddingRequest)}, the request API.
 *
 * <p>Thread-safe. Holds native resources when it built its own embedder: close it (an embedder
 * passed to {@link Builder#embedder(Embedder)} stays open and remains the caller's to close).
 */
public final class GeckoEmbeddingModel implements EmbeddingModel, AutoCloseable {

  /** The {@link TextSegment} metadata key whose string value is the document title. */
  public static final String TITLE_KEY = "title";

  private static final Set<EmbeddingParameter<?>> SUPPORTED = Set.of(
      EmbeddingRequestParameters.DIMENSIONS, EmbeddingRequestParameters.INPUT_TYPE);

  private final AdaptedEmbedder model;
  private final List<EmbeddingModelListener> listeners;

  private GeckoEmbeddingModel(AdaptedEmbedder model, List<EmbeddingModelListener> listeners) {
    this.model = model;
    this.listeners = List.copyOf(listeners);
  }

  /**
   * {@return a new builder} With nothing set, {@link Builder#build()} loads the bundled
   * {@code bge-small-en-v1.5}.
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Embeds the texts of {@code textSegments} as documents, each titled by its metadata key
   * {@value #TITLE_KEY} when present, in one batched call of the embedder.
   *
   * @param textSegments the segments; neither the list nor any element may be null
   * @return one embedding of {@link #dimension()} values per segment, in input order, with the
   *     input token usage
   * @throws IllegalArgumentException if the list or an element is null (naming its index), or a
   *     segment's {@value #TITLE_KEY} metadata is not a {@code String} (naming the index, the key
   *     and the value's type; the Spring AI adapter rejects it the same way)
   * @throws IllegalStateException if the model is closed
   */
  @Override
  public Response<List<Embedding>> embedAll(List<TextSegment> textSegments) {
    if (textSegments == null) {
      throw new IllegalArgumentException("textSegments must not be null");
    }
    List<String> texts = new ArrayList<>(textSegments.size());
    List<TaskPrompt> prompts = new ArrayList<>(textSegments.size());
    for (int i = 0; i < textSegments.size(); i++) {
      TextSegment s = textSegments.get(i);
      if (s == null) {
        throw new IllegalArgumentException("textSegments[" + i + "] must not be null");
      }
      texts.add(s.text());
      prompts.add(TaskPrompt.document(title(s.metadata().toMap().get(TITLE_KEY), i)));
    }
    AdaptedEmbedder.Vectors out = model.embedCounted(texts, prompts, model.dimension());
    return Response.from(wrap(out.vectors()), new TokenUsage(out.inputTokensInt()));
  }

  /** The title metadata value: absent (null) or a String; anything else is an error naming it. */
  private static String title(Object value, int index) {
    if (value == null || value instanceof String) {
      return (String) value;
    }
    throw new IllegalArgumentException("textSegments[" + index + "] metadata '" + TITLE_KEY
        + "' must be a String (the document title), but is " + value.getClass().getName() + ": "
        + value);
  }

  /**
   * Embeds one segment as a document (titled as in {@link #embedAll(List)}).
   *
   * @param textSegment the segment; not null
   * @return its embedding
   * @throws IllegalArgumentException if {@code textSegment} is null, or its {@value #TITLE_KEY}
   *     metadata is not a {@code String}
   */
  @Override
  public Response<Embedding> embed(TextSegment textSegment) {
    if (textSegment == null) {
      throw new IllegalArgumentException("textSegment must not be null");
    }
    Response<List<Embedding>> all = embedAll(List.of(textSegment));
    return Response.from(all.content().get(0), all.tokenUsage());
  }

  /**
   * Embeds one text as an untitled document.
   *
   * @param text the text; not null
   * @return its embedding
   * @throws IllegalArgumentException if {@code text} is null
   */
  @Override
  public Response<Embedding> embed(String text) {
    if (text == null) {
      throw new IllegalArgumentException("text must not be null");
    }
    return embed(TextSegment.from(text));
  }

  /**
   * Embeds a request's inputs (called by {@link #embed(EmbeddingRequest)} after LangChain4j has
   * checked the parameters against {@link #supportedParameters()}): {@code QUERY} with the query
   * prompt, {@code DOCUMENT} or no input type as untitled documents, truncated to the request's
   * {@code dimensions} when given.
   *
   * @param request the request; not null
   * @return one embedding per input, in input order, with this model's name and the input token
   *     usage in the metadata
   * @throws IllegalArgumentException if {@code request} is null, or its {@code dimensions} is not
   *     between 1 and the embedder's dimension
   */
  @Override
  public EmbeddingResponse doEmbed(EmbeddingRequest request) {
    if (request == null) {
      throw new IllegalArgumentException("request must not be null");
    }
    int dims = model.dimensionFor(request.dimensions());
    TaskPrompt prompt = request.inputType() == EmbeddingInputType.QUERY ? model.queryPrompt()
        : TaskPrompt.document();
    List<String> texts = new ArrayList<>(request.inputs().size());
    for (EmbeddingInput input : request.inputs()) {
      texts.add(input.text());
    }
    AdaptedEmbedder.Vectors out =
        model.embedCounted(texts, Collections.nCopies(texts.size(), prompt), dims);
    return EmbeddingResponse.builder()
        .embeddings(wrap(out.vectors()))
        .metadata(EmbeddingResponseMetadata.builder().modelName(model.name())
            .tokenUsage(new TokenUsage(out.inputTokensInt())).build())
        .build();
  }

  /** {@return {@code dimensions} and {@code inputType}: the per-call parameters this model honours} */
  @Override
  public Set<EmbeddingParameter<?>> supportedParameters() {
    return SUPPORTED;
  }

  /** {@return the number of values per embedding (the Matryoshka dimension when set); runs no model} */
  @Override
  public int dimension() {
    return model.dimension();
  }

  /** {@return the model's name: the bundled name, the model folder, or the embedder's name} */
  @Override
  public String modelName() {
    return model.name();
  }

  /** {@return the listeners given to the builder (an unmodifiable list, maybe empty)} */
  @Override
  public List<EmbeddingModelListener> listeners() {
    return listeners;
  }

  /** {@return the embedder behind this model} */
  public Embedder embedder() {
    return model.embedder();
  }

  /** {@return the query task rendered on {@code QUERY} requests, e.g. {@code search result}} */
  public String queryTask() {
    return model.queryPrompt().task();
  }

  /**
   * Closes the embedder if this model built it (an embedder given to the builder stays open);
   * idempotent.
   */
  @Override
  public void close() {
    model.close();
  }

  @Override
  public String toString() {
    return model.describe("dimension");
  }

  private static List<Embedding> wrap(List<float[]> vectors) {
    List<Embedding> out = new ArrayList<>(vectors.size());
    for (float[] v : vectors) {
      out.add(Embedding.from(v)); // takes the fresh array as is
    }
    return out;
  }

  /**
   * Builds a {@link GeckoEmbeddingModel}: one source (a bundled model, a model folder or an
   * embedder; default the bundled {@code bge-small-en-v1.5}), an optional query task and
   * Matryoshka dimension, LangChain4j {@link #listeners(List) listeners}, and for a model it loads
   * the threads and long-input policy (see {@link EmbeddingModelBuilder} for the setters). Setters
   * return this builder; {@link #build()} checks the combination.
   */
  public static final class Builder
      extends EmbeddingModelBuilder<Builder, GeckoEmbeddingModel> {

    private final List<EmbeddingModelListener> listeners;

    private Builder() {
      this(new ArrayList<>());
    }

    private Builder(List<EmbeddingModelListener> listeners) {
      super(adapted -> new GeckoEmbeddingModel(adapted, listeners));
      this.listeners = listeners;
    }

    /**
     * Sets the listeners notified of each {@link GeckoEmbeddingModel#embed(EmbeddingRequest)}
     * (request, response or error), replacing any set before.
     *
     * @param listeners the listeners; neither the list nor any element may be null
     * @return this builder
     * @throws IllegalArgumentException if the list or an element is null (naming its index)
     */
    public Builder listeners(List<EmbeddingModelListener> listeners) {
      if (listeners == null) {
        throw new IllegalArgumentException("listeners must not be null");
      }
      for (int i = 0; i < listeners.size(); i++) {
        if (listeners.get(i) == null) {
          throw new IllegalArgumentException("listeners[" + i + "] must not be null");
        }
      }
      this.listeners.clear();
      this.listeners.addAll(listeners);
      return this;
    }
  }
}
