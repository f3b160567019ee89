package dev.gecko4j.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.gecko4j.core.Embedding;
import dev.gecko4j.core.TaskPrompt;
import dev.gecko4j.core.eval.BeirDataset;
import dev.gecko4j.core.eval.BeirDocument;
import dev.gecko4j.core.eval.RetrievalMetrics;
import dev.gecko4j.core.eval.ScoredDocument;
import dev.gecko4j.core.index.FlatIndex;
import dev.gecko4j.core.index.Hit;
import dev.gecko4j.core.vector.Similarity;
import dev.gecko4j.onnx.Models;
import dev.gecko4j.onnx.OnnxEmbedder;
import dev.langchain4j.data.document.Document;
import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.request.EmbeddingInputType;
import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.content.retriever.EmbeddingStoreContentRetriever;
import dev.langchain4j.rag.query.Query;
import dev.langchain4j.store.embedding.EmbeddingStoreIngestor;
import dev.langchain4j.store.embedding.inmemory.InMemoryEmbeddingStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;

/**
 * SciFact through LangChain4j's own types: the corpus ingested by {@link EmbeddingStoreIngestor}
 * into an {@link InMemoryEmbeddingStore} with the adapter, the 300 test queries retrieved by an
 * {@link EmbeddingStoreContentRetriever} with {@code QUERY} requests, against {@link FlatIndex}
 * over gecko4j's own embeddings of the same texts with the same prompts.
 *
 * <p>To keep {@code mvn verify} short on two shared cores, the default is the int8 model, the
 * documents judged for the test queries plus a seeded sample (600 documents in all), 64 tokens
 * per text and one ONNX Runtime thread. The whole corpus at full length is a hand-run measurement:
 * {@code -Dgecko.scifact.docs=0 -Dgecko.scifact.maxLength=0 -Dgecko.scifact.model=bge-small-en-v1.5}.
 * Measured on the whole corpus (5,183 documents, int8, 64 tokens, {@code -Dgecko.scifact.docs=0
 * -Dgecko.scifact.maxLength=64}; 902 s at load average ~15 on 2 cores): nDCG@10 0.587952 through
 * LangChain4j and through FlatIndex, identical top-10 lists for 300 of 300 queries. Skips without
 * {@code ../shared/data/beir/scifact}.
 */
@Tag("jdk-independent") // JDK 17 only: see the root pom's jdk25 execution
class SciFactRetrievalTest {

  private static final int K = 10;

