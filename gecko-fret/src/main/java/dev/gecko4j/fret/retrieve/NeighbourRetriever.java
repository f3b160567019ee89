package dev.gecko4j.fret.retrieve;

import dev.gecko4j.core.Embedder;
import dev.gecko4j.core.Embedding;
import dev.gecko4j.core.TaskPrompt;
import dev.gecko4j.core.index.Hit;
import dev.gecko4j.core.index.VectorIndex;
import java.util.ArrayList;
import java.util.List;

/**
 * FRet step 2: embeds a (task, query) as {@link TaskPrompt#query(String)} (the embedder renders it
 * in its convention, e.g. {@code task: t | query: q} for Gecko) and returns the N nearest corpus
 * passages: by exact scan of the {@link MappedVectors} of the corpus, or from a {@link
 * VectorIndex} over the same vectors (an approximate graph index for large corpora, see {@link
 * AnnPolicy}) when one is given.
 *
 * <p>Thread-safe when the embedder is.
 */
public final class NeighbourRetriever {

  private final Embedder embedder;
  private final MappedVectors vectors;
  private final VectorIndex index;

  /**
   * Creates a retriever.
   *
   * @param embedder the embedder the vectors were computed with; not null
   * @param vectors the corpus vectors; not null, same dimension as the embedder
   * @throws IllegalArgumentException if an argument is null or the dimensions differ
   */
  public NeighbourRetriever(Embedder embedder, MappedVectors vectors) {
    this(embedder, vectors, null);
  }

  /**
   * Creates a retriever that searches {@code index} instead of scanning {@code vectors}.
   *
   * @param embedder the embedder the vectors were computed with; not null
   * @param vectors the corpus vectors; not null, same dimension as the embedder
   * @param index an index over the same vectors, ordinal for ordinal (as {@link
   *     AnnPolicy#indexFor} builds), or null to scan {@code vectors} exactly
   * @throws IllegalArgumentException if an argument is null (but {@code index}) or the dimensions
   *     or sizes differ
   */
  public NeighbourRetriever(Embedder embedder, MappedVectors vectors, VectorIndex index) {
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
    if (index != null && (index.dimension() != vectors.dimension()
        || index.size() != vectors.size())) {
      throw new IllegalArgumentException("index (dimension " + index.dimension() + ", size "
          + index.size() + ") does not match the vectors (dimension " + vectors.dimension()
          + ", size " + vectors.size() + ")");
    }
    this.embedder = embedder;
    this.vectors = vectors;
    this.index = index;
  }

  /**
   * Returns whether neighbours come from an exact scan (no index, or an exact one).
   *
   * @return true when retrieval is exact
   */
  public boolean isExact() {
    return index == null || index.isExact();
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
    int k = Math.min(n, vectors.size());
    if (index == null || q.norm() == 0) {
      return vectors.search(unit.toArray(), k);
    }
    List<Hit> hits = index.search(unit.toArray(), k);
    List<MappedVectors.Hit> out = new ArrayList<>(hits.size());
    for (Hit h : hits) {
      out.add(new MappedVectors.Hit(h.ordinal(), h.score()));
    }
    return out;
  }
}
