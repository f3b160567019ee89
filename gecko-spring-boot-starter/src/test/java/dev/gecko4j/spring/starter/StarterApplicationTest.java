package dev.gecko4j.spring.starter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gecko4j.spring.GeckoEmbeddingModel;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.ai.document.Document;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.vectorstore.SearchRequest;
import org.springframework.ai.vectorstore.SimpleVectorStore;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.ConfigurableApplicationContext;

/** Boots a real Spring Boot application with only the starter and one property. */
class StarterApplicationTest {

  /** The application: nothing but the annotation. */
  @SpringBootApplication
  static class App { }

  @Test
  void should_boot_an_application_whose_embedding_model_is_geckos_and_search_with_it() {
    // given
    SpringApplication app = new SpringApplication(App.class);
    app.setWebApplicationType(WebApplicationType.NONE);
    GeckoEmbeddingModel model;

    try (ConfigurableApplicationContext context =
        app.run("--gecko4j.embedding.model=bge-small-en-v1.5-q")) {
      // when
      EmbeddingModel bean = context.getBean(EmbeddingModel.class);
      SimpleVectorStore store = SimpleVectorStore.builder(bean).build();
      store.add(List.of(
          new Document("Geckos eat insects, fruit and nectar.", Map.of("title", "Diet")),
          new Document("Paris is the capital of France.", Map.of("title", "Paris")),
          new Document("The stock market fell sharply on Monday.", Map.of("title", "Markets"))));
      List<Document> hits = store.similaritySearch(
          SearchRequest.builder().query("what do geckos eat?").topK(1).build());

      // then
      assertThat(bean).isInstanceOf(GeckoEmbeddingModel.class);
      model = (GeckoEmbeddingModel) bean;
      assertThat(model.modelName()).isEqualTo("bge-small-en-v1.5-q");
      assertThat(bean.embed("hello")).hasSize(384);
      assertThat(hits).hasSize(1);
      assertThat(hits.get(0).getMetadata()).containsEntry("title", "Diet");
    }
    // and the context closed the model
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> model.embed("closed"))
        .isInstanceOf(IllegalStateException.class);
  }
}
