package dev.gecko4j.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gecko4j.core.TaskPrompt;
import dev.gecko4j.core.eval.BeirDataset;
import dev.gecko4j.core.eval.RetrievalEvaluator;
import dev.gecko4j.core.testing.RecordingEmbedder;
import dev.gecko4j.train.data.TrainingData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trainer's quick evaluation scores as {@code gecko evaluate --beir} does. */
class QuickEvalTest {

  @TempDir Path tmp;

  @Test
  void ndcg_at_10_equals_the_retrieval_evaluators_at_full_and_truncated_dimensions()
      throws IOException {
    Path d = Files.createDirectories(tmp.resolve("toy/qrels"));
    Files.writeString(tmp.resolve("toy/corpus.jsonl"), """
        {"_id": "d1", "title": "Geckos", "text": "eat insects at night"}
        {"_id": "d2", "title": "Leopard geckos", "text": "live in dry grasslands of Asia"}
        {"_id": "d3", "title": "Tokay", "text": "a loud gecko from Southeast Asia"}
        {"_id": "d4", "title": "Feet", "text": "setae let geckos climb glass walls"}
        {"_id": "d5", "title": "Tails", "text": "many lizards can drop their tails"}
        """);
    Files.writeString(tmp.resolve("toy/queries.jsonl"), """
        {"_id": "q1", "text": "what do geckos eat"}
        {"_id": "q2", "text": "how do geckos climb"}
        {"_id": "q3", "text": "loud Asian gecko"}
        """);
    Files.writeString(d.resolve("test.tsv"),
        "query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td4\t1\nq3\td3\t1\nq3\td2\t1\n");
    RecordingEmbedder embedder = new RecordingEmbedder();
    TrainingData.Beir beir = TrainingData.readBeir(tmp.resolve("toy"), "test");
    float[][] docs = TrainingData.embedCorpus(beir, embedder, null);
    TaskPrompt prompt = TaskPrompt.query(TaskPrompt.SEARCH_RESULT);

    double[] quick = QuickEval.ndcgAt10(embedder, beir, docs, prompt, new int[] {8, 4});

    BeirDataset dataset = BeirDataset.open(tmp.resolve("toy"));
    assertThat(quick[0]).isEqualTo(RetrievalEvaluator.builder().dimension(8).build()
        .evaluate(embedder, dataset).ndcgAt10());
    assertThat(quick[1]).isEqualTo(RetrievalEvaluator.builder().dimension(4).build()
        .evaluate(embedder, dataset).ndcgAt10());
  }
}
