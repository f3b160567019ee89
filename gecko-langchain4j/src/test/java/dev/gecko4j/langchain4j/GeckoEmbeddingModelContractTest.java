package dev.gecko4j.langchain4j;

import dev.gecko4j.onnx.Models;
import dev.gecko4j.onnx.OnnxEmbedder;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.common.AbstractEmbeddingModelIT;
import dev.langchain4j.model.embedding.listener.EmbeddingModelListener;
import java.util.List;
import org.junit.jupiter.api.AfterAll;

/**
 * LangChain4j's own contract for embedding models, {@code AbstractEmbeddingModelIT} from the
 * published {@code langchain4j-core} test jar (1.19.0), run unchanged against {@link
 * GeckoEmbeddingModel} on the bundled default model. Text only: the image gates are off, so
 * LangChain4j's test that an image input is refused with an {@code UnsupportedFeatureException}
 * runs instead of its image tests.
 *
 * <p>JUnit closes {@code AutoCloseable} arguments of a parameterized test after each invocation, so
 * the models given to LangChain4j's tests wrap an embedder this class owns (closing such a model
 * leaves the embedder open, as documented on {@link GeckoEmbeddingModel}).
 */
class GeckoEmbeddingModelContractTest extends AbstractEmbeddingModelIT {

  private final OnnxEmbedder embedder = OnnxEmbedder.builder().model(Models.BGE_SMALL_EN_V15).build();
  private final GeckoEmbeddingModel closedOne = closedModel();

  private static GeckoEmbeddingModel closedModel() {
    OnnxEmbedder closed = OnnxEmbedder.builder().model(Models.BGE_SMALL_EN_V15_Q).build();
    closed.close();
    return GeckoEmbeddingModel.builder().embedder(closed).build();
  }

  @AfterAll
  void close() {
    embedder.close();
  }

  @Override
  protected List<EmbeddingModel> models() {
    return List.of(GeckoEmbeddingModel.builder().embedder(embedder).build());
  }

  @Override
  protected EmbeddingModel modelWith(EmbeddingModelListener listener) {
    return GeckoEmbeddingModel.builder().embedder(embedder).listeners(List.of(listener)).build();
  }

  /** A real failure: the embedder behind it is closed, so embedding throws. */
  @Override
  protected EmbeddingModel failingModelWith(EmbeddingModelListener listener) {
    return GeckoEmbeddingModel.builder().embedder(closedOne.embedder())
        .listeners(List.of(listener)).build();
  }

  @Override
  protected boolean supportsImageInput() {
    return false;
  }
}
