package dev.gecko4j.onnx.child;

import dev.gecko4j.core.Embedding;
import dev.gecko4j.core.TaskPrompt;
import dev.gecko4j.core.index.FlatIndex;
import dev.gecko4j.core.index.Hit;
import dev.gecko4j.core.lm.GenerationOptions;
import dev.gecko4j.core.vector.Similarity;
import dev.gecko4j.onnx.OnnxEmbedder;
import dev.gecko4j.onnx.lm.OnnxCausalLanguageModel;
import java.nio.file.Path;
import java.util.List;

/**
 * What a user's application does, run as its own JVM by {@link ChildJvmTest}: builds the bundled
 * default embedder, embeds, searches, and (given a folder) generates with the in-process LM, then
 * prints {@code OK <top hit>} and exits 0.
 */
public final class EmbedAndExit {

  private EmbedAndExit() {}

  /**
   * Runs the job.
   *
   * @param args optional: a causal-LM folder (stories260K) to load and generate with
   * @throws Exception on any failure (the child then exits non-zero)
   */
  public static void main(String[] args) throws Exception {
    List<String> docs = List.of("Geckos eat insects such as crickets and moths.",
        "The stock market closed higher on Friday.", "Rain is expected over the weekend.");
    String top;
    try (OnnxEmbedder embedder = OnnxEmbedder.builder().build()) {
      List<Embedding> vectors = embedder.embedAll(docs, TaskPrompt.document());
      FlatIndex index = new FlatIndex(embedder.dimension(), Similarity.COSINE);
      for (int i = 0; i < docs.size(); i++) {
        index.add("d" + i, vectors.get(i));
      }
      Embedding q = embedder.embed("what do geckos eat?", TaskPrompt.query(TaskPrompt.SEARCH_RESULT));
      List<Hit> hits = index.search(q.toArray(), 1);
      top = hits.get(0).id();
    }
    if (args.length > 0) {
      try (OnnxCausalLanguageModel lm = OnnxCausalLanguageModel.builder(Path.of(args[0])).build()) {
        String text = lm.generate(List.of("Once upon a time"), GenerationOptions.greedy(8)).get(0).text();
        System.out.println("LM " + text.length());
      }
    }
    System.out.println("OK " + top);
  }
}
