package dev.gecko4j.core.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gecko4j.core.PromptConvention;
import dev.gecko4j.core.testing.WordOverlapReranker;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RerankEvaluatorTest {

  @TempDir Path tmp;

  private BeirDataset dataset() throws IOException {
    return BeirDataset.open(BeirDatasetTest.writeDataset(tmp.resolve("geckos"),
        """
        {"_id": "d1", "title": "Geckos", "text": "eat insects at night"}
        {"_id": "d2", "title": "Leopard geckos", "text": "live in dry grasslands of Asia"}
        {"_id": "d3", "title": "Tokay", "text": "a loud gecko from Southeast Asia"}
        """,
        """
        {"_id": "q1", "text": "Geckos eat insects at night"}
        {"_id": "q2", "text": "Leopard geckos live in dry grasslands of Asia"}
        """,
        "query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td2\t1\n"));
  }

  @Test
  void should_report_the_retriever_score_and_the_score_after_reranking_its_top_k()
      throws IOException {
    BeirDataset d = dataset();
    RetrievalRun run = RetrievalEvaluator.builder().build()
        .retrieve(new HashingEmbedder(PromptConvention.NONE), d);
    assertThat(run.scores().ndcgAt10()).isEqualTo(1.0);

    WordOverlapReranker good = new WordOverlapReranker(1);
    RerankEvaluator.Result kept = RerankEvaluator.evaluate(d, "test", run, good, 100,
        (s, done, total) -> { });
    assertThat(kept.score()).isEqualTo(1.0);
    assertThat(kept.retriever().ndcgAt10()).isEqualTo(1.0);
    // the passages are the documents' "title text", three per query
    assertThat(good.seen().get(0)).hasSize(3).contains("Geckos eat insects at night");

    RerankEvaluator.Result reversed = RerankEvaluator.evaluate(d, "test", run,
        new WordOverlapReranker(-1), 100, (s, done, total) -> { });
    assertThat(reversed.score()).isLessThan(1.0);
    assertThat(reversed.reranked().mrrAt10()).isEqualTo(1.0 / 3);
    String json = reversed.toJson("hashing");
    assertThat(json).contains("\"score\":" + reversed.score())
        .contains("\"retriever_score\":1.0").contains("\"reranker\":\"anti-overlap\"")
        .contains("\"rerank_top\":100");
    // the fusion with the (perfect) retriever's ranking is reported beside, never as the score
    assertThat(reversed.fused().ndcgAt10()).isGreaterThanOrEqualTo(reversed.score());
    assertThat(json).contains("\"rrf_fused_ndcg_at_10\":" + reversed.fused().ndcgAt10());
    assertThat(kept.fused().ndcgAt10()).isEqualTo(1.0);

    // reranking only the first document changes nothing
    assertThat(RerankEvaluator.evaluate(d, "test", run, new WordOverlapReranker(-1), 1,
        (s, done, total) -> { }).score()).isEqualTo(1.0);
  }

  @Test
  void should_refuse_a_rerank_depth_outside_the_retrieved_top_100() throws IOException {
    BeirDataset d = dataset();
    RetrievalRun run = RetrievalEvaluator.builder().build()
        .retrieve(new HashingEmbedder(PromptConvention.NONE), d);
    assertThatThrownBy(() -> RerankEvaluator.evaluate(d, "test", run, new WordOverlapReranker(1),
        0, (s, done, total) -> { })).hasMessageContaining("rerankTop");
    assertThatThrownBy(() -> RerankEvaluator.evaluate(d, "test", run, new WordOverlapReranker(1),
        101, (s, done, total) -> { })).hasMessageContaining("rerankTop");
  }
}
