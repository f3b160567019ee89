package dev.gecko4j.spring;

import dev.gecko4j.core.testing.RecordingEmbedder;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gecko4j.onnx.Models;
import dev.gecko4j.onnx.OnnxEmbedder;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.ai.embedding.observation.EmbeddingModelObservationContext;
import org.springframework.ai.document.Document;
import org.springframework.ai.embedding.EmbeddingOptions;
import org.springframework.ai.embedding.EmbeddingRequest;
import org.springframework.ai.embedding.EmbeddingResponse;
import org.springframework.ai.embedding.TokenCountBatchingStrategy;

class GeckoEmbeddingModelTest {

  @Test
  void should_embed_the_same_text_as_the_same_document_through_every_entry_point() {
    // given
    RecordingEmbedder recording = new RecordingEmbedder();
    GeckoEmbeddingModel model = GeckoEmbeddingModel.builder().embedder(recording).build();

    // when
    model.embed("Geckos eat insects.");
    model.embed(new Document("Geckos eat insects."));
    model.embed(List.of(new Document("Geckos eat insects.")), EmbeddingOptions.builder().build(),
        new TokenCountBatchingStrategy());
    model.call(new EmbeddingRequest(List.of("Geckos eat insects."),
        EmbeddingOptions.builder().build()));

    // then
    assertThat(recording.rendered).containsOnly("title: none | text: Geckos eat insects.")
        .hasSize(4);
  }

  @Test
  void should_give_the_same_vector_for_a_string_and_a_document_on_a_real_model() {
    try (OnnxEmbedder onnx = OnnxEmbedder.builder().model(Models.BGE_SMALL_EN_V15_Q).build()) {
      GeckoEmbeddingModel model = GeckoEmbeddingModel.builder().embedder(onnx).build();
      assertThat(model.embed("what do geckos eat?"))
          .isEqualTo(model.embed(new Document("what do geckos eat?")));
    }
  }

  @Test
  void should_format_document_metadata_with_the_metadata_mode_leaving_the_title_to_the_prompt() {
    // given
    RecordingEmbedder recording = new RecordingEmbedder();
    Document doc = new Document("Geckos eat insects.", Map.of("title", "Diet", "source", "wiki"));

    // when
    GeckoEmbeddingModel.builder().embedder(recording).build().embed(doc);
    GeckoEmbeddingModel.builder().embedder(recording)
        .metadataMode(org.springframework.ai.document.MetadataMode.NONE).build().embed(doc);

    // then: Spring AI's default formatter, "key: value" lines then the text
    assertThat(recording.rendered).containsExactly(
        "title: Diet | text: source: wiki\n\nGeckos eat insects.",
        "title: Diet | text: Geckos eat insects.");
  }

  @Test
  void should_embed_strings_as_queries_when_asked_and_documents_as_titled_documents() {
    // given
    RecordingEmbedder recording = new RecordingEmbedder();
    GeckoEmbeddingModel model = GeckoEmbeddingModel.builder().embedder(recording)
        .stringsAsQueries(true).build();

    // when
    model.embed("what do geckos eat?");
    model.embed(new Document("Geckos eat insects.", Map.of("title", "Diet")));
    model.embed(List.of(new Document("untitled")), EmbeddingOptions.builder().build(),
        new TokenCountBatchingStrategy());
    model.call(new EmbeddingRequest(List.of("plain"), EmbeddingOptions.builder().build()));
    model.call(new EmbeddingRequest(List.of("asked"), GeckoEmbeddingOptions.query()));

    // then
    assertThat(recording.rendered).containsExactly(
        "task: search result | query: what do geckos eat?",
        "title: Diet | text: Geckos eat insects.",
        "title: none | text: untitled",
        "title: none | text: plain",
        "task: search result | query: asked");
  }

