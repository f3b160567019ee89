package dev.gecko4j.core.eval;

import dev.gecko4j.core.Embedder;
import dev.gecko4j.core.Embedding;
import dev.gecko4j.core.PromptConvention;
import dev.gecko4j.core.TaskPrompt;
import java.util.ArrayList;
import java.util.List;

/**
 * A small deterministic embedder for evaluator tests: character trigrams of the prompted text
 * (lower-cased, padded with spaces) hashed into 64 dimensions, L2-normalised. Identical prompted
 * texts get identical vectors; it records every prompted string it was asked to embed.
 */
final class HashingEmbedder implements Embedder {

  static final int DIMENSION = 64;

  private final PromptConvention convention;
  final List<String> rendered = new ArrayList<>();
  final List<Integer> batchSizes = new ArrayList<>();
  private boolean closed;

  HashingEmbedder(PromptConvention convention) {
    this.convention = convention;
  }

  @Override
  public int dimension() {
    return DIMENSION;
  }

  @Override
  public PromptConvention promptConvention() {
    return convention;
  }

  @Override
  public List<Embedding> embedAll(List<String> texts, List<TaskPrompt> prompts) {
    if (closed) {
      throw new IllegalStateException("embedder is closed");
    }
    if (texts.size() != prompts.size()) {
      throw new IllegalArgumentException("sizes differ");
    }
    batchSizes.add(texts.size());
    List<Embedding> out = new ArrayList<>(texts.size());
    for (int i = 0; i < texts.size(); i++) {
      String s = convention.apply(prompts.get(i), texts.get(i));
      rendered.add(s);
      out.add(Embedding.wrap(hash(s)).normalize());
    }
    return out;
  }

  static float[] hash(String text) {
    String t = "  " + text.toLowerCase(java.util.Locale.ROOT) + "  ";
    float[] v = new float[DIMENSION];
    for (int i = 0; i + 3 <= t.length(); i++) {
      int h = 0x811c9dc5; // FNV-1a over the trigram's UTF-16 units
      for (int j = i; j < i + 3; j++) {
        h ^= t.charAt(j);
        h *= 0x01000193;
      }
      v[Math.floorMod(h, DIMENSION)] += 1f;
    }
    return v;
  }

  @Override
  public void close() {
    closed = true;
  }
}
