package dev.gecko4j.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.gecko4j.core.rerank.RelevanceScores;
import dev.gecko4j.core.rerank.TextReranker;
import dev.gecko4j.core.testing.WordOverlapReranker;
import dev.gecko4j.onnx.Models;
import dev.gecko4j.onnx.OnnxCrossEncoder;
import dev.gecko4j.train.onnx.CrossEncoderFolders;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.ai.chat.client.ChatClientRequest;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.document.Document;
import org.springframework.ai.rag.Query;
import org.springframework.ai.rag.advisor.RetrievalAugmentationAdvisor;
import org.springframework.ai.rag.postretrieval.document.DocumentPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * The reranking auto-configuration with a real cross-encoder folder: bge-small-en-v1.5's real
 * weights with a new (untrained) head, written by {@link CrossEncoderFolders#initialize}. Its
 * ranking is arbitrary; what is checked is that the bean serves exactly the cross-encoder's scores.
 */
class GeckoRerankAutoConfigurationTest {

  static final String QUESTION = "what do geckos eat?";
  static final List<Document> RETRIEVED = List.of(
      Document.builder().id("paris").text("Paris is the capital of France.").score(0.71).build(),
      Document.builder().id("geckos").text("Geckos eat insects, worms and fruit.").score(0.69)
          .metadata("source", "zoo").build(),
      Document.builder().id("leopard").text("Leopard geckos are insectivores.").score(0.65).build(),
      Document.builder().id("empty").text(" ").score(0.10).build());

  @TempDir static Path dir;
  static Path folder;

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(GeckoRerankAutoConfiguration.class));

  @BeforeAll
  static void writeCrossEncoder() throws IOException {
    folder = CrossEncoderFolders.initialize(Models.BGE_SMALL_EN_V15.spec(), 1, 42,
        dir.resolve("bge-small-ce"));
  }

  @Test
  void should_not_rerank_unless_a_reranker_is_configured() {
    runner.run(context -> {
      assertThat(context).doesNotHaveBean(TextReranker.class);
      assertThat(context).doesNotHaveBean(DocumentPostProcessor.class);
    });
  }

  @Test
  void should_rerank_a_querys_documents_with_the_cross_encoders_scores_keeping_the_top_n() {
    runner.withPropertyValues("gecko4j.rerank.model-folder=" + folder, "gecko4j.rerank.top-n=2",
        "gecko4j.rerank.intra-op-threads=1").run(context -> {
          assertThat(context).hasSingleBean(OnnxCrossEncoder.class);
          assertThat(context).hasSingleBean(DocumentPostProcessor.class);
          DocumentPostProcessor post = context.getBean(DocumentPostProcessor.class);
          OnnxCrossEncoder ce = context.getBean(OnnxCrossEncoder.class);
          List<String> texts = RETRIEVED.stream().map(Document::getText).toList();
          RelevanceScores expected = ce.score(QUESTION, texts);
          int[] order = expected.order();

          // when
          List<Document> top = post.process(new Query(QUESTION), RETRIEVED);

          // then: the two best by the cross-encoder, with its probabilities as scores
          assertThat(top).extracting(Document::getId)
              .containsExactly(RETRIEVED.get(order[0]).getId(), RETRIEVED.get(order[1]).getId());
          for (int k = 0; k < 2; k++) {
            Document in = RETRIEVED.get(order[k]);
            Document out = top.get(k);
            assertThat(out.getText()).isEqualTo(in.getText());
            assertThat(out.getScore()).isCloseTo(expected.probability(order[k]), within(1e-9));
            assertThat(out.getMetadata())
                .containsEntry(GeckoDocumentReranker.RERANK_SCORE, out.getScore())
                .containsEntry(GeckoDocumentReranker.RETRIEVAL_SCORE, in.getScore())
                .containsEntry(GeckoDocumentReranker.RERANK_LOGIT, expected.logit(order[k]))
                .containsAllEntriesOf(in.getMetadata());
          }
          assertThat(top.get(0).getScore()).isGreaterThanOrEqualTo(top.get(1).getScore());
        });
  }

  @Test
  void should_rerank_inside_spring_ais_retrieval_augmentation_advisor() {
    runner.withPropertyValues("gecko4j.rerank.model-folder=" + folder, "gecko4j.rerank.top-n=3",
        "gecko4j.rerank.score-scale=logit", "gecko4j.rerank.intra-op-threads=1").run(context -> {
          GeckoDocumentReranker reranker = context.getBean(GeckoDocumentReranker.class);
          List<Query> retrieved = new ArrayList<>();
          RetrievalAugmentationAdvisor advisor = RetrievalAugmentationAdvisor.builder()
              .documentRetriever(query -> {
                retrieved.add(query);
                return RETRIEVED;
              })
              .documentPostProcessors(reranker)
              .build();

          // when: the advisor's retrieval step, before the chat model is called
          ChatClientRequest request = advisor.before(
              ChatClientRequest.builder().prompt(new Prompt(QUESTION)).build(), null);

          // then: the documents it augments the prompt with are the reranked top 3, as logits
          @SuppressWarnings("unchecked")
          List<Document> used = (List<Document>) request.context()
              .get(RetrievalAugmentationAdvisor.DOCUMENT_CONTEXT);
          List<Document> direct = reranker.process(new Query(QUESTION), RETRIEVED);
          assertThat(retrieved).extracting(Query::text).containsExactly(QUESTION);
          assertThat(used).extracting(Document::getId)
              .containsExactlyElementsOf(direct.stream().map(Document::getId).toList());
          assertThat(used).hasSize(3);
          OnnxCrossEncoder ce = context.getBean(OnnxCrossEncoder.class);
          assertThat(used.get(0).getScore()).isCloseTo(
              ce.score(QUESTION, List.of(used.get(0).getText())).logit(0), within(1e-4));
          assertThat(request.prompt().getUserMessage().getText()).contains(used.get(0).getText());
        });
  }

  @Test
  void should_rerank_with_the_applications_own_reranker_instead_of_the_folders() {
    WordOverlapReranker overlap = new WordOverlapReranker(1);
    runner.withBean(TextReranker.class, () -> overlap)
        .withPropertyValues("gecko4j.rerank.model-folder=" + folder,
            "gecko4j.rerank.min-score=1.5", "gecko4j.rerank.score-scale=logit")
        .run(context -> {
          assertThat(context).doesNotHaveBean(OnnxCrossEncoder.class);
          List<Document> kept = context.getBean(GeckoDocumentReranker.class)
              .process(new Query("leopard geckos are what"), RETRIEVED);
          // words shared with the query: paris 0, geckos 1 ("geckos"), leopard 3, empty 0
          assertThat(kept).extracting(Document::getId).containsExactly("leopard");
          assertThat(kept.get(0).getScore()).isEqualTo(3.0);
          assertThat(overlap.seen()).hasSize(1);
        });
  }

  @Test
  void should_close_the_cross_encoder_with_the_context() {
    OnnxCrossEncoder[] seen = new OnnxCrossEncoder[1];
    runner.withPropertyValues("gecko4j.rerank.model-folder=" + folder)
        .run(context -> seen[0] = context.getBean(OnnxCrossEncoder.class));
    assertThatThrownBy(() -> seen[0].score(QUESTION, List.of("a")))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("is closed");
  }

  @Test
  void should_fail_startup_naming_a_bad_top_n_or_folder() {
    runner.withPropertyValues("gecko4j.rerank.model-folder=" + folder, "gecko4j.rerank.top-n=0")
        .run(context -> assertThat(context.getStartupFailure()).rootCause()
            .hasMessage("topN must be >= 1, but is: 0"));
    runner.withPropertyValues("gecko4j.rerank.model-folder=" + dir.resolve("missing"))
        .run(context -> assertThat(context.getStartupFailure()).rootCause()
            .hasMessageContaining(dir.resolve("missing").toString()));
  }

  @Test
  void should_reject_bad_documents_naming_the_index() {
    GeckoDocumentReranker reranker = GeckoDocumentReranker.builder()
        .reranker(new WordOverlapReranker(1)).build();
    List<Document> withNull = new ArrayList<>(RETRIEVED);
    withNull.add(1, null);
    assertThatThrownBy(() -> reranker.process(new Query(QUESTION), withNull))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("documents[1] must not be null");
    assertThatThrownBy(() -> reranker.process(null, RETRIEVED))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("query must not be null");
    assertThat(reranker.process(new Query(QUESTION), List.of())).isEmpty();
    assertThatThrownBy(() -> GeckoDocumentReranker.builder().build())
        .isInstanceOf(IllegalArgumentException.class).hasMessage("reranker must not be null");
    assertThatThrownBy(() -> GeckoDocumentReranker.builder().reranker(new WordOverlapReranker(1))
        .minScore(Double.NaN).build())
        .hasMessage("minScore must be finite, but is: NaN");
  }
}
