package dev.gecko4j.spring;

import dev.gecko4j.core.rerank.TextReranker;
import dev.gecko4j.onnx.OnnxCrossEncoder;
import org.springframework.ai.rag.postretrieval.document.DocumentPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Spring Boot auto-configuration of reranking for Spring AI's RAG: a {@link GeckoDocumentReranker}
 * (Spring AI's {@link DocumentPostProcessor}, for {@code RetrievalAugmentationAdvisor
 * .documentPostProcessors(...)}) over a gecko4j {@link TextReranker}, from the {@code
 * gecko4j.rerank.*} properties ({@link GeckoRerankProperties}).
 *
 * <p>Off by default: the {@link OnnxCrossEncoder} bean exists only when {@code
 * gecko4j.rerank.model-folder} is set, and the document post-processor only when a {@link
 * TextReranker} bean exists (that one, or the application's own, for example gecko4j's LLM
 * re-ranker). Each backs off when the application defines a bean of its type. The cross-encoder is
 * closed with the context, which releases its ONNX Runtime session. Needs {@code spring-ai-rag} on
 * the class path (the starter brings it).
 */
@AutoConfiguration
@ConditionalOnClass({DocumentPostProcessor.class, OnnxCrossEncoder.class})
@EnableConfigurationProperties(GeckoRerankProperties.class)
public class GeckoRerankAutoConfiguration {

  /** Creates the auto-configuration (called by Spring). */
  public GeckoRerankAutoConfiguration() { }

  /**
   * The cross-encoder of {@code gecko4j.rerank.model-folder}, unless the application has a
   * {@link TextReranker} of its own.
   *
   * @param properties the {@code gecko4j.rerank.*} properties
   * @return the cross-encoder, closed by Spring when the context closes
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean(TextReranker.class)
  @ConditionalOnProperty(prefix = GeckoRerankProperties.PREFIX, name = "model-folder")
  public OnnxCrossEncoder geckoCrossEncoder(GeckoRerankProperties properties) {
    OnnxCrossEncoder.Builder b = OnnxCrossEncoder.builder()
        .modelFolder(properties.getModelFolder())
        .intraOpThreads(properties.getIntraOpThreads())
        .maxBatchSize(properties.getMaxBatchSize())
        .concurrentBatches(properties.getConcurrentBatches());
    if (properties.getMaxLength() != null) {
      b.maxLength(properties.getMaxLength());
    }
    if (properties.getTokenBudget() != null) {
      b.tokenBudget(properties.getTokenBudget());
    }
    if (properties.getRelevanceLabel() != null) {
      b.relevanceLabel(properties.getRelevanceLabel());
    }
    return b.build();
  }

  /**
   * The reranking document post-processor over the application's single {@link TextReranker}.
   *
   * @param reranker the reranker (the cross-encoder above, or the application's)
   * @param properties the {@code gecko4j.rerank.*} properties
   * @return the document post-processor
   */
  @Bean
  @ConditionalOnBean(TextReranker.class)
  @ConditionalOnMissingBean(GeckoDocumentReranker.class)
  public GeckoDocumentReranker geckoDocumentReranker(TextReranker reranker,
      GeckoRerankProperties properties) {
    GeckoDocumentReranker.Builder b = GeckoDocumentReranker.builder().reranker(reranker)
        .scale(properties.getScoreScale())
        .minScore(properties.getMinScore())
        .metadataMode(properties.getMetadataMode());
    if (properties.getTopN() != null) {
      b.topN(properties.getTopN());
    }
    return b.build();
  }
}
