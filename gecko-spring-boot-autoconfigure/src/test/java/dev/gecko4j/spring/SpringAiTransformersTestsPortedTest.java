package dev.gecko4j.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gecko4j.onnx.Models;
import dev.gecko4j.onnx.OnnxEmbedder;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.ai.document.Document;
import org.springframework.ai.document.MetadataMode;
import org.springframework.ai.embedding.EmbeddingOptions;
import org.springframework.ai.embedding.EmbeddingRequest;
import org.springframework.ai.embedding.EmbeddingResponse;
import org.springframework.ai.embedding.EmbeddingResponseMetadata;
import org.springframework.ai.embedding.observation.DefaultEmbeddingModelObservationConvention;
import org.springframework.ai.embedding.observation.EmbeddingModelObservationDocumentation.HighCardinalityKeyNames;
import org.springframework.ai.embedding.observation.EmbeddingModelObservationDocumentation.LowCardinalityKeyNames;
import org.springframework.ai.observation.conventions.AiOperationType;
import org.springframework.ai.observation.conventions.AiProvider;

/**
 * Spring AI's own tests of its local ONNX model ({@code TransformersEmbeddingModelTests} and
 * {@code TransformersEmbeddingModelObservationTests} of {@code spring-ai-transformers}), ported
 * with the model construction changed to {@link GeckoEmbeddingModel} (and the observation test's
 * Spring Boot context to a plain {@link TestObservationRegistry}). The assertions that check
 * Spring's model's particular values ({@code embed[0] == -0.19744634628295898} for its
 * all-MiniLM-L6-v2 export) are left out; every other assertion is Spring's.
 */
class SpringAiTransformersTestsPortedTest {

  private static OnnxEmbedder onnx;

  @BeforeAll
  static void load() {
    onnx = OnnxEmbedder.builder().model(Models.ALL_MINILM_L6_V2).build();
  }

  @AfterAll
  static void close() {
    onnx.close();
  }

  private static GeckoEmbeddingModel newModel() {
    return GeckoEmbeddingModel.builder().embedder(onnx).build();
  }

  @Test
  void embed() {
    GeckoEmbeddingModel embeddingModel = newModel();
    float[] embed = embeddingModel.embed("Hello world");
    assertThat(embed).hasSize(384);
  }

  @Test
  void embedDocument() {
    GeckoEmbeddingModel embeddingModel = newModel();
    float[] embed = embeddingModel.embed(new Document("Hello world"));
    assertThat(embed).hasSize(384);
    // Spring's test checks the same values as embed(): the same vector
    assertThat(embed).isEqualTo(embeddingModel.embed("Hello world"));
  }

  @Test
  void embedList() {
    GeckoEmbeddingModel embeddingModel = newModel();
    List<float[]> embed = embeddingModel.embed(List.of("Hello world", "World is big"));
    assertThat(embed).hasSize(2);
    assertThat(embed.get(0)).hasSize(384);
    assertThat(embed.get(1)).hasSize(384);
    assertThat(embed.get(0)).isNotEqualTo(embed.get(1));
  }

  @Test
  void embedForResponse() {
    GeckoEmbeddingModel embeddingModel = newModel();
    EmbeddingResponse embed = embeddingModel.embedForResponse(List.of("Hello world", "World is big"));
    assertThat(embed.getResults()).hasSize(2);
    assertTrue(embed.getMetadata().isEmpty(), "Expected embed metadata to be empty, but it was not.");
    assertThat(embed.getResults().get(0).getOutput()).hasSize(384);
    assertThat(embed.getResults().get(1).getOutput()).hasSize(384);
  }

  @Test
  void dimensions() {
    GeckoEmbeddingModel embeddingModel = newModel();
    assertThat(embeddingModel.dimensions()).isEqualTo(384);
    // cached
    assertThat(embeddingModel.dimensions()).isEqualTo(384);
  }

  @Test
  void observationForEmbeddingOperation() {
    TestObservationRegistry observationRegistry = TestObservationRegistry.create();
    GeckoEmbeddingModel embeddingModel = GeckoEmbeddingModel.builder().embedder(onnx)
        .metadataMode(MetadataMode.NONE).observationRegistry(observationRegistry).build();

    var options = EmbeddingOptions.builder().model("bert-base-uncased").build();

    EmbeddingRequest embeddingRequest = new EmbeddingRequest(List.of("Here comes the sun"), options);

    EmbeddingResponse embeddingResponse = embeddingModel.call(embeddingRequest);
    assertThat(embeddingResponse.getResults()).isNotEmpty();

    EmbeddingResponseMetadata responseMetadata = embeddingResponse.getMetadata();
    assertThat(responseMetadata).isNotNull();

    TestObservationRegistryAssert.assertThat(observationRegistry)
        .doesNotHaveAnyRemainingCurrentObservation()
        .hasObservationWithNameEqualTo(DefaultEmbeddingModelObservationConvention.DEFAULT_NAME)
        .that()
        .hasContextualNameEqualTo("embedding " + "bert-base-uncased")
        .hasLowCardinalityKeyValue(LowCardinalityKeyNames.AI_OPERATION_TYPE.asString(),
            AiOperationType.EMBEDDING.value())
        .hasLowCardinalityKeyValue(LowCardinalityKeyNames.AI_PROVIDER.asString(),
            AiProvider.ONNX.value())
        .hasLowCardinalityKeyValue(LowCardinalityKeyNames.REQUEST_MODEL.asString(),
            "bert-base-uncased")
        .hasHighCardinalityKeyValue(HighCardinalityKeyNames.USAGE_INPUT_TOKENS.asString(),
            String.valueOf(responseMetadata.getUsage().getPromptTokens()))
        .hasHighCardinalityKeyValue(HighCardinalityKeyNames.USAGE_TOTAL_TOKENS.asString(),
            String.valueOf(responseMetadata.getUsage().getTotalTokens()))
        .hasBeenStarted()
        .hasBeenStopped();
  }
}
