package dev.gecko4j.fret;

import dev.gecko4j.core.Embedder;
import dev.gecko4j.core.Embedding;
import dev.gecko4j.core.PromptConvention;
import dev.gecko4j.core.TaskPrompt;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small real embedder for cache and run tests: character trigrams of the prompted text hashed
 * into 32 dimensions, L2-normalised; deterministic. Counts the texts it embedded.
 */
final class TrigramEmbedder implements Embedder {

  final AtomicInteger embedded = new AtomicInteger();

  @Override
  public int dimension() {
    return 32;
  }

  @Override
  public PromptConvention promptConvention() {
    return PromptConvention.GECKO;
  }

  @Override
  public List<Embedding> embedAll(List<String> texts, List<TaskPrompt> prompts) {
    List<Embedding> out = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      String t = "  " + PromptConvention.GECKO.apply(prompts.get(i), texts.get(i)) + "  ";
      float[] v = new float[32];
      for (int j = 0; j + 3 <= t.length(); j++) {
        v[Math.floorMod(t.substring(j, j + 3).hashCode(), 32)] += 1f;
      }
      out.add(Embedding.wrap(v).normalize());
      embedded.incrementAndGet();
    }
    return out;
  }

  @Override
  public void close() {}
}
