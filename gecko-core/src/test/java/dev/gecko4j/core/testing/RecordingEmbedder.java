package dev.gecko4j.core.testing;

import dev.gecko4j.core.Embedder;
import dev.gecko4j.core.Embedding;
import dev.gecko4j.core.PromptConvention;
import dev.gecko4j.core.TaskPrompt;
import java.util.ArrayList;
import java.util.List;

/**
 * A small deterministic embedder for adapter tests: the prompted text (Gecko's unified format)
 * hashed into 8 dimensions. It records every prompted string and counts its calls and closes. Shared
 * by the modules' tests (gecko-core test-jar).
 */
public final class RecordingEmbedder implements Embedder {

  /** Every prompted string, in the order embedded. */
  public final List<String> rendered = new ArrayList<>();
  /** Calls of {@link #embedAll(List, List)}. */
  public int calls;
  /** Calls of {@link #close()}. */
  public int closes;

  @Override
  public int dimension() {
    return 8;
  }

  @Override
  public PromptConvention promptConvention() {
    return PromptConvention.GECKO;
  }

  @Override
  public synchronized List<Embedding> embedAll(List<String> texts, List<TaskPrompt> prompts) {
    if (closes > 0) {
      throw new IllegalStateException("embedder is closed");
    }
    calls++;
    List<Embedding> out = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      String s = PromptConvention.GECKO.apply(prompts.get(i), texts.get(i));
      rendered.add(s);
      float[] v = new float[8];
      for (int c = 0; c < s.length(); c++) {
        v[(s.charAt(c) * 31 + c) % 8] += 1;
      }
      out.add(Embedding.wrap(v).normalize());
    }
    return out;
  }

  @Override
  public synchronized void close() {
    closes++;
  }
}
