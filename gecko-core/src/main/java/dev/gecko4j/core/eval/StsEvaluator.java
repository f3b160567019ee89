package dev.gecko4j.core.eval;

import dev.gecko4j.core.Embedder;
import dev.gecko4j.core.Embedding;
import dev.gecko4j.core.TaskPrompt;
import dev.gecko4j.core.internal.Args;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Evaluates an {@link Embedder} on an {@link StsDataset} as MTEB's STS evaluator does: both
 * sentences of a pair are embedded with {@code TaskPrompt.symmetric(SENTENCE_SIMILARITY)} (the
 * embedder's {@link dev.gecko4j.core.PromptConvention} decides the string: BGE and MiniLM use no
 * prefix, E5 {@code query: }, Gecko {@code task: sentence similarity | query: }), the cosine
 * similarity of each pair is compared with the gold scores, and the main score is their Spearman
 * correlation ({@code cosine_spearman}).
 *
 * <p>Each distinct sentence is embedded once, in batches. Cosines are computed in double
 * precision from the float embeddings (MTEB computes them in float32; the difference is below
 * 1e-6 per pair and only matters for pairs whose cosines tie to that precision). With a
 * {@linkplain Builder#dimension Matryoshka dimension}, embeddings are truncated to their leading
 * values and renormalised first.
 *
 * {@snippet lang=java :
 * StsResult r = StsEvaluator.builder().build().evaluate(embedder, StsDataset.read(path));
 * System.out.println(r.toJson("bge-small-en-v1.5"));
 * }
 *
 * <p>Instances are immutable and thread-safe (the listener is called on the evaluating thread).
 */
public final class StsEvaluator extends EmbeddingEvaluator {

  private StsEvaluator(Builder b) {
    super(b);
  }

  /** {@return a builder with the defaults: batch size 128, full dimension, no listener} */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Embeds the dataset's sentences with {@code embedder} and correlates pair cosines with the gold
   * scores.
   *
   * @param embedder the embedder; not null, not closed
   * @param dataset the dataset; not null, with at least 2 pairs
   * @return the result (Spearman, Pearson, pair count)
   * @throws IllegalArgumentException if an argument is null, the dataset has fewer than 2 pairs,
   *     the configured dimension exceeds the embedder's, or the cosines (or gold scores) are all
   *     equal so that correlation is undefined
   * @throws IllegalStateException if the embedder is closed or returns the wrong number of
   *     embeddings or too few dimensions
   */
  public StsResult evaluate(Embedder embedder, StsDataset dataset) {
    Args.notNull(embedder, "embedder");
    Args.notNull(dataset, "dataset");
    if (dataset.size() < 2) {
      throw new IllegalArgumentException(
          "dataset must have at least 2 pairs to correlate, but has: " + dataset.size());
    }
    int dim = Batches.resolveDimension(embedder, dimension());
    Map<String, Integer> index = new LinkedHashMap<>();
    for (StsPair p : dataset.pairs()) {
      index.putIfAbsent(p.sentence1(), index.size());
      index.putIfAbsent(p.sentence2(), index.size());
    }
    List<String> sentences = new ArrayList<>(index.keySet());
    TaskPrompt prompt = TaskPrompt.symmetric(TaskPrompt.SENTENCE_SIMILARITY);
    Embedding[] embeddings = Batches.embedInBatches(embedder, sentences, prompt, dim, false,
        batchSize(), listener(), "sentences");
    int n = dataset.size();
    double[] gold = new double[n];
    double[] cosine = new double[n];
    for (int i = 0; i < n; i++) {
      StsPair p = dataset.pairs().get(i);
      gold[i] = p.score();
      cosine[i] = embeddings[index.get(p.sentence1())].cosine(embeddings[index.get(p.sentence2())]);
    }
    return new StsResult(dataset.name(), Correlation.spearman(cosine, gold),
        Correlation.pearson(cosine, gold), n, dim);
  }

  /** Builds an {@link StsEvaluator}; each setter validates its argument. */
  public static final class Builder extends EmbeddingEvaluator.Builder<Builder, StsEvaluator> {

    private Builder() {
      super(128);
    }

    @Override
    public StsEvaluator build() {
      return new StsEvaluator(this);
    }
  }
}