  @Test
  void should_reject_a_title_that_is_not_a_string_naming_the_document_key_and_type() {
    // given
    RecordingEmbedder recording = new RecordingEmbedder();
    GeckoEmbeddingModel model = GeckoEmbeddingModel.builder().embedder(recording).build();
    List<Document> documents = List.of(new Document("a", Map.of("title", "A")),
        new Document("b", Map.of("title", 7)));
    // when / then: the same message as the LangChain4j adapter, and nothing embedded
    assertThatThrownBy(() -> model.embed(documents, EmbeddingOptions.builder().build(), null))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("documents[1] metadata 'title' must be a String (the document title), but is"
            + " java.lang.Integer: 7");
    assertThatThrownBy(() -> model.embed(new Document("c", Map.of("title", List.of("x")))))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("documents[0] metadata 'title' must be a String (the document"
            + " title), but is java.util.");
    assertThat(recording.calls).isZero();
  }

  @Test
  void should_honour_the_options_dimensions_with_unit_vectors() {
    // given
    GeckoEmbeddingModel model = GeckoEmbeddingModel.builder().embedder(new RecordingEmbedder())
        .dimension(6).build();

    // when
    EmbeddingResponse r = model.call(new EmbeddingRequest(List.of("a", "b"),
        EmbeddingOptions.builder().dimensions(4).build()));

    // then
    assertThat(model.dimensions()).isEqualTo(6);
    assertThat(model.embed("x")).hasSize(6);
    assertThat(r.getResults()).hasSize(2);
    assertThat(r.getResults().get(1).getIndex()).isEqualTo(1);
    float[] v = r.getResults().get(0).getOutput();
    assertThat(v).hasSize(4);
    double n = 0;
    for (float x : v) {
      n += x * x;
    }
    assertThat(Math.sqrt(n)).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-5));
    assertThat(r.getMetadata().getModel()).isEqualTo("RecordingEmbedder");
  }

  @Test
  void should_ignore_an_options_model_naming_another_model_as_springs_local_model_does() {
    // given
    GeckoEmbeddingModel model = GeckoEmbeddingModel.builder().embedder(new RecordingEmbedder())
        .build();

    // when
    EmbeddingResponse r = model.call(new EmbeddingRequest(List.of("a"),
        EmbeddingOptions.builder().model("text-embedding-3-small").build()));

    // then: embedded by the one model it runs, which the response names
    assertThat(r.getResults()).hasSize(1);
    assertThat(r.getMetadata().getModel()).isEqualTo("RecordingEmbedder");
  }

  @Test
  void should_refuse_a_document_over_the_token_count_batching_strategys_limit() {
    // given: Spring AI's TokenCountBatchingStrategy (8191 tokens by default, 10% reserve)
    RecordingEmbedder recording = new RecordingEmbedder();
    GeckoEmbeddingModel model = GeckoEmbeddingModel.builder().embedder(recording).build();
    Document huge = new Document("gecko ".repeat(10_000));

    // when / then: refused, not truncated silently
    assertThatThrownBy(() -> model.embed(List.of(new Document("small"), huge),
        EmbeddingOptions.builder().build(), new TokenCountBatchingStrategy()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("exceeds the maximum number of allowed input tokens");
    assertThat(recording.calls).isZero();
  }

  @Test
  void should_embed_each_batch_of_the_strategy_in_input_order() {
    // given: a strategy that splits one document per batch, in reverse
    RecordingEmbedder recording = new RecordingEmbedder();
    GeckoEmbeddingModel model = GeckoEmbeddingModel.builder().embedder(recording).build();
    List<Document> docs = List.of(new Document("one"), new Document("two"), new Document("three"));

    // when
    List<float[]> split = model.embed(docs, null, documents -> {
      List<List<Document>> batches = new ArrayList<>();
      for (int i = documents.size() - 1; i >= 0; i--) {
        batches.add(List.of(documents.get(i)));
      }
      return batches;
    });
    List<float[]> whole = model.embed(docs, null, null);

    // then
    assertThat(recording.calls).isEqualTo(3 + 1);
    for (int i = 0; i < docs.size(); i++) {
      assertThat(split.get(i)).isEqualTo(whole.get(i));
    }
  }

  @Test
  void should_report_token_usage_and_observe_every_entry_point_with_spring_ais_conventions() {
    // given: a real registry with a handler that keeps what Spring AI's conventions produce
    List<EmbeddingModelObservationContext> seen = new ArrayList<>();
    ObservationRegistry registry = ObservationRegistry.create();
    registry.observationConfig().observationHandler(new ObservationHandler<Observation.Context>() {
      @Override
      public boolean supportsContext(Observation.Context context) {
        return context instanceof EmbeddingModelObservationContext;
      }

      @Override
      public void onStop(Observation.Context context) {
        seen.add((EmbeddingModelObservationContext) context);
      }
    });
    try (OnnxEmbedder onnx = OnnxEmbedder.builder().model(Models.BGE_SMALL_EN_V15_Q).build()) {
      GeckoEmbeddingModel model = GeckoEmbeddingModel.builder().embedder(onnx)
          .observationRegistry(registry).build();

      // when
      model.embed("hello world");
      model.embed(new Document("hello world"));
      model.embed(List.of(new Document("hello world")), EmbeddingOptions.builder().build(),
          new TokenCountBatchingStrategy());
      EmbeddingResponse called = model.call(
          new EmbeddingRequest(List.of("hello world", "hello"), EmbeddingOptions.builder().build()));

      // then: "hello world" as a document is [CLS] hello world [SEP]; "hello" is 3 tokens
      assertThat(called.getMetadata().getUsage().getPromptTokens()).isEqualTo(4 + 3);
      assertThat(called.getMetadata().getUsage().getTotalTokens()).isEqualTo(4 + 3);
      assertThat(seen).hasSize(4);
      for (EmbeddingModelObservationContext c : seen) {
        assertThat(c.getName()).isEqualTo("gen_ai.client.operation");
        assertThat(c.getContextualName()).isEqualTo("embedding bge-small-en-v1.5-q");
        assertThat(c.getLowCardinalityKeyValue("gen_ai.system").getValue()).isEqualTo("onnx");
        assertThat(c.getLowCardinalityKeyValue("gen_ai.operation.name").getValue())
            .isEqualTo("embedding");
        assertThat(c.getLowCardinalityKeyValue("gen_ai.request.model").getValue())
            .isEqualTo("bge-small-en-v1.5-q");
        assertThat(c.getResponse().getMetadata().getUsage().getPromptTokens()).isPositive();
      }
    }
  }

  @Test
  void should_reject_bad_options_naming_the_value() {
    GeckoEmbeddingModel model = GeckoEmbeddingModel.builder().embedder(new RecordingEmbedder())
        .build();
    assertThatThrownBy(() -> model.call(new EmbeddingRequest(List.of("a"),
        EmbeddingOptions.builder().dimensions(9).build())))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("dimensions must be between 1 and 8 (the dimension of RecordingEmbedder), "
            + "but is: 9");
    assertThatThrownBy(() -> GeckoEmbeddingModel.builder().embedder(new RecordingEmbedder())
        .dimension(9).build())
        .hasMessage("dimension must be between 1 and 8 (the dimension of RecordingEmbedder), "
            + "but is: 9");
    assertThatThrownBy(() -> new GeckoEmbeddingOptions(null, null))
        .hasMessageStartingWith("inputType must not be null");
  }

  @Test
  void should_report_dimensions_without_running_the_model_and_leave_a_given_embedder_open() {
    RecordingEmbedder recording = new RecordingEmbedder();
    GeckoEmbeddingModel model = GeckoEmbeddingModel.builder().embedder(recording).build();

    assertThat(model.dimensions()).isEqualTo(8);
    model.close();

    assertThat(recording.calls).isZero();
    assertThat(recording.closes).isZero();
  }
}
