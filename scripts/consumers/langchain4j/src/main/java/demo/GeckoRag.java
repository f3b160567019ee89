package demo;

import dev.gecko4j.core.Embedding;
import dev.gecko4j.core.TaskPrompt;
import dev.gecko4j.core.eval.BeirDataset;
import dev.gecko4j.core.eval.BeirDocument;
import dev.gecko4j.core.index.FlatIndex;
import dev.gecko4j.core.index.Hit;
import dev.gecko4j.core.vector.Similarity;
import dev.gecko4j.langchain4j.GeckoEmbeddingModel;
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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The README's "Use with LangChain4j" example, then SciFact through LangChain4j's ingestor, store
 * and retriever against gecko4j's own embeddings and FlatIndex: prints the number of test queries
 * whose top-10 lists are identical. Args: the SciFact folder, the number of documents (the judged
 * ones first), the number of queries.
 */
public class GeckoRag {
  public static void main(String[] args) {
    // 1. the README snippet, as written
    try (GeckoEmbeddingModel model = GeckoEmbeddingModel.builder().model("bge-small-en-v1.5").build()) {
      InMemoryEmbeddingStore<TextSegment> store = new InMemoryEmbeddingStore<>();
      EmbeddingStoreIngestor.builder().embeddingModel(model).embeddingStore(store).build().ingest(
          Document.from("Geckos eat insects, fruit and nectar.", Metadata.from("title", "Diet")),
          Document.from("Paris is the capital of France.", Metadata.from("title", "Paris")),
          Document.from("The stock market fell sharply on Monday.", Metadata.from("title", "Markets")));
      EmbeddingStoreContentRetriever retriever = EmbeddingStoreContentRetriever.builder()
          .embeddingStore(store).embeddingModel(model)
          .embeddingInputType(EmbeddingInputType.QUERY) // queries get the model's query prompt
          .maxResults(1).build();
      for (Content c : retriever.retrieve(Query.from("what do geckos eat?"))) {
        System.out.println(c.textSegment().metadata().getString("title") + ": " + c.textSegment().text());
      }
    }

    // 2. SciFact: the framework's path against gecko4j's own
    BeirDataset scifact = BeirDataset.open(Path.of(args[0]));
    int docLimit = Integer.parseInt(args[1]);
    int queryLimit = Integer.parseInt(args[2]);
    Map<String, Map<String, Integer>> qrels = scifact.qrels("test");
    Map<String, String> queries = scifact.queries();
    List<String> qids = new ArrayList<>(qrels.keySet()).subList(0, Math.min(queryLimit, qrels.size()));
    Set<String> judged = new HashSet<>();
    qids.forEach(q -> judged.addAll(qrels.get(q).keySet()));
    List<BeirDocument> docs = new ArrayList<>();
    for (BeirDocument d : scifact.loadDocuments()) {
      if (judged.contains(d.id())) {
        docs.add(d);
      }
    }
    for (BeirDocument d : scifact.loadDocuments()) {
      if (docs.size() >= docLimit) {
        break;
      }
      if (!judged.contains(d.id())) {
        docs.add(d);
      }
    }
    long t0 = System.nanoTime();
    int same = 0;
    try (OnnxEmbedder onnx = OnnxEmbedder.builder().model(Models.BGE_SMALL_EN_V15).build();
        GeckoEmbeddingModel model = GeckoEmbeddingModel.builder().embedder(onnx).build()) {
      InMemoryEmbeddingStore<TextSegment> store = new InMemoryEmbeddingStore<>();
      List<Document> documents = new ArrayList<>();
      for (BeirDocument d : docs) {
        Metadata md = Metadata.from("id", d.id());
        if (d.title() != null && !d.title().isBlank()) {
          md.put("title", d.title());
        }
        documents.add(Document.from(d.mtebText(), md));
      }
      EmbeddingStoreIngestor.builder().embeddingModel(model).embeddingStore(store).build().ingest(documents);
      EmbeddingStoreContentRetriever retriever = EmbeddingStoreContentRetriever.builder()
          .embeddingStore(store).embeddingModel(model).embeddingInputType(EmbeddingInputType.QUERY)
          .maxResults(10).build();

      List<String> texts = new ArrayList<>();
      List<TaskPrompt> prompts = new ArrayList<>();
      for (BeirDocument d : docs) {
        texts.add(d.mtebText());
        prompts.add(TaskPrompt.document(d.title()));
      }
      FlatIndex index = new FlatIndex(onnx.dimension(), Similarity.COSINE);
      List<Embedding> e = onnx.embedAll(texts, prompts);
      for (int i = 0; i < docs.size(); i++) {
        index.add(docs.get(i).id(), e.get(i));
      }
      for (String qid : qids) {
        List<String> viaLangChain4j = new ArrayList<>();
        for (Content c : retriever.retrieve(Query.from(queries.get(qid)))) {
          viaLangChain4j.add(c.textSegment().metadata().getString("id"));
        }
        List<String> own = new ArrayList<>();
        for (Hit h : index.search(onnx.embed(queries.get(qid),
            TaskPrompt.query(TaskPrompt.SEARCH_RESULT)).toArray(), 10)) {
          own.add(h.id());
        }
        if (own.equals(viaLangChain4j)) {
          same++;
        }
      }
    }
    System.out.printf("{\"java\":\"%s\",\"documents\":%d,\"queries\":%d,\"identical_top10\":%d,\"seconds\":%.1f}%n",
        System.getProperty("java.version"), docs.size(), qids.size(), same, (System.nanoTime() - t0) / 1e9);
  }
}
