package dev.gecko4j.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gecko4j.core.rerank.RelevanceScores;
import dev.gecko4j.core.rerank.ScoreScale;
import dev.gecko4j.core.testing.WordOverlapReranker;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.content.ContentMetadata;
import dev.langchain4j.rag.content.aggregator.ReRankingContentAggregator;
import dev.langchain4j.rag.query.Query;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GeckoScoringModelTest {

  static final String QUERY = "what do geckos eat";
  static final List<String> TEXTS = List.of("Paris is in France.",
      "Geckos eat insects and fruit.", "What geckos eat depends on what they are.");

  @Test
  void should_score_segments_in_order_on_the_scale_it_was_given() {
    WordOverlapReranker reranker = new WordOverlapReranker(1);
    List<TextSegment> segments = TEXTS.stream().map(TextSegment::from).toList();
    try (GeckoScoringModel logits = GeckoScoringModel.of(reranker, ScoreScale.LOGIT)) {
      assertThat(logits.scoreAll(segments, QUERY).content()).containsExactly(0.0, 2.0, 4.0);
      assertThat(logits.score("geckos eat", QUERY).content()).isEqualTo(2.0);
      GeckoScoringModel probabilities = GeckoScoringModel.of(reranker, ScoreScale.PROBABILITY);
      assertThat(probabilities.scoreAll(segments, QUERY).content()).containsExactly(0.5,
          RelevanceScores.sigmoid(2), RelevanceScores.sigmoid(4));
    }
    assertThat(reranker.closed()).isTrue();
  }

  @Test
  void should_rerank_and_filter_contents_through_langchain4js_aggregator() {
    GeckoScoringModel scoring = GeckoScoringModel.of(new WordOverlapReranker(1),
        ScoreScale.PROBABILITY);
    ReRankingContentAggregator aggregator = ReRankingContentAggregator.builder()
        .scoringModel(scoring).minScore(0.6).build();
    List<Content> retrieved = new ArrayList<>();
    for (String t : TEXTS) {
      retrieved.add(Content.from(t));
    }
    Map<Query, Collection<List<Content>>> in = Map.of(Query.from(QUERY), List.of(retrieved));

    List<Content> out = aggregator.aggregate(in);

    assertThat(out).extracting(c -> c.textSegment().text())
        .containsExactly(TEXTS.get(2), TEXTS.get(1)); // Paris (0.5) is below minScore
    assertThat(out.get(0).metadata().get(ContentMetadata.RERANKED_SCORE))
        .isEqualTo(RelevanceScores.sigmoid(4));
  }

  @Test
  void should_refuse_nulls_by_name() {
    assertThatThrownBy(() -> GeckoScoringModel.of(null, ScoreScale.LOGIT))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("reranker must not be null");
    assertThatThrownBy(() -> GeckoScoringModel.of(new WordOverlapReranker(1), null))
        .hasMessage("scale must not be null");
    List<TextSegment> withNull = new ArrayList<>();
    withNull.add(null);
    assertThatThrownBy(() -> GeckoScoringModel.of(new WordOverlapReranker(1), ScoreScale.LOGIT)
        .scoreAll(withNull, QUERY)).hasMessageContaining("segments[0]");
  }
}
