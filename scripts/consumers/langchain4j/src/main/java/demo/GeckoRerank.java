package demo;

import dev.gecko4j.core.eval.BeirDataset;
import dev.gecko4j.core.eval.BeirDocument;
import dev.gecko4j.core.rerank.RankedPassage;
import dev.gecko4j.core.rerank.ScoreScale;
import dev.gecko4j.langchain4j.GeckoEmbeddingModel;
import dev.gecko4j.langchain4j.GeckoScoringModel;
import dev.gecko4j.onnx.OnnxCrossEncoder;
import dev.langchain4j.data.document.Document;
import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.request.EmbeddingInputType;
import dev.langchain4j.rag.AugmentationRequest;
import dev.langchain4j.rag.AugmentationResult;
import dev.langchain4j.rag.DefaultRetrievalAugmentor;
import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.content.ContentMetadata;
import dev.langchain4j.rag.content.aggregator.ReRankingContentAggregator;
import dev.langchain4j.rag.content.retriever.EmbeddingStoreContentRetriever;
import dev.langchain4j.rag.query.Query;
import dev.langchain4j.store.embedding.EmbeddingStoreIngestor;
import dev.langchain4j.store.embedding.inmemory.InMemoryEmbeddingStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Retrieve-then-rerank in LangChain4j with gecko4j: SciFact documents embedded by gecko4j's
 * EmbeddingModel into LangChain4j's in-memory store, a DefaultRetrievalAugmentor whose retriever
 * takes the top CANDIDATES by embedding and whose ReRankingContentAggregator reranks them with
 * gecko4j's ScoringModel (an ONNX cross-encoder folder) down to the top KEEP. For each query it
 * checks the augmentor's contents against the cross-encoder called directly on the same
 * candidates: same documents, same order, same scores. Args: the cross-encoder folder, the SciFact
 * folder, the number of documents (judged ones first), the number of queries.
 */
public class GeckoRerank {
  static final int CANDIDATES = 20;
  static final int KEEP = 5;

  public static void main(String[] args) {
    Path folder = Path.of(args[0]);
    BeirDataset scifact = BeirDataset.open(Path.of(args[1]));
    int docLimit = Integer.parseInt(args[2]);
    int queryLimit = Integer.parseInt(args[3]);
    Map<String, Map<String, Integer>> qrels = scifact.qrels("test");
    Map<String, String> queries = scifact.queries();
    List<String> qids = new ArrayList<>(qrels.keySet()).subList(0, Math.min(queryLimit, qrels.size()));
    Set<String> judged = new HashSet<>();
    qids.forEach(q -> judged.addAll(qrels.get(q).keySet()));
    List<Document> documents = new ArrayList<>();
    for (BeirDocument d : scifact.loadDocuments()) {
      if (judged.contains(d.id()) || documents.size() < docLimit - judged.size()) {
        documents.add(Document.from(d.mtebText(), Metadata.from("id", d.id())));
      }
    }
    long t0 = System.nanoTime();
    int reranked = 0;
    int sameAsDirect = 0;
    int relevantInCandidates = 0;
    int relevantKept = 0;
    String name;
    try (GeckoEmbeddingModel embeddings = GeckoEmbeddingModel.builder().model("bge-small-en-v1.5").build();
        OnnxCrossEncoder crossEncoder = OnnxCrossEncoder.builder().modelFolder(folder).build();
        GeckoScoringModel scoring = GeckoScoringModel.of(crossEncoder, ScoreScale.LOGIT)) {
      name = crossEncoder.name();
      InMemoryEmbeddingStore<TextSegment> store = new InMemoryEmbeddingStore<>();
      EmbeddingStoreIngestor.builder().embeddingModel(embeddings).embeddingStore(store).build()
          .ingest(documents);
      EmbeddingStoreContentRetriever retriever = EmbeddingStoreContentRetriever.builder()
          .embeddingStore(store).embeddingModel(embeddings)
          .embeddingInputType(EmbeddingInputType.QUERY).maxResults(CANDIDATES).build();
      DefaultRetrievalAugmentor augmentor = DefaultRetrievalAugmentor.builder()
          .contentRetriever(retriever)
          .contentAggregator(ReRankingContentAggregator.builder().scoringModel(scoring)
              .maxResults(KEEP).build())
          .build();
      for (String qid : qids) {
        String question = queries.get(qid);
        UserMessage message = UserMessage.from(question);
        AugmentationResult result = augmentor.augment(new AugmentationRequest(message,
            dev.langchain4j.rag.query.Metadata.from(message, "demo", List.of())));
        List<Content> kept = result.contents();
        // the same candidates reranked by the cross-encoder directly
        List<Content> candidates = retriever.retrieve(Query.from(question));
        List<String> texts = new ArrayList<>();
        for (Content c : candidates) {
          texts.add(c.textSegment().text());
        }
        List<RankedPassage> direct = crossEncoder.rerank(question, texts, KEEP, ScoreScale.LOGIT);
        boolean same = kept.size() == direct.size();
        for (int i = 0; same && i < kept.size(); i++) {
          Content c = kept.get(i);
          double score = (Double) c.metadata().get(ContentMetadata.RERANKED_SCORE);
          same = c.textSegment().text().equals(direct.get(i).text())
              && Math.abs(score - direct.get(i).score()) < 1e-4;
        }
        reranked++;
        if (same) {
          sameAsDirect++;
        }
        for (Content c : candidates) {
          relevantInCandidates += qrels.get(qid).getOrDefault(c.textSegment().metadata().getString("id"), 0) > 0 ? 1 : 0;
        }
        for (Content c : kept) {
          relevantKept += qrels.get(qid).getOrDefault(c.textSegment().metadata().getString("id"), 0) > 0 ? 1 : 0;
        }
        if (reranked == 1) {
          System.out.println("query: " + question);
          for (Content c : kept) {
            System.out.printf("  %.4f %s%n", (Double) c.metadata().get(ContentMetadata.RERANKED_SCORE),
                c.textSegment().text().substring(0, Math.min(80, c.textSegment().text().length())));
          }
        }
      }
    }
    System.out.printf("{\"java\":\"%s\",\"cross_encoder\":\"%s\",\"documents\":%d,\"queries\":%d,"
            + "\"candidates\":%d,\"kept\":%d,\"reranked_equal_to_direct\":%d,\"relevant_in_candidates\":%d,"
            + "\"relevant_kept\":%d,\"seconds\":%.1f}%n",
        System.getProperty("java.version"), name, documents.size(), qids.size(), CANDIDATES, KEEP,
        sameAsDirect, relevantInCandidates, relevantKept, (System.nanoTime() - t0) / 1e9);
  }
}
