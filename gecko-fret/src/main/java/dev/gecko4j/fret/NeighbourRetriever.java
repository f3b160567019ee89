package dev.gecko4j.fret;

import dev.gecko4j.core.Embedder;
import dev.gecko4j.core.Embedding;
import dev.gecko4j.core.TaskPrompt;
import java.util.List;

/**
 * FRet step 2: embeds a (task, query) as {@link TaskPrompt#query(String)} (the embedder renders it
 * in its convention, e.g. {@code task: t | query: q} for Gecko) and returns the N nearest corpus
 * passages from the {@link MappedVectors} of the corpus.
 *
 * <p>Thread-safe when the embedder is.
 */
public final class NeighbourRetriever {

  private final Embedder embedder;
  private final MappedVectors vectors;

  /**
   * Creates a retriever.
   *
   * @param embedder the embedder the vectors were computed with; not null
   * @param vectors the corpus vectors; not null, same dimension as the embedder
   * @throws IllegalArgumentException if an argument is null or the dimensions differ
   */
  public NeighbourRetriever(Embedder embedder, MappedVectors vectors) {
    if (embedder == null) {
      throw new IllegalArgumentException("embedder must not be null");
    }
    if (vectors == null) {
      throw new IllegalArgumentException("vectors must not be null");
    }
    if (embedder.dimension() != vectors.dimension()) {
      throw new IllegalArgumentException("embedder dimension " + embedder.dimension()
          + " differs from the cached vectors' dimension " + vectors.dimension());
    }
    this.embedder = embedder;
    this.vectors = vectors;
  }

  /**
   * Returns the {@code n} passages nearest to {@code query} asked for {@code task}, best first.
   *
   * @param task the task description; not blank
   * @param query the query; not null
   * @param n how many, in {@code [1, corpus size]}
   * @return the hits, best first
   * @throws IllegalArgumentException if an argument is invalid
   */
  public List<MappedVectors.Hit> neighbours(String task, String query, int n) {
    Embedding q = embedder.embed(query, TaskPrompt.query(task));
    Embedding unit = q.norm() == 0 ? q : q.normalize();
    return vectors.search(unit.toArray(), Math.min(n, vectors.size()));
  }
}
