package dev.gecko4j.core.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gecko4j.core.Embedding;
import dev.gecko4j.core.PromptConvention;
import dev.gecko4j.core.TaskPrompt;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scoring vectors embedded elsewhere (the trainer's evaluation) equals scoring the dataset. */
class RetrievalVectorsTest {

  @TempDir Path tmp;

  @Test
  void scoring_precomputed_vectors_gives_the_same_result_as_evaluate_at_every_dimension()
      throws IOException {
    BeirDataset d = BeirDataset.open(BeirDatasetTest.writeDataset(tmp.resolve("g"),
        """
        {"_id": "d1", "title": "Geckos", "text": "eat insects at night"}
        {"_id": "d2", "title": "Leopard geckos", "text": "live in dry grasslands of Asia"}
        {"_id": "d3", "title": "Tokay", "text": "a loud gecko from Southeast Asia"}
        {"_id": "d4", "title": "Feet", "text": "setae let geckos climb glass walls"}
        """,
        """
        {"_id": "q1", "text": "geckos at night"}
        {"_id": "q2", "text": "a gecko that climbs walls"}
        {"_id": "q3", "text": "Asian geckos"}
        """,
        "query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td4\t1\nq3\td2\t1\nq3\td3\t2\n"));
    HashingEmbedder embedder = new HashingEmbedder(PromptConvention.NONE);
    Map<String, float[]> docs = new LinkedHashMap<>();
    try (var s = d.documents()) {
      s.forEach(doc -> docs.put(doc.id(), embedder.embedAll(List.of(doc.mtebText()),
          List.of(TaskPrompt.document())).get(0).toArray()));
    }
    Map<String, float[]> queries = new LinkedHashMap<>();
    Map<String, Map<String, Integer>> qrels = d.qrels("test");
    for (String q : qrels.keySet()) {
      Embedding e = embedder.embedAll(List.of(d.queries().get(q)),
          List.of(TaskPrompt.query(TaskPrompt.SEARCH_RESULT))).get(0);
      queries.put(q, e.toArray());
    }
    for (int dim : new int[] {64, 16}) {
      RetrievalEvaluator ev = RetrievalEvaluator.builder().dimension(dim).build();
      RetrievalResult expected = ev.evaluate(embedder, d);
      RetrievalResult actual = ev.evaluateVectors(d.name(), qrels, queries, docs);
      assertThat(actual).isEqualTo(expected);
    }
    assertThatThrownBy(() -> RetrievalEvaluator.builder().build()
        .evaluateVectors("g", qrels, Map.of(), docs))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'q1' has none");
  }
}
