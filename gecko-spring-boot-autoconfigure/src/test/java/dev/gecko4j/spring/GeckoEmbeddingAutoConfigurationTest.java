package dev.gecko4j.spring;

import dev.gecko4j.core.testing.RecordingEmbedder;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gecko4j.onnx.LongInputPolicy;
import dev.gecko4j.onnx.OnnxEmbedder;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class GeckoEmbeddingAutoConfigurationTest {

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(GeckoEmbeddingAutoConfiguration.class))
      .withPropertyValues("gecko4j.embedding.model=bge-small-en-v1.5-q");

  @Test
  void should_build_geckos_embedding_model_from_the_properties() {
    runner.withPropertyValues("gecko4j.embedding.dimension=256",
        "gecko4j.embedding.query-task=fact checking", "gecko4j.embedding.intra-op-threads=1",
        "gecko4j.embedding.long-input-policy=chunk-and-average",
        "gecko4j.embedding.metadata-mode=none", "gecko4j.embedding.strings-as-queries=true")
        .run(context -> {
          // then
          assertThat(context).hasSingleBean(EmbeddingModel.class);
          GeckoEmbeddingModel model = context.getBean(GeckoEmbeddingModel.class);
          assertThat(model.modelName()).isEqualTo("bge-small-en-v1.5-q");
          assertThat(model.dimensions()).isEqualTo(256);
          assertThat(model.queryTask()).isEqualTo("fact checking");
          assertThat(((OnnxEmbedder) model.embedder()).longInputPolicy())
              .isEqualTo(LongInputPolicy.CHUNK_AND_AVERAGE);
          assertThat(model.embed("what do geckos eat?")).hasSize(256);
          assertThat(model.metadataMode()).isEqualTo(org.springframework.ai.document.MetadataMode.NONE);
          assertThat(model.stringsAsQueries()).isTrue();
        });
  }

  @Test
  void should_observe_through_the_applications_observation_registry() {
    // given: the application's registry, with a handler that keeps the observations' names
    List<String> names = new ArrayList<>();
    ObservationRegistry registry = ObservationRegistry.create();
    registry.observationConfig().observationHandler(new ObservationHandler<Observation.Context>() {
      @Override
      public boolean supportsContext(Observation.Context context) {
        return true;
      }

      @Override
      public void onStop(Observation.Context context) {
        names.add(context.getName() + " " + context.getContextualName());
      }
    });
    runner.withBean(ObservationRegistry.class, () -> registry).run(context -> {
      // when
      context.getBean(GeckoEmbeddingModel.class).embed("what do geckos eat?");
      // then
      assertThat(names).containsExactly("gen_ai.client.operation embedding bge-small-en-v1.5-q");
    });
  }

  @Test
  void should_default_to_bge_small_and_the_search_result_task() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(GeckoEmbeddingAutoConfiguration.class))
        .run(context -> {
          GeckoEmbeddingModel model = context.getBean(GeckoEmbeddingModel.class);
          assertThat(model.modelName()).isEqualTo("bge-small-en-v1.5");
          assertThat(model.dimensions()).isEqualTo(384);
          assertThat(model.queryTask()).isEqualTo("search result");
        });
  }

  @Test
  void should_back_off_when_the_application_defines_an_embedding_model() {
    runner.withUserConfiguration(UserModel.class).run(context -> {
      assertThat(context).hasSingleBean(EmbeddingModel.class);
      assertThat(context.getBean(EmbeddingModel.class)).isSameAs(context.getBean("userModel"));
      assertThat(((GeckoEmbeddingModel) context.getBean(EmbeddingModel.class)).modelName())
          .isEqualTo("RecordingEmbedder");
    });
  }

  @Test
  void should_back_off_when_spring_ai_selects_another_embedding_model() {
    runner.withPropertyValues("spring.ai.model.embedding=transformers")
        .run(context -> assertThat(context).doesNotHaveBean(EmbeddingModel.class));
    runner.withPropertyValues("spring.ai.model.embedding=gecko4j")
        .run(context -> assertThat(context).hasSingleBean(GeckoEmbeddingModel.class));
  }

  @Test
  void should_close_the_model_when_the_context_closes() {
    GeckoEmbeddingModel[] seen = new GeckoEmbeddingModel[1];
    runner.run(context -> seen[0] = context.getBean(GeckoEmbeddingModel.class));

    assertThatThrownBy(() -> seen[0].embed("after close"))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void should_fail_startup_naming_an_unknown_model_and_the_bundled_ones() {
    runner.withPropertyValues("gecko4j.embedding.model=bge-large").run(context -> {
      assertThat(context).hasFailed();
      assertThat(context.getStartupFailure()).rootCause()
          .hasMessageStartingWith("Unknown bundled model: bge-large. Bundled models are: [");
    });
  }

  @Test
  void should_generate_configuration_metadata_for_every_property() throws Exception {
    String json;
    try (InputStream in = getClass().getClassLoader()
        .getResourceAsStream("META-INF/spring-configuration-metadata.json")) {
      assertThat(in).isNotNull();
      json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    for (String p : new String[] {"model", "model-folder", "dimension", "query-task",
        "intra-op-threads", "long-input-policy", "metadata-mode", "strings-as-queries"}) {
      assertThat(json).contains("\"gecko4j.embedding." + p + "\"");
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class UserModel {
    @Bean
    EmbeddingModel userModel() {
      return GeckoEmbeddingModel.builder().embedder(new RecordingEmbedder()).build();
    }
  }
}
