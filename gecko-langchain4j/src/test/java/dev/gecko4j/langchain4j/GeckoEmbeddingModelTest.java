package dev.gecko4j.langchain4j;

import dev.gecko4j.core.testing.RecordingEmbedder;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.gecko4j.core.TaskPrompt;
import dev.gecko4j.onnx.Models;
import dev.gecko4j.onnx.OnnxEmbedder;
import dev.langchain4j.data.document.Document;
import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.embedding.request.EmbeddingInputType;
import dev.langchain4j.model.embedding.request.EmbeddingRequest;
import dev.langchain4j.model.embedding.response.EmbeddingResponse;
import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.content.retriever.EmbeddingStoreContentRetriever;
import dev.langchain4j.rag.query.Query;
import dev.langchain4j.store.embedding.EmbeddingStoreIngestor;
import dev.langchain4j.store.embedding.IngestionResult;
import dev.langchain4j.store.embedding.inmemory.InMemoryEmbeddingStore;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class GeckoEmbeddingModelTest {

  /** One real int8 model for the tests that run a model (loading it takes a second). */
  private static OnnxEmbedder onnx;

  @BeforeAll
  static void load() {
    onnx = OnnxEmbedder.builder().model(Models.BGE_SMALL_EN_V15_Q).build();
  }

  @AfterAll
  static void close() {
    onnx.close();
  }

  @Test
  void should_report_the_input_tokens_the_tokenizer_counted_on_every_response() {
    // given: "hello world" is [CLS] hello world [SEP] for bge-small; BGE prefixes queries only
    GeckoEmbeddingModel model = GeckoEmbeddingModel.builder().embedder(onnx).build();

    // when
    int asString = model.embed("hello world").tokenUsage().inputTokenCount();
    int asSegment = model.embed(TextSegment.from("hello world")).tokenUsage().inputTokenCount();
    int asTwo = model.embedAll(List.of(TextSegment.from("hello world"), TextSegment.from("hello")))
        .tokenUsage().inputTokenCount();
    EmbeddingResponse document = model.embed(EmbeddingRequest.builder().input("hello world")
        .inputType(EmbeddingInputType.DOCUMENT).build());
    EmbeddingResponse query = model.embed(EmbeddingRequest.builder().input("hello world")
        .inputType(EmbeddingInputType.QUERY).build());

    // then
    assertThat(asString).isEqualTo(4);
    assertThat(asSegment).isEqualTo(4);
    assertThat(asTwo).isEqualTo(4 + 3);
    assertThat(document.metadata().tokenUsage().inputTokenCount()).isEqualTo(4);
    assertThat(query.metadata().tokenUsage().inputTokenCount())
        .as("the BGE query instruction is read too").isGreaterThan(4);
  }

  @Test
  void should_sum_token_usage_in_langchain4j_ingestion_results() {
    // given
    GeckoEmbeddingModel model = GeckoEmbeddingModel.builder().embedder(onnx).build();
    InMemoryEmbeddingStore<TextSegment> store = new InMemoryEmbeddingStore<>();

    // when
    IngestionResult result = EmbeddingStoreIngestor.builder().embeddingModel(model)
        .embeddingStore(store).build()
        .ingest(Document.from("hello world"), Document.from("hello"));

    // then: no NullPointerException, and the tokenizer's count
    assertThat(result.tokenUsage().inputTokenCount()).isEqualTo(4 + 3);
  }

  @Test
  void should_report_zero_input_tokens_for_an_embedder_it_does_not_tokenise_for() {
    // given
    GeckoEmbeddingModel model = GeckoEmbeddingModel.builder().embedder(new RecordingEmbedder())
        .build();

    // when
    Integer tokens = model.embed("hello world").tokenUsage().inputTokenCount();

    // then
    assertThat(tokens).isZero();
  }

  @Test
  void should_reject_null_listeners_naming_the_index() {
    List<dev.langchain4j.model.embedding.listener.EmbeddingModelListener> withNull =
        Arrays.asList(new dev.langchain4j.model.embedding.listener.EmbeddingModelListener() { },
            null);
    assertThatThrownBy(() -> GeckoEmbeddingModel.builder().listeners(withNull))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("listeners[1] must not be null");
  }

  @Test
  void should_report_model_name_and_dimension_without_running_the_model() {
    // given
    RecordingEmbedder recording = new RecordingEmbedder();

    // when
    GeckoEmbeddingModel named = GeckoEmbeddingModel.builder().embedder(onnx).build();
    GeckoEmbeddingModel truncated = GeckoEmbeddingModel.builder().embedder(recording).dimension(5)
        .build();

    // then
    assertThat(named.modelName()).isEqualTo("bge-small-en-v1.5-q");
    assertThat(named.dimension()).isEqualTo(384);
    assertThat(truncated.dimension()).isEqualTo(5);
    assertThat(truncated.modelName()).isEqualTo("RecordingEmbedder");
    assertThat(recording.calls).isZero();
  }

  @Test
  void should_embed_plain_calls_as_documents_titled_from_metadata() {
    // given
    RecordingEmbedder recording = new RecordingEmbedder();
    GeckoEmbeddingModel model = GeckoEmbeddingModel.builder().embedder(recording).build();

    // when
    model.embedAll(List.of(TextSegment.from("Geckos eat insects.", Metadata.from("title", "Diet")),
        TextSegment.from("Geckos climb walls.")));
    model.embed("plain text");
    model.embed(TextSegment.from("segment", Metadata.from("title", "T")));

    // then
    assertThat(recording.rendered).containsExactly(
        "title: Diet | text: Geckos eat insects.",
        "title: none | text: Geckos climb walls.",
        "title: none | text: plain text",
        "title: T | text: segment");
    assertThat(recording.calls).isEqualTo(3);
  }

  @Test
  void should_reject_a_title_that_is_not_a_string_naming_the_segment_key_and_type() {
    // given
    RecordingEmbedder recording = new RecordingEmbedder();
    GeckoEmbeddingModel model = GeckoEmbeddingModel.builder().embedder(recording).build();
    List<TextSegment> segments = List.of(TextSegment.from("a", Metadata.from("title", "A")),
        TextSegment.from("b", new Metadata().put("title", 7)));
    // when / then: the same message as the Spring AI adapter, and nothing embedded
    assertThatThrownBy(() -> model.embedAll(segments))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("textSegments[1] metadata 'title' must be a String (the document title), but"
            + " is java.lang.Integer: 7");
    assertThat(recording.calls).isZero();
  }

  @Test
  void should_render_query_requests_with_the_query_task_and_document_requests_untitled() {
    // given
    RecordingEmbedder recording = new RecordingEmbedder();
    GeckoEmbeddingModel model = GeckoEmbeddingModel.builder().embedder(recording)
        .queryTask(TaskPrompt.FACT_CHECKING).build();

    // when
    model.embed(EmbeddingRequest.builder().inputs("is it true?", "really?")
        .inputType(EmbeddingInputType.QUERY).build());
    model.embed(EmbeddingRequest.builder().input("a passage")
        .inputType(EmbeddingInputType.DOCUMENT).build());
    model.embed(EmbeddingRequest.builder().input("no type").build());

    // then
    assertThat(recording.rendered).containsExactly(
        "task: fact checking | query: is it true?",
        "task: fact checking | query: really?",
        "title: none | text: a passage",
        "title: none | text: no type");
    assertThat(model.queryTask()).isEqualTo("fact checking");
  }

  @Test
  void should_embed_query_requests_as_the_embedder_embeds_queries() {
    // given
    GeckoEmbeddingModel model = GeckoEmbeddingModel.builder().embedder(onnx).build();
    String q = "what do geckos eat?";

    // when
    EmbeddingResponse response = model.embed(EmbeddingRequest.builder().input(q)
        .inputType(EmbeddingInputType.QUERY).build());
    Embedding asDocument = model.embed(q).content();

    // then: BGE's instruction on the query side only
    float[] expected = onnx.embed(q, TaskPrompt.query(TaskPrompt.SEARCH_RESULT)).toArray();
    assertThat(response.embeddings()).hasSize(1);
    assertThat(response.embeddings().get(0).vector()).containsExactly(expected);
    assertThat(response.metadata().modelName()).isEqualTo("bge-small-en-v1.5-q");
    assertThat(asDocument.vector()).containsExactly(onnx.embed(q, TaskPrompt.document()).toArray());
    assertThat(asDocument.vector()).isNotEqualTo(expected);
  }

  @Test
  void should_give_unit_vectors_of_256_floats_for_dimensions_256() {
    // given
    GeckoEmbeddingModel model = GeckoEmbeddingModel.builder().embedder(onnx).build();
    List<String> texts = List.of("Geckos eat insects.", "The gecko is a lizard.");

    // when
    EmbeddingResponse response = model.embed(EmbeddingRequest.builder()
        .inputs(texts.toArray(String[]::new)).dimensions(256)
        .inputType(EmbeddingInputType.DOCUMENT).build());

    // then: the first 256 values of the full embedding, renormalised
    List<dev.gecko4j.core.Embedding> full = onnx.embedAll(texts, TaskPrompt.document());
    assertThat(response.embeddings()).hasSize(2);
    for (int i = 0; i < 2; i++) {
      float[] v = response.embeddings().get(i).vector();
      assertThat(v).hasSize(256);
      assertThat(norm(v)).isCloseTo(1.0, within(1e-5));
      assertThat(v).containsExactly(full.get(i).truncate(256).toArray());
    }
  }

  @Test
  void should_truncate_every_embedding_to_the_builders_matryoshka_dimension() {
    // given
    GeckoEmbeddingModel model = GeckoEmbeddingModel.builder().embedder(onnx).dimension(128)
        .build();

    // when
    Embedding e = model.embed("Geckos eat insects.").content();
    EmbeddingResponse wider = model.embed(EmbeddingRequest.builder().input("Geckos eat insects.")
        .dimensions(384).build());

    // then
    assertThat(e.dimension()).isEqualTo(128);
    assertThat(norm(e.vector())).isCloseTo(1.0, within(1e-5));
    assertThat(wider.embeddings().get(0).dimension()).isEqualTo(384);
  }

  @Test
  void should_reject_dimensions_above_the_models() {
    // given
    GeckoEmbeddingModel model = GeckoEmbeddingModel.builder().embedder(onnx).build();
    EmbeddingRequest request = EmbeddingRequest.builder().input("x").dimensions(385).build();

    // then
    assertThatThrownBy(() -> model.embed(request))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("dimensions must be between 1 and 384 (the dimension of bge-small-en-v1.5-q), "
            + "but is: 385");
    assertThatThrownBy(() -> GeckoEmbeddingModel.builder().embedder(onnx).dimension(512).build())
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("dimension must be between 1 and 384 (the dimension of bge-small-en-v1.5-q), "
            + "but is: 512");
  }

  @Test
  void should_let_langchain4j_reject_parameters_it_does_not_support() {
    // given
    GeckoEmbeddingModel model = GeckoEmbeddingModel.builder().embedder(new RecordingEmbedder())
        .build();
    EmbeddingRequest request = EmbeddingRequest.builder().input("x").modelName("other").build();

    // then
    assertThatThrownBy(() -> model.embed(request))
        .isInstanceOf(UnsupportedFeatureException.class)
        .hasMessageContaining("modelName");
  }

  @Test
  void should_validate_the_builder_naming_the_bad_value() {
    assertThatThrownBy(() -> GeckoEmbeddingModel.builder().model("bge-large"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Unknown bundled model: bge-large. Bundled models are: [");
    assertThatThrownBy(() -> GeckoEmbeddingModel.builder().dimension(0))
        .hasMessage("dimension must be >= 1, but is: 0");
    assertThatThrownBy(() -> GeckoEmbeddingModel.builder().queryTask(" "))
        .hasMessageStartingWith("queryTask must be a non-blank string, but is: ' '");
    assertThatThrownBy(() -> GeckoEmbeddingModel.builder().model("bge-small-en-v1.5")
        .embedder(new RecordingEmbedder()).build())
        .isExactlyInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("set only one of model(bge-small-en-v1.5), modelFolder(null) and "
            + "embedder(");
    GeckoEmbeddingModel model = GeckoEmbeddingModel.builder().embedder(new RecordingEmbedder())
        .build();
    assertThatThrownBy(() -> model.embedAll(Arrays.asList(TextSegment.from("a"), null)))
        .hasMessage("textSegments[1] must not be null");
  }

  @Test
  void should_close_only_an_embedder_it_built() {
    // given
    RecordingEmbedder given = new RecordingEmbedder();
    GeckoEmbeddingModel borrowed = GeckoEmbeddingModel.builder().embedder(given).build();
    GeckoEmbeddingModel owned = GeckoEmbeddingModel.builder().model("bge-small-en-v1.5-q").build();

    // when
    borrowed.close();
    owned.close();

    // then
    assertThat(given.closes).isZero();
    assertThatThrownBy(() -> owned.embed("x")).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void should_ingest_and_retrieve_through_langchain4j_types() {
    // given
    GeckoEmbeddingModel model = GeckoEmbeddingModel.builder().embedder(onnx).build();
    InMemoryEmbeddingStore<TextSegment> store = new InMemoryEmbeddingStore<>();
    EmbeddingStoreIngestor.builder().embeddingModel(model).embeddingStore(store).build().ingest(
        Document.from("Geckos eat insects, fruit and nectar.", Metadata.from("title", "Diet")),
        Document.from("Paris is the capital of France.", Metadata.from("title", "Paris")),
        Document.from("The stock market fell sharply on Monday.", Metadata.from("title", "Markets")));
    EmbeddingStoreContentRetriever retriever = EmbeddingStoreContentRetriever.builder()
        .embeddingStore(store).embeddingModel(model).embeddingInputType(EmbeddingInputType.QUERY)
        .maxResults(1).build();

    // when
    List<Content> hits = retriever.retrieve(Query.from("what do geckos eat?"));

    // then
    assertThat(hits).hasSize(1);
    assertThat(hits.get(0).textSegment().metadata().getString("title")).isEqualTo("Diet");
  }

  private static double norm(float[] v) {
    double s = 0;
    for (float x : v) {
      s += (double) x * x;
    }
    return Math.sqrt(s);
  }
}
