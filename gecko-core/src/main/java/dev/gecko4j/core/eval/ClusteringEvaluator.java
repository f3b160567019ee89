package dev.gecko4j.core.eval;

import dev.gecko4j.core.Embedder;
import dev.gecko4j.core.Embedding;
import dev.gecko4j.core.TaskPrompt;
import dev.gecko4j.core.internal.Args;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Evaluates an {@link Embedder} on a {@link ClusteringDataset} as MTEB's clustering tasks do:
 * texts are embedded with {@code TaskPrompt.symmetric(CLUSTERING)}, clustered with
 * scikit-learn's {@code MiniBatchKMeans} (k-means++, {@code n_init="auto"}, {@code n_clusters} =
 * the number of distinct labels) and scored by V-measure against the labels.
 *
 * <ul>
 *   <li>{@link Protocol#FAST} (MTEB's {@code AbsTaskClusteringFast}, e.g. SIB200ClusteringS2S and
 *       the {@code .v2} tasks): the sets are flattened; Python's {@code random.Random(seed)}
 *       permutes them ({@code sample}, keeping at most {@link Builder#maxDocuments} texts), and
 *       in each of {@link Builder#rounds} (10) rounds draws {@link Builder#bootstrapSize} (16384)
 *       texts with replacement ({@code choices}), which are clustered (batch 512); the main score
 *       is the mean V-measure over the rounds.
 *   <li>{@link Protocol#LEGACY} (MTEB's {@code AbsTaskClustering}, e.g. TwentyNewsgroups): each
 *       set is clustered on its own (batch 500) with numpy re-seeded to 42; the main score is the
 *       mean over the sets.
 * </ul>
 *
 * <p>Python's and numpy's Mersenne Twisters are reproduced bit for bit, and k-means draws from a
 * numpy generator seeded with {@link Builder#seed} when the task starts and carried through the
 * rounds. That is the state mteb 1.18.0 had: its SIB200ClusteringS2S eng_Latn results for
 * bge-small-en-v1.5 and e5-small-v2 are reproduced round for round. mteb 1.12 drew from a state
 * left by the earlier language subsets, which only a full run has, so its values can be matched
 * in distribution only (rounds vary by a few hundredths).
 *
 * <p>Instances are immutable and thread-safe (the listener is called on the evaluating thread).
 */
public class ClusteringEvaluator extends EmbeddingEvaluator {

  /** Which of MTEB's clustering protocols to follow. */
  public enum Protocol {
    /** Bootstrapped rounds over the flattened sets ({@code AbsTaskClusteringFast}). */
    FAST,
    /** Each set clustered on its own ({@code AbsTaskClustering}). */
    LEGACY
  }

  private final Protocol protocol;
  private final int rounds;
  private final int bootstrapSize;
  private final int maxDocuments;
  private final int kmeansBatchSize;
  private final long seed;

  /**
   * Creates the evaluator from its builder.
   *
   * @param b the builder; not null
   */
  protected ClusteringEvaluator(Builder b) {
    super(b);
    this.protocol = b.protocol;
    this.rounds = b.rounds;
    this.bootstrapSize = b.bootstrapSize;
    this.maxDocuments = b.maxDocuments;
    this.kmeansBatchSize = b.kmeansBatchSize != 0 ? b.kmeansBatchSize
        : b.protocol == Protocol.FAST ? 512 : 500;
    this.seed = b.seed;
  }

  /** {@return a builder with MTEB's fast protocol and its defaults} */
  public static Builder builder() {
    return new Builder();
  }

  /** {@return the protocol} */
  public final Protocol protocol() {
    return protocol;
  }

  /**
   * Embeds and clusters the dataset at the configured {@link #dimension()}.
   *
   * @param embedder the embedder; not null, not closed
   * @param dataset the dataset; not null
   * @return the mean V-measure and the per-round (or per-set) values
   * @throws IllegalArgumentException if an argument is null, the configured dimension exceeds the
   *     embedder's, or a set has fewer texts than labels
   */
  public ClusteringResult evaluate(Embedder embedder, ClusteringDataset dataset) {
    Args.notNull(embedder, "embedder");
    int dim = resolveDimension(embedder);
    return evaluateDimensions(embedder, dataset, List.of(dim)).get(dim);
  }

  /**
   * Like {@link #evaluate} for several Matryoshka dimensions, embedding once at the largest and
   * truncating (and renormalising) for the smaller ones; the same random draws are used at every
   * dimension. The configured {@link #dimension()} is ignored.
   *
   * @param embedder the embedder; not null, not closed
   * @param dataset the dataset; not null
   * @param dimensions the dimensions, each 0 (the embedder's) or between 1 and its dimension,
   *     without repeats
   * @return the result per resolved dimension, in the given order
   * @throws IllegalArgumentException if an argument is null or a dimension is out of range or
   *     repeated
   */
  public Map<Integer, ClusteringResult> evaluateDimensions(Embedder embedder,
      ClusteringDataset dataset, List<Integer> dimensions) {
    Args.notNull(embedder, "embedder");
    Args.notNull(dataset, "dataset");
    List<Integer> dims = Matryoshka.resolve(embedder, dimensions);
    int largest = Matryoshka.largest(dims);
    TaskPrompt prompt = TaskPrompt.symmetric(TaskPrompt.CLUSTERING);
    Map<Integer, ClusteringResult> out = new LinkedHashMap<>();
    if (protocol == Protocol.FAST) {
      List<LabeledText> all = dataset.flattened();
      PythonRandom rng = new PythonRandom(seed);
      int keep = Math.min(maxDocuments, all.size());
      int[] order = rng.sample(all.size(), keep);
      List<String> texts = new ArrayList<>(keep);
      List<String> labels = new ArrayList<>(keep);
      for (int i : order) {
        texts.add(all.get(i).text());
        labels.add(all.get(i).label());
      }
      int[] y = encode(labels);
      int k = distinct(y);
      int[][] draws = new int[rounds][];
      for (int r = 0; r < rounds; r++) {
        draws[r] = rng.choices(keep, bootstrapSize);
      }
      Embedding[] e = embed(embedder, texts, prompt, largest, "sentences");
      for (int dim : dims) {
        double[][] v = Matryoshka.vectors(e, dim);
        NumpyRandom numpy = new NumpyRandom(seed);
        List<Double> scores = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
          double[][] x = new double[bootstrapSize][];
          int[] truth = new int[bootstrapSize];
          for (int i = 0; i < bootstrapSize; i++) {
            x[i] = v[draws[r][i]];
            truth[i] = y[draws[r][i]];
          }
          int[] assigned = new MiniBatchKMeans(k, kmeansBatchSize, numpy).fitPredict(x);
          scores.add(ClusteringMetrics.vMeasure(truth, assigned));
        }
        out.put(dim, new ClusteringResult(dataset.name(), scores, protocol, dim));
      }
    } else {
      List<String> texts = new ArrayList<>();
      for (List<LabeledText> s : dataset.sets()) {
        s.forEach(t -> texts.add(t.text()));
      }
      Embedding[] e = embed(embedder, texts, prompt, largest, "sentences");
      for (int dim : dims) {
        double[][] v = Matryoshka.vectors(e, dim);
        List<Double> scores = new ArrayList<>();
        int from = 0;
        for (List<LabeledText> s : dataset.sets()) {
          int[] y = encode(s.stream().map(LabeledText::label).toList());
          double[][] x = new double[s.size()][];
          System.arraycopy(v, from, x, 0, s.size());
          from += s.size();
          int[] assigned = new MiniBatchKMeans(distinct(y), kmeansBatchSize,
              new NumpyRandom(seed)).fitPredict(x);
          scores.add(ClusteringMetrics.vMeasure(y, assigned));
        }
        out.put(dim, new ClusteringResult(dataset.name(), scores, protocol, dim));
      }
    }
    return out;
  }

  private static int[] encode(List<String> labels) {
    TreeMap<String, Integer> ids = new TreeMap<>();
    labels.forEach(l -> ids.put(l, 0));
    int next = 0;
    for (Map.Entry<String, Integer> en : ids.entrySet()) {
      en.setValue(next++);
    }
    return labels.stream().mapToInt(ids::get).toArray();
  }

  private static int distinct(int[] y) {
    return (int) java.util.Arrays.stream(y).distinct().count();
  }

  /** Builds a {@link ClusteringEvaluator}; each setter validates its argument. */
  public static class Builder extends EmbeddingEvaluator.Builder<Builder, ClusteringEvaluator> {

    private Protocol protocol = Protocol.FAST;
    private int rounds = 10;
    private int bootstrapSize = 16_384;
    private int maxDocuments = Integer.MAX_VALUE;
    private int kmeansBatchSize = 0;
    private long seed = 42;

    /** Starts with MTEB's fast protocol and batch size 128. */
    protected Builder() {
      super(128);
    }

    /**
     * Sets the protocol.
     *
     * @param protocol not null; default {@link Protocol#FAST}
     * @return this builder
     * @throws IllegalArgumentException if null
     */
    public Builder protocol(Protocol protocol) {
      this.protocol = Args.notNull(protocol, "protocol");
      return this;
    }

    /**
     * Sets the number of bootstrap rounds of the fast protocol (MTEB's {@code n_clusters}).
     *
     * @param rounds between 1 and 1000; default 10
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder rounds(int rounds) {
      this.rounds = Args.inRange(rounds, 1, 1000, "rounds");
      return this;
    }

    /**
     * Sets how many texts each fast-protocol round draws with replacement (MTEB's
     * {@code max_documents_per_cluster}).
     *
     * @param bootstrapSize between 1 and 10,000,000; default 16384
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder bootstrapSize(int bootstrapSize) {
      this.bootstrapSize = Args.inRange(bootstrapSize, 1, 10_000_000, "bootstrapSize");
      return this;
    }

    /**
     * Sets how many texts the fast protocol embeds at most (MTEB's
     * {@code max_document_to_embed}); the kept ones are the first of Python's
     * {@code sample}.
     *
     * @param maxDocuments at least 1; default all
     * @return this builder
     * @throws IllegalArgumentException if below 1
     */
    public Builder maxDocuments(int maxDocuments) {
      this.maxDocuments = Args.atLeast(maxDocuments, 1, "maxDocuments");
      return this;
    }

    /**
     * Sets MiniBatchKMeans' batch size.
     *
     * @param kmeansBatchSize at least 1, or 0 for MTEB's (512 fast, 500 legacy; default)
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder kmeansBatchSize(int kmeansBatchSize) {
      this.kmeansBatchSize = Args.atLeast(kmeansBatchSize, 0, "kmeansBatchSize");
      return this;
    }

    /**
     * Sets the seed of Python's and numpy's generators.
     *
     * @param seed between 0 and 2^32-1; default 42
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder seed(long seed) {
      if (seed < 0 || seed > 0xffffffffL) {
        throw new IllegalArgumentException("seed must be between 0 and 4294967295, but is: " + seed);
      }
      this.seed = seed;
      return this;
    }

    @Override
    public ClusteringEvaluator build() {
      return new ClusteringEvaluator(this);
    }
  }
}
