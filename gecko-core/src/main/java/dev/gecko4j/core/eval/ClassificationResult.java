package dev.gecko4j.core.eval;

import dev.gecko4j.core.internal.Args;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The result of a {@link ClassificationEvaluator} run: means over the experiments.
 *
 * @param dataset the dataset name
 * @param accuracy mean accuracy (MTEB's {@code accuracy}, the main score)
 * @param f1Macro mean macro F1 (MTEB's {@code f1})
 * @param f1Weighted mean weighted F1 (MTEB's {@code f1_weighted})
 * @param accuracies the accuracy of each experiment
 * @param method the classifier
 * @param dimension the embedding dimension used
 */
public record ClassificationResult(String dataset, double accuracy, double f1Macro,
    double f1Weighted, List<Double> accuracies, ClassificationEvaluator.Method method,
    int dimension) implements EvaluationResult {

  /** Validates the fields and copies the list. */
  public ClassificationResult {
    Args.notNull(dataset, "dataset");
    accuracies = List.copyOf(Args.notNull(accuracies, "accuracies"));
    Args.notNull(method, "method");
    Args.positive(dimension, "dimension");
  }

  /** Returns {@code accuracy}. */
  @Override
  public String metric() {
    return "accuracy";
  }

  /** Returns {@link #accuracy()}. */
  @Override
  public double score() {
    return accuracy;
  }

  /** Returns {@code f1}, {@code f1_weighted}, {@code accuracies}, {@code method}, {@code dimension}. */
  @Override
  public Map<String, Object> details() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("f1", f1Macro);
    m.put("f1_weighted", f1Weighted);
    m.put("accuracies", accuracies);
    m.put("method", method == ClassificationEvaluator.Method.KNN ? "kNN" : "logReg");
    m.put("dimension", dimension);
    return m;
  }
}
