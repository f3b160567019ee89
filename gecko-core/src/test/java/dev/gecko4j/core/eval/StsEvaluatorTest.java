package dev.gecko4j.core.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gecko4j.core.Embedding;
import dev.gecko4j.core.PromptConvention;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StsEvaluatorTest {

  private static final String[][] SENTENCES = {
      {"A man is playing a guitar.", "A man is playing a guitar."},
      {"A man is playing a guitar.", "A man plays the guitar."},
      {"A woman is slicing an onion.", "A woman is cutting an onion."},
      {"A cat sits on the mat.", "Stock markets fell sharply today."},
      {"Kids are playing in the park.", "Children play in a park."},
      {"The sun is shining.", "It is raining heavily tonight."},
  };

  private static double cosine(String a, String b) {
    return Embedding.of(HashingEmbedder.hash(a)).cosine(Embedding.of(HashingEmbedder.hash(b)));
  }

  /** Gold = 4 * the embedder's own cosine, so the embedder ranks pairs exactly as the gold. */
  private static StsDataset agreeingDataset() {
    List<StsPair> pairs = new ArrayList<>();
    for (String[] s : SENTENCES) {
      pairs.add(new StsPair(4 * cosine(s[0], s[1]), s[0], s[1], "test"));
    }
    return new StsDataset("agree", Path.of("agree.tsv"), pairs);
  }

  @Test
  void should_give_spearman_one_when_the_embedder_ranks_pairs_as_the_gold() {
    // given
    HashingEmbedder embedder = new HashingEmbedder(PromptConvention.NONE);
    // when
    StsResult r = StsEvaluator.builder().build().evaluate(embedder, agreeingDataset());
    // then
    assertThat(r.spearman()).isCloseTo(1.0, within(1e-12));
    assertThat(r.pearson()).isCloseTo(1.0, within(1e-12));
    assertThat(r.pairs()).isEqualTo(SENTENCES.length);
    assertThat(r.dimension()).isEqualTo(HashingEmbedder.DIMENSION);
    assertThat(cosine(SENTENCES[0][0], SENTENCES[0][1])).isCloseTo(1.0, within(1e-12));
  }

  @Test
  void should_give_spearman_minus_one_when_the_gold_is_reversed() {
    // given
    List<StsPair> reversed = new ArrayList<>();
    for (StsPair p : agreeingDataset().pairs()) {
      reversed.add(new StsPair(4.5 - p.score(), p.sentence1(), p.sentence2(), p.subset()));
    }
    StsDataset d = new StsDataset("reversed", Path.of("r.tsv"), reversed);
    // when
    StsResult r = StsEvaluator.builder().build()
        .evaluate(new HashingEmbedder(PromptConvention.NONE), d);
    // then
    assertThat(r.spearman()).isCloseTo(-1.0, within(1e-12));
  }

  @Test
  void should_embed_each_distinct_sentence_once_in_batches_with_the_symmetric_prompt() {
    // given
    HashingEmbedder embedder = new HashingEmbedder(PromptConvention.GECKO);
    List<Long> progress = new ArrayList<>();
    StsEvaluator evaluator = StsEvaluator.builder().batchSize(4)
        .listener((stage, done, total) -> progress.add(done)).build();
    // when
    evaluator.evaluate(embedder, agreeingDataset());
    // then: 12 sentences, "A man is playing a guitar." three times -> 10 distinct
    assertThat(embedder.rendered).hasSize(10).doesNotHaveDuplicates()
        .allSatisfy(s -> assertThat(s).startsWith("task: sentence similarity | query: "));
    assertThat(embedder.batchSizes).containsExactly(4, 4, 2);
    assertThat(progress).containsExactly(4L, 8L, 10L);
  }

  @Test
  void should_truncate_to_the_matryoshka_dimension() {
    StsResult r = StsEvaluator.builder().dimension(16).build()
        .evaluate(new HashingEmbedder(PromptConvention.NONE), agreeingDataset());
    assertThat(r.dimension()).isEqualTo(16);
    assertThatThrownBy(() -> StsEvaluator.builder().dimension(65).build()
        .evaluate(new HashingEmbedder(PromptConvention.NONE), agreeingDataset()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("dimension must be between 1 and the embedder's dimension 64, but is: 65");
  }

  @Test
  void should_render_the_result_as_one_json_object_with_model_dataset_metric_score()
      throws Exception {
    // given
    StsResult r = new StsResult("STSBenchmark", 0.85, 0.84, 1379, 384);
    // when
    JsonNode json = new ObjectMapper().readTree(r.toJson("bge-small-en-v1.5"));
    // then
    assertThat(json.get("model").asText()).isEqualTo("bge-small-en-v1.5");
    assertThat(json.get("dataset").asText()).isEqualTo("STSBenchmark");
    assertThat(json.get("metric").asText()).isEqualTo("cosine_spearman");
    assertThat(json.get("score").asDouble()).isEqualTo(0.85);
    assertThat(json.get("pairs").asInt()).isEqualTo(1379);
  }

  @Test
  void should_validate_builder_arguments() {
    assertThatThrownBy(() -> StsEvaluator.builder().batchSize(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("batchSize must be between 1 and 65536, but is: 0");
    assertThatThrownBy(() -> StsEvaluator.builder().dimension(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("dimension must be 0 (the embedder's) or positive, but is: -1");
    assertThatThrownBy(() -> StsEvaluator.builder().build().evaluate(null, agreeingDataset()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("embedder must not be null");
  }
}
