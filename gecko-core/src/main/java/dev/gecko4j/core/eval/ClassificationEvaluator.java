package dev.gecko4j.core.eval;

import dev.gecko4j.core.Embedder;
import dev.gecko4j.core.Embedding;
import dev.gecko4j.core.TaskPrompt;
import dev.gecko4j.core.internal.Args;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Evaluates an {@link Embedder} on a {@link ClassificationDataset} as MTEB's classification tasks
 * do (same code from mteb 1.0.0 through 1.18.0): texts are embedded with
 * {@code TaskPrompt.symmetric(CLASSIFICATION)}; for each of {@link Builder#experiments} (10)
 * experiments the training indices are shuffled with numpy's global generator re-seeded to
 * {@link Builder#seed} (42) — the same permutation applied once more per experiment, because MTEB
 * carries the index array over and every new evaluator re-seeds numpy — and walked in order
 * keeping the first {@link Builder#samplesPerLabel} (8; Emotion uses 16) texts of each label; a
 * classifier is fitted on their embeddings and scored on the whole evaluation split. The result is
 * the mean over the experiments of accuracy (the main score), macro F1 and weighted F1.
 *
 * <p>The default classifier is scikit-learn's {@code LogisticRegression(max_iter=100)}:
 * multinomial softmax with an L2 penalty ({@code C = 1.0}) on the weights and an unpenalised
 * intercept, fitted by L-BFGS as scipy runs it (two classes are fitted as scikit-learn's binary
 * model: the same optimum as a two-class softmax with {@code C / 2}). numpy's Mersenne Twister and
 * {@code shuffle} are reproduced bit for bit, so the training subsets equal MTEB's. With
 * {@link Method#KNN} a k-nearest-neighbour vote on cosine similarity is used instead.
 *
 * <p>Labels are mapped to class ids in sorted order (as {@code np.unique}); the classifier knows
 * only the labels present in the training subset.
 *
 * {@snippet lang=java :
 * ClassificationResult r = ClassificationEvaluator.builder().build()
 *     .evaluate(embedder, ClassificationDataset.read(Path.of("banking77")));
 * }
 *
 * <p>Instances are immutable and thread-safe (the listener is called on the evaluating thread).
 */
public class ClassificationEvaluator extends EmbeddingEvaluator {

  /** The classifier fitted on each experiment's training subset. */
  public enum Method {
    /** scikit-learn's {@code LogisticRegression(max_iter=100)} (MTEB's {@code logReg}). */
    LOGISTIC_REGRESSION,
    /** A majority vote of the {@code k} training texts with the highest cosine similarity. */
    KNN
  }

  private final int experiments;
  private final int samplesPerLabel;
  private final long seed;
  private final Method method;
  private final int k;
  private final int maxIter;

  /**
   * Creates the evaluator from its builder.
   *
   * @param b the builder; not null
   */
  protected ClassificationEvaluator(Builder b) {
    super(b);
    this.experiments = b.experiments;
    this.samplesPerLabel = b.samplesPerLabel;
    this.seed = b.seed;
    this.method = b.method;
    this.k = b.k;
    this.maxIter = b.maxIter;
  }

  /** {@return a builder with MTEB's defaults: 10 experiments, 8 per label, seed 42, logReg} */
  public static Builder builder() {
    return new Builder();
  }

  /** {@return the number of experiments} */
  public final int experiments() {
    return experiments;
  }

  /** {@return the number of training texts kept per label} */
  public final int samplesPerLabel() {
    return samplesPerLabel;
  }

  /** {@return the classifier} */
  public final Method method() {
    return method;
  }

  /**
   * Embeds the evaluation split and the training texts the experiments keep, fits and scores the
   * classifier per experiment, at the configured {@link #dimension()}.
   *
   * @param embedder the embedder; not null, not closed
   * @param dataset the dataset; not null
   * @return the mean scores over the experiments
   * @throws IllegalArgumentException if an argument is null, the configured dimension exceeds the
   *     embedder's, or the training split has fewer than 2 labels
   * @throws IllegalStateException if the embedder returns the wrong number of embeddings
   */
  public ClassificationResult evaluate(Embedder embedder, ClassificationDataset dataset) {
    Args.notNull(embedder, "embedder");
    int dim = resolveDimension(embedder);
    return evaluateDimensions(embedder, dataset, List.of(dim)).get(dim);
  }

  /**
   * Like {@link #evaluate} for several Matryoshka dimensions, embedding once at the largest and
   * truncating (and renormalising) for the smaller ones. The configured {@link #dimension()} is
   * ignored.
   *
   * @param embedder the embedder; not null, not closed
   * @param dataset the dataset; not null
   * @param dimensions the dimensions, each 0 (the embedder's) or between 1 and its dimension,
   *     without repeats
   * @return the result per resolved dimension, in the given order
   * @throws IllegalArgumentException if an argument is null, a dimension is out of range or
   *     repeated, or the training split has fewer than 2 labels
   */
  public Map<Integer, ClassificationResult> evaluateDimensions(Embedder embedder,
      ClassificationDataset dataset, List<Integer> dimensions) {
    Args.notNull(embedder, "embedder");
    Args.notNull(dataset, "dataset");
    List<Integer> dims = Matryoshka.resolve(embedder, dimensions);
    TreeSet<String> labelSet = new TreeSet<>();
    dataset.train().forEach(t -> labelSet.add(t.label()));
    if (labelSet.size() < 2) {
      throw new IllegalArgumentException("the training split must have at least 2 labels, but has: "
          + labelSet);
    }
    dataset.eval().forEach(t -> labelSet.add(t.label()));
    Map<String, Integer> classOf = new HashMap<>();
    for (String l : labelSet) {
      classOf.put(l, classOf.size());
    }
    int[] trainY = dataset.train().stream().mapToInt(t -> classOf.get(t.label())).toArray();
    int[] evalY = dataset.eval().stream().mapToInt(t -> classOf.get(t.label())).toArray();
    List<int[]> subsets = subsets(trainY);
    // embed each kept training text once, and the evaluation split once
    Map<Integer, Integer> slot = new LinkedHashMap<>();
    for (int[] s : subsets) {
      for (int i : s) {
        slot.putIfAbsent(i, slot.size());
      }
    }
    List<String> trainTexts = new ArrayList<>(slot.size());
    slot.keySet().forEach(i -> trainTexts.add(dataset.train().get(i).text()));
    TaskPrompt prompt = TaskPrompt.symmetric(TaskPrompt.CLASSIFICATION);
    int largest = Matryoshka.largest(dims);
    Embedding[] trainE = embed(embedder, trainTexts, prompt, largest, "train");
    Embedding[] evalE = embed(embedder, dataset.eval().stream().map(LabeledText::text).toList(),
        prompt, largest, "eval");
    Map<Integer, ClassificationResult> out = new LinkedHashMap<>();
    for (int dim : dims) {
      double[][] trainV = Matryoshka.vectors(trainE, dim);
      double[][] evalV = Matryoshka.vectors(evalE, dim);
      double[] acc = new double[experiments];
      double[] macro = new double[experiments];
      double[] weighted = new double[experiments];
      for (int e = 0; e < experiments; e++) {
        int[] s = subsets.get(e);
        double[][] x = new double[s.length][];
        int[] y = new int[s.length];
        for (int i = 0; i < s.length; i++) {
          x[i] = trainV[slot.get(s[i])];
          y[i] = trainY[s[i]];
        }
        int[] predicted = predict(x, y, evalV);
        acc[e] = ClassificationMetrics.accuracy(evalY, predicted);
        double[] f1 = ClassificationMetrics.f1(evalY, predicted, classOf.size());
        macro[e] = f1[0];
        weighted[e] = f1[1];
      }
      out.put(dim, new ClassificationResult(dataset.name(), mean(acc), mean(macro), mean(weighted),
          Arrays.stream(acc).boxed().toList(), method, dim));
    }
    return out;
  }

  /** MTEB's {@code _undersample_data}, once per experiment: the kept training indices in order. */
  final List<int[]> subsets(int[] trainY) {
    int[] idxs = new int[trainY.length];
    for (int i = 0; i < idxs.length; i++) {
      idxs[i] = i;
    }
    List<int[]> out = new ArrayList<>(experiments);
    for (int e = 0; e < experiments; e++) {
      new NumpyRandom(seed).shuffle(idxs);
      Map<Integer, Integer> count = new HashMap<>();
      List<Integer> kept = new ArrayList<>();
      for (int i : idxs) {
        int c = count.getOrDefault(trainY[i], 0);
        if (c < samplesPerLabel) {
          kept.add(i);
          count.put(trainY[i], c + 1);
        }
      }
      out.add(kept.stream().mapToInt(Integer::intValue).toArray());
    }
    return out;
  }

  private int[] predict(double[][] x, int[] y, double[][] eval) {
    // the classifier's classes: the labels present in the subset, sorted
    int[] classes = Arrays.stream(y).distinct().sorted().toArray();
    Map<Integer, Integer> local = new HashMap<>();
    for (int c : classes) {
      local.put(c, local.size());
    }
    int[] ly = Arrays.stream(y).map(local::get).toArray();
    int[] predicted = new int[eval.length];
    if (method == Method.LOGISTIC_REGRESSION) {
      if (classes.length < 2) {
        Arrays.fill(predicted, classes[0]);
        return predicted;
      }
      LogisticRegression lr = classes.length == 2
          ? LogisticRegression.fit(x, ly, 2, 0.5, maxIter, 1e-4)
          : LogisticRegression.fit(x, ly, classes.length, 1.0, maxIter, 1e-4);
      for (int i = 0; i < eval.length; i++) {
        predicted[i] = classes[lr.predict(eval[i])];
      }
    } else {
      double[] norms = new double[x.length];
      for (int i = 0; i < x.length; i++) {
        norms[i] = Math.sqrt(Lbfgs.dot(x[i], x[i]));
      }
      int kk = Math.min(k, x.length);
      for (int i = 0; i < eval.length; i++) {
        double qn = Math.sqrt(Lbfgs.dot(eval[i], eval[i]));
        Integer[] order = new Integer[x.length];
        double[] sim = new double[x.length];
        for (int j = 0; j < x.length; j++) {
          order[j] = j;
          sim[j] = Lbfgs.dot(eval[i], x[j]) / Math.max(qn * norms[j], 1e-12);
        }
        Arrays.sort(order, (a, b) -> Double.compare(sim[b], sim[a]));
        int[] votes = new int[classes.length];
        for (int j = 0; j < kk; j++) {
          votes[ly[order[j]]]++;
        }
        int best = 0;
        for (int c = 1; c < votes.length; c++) {
          if (votes[c] > votes[best]) {
            best = c;
          }
        }
        predicted[i] = classes[best];
      }
    }
    return predicted;
  }

  private static double mean(double[] v) {
    return Arrays.stream(v).sum() / v.length;
  }

  /** Builds a {@link ClassificationEvaluator}; each setter validates its argument. */
  public static class Builder extends EmbeddingEvaluator.Builder<Builder, ClassificationEvaluator> {

    private int experiments = 10;
    private int samplesPerLabel = 8;
    private long seed = 42;
    private Method method = Method.LOGISTIC_REGRESSION;
    private int k = 3;
    private int maxIter = 100;

    /** Starts with MTEB's defaults and batch size 128. */
    protected Builder() {
      super(128);
    }

    /**
     * Sets the number of experiments (MTEB's {@code n_experiments}).
     *
     * @param experiments between 1 and 1000; default 10
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder experiments(int experiments) {
      this.experiments = Args.inRange(experiments, 1, 1000, "experiments");
      return this;
    }

    /**
     * Sets how many training texts of each label an experiment keeps (MTEB's
     * {@code samples_per_label}: 8 by default, 16 for EmotionClassification).
     *
     * @param samplesPerLabel at least 1; default 8
     * @return this builder
     * @throws IllegalArgumentException if below 1
     */
    public Builder samplesPerLabel(int samplesPerLabel) {
      this.samplesPerLabel = Args.atLeast(samplesPerLabel, 1, "samplesPerLabel");
      return this;
    }

    /**
     * Sets the numpy seed the undersampling re-seeds with before each shuffle.
     *
     * @param seed between 0 and 2^32-1 (numpy's range); default 42
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

    /**
     * Sets the classifier.
     *
     * @param method not null; default {@link Method#LOGISTIC_REGRESSION}
     * @return this builder
     * @throws IllegalArgumentException if null
     */
    public Builder method(Method method) {
      this.method = Args.notNull(method, "method");
      return this;
    }

    /**
     * Sets the number of neighbours for {@link Method#KNN}.
     *
     * @param k at least 1; default 3 (MTEB's)
     * @return this builder
     * @throws IllegalArgumentException if below 1
     */
    public Builder k(int k) {
      this.k = Args.atLeast(k, 1, "k");
      return this;
    }

    /**
     * Sets the logistic regression's iteration limit (scikit-learn's {@code max_iter}).
     *
     * @param maxIter between 1 and 100000; default 100 (MTEB's)
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder maxIter(int maxIter) {
      this.maxIter = Args.inRange(maxIter, 1, 100_000, "maxIter");
      return this;
    }

    @Override
    public ClassificationEvaluator build() {
      return new ClassificationEvaluator(this);
    }
  }
}
