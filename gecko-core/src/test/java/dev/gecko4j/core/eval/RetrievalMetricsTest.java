package dev.gecko4j.core.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RetrievalMetricsTest {

  private static final double EPS = 1e-12;

  /** Graded qrels: a=3, b=2, d=1 relevant; c judged not relevant; x unjudged. */
  private static final Map<String, Integer> GRADED = Map.of("a", 3, "b", 2, "c", 0, "d", 1);

  /** Given shuffled: ranked x, b, a, c, d. */
  private static final List<ScoredDocument> RESULTS = List.of(
      new ScoredDocument("c", 0.6), new ScoredDocument("a", 0.7), new ScoredDocument("x", 0.9),
      new ScoredDocument("d", 0.5), new ScoredDocument("b", 0.8));

  private static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }

  @Test
  void should_compute_ndcg_with_graded_relevance_as_trec_eval() {
    // when
    double ndcg10 = RetrievalMetrics.ndcgAt(GRADED, RESULTS, 10);
    double ndcg2 = RetrievalMetrics.ndcgAt(GRADED, RESULTS, 2);
    // then: gains by rank [0, 2, 3, 0, 1]; ideal gains [3, 2, 1]
    double dcg10 = 2 / log2(3) + 3 / log2(4) + 1 / log2(6);
    double idcg10 = 3 / log2(2) + 2 / log2(3) + 1 / log2(4);
    assertThat(ndcg10).isCloseTo(dcg10 / idcg10, within(EPS));
    assertThat(ndcg10).isCloseTo(0.66123587, within(1e-8));
    assertThat(ndcg2).isCloseTo((2 / log2(3)) / (3 + 2 / log2(3)), within(EPS));
  }

  @Test
  void should_compute_recall_mrr_and_map_by_hand() {
    // relevant (rel >= 1): a, b, d at ranks 3, 2, 5
    assertThat(RetrievalMetrics.recallAt(GRADED, RESULTS, 1)).isEqualTo(0.0);
    assertThat(RetrievalMetrics.recallAt(GRADED, RESULTS, 3)).isCloseTo(2 / 3.0, within(EPS));
    assertThat(RetrievalMetrics.recallAt(GRADED, RESULTS, 100)).isEqualTo(1.0);
    assertThat(RetrievalMetrics.mrrAt(GRADED, RESULTS, 10)).isEqualTo(0.5);
    assertThat(RetrievalMetrics.mrrAt(GRADED, RESULTS, 1)).isEqualTo(0.0);
    assertThat(RetrievalMetrics.mapAt(GRADED, RESULTS, 100))
        .isCloseTo((1 / 2.0 + 2 / 3.0 + 3 / 5.0) / 3, within(EPS));
    // map_cut.3 divides by all 3 relevant, not by the 2 retrieved
    assertThat(RetrievalMetrics.mapAt(GRADED, RESULTS, 3))
        .isCloseTo((1 / 2.0 + 2 / 3.0) / 3, within(EPS));
  }

  @Test
  void should_break_score_ties_by_document_id_descending_like_trec_eval() {
    // given: three documents with the same score; only d1 is relevant
    Map<String, Integer> qrels = Map.of("d1", 1);
    List<ScoredDocument> tied = List.of(new ScoredDocument("d1", 0.5),
        new ScoredDocument("d2", 0.5), new ScoredDocument("d3", 0.5));
    // when
    List<ScoredDocument> ranked = RetrievalMetrics.trecOrder(tied);
    // then: d3, d2, d1 whatever the input order
    assertThat(ranked).extracting(ScoredDocument::id).containsExactly("d3", "d2", "d1");
    assertThat(RetrievalMetrics.mrrAt(qrels, tied, 10)).isCloseTo(1 / 3.0, within(EPS));
    assertThat(RetrievalMetrics.ndcgAt(qrels, tied, 10)).isCloseTo(1 / log2(4), within(EPS));
    assertThat(RetrievalMetrics.recallAt(qrels, tied, 2)).isEqualTo(0.0);
  }

  @Test
  void should_compare_ids_as_strings_not_numbers() {
    // "9" > "10" as strings, so at equal scores "9" ranks first
    List<ScoredDocument> ranked = RetrievalMetrics.trecOrder(
        List.of(new ScoredDocument("10", 1.0), new ScoredDocument("9", 1.0),
            new ScoredDocument("2", 2.0)));
    assertThat(ranked).extracting(ScoredDocument::id).containsExactly("2", "9", "10");
  }

  @Test
  void should_score_zero_for_a_query_without_relevant_documents() {
    Map<String, Integer> none = Map.of("a", 0);
    List<ScoredDocument> r = List.of(new ScoredDocument("a", 1));
    assertThat(RetrievalMetrics.ndcgAt(none, r, 10)).isEqualTo(0.0);
    assertThat(RetrievalMetrics.recallAt(none, r, 10)).isEqualTo(0.0);
    assertThat(RetrievalMetrics.mapAt(none, r, 100)).isEqualTo(0.0);
    assertThat(RetrievalMetrics.mrrAt(none, r, 10)).isEqualTo(0.0);
  }

  private static final Map<String, Map<String, Integer>> QRELS = new LinkedHashMap<>();
  private static final Map<String, List<ScoredDocument>> RUN;

  static {
    // q1 finds its document first; q2 has no relevant document; q3 finds nothing relevant
    QRELS.put("q1", Map.of("a", 1));
    QRELS.put("q2", Map.of("b", 0));
    QRELS.put("q3", Map.of("c", 2));
    RUN = Map.of(
        "q1", List.of(new ScoredDocument("a", 0.9), new ScoredDocument("b", 0.1)),
        "q2", List.of(new ScoredDocument("b", 0.9)),
        "q3", List.of(new ScoredDocument("a", 0.9)),
        "q4", List.of(new ScoredDocument("a", 0.9)));
  }

  @Test
  void should_count_queries_without_relevant_documents_as_zero_like_mteb() {
    // when
    RetrievalScores s = RetrievalScores.evaluate(QRELS, RUN);
    // then: q4 is not judged and ignored; q1 scores 1, q2 and q3 score 0
    assertThat(s.queries()).isEqualTo(3);
    assertThat(s.ndcgAt10()).isCloseTo(1 / 3.0, within(EPS));
    assertThat(s.recallAt1()).isCloseTo(1 / 3.0, within(EPS));
    assertThat(s.mrrAt10()).isCloseTo(1 / 3.0, within(EPS));
    assertThat(s.mapAt100()).isCloseTo(1 / 3.0, within(EPS));
  }

  @Test
  void should_skip_queries_without_relevant_documents_when_asked() {
    // when
    RetrievalScores s = RetrievalScores.evaluate(QRELS, RUN, true);
    // then
    assertThat(s.queries()).isEqualTo(2);
    assertThat(s.ndcgAt10()).isEqualTo(0.5);
    assertThat(s.recallAt100()).isEqualTo(0.5);
    assertThat(s.mrrAt10()).isEqualTo(0.5);
    assertThat(s.mapAt100()).isEqualTo(0.5);
  }

  @Test
  void should_reject_duplicate_documents_and_bad_cutoffs() {
    List<ScoredDocument> dup = List.of(new ScoredDocument("a", 1), new ScoredDocument("a", 0.5));
    assertThatThrownBy(() -> RetrievalMetrics.ndcgAt(Map.of(), dup, 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("document id 'a' twice");
    assertThatThrownBy(() -> RetrievalMetrics.recallAt(Map.of(), List.of(), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("k must be at least 1, but is: 0");
    assertThatThrownBy(() -> new ScoredDocument("a", Double.NaN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("score of document 'a' must be finite, but is: NaN");
  }
}
