package dev.gecko4j.spring;

import dev.gecko4j.onnx.OnnxEmbedder;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.embedding.observation.EmbeddingModelObservationConvention;
import org.springframework.ai.model.SpringAIModelProperties;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Spring Boot auto-configuration of a gecko4j {@link GeckoEmbeddingModel} as the application's
 * Spring AI {@link EmbeddingModel}, from the {@code gecko4j.embedding.*} properties
 * ({@link GeckoEmbeddingProperties}).
 *
 * <p>It backs off when the application defines its own {@link EmbeddingModel} bean, and, as Spring
 * AI's own model starters do, when {@code spring.ai.model.embedding} names another model (set it
 * to {@value #MODEL_ID} to pick gecko4j when several embedding starters are present). The bean is
 * closed with the context, which releases the ONNX Runtime session.
 */
@AutoConfiguration
@ConditionalOnClass({EmbeddingModel.class, OnnxEmbedder.class})
@ConditionalOnProperty(name = SpringAIModelProperties.EMBEDDING_MODEL,
    havingValue = GeckoEmbeddingAutoConfiguration.MODEL_ID, matchIfMissing = true)
@EnableConfigurationProperties(GeckoEmbeddingProperties.class)
public class GeckoEmbeddingAutoConfiguration {

  /** The value of {@code spring.ai.model.embedding} that selects gecko4j. */
  public static final String MODEL_ID = "gecko4j";

  /** Creates the auto-configuration (called by Spring). */
  public GeckoEmbeddingAutoConfiguration() { }

  /**
   * The embedding model, unless the application has an {@link EmbeddingModel} of its own.
   *
   * @param properties the {@code gecko4j.embedding.*} properties
   * @param observationRegistry the application's observation registry, if it has one (else no
   *     observations)
   * @param observationConvention an embedding observation convention of the application's, if any
   *     (else Spring AI's default)
   * @return the model, closed by Spring when the context closes
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean(EmbeddingModel.class)
  public GeckoEmbeddingModel geckoEmbeddingModel(GeckoEmbeddingProperties properties,
      ObjectProvider<ObservationRegistry> observationRegistry,
      ObjectProvider<EmbeddingModelObservationConvention> observationConvention) {
    GeckoEmbeddingModel.Builder b = GeckoEmbeddingModel.builder()
        .observationRegistry(observationRegistry.getIfUnique(() -> ObservationRegistry.NOOP))
        .queryTask(properties.getQueryTask())
        .intraOpThreads(properties.getIntraOpThreads())
        .longInputPolicy(properties.getLongInputPolicy())
        .metadataMode(properties.getMetadataMode())
        .stringsAsQueries(properties.isStringsAsQueries());
    if (properties.getModel() != null) {
      b.model(properties.getModel());
    }
    if (properties.getModelFolder() != null) {
      b.modelFolder(properties.getModelFolder());
    }
    if (properties.getDimension() != null) {
      b.dimension(properties.getDimension());
    }
    observationConvention.ifAvailable(b::observationConvention);
    return b.build();
  }
}
