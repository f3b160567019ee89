package dev.gecko4j.core.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gecko4j.core.PromptConvention;
import dev.gecko4j.core.rerank.RelevanceScores;
import dev.gecko4j.core.rerank.TextReranker;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RerankEvaluatorTest {

  @TempDir Path tmp;

  /** A real (if trivial) reranker: the share of query words in the passage, or its opposite. */
  static final class WordOverlapReranker implements TextReranker {
    final double sign;
    final List<List<String>> seen = new ArrayList<>();

    WordOverlapReranker(double sign) {
      this.sign = sign;
    }

    @Override public String name() {
      return sign > 0 ? "overlap" : "anti-overlap";
    }

    @Override public RelevanceScores score(String query, List<String> passages) {
      seen.add(passages);
      Set<String> q = new HashSet<>(Arrays.asList(query.toLowerCase(Locale.ROOT).split(" ")));
      double[][] logits = new double[passages.size()][1];
      for (int i = 0; i < logits.length; i++) {
        long shared = Arrays.stream(passages.get(i).toLowerCase(Locale.ROOT).split(" "))
            .filter(q::contains).count();
        logits[i][0] = sign * shared;
      }
      return RelevanceScores.ofLogits(List.of("score"), 0, logits);
    }

    @Override public void close() { }
  }

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
    assertThat(good.seen.get(0)).hasSize(3).contains("Geckos eat insects at night");

    RerankEvaluator.Result reversed = RerankEvaluator.evaluate(d, "test", run,
        new WordOverlapReranker(-1), 100, (s, done, total) -> { });
    assertThat(reversed.score()).isLessThan(1.0);
    assertThat(reversed.reranked().mrrAt10()).isEqualTo(1.0 / 3);
    String json = reversed.toJson("hashing");
    assertThat(json).contains("\"score\":" + reversed.score())
        .contains("\"retriever_score\":1.0").contains("\"reranker\":\"anti-overlap\"")
        .contains("\"rerank_top\":100");

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
