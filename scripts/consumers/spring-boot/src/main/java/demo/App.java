package demo;

import java.util.List;
import java.util.stream.Collectors;
import org.springframework.ai.chat.client.ChatClientRequest;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.document.Document;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.rag.Query;
import org.springframework.ai.rag.advisor.RetrievalAugmentationAdvisor;
import org.springframework.ai.rag.postretrieval.document.DocumentPostProcessor;
import org.springframework.ai.rag.retrieval.search.VectorStoreDocumentRetriever;
import org.springframework.ai.vectorstore.SimpleVectorStore;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.CommandLineRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

@SpringBootApplication
public class App {
  public static void main(String[] args) {
    // exit when the runners are done: RetrievalAugmentationAdvisor's default task executor keeps a
    // non-daemon thread (ai-advisor-1) that would hold the JVM open after main
    System.exit(SpringApplication.exit(SpringApplication.run(App.class, args)));
  }

  @Bean
  CommandLineRunner demo(EmbeddingModel embeddingModel) {
    return args -> {
      float[] v = embeddingModel.embed("what do geckos eat?");
      System.out.println(embeddingModel + " -> " + v.length + " floats");
    };
  }

  /**
   * Retrieve-then-rerank with Spring AI's RAG advisor: the starter's reranking DocumentPostProcessor
   * (there when gecko4j.rerank.model-folder is set) reranks what the vector store retrieves.
   */
  @Bean
  CommandLineRunner rerank(EmbeddingModel embeddingModel, ObjectProvider<DocumentPostProcessor> reranker) {
    return args -> {
      DocumentPostProcessor post = reranker.getIfAvailable();
      if (post == null) {
        System.out.println("rerank: no DocumentPostProcessor (set gecko4j.rerank.model-folder)");
        return;
      }
      SimpleVectorStore store = SimpleVectorStore.builder(embeddingModel).build();
      store.add(List.of(
          new Document("diet", "Geckos eat insects, worms and fruit.", java.util.Map.of()),
          new Document("paris", "Paris is the capital of France.", java.util.Map.of()),
          new Document("leopard", "Leopard geckos are insectivores: crickets and mealworms.", java.util.Map.of()),
          new Document("markets", "The stock market fell sharply on Monday.", java.util.Map.of())));
      VectorStoreDocumentRetriever retriever = VectorStoreDocumentRetriever.builder()
          .vectorStore(store).topK(4).build();
      RetrievalAugmentationAdvisor advisor = RetrievalAugmentationAdvisor.builder()
          .documentRetriever(retriever).documentPostProcessors(post).build();
      String question = "what do geckos eat?";
      // the advisor's retrieval step (the chat model call that would follow needs an LLM)
      ChatClientRequest request = advisor.before(
          ChatClientRequest.builder().prompt(new Prompt(question)).build(), null);
      @SuppressWarnings("unchecked")
      List<Document> used = (List<Document>) request.context().get(RetrievalAugmentationAdvisor.DOCUMENT_CONTEXT);
      List<Document> retrieved = retriever.retrieve(new Query(question));
      List<Document> direct = post.process(new Query(question), retrieved);
      boolean same = used.stream().map(Document::getId).collect(Collectors.toList())
          .equals(direct.stream().map(Document::getId).collect(Collectors.toList()));
      System.out.println("rerank: " + post + ": " + retrieved.size() + " retrieved -> " + used.size()
          + " in the prompt, " + used.stream().map(d -> d.getId() + "=" + String.format(java.util.Locale.ROOT,
              "%.4f", d.getScore())).collect(Collectors.joining(", ", "[", "]"))
          + (same ? ", equal to the post-processor called directly" : ", DIFFERENT from the direct call"));
    };
  }
}
