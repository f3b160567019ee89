package dev.gecko4j.jvector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gecko4j.core.Embedding;
import dev.gecko4j.core.TaskPrompt;
import dev.gecko4j.core.eval.BeirDataset;
import dev.gecko4j.core.eval.BeirDocument;
import dev.gecko4j.core.index.FlatIndex;
import dev.gecko4j.core.vector.Similarity;
import dev.gecko4j.onnx.Models;
import dev.gecko4j.onnx.OnnxEmbedder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Recall@10 of {@link GraphIndex} against {@link FlatIndex} on real embeddings: a deterministic
 * subset of SciFact, the first 800 corpus documents in file order ({@code title + " " + text})
 * and all 1,109 SciFact queries, embedded by the bundled int8 bge-small-en-v1.5 ({@link
 * Models#BGE_SMALL_EN_V15_Q}) with {@code maxLength} 64, so that embedding stays under a minute on
 * two cores and on each of the two JDKs the suite runs on (2,000 documents at 128 tokens took 275 s) (the whole corpus with the fp32 model at 512 tokens takes 4-5 minutes; {@code
 * gecko bench ann} measures the whole corpus). The subset and shorter inputs change the vectors,
 * not the point of the test: the graph must find the flat index's top 10 for real sentence
 * embeddings. Skips when {@code
 * ../shared/data/beir/scifact} (system property {@code gecko.shared.data}) is absent.
 */
class GraphIndexSciFactTest {

  private static final int DOCS = 800;

  @Test
  void should_find_at_least_99_percent_of_the_exact_top_10_on_scifact_embeddings() {
    Path dir = Path.of(System.getProperty("gecko.shared.data", "../shared/data"), "beir",
        "scifact");
    assumeTrue(Files.isRegularFile(dir.resolve("corpus.jsonl")),
        "SciFact not found at " + dir.toAbsolutePath() + "; skipping the SciFact recall test");
    BeirDataset scifact = BeirDataset.open(dir);
    List<BeirDocument> docs;
    try (Stream<BeirDocument> s = scifact.documents()) {
      docs = s.limit(DOCS).collect(Collectors.toList());
    }
    List<String> queries = new ArrayList<>(
        BeirDataset.readQueries(dir.resolve("queries.jsonl")).values());
    List<Embedding> docVectors;
    List<Embedding> queryVectors;
    try (OnnxEmbedder embedder = OnnxEmbedder.builder().model(Models.BGE_SMALL_EN_V15_Q)
        .maxLength(64).build()) {
      docVectors = embedder.embedAll(
          docs.stream().map(BeirDocument::mtebText).collect(Collectors.toList()),
          TaskPrompt.document());
      queryVectors = embedder.embedAll(queries, TaskPrompt.query(TaskPrompt.SEARCH_RESULT));
    }
    List<String> ids = docs.stream().map(BeirDocument::id).collect(Collectors.toList());
    List<float[]> vectors = docVectors.stream().map(Embedding::toArray)
        .collect(Collectors.toList());
    FlatIndex flat = new FlatIndex(384, Similarity.COSINE);
    flat.addAll(ids, vectors);
    GraphIndex graph = new GraphIndex(384, Similarity.COSINE);
    graph.addAll(ids, vectors);
    List<float[]> qs = queryVectors.stream().map(Embedding::toArray).collect(Collectors.toList());

    double recall = GraphIndexTest.recallAt10(graph, flat, qs);

    assertThat(docs).hasSize(DOCS);
    assertThat(qs).hasSize(1_109);
    assertThat(recall).isGreaterThanOrEqualTo(0.99);
  }
}
