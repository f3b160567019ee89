package dev.gecko4j.core.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.gecko4j.core.PromptConvention;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The task evaluators end to end on a deterministic hashing embedder. */
class TaskEvaluatorsTest {

  private static final String[][] TOPICS = {
      {"cats", "the cat sat on the mat", "a kitten chased the cat", "cats purr on mats"},
      {"money", "transfer money to my bank", "my bank account balance", "send money from bank"},
      {"weather", "rain and snow tomorrow", "sunny weather with rain later", "snow storm weather"}};

  private static List<LabeledText> rows() {
    List<LabeledText> out = new ArrayList<>();
    for (String[] t : TOPICS) {
      for (int i = 1; i < t.length; i++) {
        out.add(new LabeledText(t[i], t[0]));
      }
    }
    return out;
  }

  @Test
  void classification_uses_the_classification_prompt_and_scores_every_dimension_asked() {
    HashingEmbedder embedder = new HashingEmbedder(PromptConvention.GECKO);
    ClassificationDataset d = new ClassificationDataset("toy", rows(), rows());
    Map<Integer, ClassificationResult> r = ClassificationEvaluator.builder().samplesPerLabel(2)
        .experiments(3).build().evaluateDimensions(embedder, d, List.of(0, 32));
    assertThat(r.keySet()).containsExactly(64, 32);
    assertThat(r.get(64).accuracies()).hasSize(3);
    assertThat(r.get(64).accuracy()).isGreaterThan(0.5);
    assertThat(embedder.rendered).allMatch(s -> s.startsWith("task: classification | query: "));
  }

  @Test
  void knn_with_one_neighbour_classifies_its_own_training_texts_exactly() {
    HashingEmbedder embedder = new HashingEmbedder(PromptConvention.NONE);
    ClassificationDataset d = new ClassificationDataset("toy", rows(), rows());
    ClassificationResult r = ClassificationEvaluator.builder().samplesPerLabel(3).experiments(1)
        .method(ClassificationEvaluator.Method.KNN).k(1).build().evaluate(embedder, d);
    assertThat(r.accuracy()).isCloseTo(1.0, within(1e-12));
    assertThat(r.details()).containsEntry("method", "kNN");
  }

  @Test
  void clustering_legacy_scores_each_set_and_fast_bootstraps_the_flattened_sets() {
    HashingEmbedder embedder = new HashingEmbedder(PromptConvention.GECKO);
    ClusteringDataset d = new ClusteringDataset("toy", List.of(rows(), rows()));
    ClusteringResult legacy = ClusteringEvaluator.builder()
        .protocol(ClusteringEvaluator.Protocol.LEGACY).build().evaluate(embedder, d);
    assertThat(legacy.vMeasures()).hasSize(2);
    assertThat(legacy.vMeasures().get(0)).isEqualTo(legacy.vMeasures().get(1));
    ClusteringResult fast = ClusteringEvaluator.builder().rounds(3).bootstrapSize(40).build()
        .evaluate(embedder, d);
    assertThat(fast.vMeasures()).hasSize(3).allMatch(v -> v >= 0 && v <= 1 + 1e-12);
    assertThat(fast.metric()).isEqualTo("v_measure");
    assertThat(embedder.rendered).allMatch(s -> s.startsWith("task: clustering | query: "));
  }

  @Test
  void reranking_drops_queries_without_both_kinds_and_ranks_an_identical_positive_first() {
    HashingEmbedder embedder = new HashingEmbedder(PromptConvention.NONE);
    RerankingDataset d = new RerankingDataset("toy", List.of(
        new RerankingSample("the cat sat on the mat", List.of("the cat sat on the mat"),
            List.of("transfer money to my bank", "snow storm weather")),
        new RerankingSample("lonely", List.of("a"), List.of())));
    RerankingResult r = RerankingEvaluator.builder().build().evaluate(embedder, d);
    assertThat(r.queries()).isEqualTo(1);
    assertThat(r.map()).isCloseTo(1.0, within(1e-12));
    assertThat(r.mrr()).isCloseTo(1.0, within(1e-12));
  }

  @Test
  void pair_classification_embeds_each_sentence_once_with_the_similarity_prompt() {
    HashingEmbedder embedder = new HashingEmbedder(PromptConvention.GECKO);
    PairClassificationDataset d = new PairClassificationDataset("toy", List.of(
        new SentencePair("the cat sat on the mat", "the cat sat on a mat", true),
        new SentencePair("the cat sat on the mat", "transfer money to my bank", false)));
    PairClassificationResult r = PairClassificationEvaluator.builder().build().evaluate(embedder, d);
    assertThat(embedder.rendered).hasSize(3)
        .allMatch(s -> s.startsWith("task: sentence similarity | query: "));
    assertThat(r.score()).isCloseTo(1.0, within(1e-12));
  }

  @Test
  void builders_refuse_bad_values_naming_them() {
    assertThatThrownBy(() -> ClassificationEvaluator.builder().samplesPerLabel(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("samplesPerLabel");
    assertThatThrownBy(() -> ClassificationEvaluator.builder().seed(-1))
        .hasMessageContaining("-1");
    assertThatThrownBy(() -> ClusteringEvaluator.builder().rounds(0))
        .hasMessageContaining("rounds");
    assertThatThrownBy(() -> RerankingEvaluator.builder().mrrAt(0)).hasMessageContaining("k");
    HashingEmbedder embedder = new HashingEmbedder(PromptConvention.NONE);
    ClassificationDataset d = new ClassificationDataset("toy", rows(), rows());
    assertThatThrownBy(() -> ClassificationEvaluator.builder().build()
        .evaluateDimensions(embedder, d, List.of(65)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("65");
    assertThatThrownBy(() -> ClassificationEvaluator.builder().build()
        .evaluateDimensions(embedder, d, List.of(32, 32))).hasMessageContaining("repeat");
  }
}
