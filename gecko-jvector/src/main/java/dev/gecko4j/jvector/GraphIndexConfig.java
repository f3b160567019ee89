package dev.gecko4j.jvector;

/**
 * Validated settings of a {@link GraphIndex}. Start from {@link #builder()} (or {@link
 * #defaults()}); every setter checks its argument at once and names the valid range.
 *
 * <p>The build settings are JVector's {@code GraphIndexBuilder} parameters: a Vamana graph with an
 * HNSW-style hierarchy on top. Larger {@code maxDegree} and {@code beamWidth} give better recall
 * and slower builds; {@code searchRerank} (the search beam, JVector's {@code rerankK}) trades
 * query speed for recall at search time and can be changed per index without rebuilding.
 *
 * @param maxDegree M, the most neighbours a node keeps per layer, in {@code [2, 512]}; default 16
 * @param beamWidth the beam of the neighbour search while inserting, in {@code [1, 4096]};
 *     default 100
 * @param neighbourOverflow how many more neighbours than M a node may hold while inserting
 *     (pruned back to M later), in {@code [1, 8]}; default 1.2
 * @param alpha diversity pruning: above 1 keeps longer edges, in {@code (0, 4]}; default 1.2
 * @param hierarchy whether to add HNSW-style upper layers over the base graph; default true
 * @param refine whether {@link GraphIndex#optimize()} runs JVector's second pass that refines
 *     every node's connections (better recall, about one more insertion pass); default true
 * @param searchRerank the candidates a search keeps and scores exactly (at least k), in {@code
 *     [1, 100000]}; default 100
 * @param pqSubspaces product quantisation: 0 for none, else the number of subspaces of the PQ
 *     codes the graph is traversed with (the exact vectors rerank the candidates), dividing the
 *     dimension's range {@code [1, dimension]}; default 0
 * @param buildThreads threads that insert in {@link GraphIndex#addAll}, {@code 0} for all cores
 *     (the common fork-join pool), else in {@code [1, 1024]}; default 0
 */