  @Test
  void should_rank_scifact_through_langchain4j_as_flat_index_ranks_geckos_own_embeddings() {
    // given
    Path dir = Path.of(System.getProperty("gecko.shared.data", "../shared/data"), "beir", "scifact");
    Assumptions.assumeTrue(Files.isDirectory(dir), "needs " + dir + " (../shared/data beside the repo)");
    int docLimit = Integer.getInteger("gecko.scifact.docs", 600);
    int maxLength = Integer.getInteger("gecko.scifact.maxLength", 64);
    Models m = Models.byName(System.getProperty("gecko.scifact.model", "bge-small-en-v1.5-q"));
    BeirDataset scifact = BeirDataset.open(dir);
    Map<String, Map<String, Integer>> qrels = scifact.qrels("test");
    Map<String, String> queries = scifact.queries();
    List<BeirDocument> docs = subset(scifact.loadDocuments(), qrels, docLimit);
    // one intra-op thread: on a busy machine ONNX Runtime's spinning worker threads cost more
    // than they give (-Dgecko.scifact.threads for the hand-run measurement)
    OnnxEmbedder.Builder b = OnnxEmbedder.builder().model(m)
        .intraOpThreads(Integer.getInteger("gecko.scifact.threads", 1));
    if (maxLength > 0) {
      b = b.maxLength(maxLength);
    }
    long t0 = System.nanoTime();
    try (OnnxEmbedder onnx = b.build();
        GeckoEmbeddingModel model = GeckoEmbeddingModel.builder().embedder(onnx).build()) {

      // when: LangChain4j ingests and retrieves with the adapter
      InMemoryEmbeddingStore<TextSegment> store = new InMemoryEmbeddingStore<>();
      List<Document> documents = new ArrayList<>(docs.size());
      for (BeirDocument d : docs) {
        Metadata md = Metadata.from("id", d.id());
        if (d.title() != null && !d.title().isBlank()) {
          md.put(GeckoEmbeddingModel.TITLE_KEY, d.title());
        }
        documents.add(Document.from(d.mtebText(), md));
      }
      EmbeddingStoreIngestor.builder().embeddingModel(model).embeddingStore(store).build()
          .ingest(documents);
      EmbeddingStoreContentRetriever retriever = EmbeddingStoreContentRetriever.builder()
          .embeddingStore(store).embeddingModel(model).embeddingInputType(EmbeddingInputType.QUERY)
          .maxResults(K).build();
      double adapterSum = 0;
      List<List<String>> adapterTop = new ArrayList<>();
      for (String qid : qrels.keySet()) {
        List<ScoredDocument> hits = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (Content c : retriever.retrieve(Query.from(queries.get(qid)))) {
          String id = c.textSegment().metadata().getString("id");
          ids.add(id);
          hits.add(new ScoredDocument(id, ((Number) c.metadata().get(
              dev.langchain4j.rag.content.ContentMetadata.SCORE)).doubleValue()));
        }
        adapterTop.add(ids);
        adapterSum += RetrievalMetrics.ndcgAt(qrels.get(qid), hits, K);
      }

      // and gecko4j alone: the same texts and prompts, the same calls (one batch of documents,
      // one query per call), FlatIndex for the ranking
      List<String> texts = new ArrayList<>(docs.size());
      List<TaskPrompt> prompts = new ArrayList<>(docs.size());
      for (BeirDocument d : docs) {
        texts.add(d.mtebText());
        prompts.add(TaskPrompt.document(d.title()));
      }
      FlatIndex index = new FlatIndex(onnx.dimension(), Similarity.COSINE);
      List<Embedding> docEmbeddings = onnx.embedAll(texts, prompts);
      for (int i = 0; i < docs.size(); i++) {
        index.add(docs.get(i).id(), docEmbeddings.get(i));
      }
      double flatSum = 0;
      int sameTop = 0;
      int qi = 0;
      for (String qid : qrels.keySet()) {
        Embedding q = onnx.embed(queries.get(qid), TaskPrompt.query(TaskPrompt.SEARCH_RESULT));
        List<ScoredDocument> hits = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (Hit h : index.search(q.toArray(), K)) {
          hits.add(new ScoredDocument(h.id(), h.score()));
          ids.add(h.id());
        }
        if (ids.equals(adapterTop.get(qi++))) {
          sameTop++;
        }
        flatSum += RetrievalMetrics.ndcgAt(qrels.get(qid), hits, K);
      }
      double adapter = adapterSum / qrels.size();
      double flat = flatSum / qrels.size();
      System.err.printf(Locale.ROOT, "scifact via langchain4j: model=%s docs=%d maxLength=%d "
          + "queries=%d nDCG@10 adapter=%.6f flat=%.6f identical top-10 lists=%d/%d (%.1f s)%n",
          m.modelName(), docs.size(), onnx.maxLength(), qrels.size(), adapter, flat, sameTop,
          qrels.size(), (System.nanoTime() - t0) / 1e9);

      // then
      assertThat(qrels).hasSize(300);
      assertThat(store.search(dev.langchain4j.store.embedding.EmbeddingSearchRequest.builder()
          .queryEmbedding(model.embed("x").content()).maxResults(docs.size()).build())
          .matches()).hasSize(docs.size());
      assertThat(adapter).isCloseTo(flat, within(1e-6));
      assertThat(adapter).isGreaterThan(0.5);
    }
  }

  /**
   * The documents judged for the test queries plus a seeded random sample of the others, to
   * {@code limit} documents in all, in corpus order; all documents when {@code limit <= 0}.
   */
  private static List<BeirDocument> subset(List<BeirDocument> all,
      Map<String, Map<String, Integer>> qrels, int limit) {
    if (limit <= 0 || limit >= all.size()) {
      return all;
    }
    Set<String> keep = new HashSet<>();
    qrels.values().forEach(j -> keep.addAll(j.keySet()));
    List<String> others = new ArrayList<>();
    for (BeirDocument d : all) {
      if (!keep.contains(d.id())) {
        others.add(d.id());
      }
    }
    java.util.Collections.shuffle(others, new Random(13));
    for (int i = 0; keep.size() < limit && i < others.size(); i++) {
      keep.add(others.get(i));
    }
    List<BeirDocument> out = new ArrayList<>(keep.size());
    for (BeirDocument d : all) {
      if (keep.contains(d.id())) {
        out.add(d);
      }
    }
    return out;
  }
}
