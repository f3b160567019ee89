package dev.gecko4j.core.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gecko4j.core.PromptConvention;
import dev.gecko4j.core.index.QuantizedFlatIndex;
import dev.gecko4j.core.index.VectorIndexFactory;
import dev.gecko4j.core.quantization.Precision;
import dev.gecko4j.core.testing.SharedData;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetrievalEvaluatorTest {

  @TempDir Path tmp;

  /** Each query's text is exactly its relevant document's "title text". */
  private BeirDataset dataset() throws IOException {
    return BeirDataset.open(BeirDatasetTest.writeDataset(tmp.resolve("geckos"),
        """
        {"_id": "d1", "title": "Geckos", "text": "eat insects at night"}
        {"_id": "d2", "title": "Leopard geckos", "text": "live in dry grasslands of Asia"}
        {"_id": "d3", "title": "Tokay", "text": "a loud gecko from Southeast Asia"}
        {"_id": "d4", "title": "Feet", "text": "setae let geckos climb glass walls"}
        {"_id": "d5", "title": "Tails", "text": "many lizards can drop their tails"}
        """,
        """
        {"_id": "q1", "text": "Geckos eat insects at night"}
        {"_id": "q2", "text": "Feet setae let geckos climb glass walls"}
        {"_id": "q3", "text": "Tails many lizards can drop their tails"}
        {"_id": "q4", "text": "unjudged query"}
        {"_id": "q5", "text": "only non-relevant judgments"}
        """,
        "query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td4\t1\nq3\td5\t2\nq5\td2\t0\n"));
  }

  @Test
  void should_score_perfectly_when_each_relevant_document_is_the_query_text() throws IOException {
    // given
    HashingEmbedder embedder = new HashingEmbedder(PromptConvention.NONE);
    List<String> progress = new ArrayList<>();
    RetrievalEvaluator evaluator = RetrievalEvaluator.builder().batchSize(2)
        .skipQueriesWithoutRelevant(true)
        .listener((stage, done, total) -> progress.add(stage + " " + done + "/" + total))
        .build();
    // when
    RetrievalResult r = evaluator.evaluate(embedder, dataset());
    // then: q5 (only a non-relevant judgment) is skipped, q4 (unjudged) is not evaluated
    assertThat(r.ndcgAt10()).isEqualTo(1.0);
    assertThat(r.recallAt1()).isEqualTo(1.0);
    assertThat(r.recallAt10()).isEqualTo(1.0);
    assertThat(r.recallAt100()).isEqualTo(1.0);
    assertThat(r.mrrAt10()).isEqualTo(1.0);
    assertThat(r.mapAt100()).isEqualTo(1.0);
    assertThat(r.queries()).isEqualTo(3);
    assertThat(r.documents()).isEqualTo(5);
    assertThat(progress).containsExactly("queries 2/3", "queries 3/3", "documents 2/5",
        "documents 4/5", "documents 5/5");
  }

  @Test
  void should_count_a_query_without_relevant_documents_as_zero_by_default() throws IOException {
    // when
    RetrievalResult r = RetrievalEvaluator.builder().build()
        .evaluate(new HashingEmbedder(PromptConvention.NONE), dataset());
    // then: q1..q3 score 1, q5 scores 0
    assertThat(r.queries()).isEqualTo(4);
    assertThat(r.ndcgAt10()).isEqualTo(0.75);
    assertThat(r.mrrAt10()).isEqualTo(0.75);
  }

  @Test
  void should_embed_documents_in_mteb_form_and_queries_with_the_task_prompt() throws IOException {
    // given
    HashingEmbedder embedder = new HashingEmbedder(PromptConvention.GECKO);
    // when
    RetrievalEvaluator.builder().task("fact checking").build().evaluate(embedder, dataset());
    // then: only the 3 judged queries with a relevant document, then the corpus
    assertThat(embedder.rendered).hasSize(8);
    assertThat(embedder.rendered.subList(0, 3)).containsExactly(
        "task: fact checking | query: Geckos eat insects at night",
        "task: fact checking | query: Feet setae let geckos climb glass walls",
        "task: fact checking | query: Tails many lizards can drop their tails");
    assertThat(embedder.rendered.get(3)).isEqualTo("title: none | text: Geckos eat insects at night");
  }

  @Test
  void should_give_the_title_to_the_prompt_in_titled_form() throws IOException {
    HashingEmbedder embedder = new HashingEmbedder(PromptConvention.GECKO);
    RetrievalEvaluator.builder().documentForm(RetrievalEvaluator.DocumentForm.TITLED).build()
        .evaluate(embedder, dataset());
    assertThat(embedder.rendered.get(3)).isEqualTo("title: Geckos | text: eat insects at night");
  }

  @Test
  void should_drop_a_document_with_the_query_id_when_ignoring_identical_ids() throws IOException {
    // given: the relevant document of query "d1" has id "d1" itself
    BeirDataset d = BeirDataset.open(BeirDatasetTest.writeDataset(tmp.resolve("same"),
        """
        {"_id": "d1", "title": "", "text": "geckos eat insects"}
        {"_id": "d2", "title": "", "text": "geckos climb walls"}
        """,
        "{\"_id\": \"d1\", \"text\": \"geckos eat insects\"}\n",
        "query-id\tcorpus-id\tscore\nd1\td1\t1\n"));
    HashingEmbedder embedder = new HashingEmbedder(PromptConvention.NONE);
    // when
    RetrievalResult kept = RetrievalEvaluator.builder().build().evaluate(embedder, d);
    RetrievalResult dropped = RetrievalEvaluator.builder().ignoreIdenticalIds(true).build()
        .evaluate(embedder, d);
    // then
    assertThat(kept.ndcgAt10()).isEqualTo(1.0);
    assertThat(dropped.ndcgAt10()).isEqualTo(0.0);
  }

  @Test
  void should_report_a_judged_query_missing_from_the_queries_file() throws IOException {
    BeirDataset d = BeirDataset.open(BeirDatasetTest.writeDataset(tmp.resolve("missing"),
        "{\"_id\": \"d1\", \"text\": \"x\"}\n", "{\"_id\": \"q1\", \"text\": \"x\"}\n",
        "query-id\tcorpus-id\tscore\nq9\td1\t1\n"));
    assertThatThrownBy(() -> RetrievalEvaluator.builder().build()
        .evaluate(new HashingEmbedder(PromptConvention.NONE), d))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessageContaining("query 'q9' of qrels/test.tsv is missing");
  }

  @Test
  void should_fail_on_a_zero_byte_corpus_instead_of_scoring_it_zero() throws IOException {
    // given (previously this evaluated to nDCG@10 = 0 without a word)
    BeirDataset d = BeirDataset.open(BeirDatasetTest.writeDataset(tmp.resolve("zero"), "",
        "{\"_id\": \"q1\", \"text\": \"x\"}\n", "query-id\tcorpus-id\tscore\nq1\td1\t1\n"));
    // when / then
    assertThatThrownBy(() -> RetrievalEvaluator.builder().build()
        .evaluate(new HashingEmbedder(PromptConvention.NONE), d))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessageStartingWith(d.dir().resolve("corpus.jsonl") + ": file is empty (0 bytes)");
  }

  @Test
  void should_count_judgments_naming_documents_the_corpus_lacks_and_score_them_as_not_retrieved()
      throws IOException {
    // given qrels judging d1 (in the corpus) and d7 (not in it) relevant to q1
    BeirDataset d = BeirDataset.open(BeirDatasetTest.writeDataset(tmp.resolve("unknown-doc"),
        "{\"_id\": \"d1\", \"text\": \"x\"}\n", "{\"_id\": \"q1\", \"text\": \"x\"}\n",
        "query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\td7\t1\n"));
    // when
    long unknown = RetrievalEvaluator.warnAboutUnknownDocuments(d, "test", d.qrels("test"),
        Set.of("d1"));
    RetrievalResult r = RetrievalEvaluator.builder().build()
        .evaluate(new HashingEmbedder(PromptConvention.NONE), d);
    // then: counted (and logged), and d7 counts as a relevant document never retrieved
    assertThat(unknown).isEqualTo(1);
    assertThat(r.recallAt10()).isEqualTo(0.5);
  }

  @Test
  void should_render_ndcg_at_10_as_the_main_score_in_json() throws Exception {
    RetrievalResult r = RetrievalEvaluator.builder().dimension(32).build()
        .evaluate(new HashingEmbedder(PromptConvention.NONE), dataset());
    JsonNode json = new ObjectMapper().readTree(r.toJson("test-model"));
    assertThat(json.get("metric").asText()).isEqualTo("ndcg_at_10");
    assertThat(json.get("dataset").asText()).isEqualTo("geckos");
    assertThat(json.get("score").asDouble()).isEqualTo(r.ndcgAt10());
    assertThat(json.get("dimension").asInt()).isEqualTo(32);
    assertThat(json.get("split").asText()).isEqualTo("test");
  }

  @Test
  void should_stream_the_real_scifact_corpus_and_evaluate_every_test_query() {
    // given
    BeirDataset scifact = BeirDataset.open(SharedData.require("beir/scifact"));
    List<Long> done = new ArrayList<>();
    // when
    RetrievalResult r = RetrievalEvaluator.builder()
        .listener((stage, n, total) -> {
          if (stage.equals("documents")) {
            done.add(n);
          }
        })
        .build().evaluate(new HashingEmbedder(PromptConvention.NONE), scifact);
    // then: a lexical trigram embedder finds some claims' evidence, far from all
    assertThat(r.queries()).isEqualTo(300);
    assertThat(r.documents()).isEqualTo(5183);
    assertThat(done).hasSize(21).endsWith(5183L);
    assertThat(r.ndcgAt10()).isBetween(0.01, 0.99);
    assertThat(r.recallAt100()).isGreaterThanOrEqualTo(r.recallAt10());
    assertThat(r.recallAt10()).isGreaterThanOrEqualTo(r.recallAt1());
  }

  @Test
  void should_score_quantized_indexes_on_the_same_embeddings_as_the_float_one() {
    // given
    BeirDataset scifact = BeirDataset.open(SharedData.require("beir/scifact"));
    HashingEmbedder embedder = new HashingEmbedder(PromptConvention.NONE);
    RetrievalEvaluator evaluator = RetrievalEvaluator.builder().build();
    // when
    List<RetrievalResult> r = evaluator.evaluateEach(embedder, scifact, List.of(
        VectorIndexFactory.flat(), QuantizedFlatIndex.factory(Precision.INT8, 4),
        QuantizedFlatIndex.factory(Precision.BINARY, 40)));
    // then: the float index gives evaluate()'s result; rescored int8 stays close to it, and binary
    // with 132 x 40 candidates rescores the whole corpus, so it ranks exactly as the floats (the
    // sign bits of these sparse hashed vectors alone would rank poorly)
    assertThat(r).hasSize(3);
    assertThat(r.get(0)).isEqualTo(evaluator.evaluate(embedder, scifact));
    assertThat(r.get(1).ndcgAt10()).isCloseTo(r.get(0).ndcgAt10(), org.assertj.core.data.Offset.offset(0.005));
    assertThat(r.get(2).ndcgAt10()).isCloseTo(r.get(0).ndcgAt10(), org.assertj.core.data.Offset.offset(1e-9));
    assertThatThrownBy(() -> RetrievalEvaluator.builder().index(null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("index");
    assertThatThrownBy(() -> evaluator.evaluateEach(embedder, scifact, List.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("indexes");
  }
}
