package dev.gecko4j.fret.testing;

import dev.gecko4j.core.Embedder;
import dev.gecko4j.core.Embedding;
import dev.gecko4j.core.PromptConvention;
import dev.gecko4j.core.TaskPrompt;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small real embedder for cache and run tests: character trigrams of the prompted text hashed
 * into 32 dimensions, L2-normalised; deterministic. Counts the texts it embedded, and reports the
 * fingerprint it was given (as if its model had been retrained or its settings changed).
 */
public final class TrigramEmbedder implements Embedder {

  private final AtomicInteger embedded = new AtomicInteger();
  private final String name;
  private final String fingerprint;

  /** An embedder named {@code trigram} with {@link Embedder}'s default fingerprint. */
  public TrigramEmbedder() {
    this("trigram", null);
  }

  /**
   * An embedder named {@code trigram} that reports {@code fingerprint} (its vectors are the same
   * whatever it says).
   *
   * @param fingerprint the fingerprint to report; not null
   */
  public TrigramEmbedder(String fingerprint) {
    this("trigram", fingerprint);
    if (fingerprint == null) {
      throw new IllegalArgumentException("fingerprint must not be null");
    }
  }

  /**
   * An embedder that reports {@code name} and {@code fingerprint} as given, even blank (for tests
   * of what rejects them).
   *
   * @param name the name to report
   * @param fingerprint the fingerprint to report, or null for {@link Embedder}'s default
   */
  public TrigramEmbedder(String name, String fingerprint) {
    this.name = name;
    this.fingerprint = fingerprint;
  }

  /** {@return how many texts this embedder has embedded so far} */
  public int embeddedTexts() {
    return embedded.get();
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String fingerprint() {
    return fingerprint != null ? fingerprint : Embedder.super.fingerprint();
  }

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
