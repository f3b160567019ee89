package demo;

import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.boot.CommandLineRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

@SpringBootApplication
public class App {
  public static void main(String[] args) {
    SpringApplication.run(App.class, args);
  }

  @Bean
  CommandLineRunner demo(EmbeddingModel embeddingModel) {
    return args -> {
      float[] v = embeddingModel.embed("what do geckos eat?");
      System.out.println(embeddingModel + " -> " + v.length + " floats");
    };
  }
}