public record GraphIndexConfig(int maxDegree, int beamWidth, float neighbourOverflow, float alpha,
    boolean hierarchy, boolean refine, int searchRerank, int pqSubspaces, int buildThreads) {

  /** Validates every field. */
  public GraphIndexConfig {
    range("maxDegree", maxDegree, 2, 512);
    range("beamWidth", beamWidth, 1, 4096);
    if (!(neighbourOverflow >= 1f && neighbourOverflow <= 8f)) {
      throw new IllegalArgumentException(
          "neighbourOverflow must be in [1, 8], but is: " + neighbourOverflow);
    }
    if (!(alpha > 0f && alpha <= 4f)) {
      throw new IllegalArgumentException("alpha must be in (0, 4], but is: " + alpha);
    }
    range("searchRerank", searchRerank, 1, 100_000);
    range("pqSubspaces", pqSubspaces, 0, 65_536);
    range("buildThreads", buildThreads, 0, 1024);
  }

  /**
   * Returns the defaults: M 16, beam 100, overflow 1.2, alpha 1.2, hierarchy, refine, search
   * rerank 100, no PQ, all cores.
   *
   * @return the default settings
   */
  public static GraphIndexConfig defaults() {
    return new GraphIndexConfig(16, 100, 1.2f, 1.2f, true, true, 100, 0, 0);
  }

  /**
   * Returns a builder that starts from {@link #defaults()}.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder(defaults());
  }

  /**
   * Returns a builder that starts from these settings.
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    return new Builder(this);
  }

  private static void range(String name, int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          name + " must be in [" + min + ", " + max + "], but is: " + value);
    }
  }

  /** Builds a {@link GraphIndexConfig}; each setter validates its argument. */
  public static final class Builder {
    private int maxDegree;
    private int beamWidth;
    private float neighbourOverflow;
    private float alpha;
    private boolean hierarchy;
    private boolean refine;
    private int searchRerank;
    private int pqSubspaces;
    private int buildThreads;

    private Builder(GraphIndexConfig c) {
      maxDegree = c.maxDegree;
      beamWidth = c.beamWidth;
      neighbourOverflow = c.neighbourOverflow;
      alpha = c.alpha;
      hierarchy = c.hierarchy;
      refine = c.refine;
      searchRerank = c.searchRerank;
      pqSubspaces = c.pqSubspaces;
      buildThreads = c.buildThreads;
    }

    /**
     * Sets M, the most neighbours per node and layer.
     *
     * @param m in {@code [2, 512]}
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder maxDegree(int m) {
      range("maxDegree", m, 2, 512);
      this.maxDegree = m;
      return this;
    }

    /**
     * Sets the construction beam width.
     *
     * @param w in {@code [1, 4096]}
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder beamWidth(int w) {
      range("beamWidth", w, 1, 4096);
      this.beamWidth = w;
      return this;
    }

    /**
     * Sets the neighbour overflow while inserting.
     *
     * @param overflow in {@code [1, 8]}
     * @return this builder
     * @throws IllegalArgumentException if out of range or NaN
     */
    public Builder neighbourOverflow(float overflow) {
      if (!(overflow >= 1f && overflow <= 8f)) {
        throw new IllegalArgumentException(
            "neighbourOverflow must be in [1, 8], but is: " + overflow);
      }
      this.neighbourOverflow = overflow;
      return this;
    }

    /**
     * Sets alpha, the diversity pruning factor.
     *
     * @param a in {@code (0, 4]}
     * @return this builder
     * @throws IllegalArgumentException if out of range or NaN
     */
    public Builder alpha(float a) {
      if (!(a > 0f && a <= 4f)) {
        throw new IllegalArgumentException("alpha must be in (0, 4], but is: " + a);
      }
      this.alpha = a;
      return this;
    }

    /**
     * Sets whether HNSW-style upper layers are built.
     *
     * @param h true for a hierarchy
     * @return this builder
     */
    public Builder hierarchy(boolean h) {
      this.hierarchy = h;
      return this;
    }

    /**
     * Sets whether {@link GraphIndex#optimize()} refines every node's connections.
     *
     * @param r true to refine
     * @return this builder
     */
    public Builder refine(boolean r) {
      this.refine = r;
      return this;
    }

    /**
     * Sets the candidates a search keeps and scores exactly (raised to k when smaller).
     *
     * @param rerank in {@code [1, 100000]}
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder searchRerank(int rerank) {
      range("searchRerank", rerank, 1, 100_000);
      this.searchRerank = rerank;
      return this;
    }

    /**
     * Sets the PQ subspaces (0 for no compression); checked against the dimension when the index
     * is created.
     *
     * @param subspaces {@code >= 0}
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder pqSubspaces(int subspaces) {
      range("pqSubspaces", subspaces, 0, 65_536);
      this.pqSubspaces = subspaces;
      return this;
    }

    /**
     * Sets the insertion threads of {@link GraphIndex#addAll} (0 for all cores).
     *
     * @param threads in {@code [0, 1024]}
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder buildThreads(int threads) {
      range("buildThreads", threads, 0, 1024);
      this.buildThreads = threads;
      return this;
    }

    /**
     * Builds the settings.
     *
     * @return the settings
     */
    public GraphIndexConfig build() {
      return new GraphIndexConfig(maxDegree, beamWidth, neighbourOverflow, alpha, hierarchy, refine,
          searchRerank, pqSubspaces, buildThreads);
    }
  }

  /**
   * Returns a copy with another search rerank (the search-time recall/speed knob).
   *
   * @param rerank in {@code [1, 100000]}
   * @return the copy
   * @throws IllegalArgumentException if out of range
   */
  public GraphIndexConfig withSearchRerank(int rerank) {
    return toBuilder().searchRerank(rerank).build();
  }
}
