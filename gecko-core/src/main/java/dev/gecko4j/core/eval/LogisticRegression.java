package dev.gecko4j.core.eval;

/**
 * Multinomial logistic regression fitted as scikit-learn's {@code LogisticRegression()} fits it
 * with its defaults (solver {@code lbfgs}, L2 penalty, {@code C = 1.0}, {@code fit_intercept},
 * {@code tol = 1e-4}), from zeros, with {@link Lbfgs}; the intercept is not penalised. Since
 * scikit-learn 1.4 (PR #26721) the objective is the mean softmax cross-entropy plus
 * {@code ||W||^2 / (2 C n)}, minimised with scipy's options {@code maxiter = maxIter},
 * {@code maxls = 50}, {@code gtol = tol}, {@code ftol = 64 eps}; up to 1.3 it was the summed
 * cross-entropy plus {@code ||W||^2 / (2 C)} with scipy's defaults ({@code maxls = 20},
 * {@code ftol = 1e7 eps}). The optimum is the same; where {@code max_iter} stops the solver first
 * differs. Classes are {@code 0..k-1}.
 */
final class LogisticRegression {

  private final int classes;
  private final int features;
  /** Row-major [classes][features + 1], the last column the intercept. */
  private final double[] weights;
  private final Lbfgs.Outcome outcome;

  private LogisticRegression(int classes, int features, double[] weights, Lbfgs.Outcome outcome) {
    this.classes = classes;
    this.features = features;
    this.weights = weights;
    this.outcome = outcome;
  }

  /**
   * Fits the model.
   *
   * @param x the samples, each with the same number of features
   * @param y the class of each sample, in {@code 0..classes-1}
   * @param classes the number of classes (at least 2)
   * @param c the inverse regularisation strength
   * @param maxIter the iteration limit
   * @param tol the gradient tolerance
   */
  static LogisticRegression fit(double[][] x, int[] y, int classes, double c, int maxIter,
      double tol) {
    return fit(x, y, classes, c, maxIter, tol, true);
  }

  /**
   * Fits the model with the objective of scikit-learn 1.4 and later ({@code meanLoss}) or of 1.3
   * and earlier.
   */
  static LogisticRegression fit(double[][] x, int[] y, int classes, double c, int maxIter,
      double tol, boolean meanLoss) {
    int n = x.length;
    int d = x[0].length;
    int stride = d + 1;
    double scale = meanLoss ? n : 1;
    double l2 = 1.0 / (c * scale);
    double[] w = new double[classes * stride];
    double[] z = new double[classes];
    Lbfgs.Objective objective = (params, grad) -> {
      java.util.Arrays.fill(grad, 0);
      double loss = 0;
      for (int i = 0; i < n; i++) {
        double[] xi = x[i];
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < classes; k++) {
          int off = k * stride;
          double s = params[off + d];
          for (int j = 0; j < d; j++) {
            s += params[off + j] * xi[j];
          }
          z[k] = s;
          max = Math.max(max, s);
        }
        double sum = 0;
        for (int k = 0; k < classes; k++) {
          sum += Math.exp(z[k] - max);
        }
        double lse = max + Math.log(sum);
        loss += lse - z[y[i]];
        for (int k = 0; k < classes; k++) {
          double p = Math.exp(z[k] - lse) - (k == y[i] ? 1 : 0);
          int off = k * stride;
          for (int j = 0; j < d; j++) {
            grad[off + j] += p * xi[j];
          }
          grad[off + d] += p;
        }
      }
      double penalty = 0;
      for (int k = 0; k < classes; k++) {
        int off = k * stride;
        for (int j = 0; j < d; j++) {
          double wj = params[off + j];
          penalty += wj * wj;
          grad[off + j] = grad[off + j] / scale + l2 * wj;
        }
        grad[off + d] /= scale;
      }
      return loss / scale + 0.5 * l2 * penalty;
    };
    Lbfgs solver = meanLoss ? new Lbfgs(10, maxIter, 50, tol, 64 * Math.ulp(1.0))
        : new Lbfgs(10, maxIter, 20, tol, 1e7 * Math.ulp(1.0));
    Lbfgs.Outcome outcome = solver.minimize(objective, w);
    return new LogisticRegression(classes, d, w, outcome);
  }

  /** {@return the class with the largest decision value (the first on ties, as numpy's argmax)} */
  int predict(double[] xi) {
    int stride = features + 1;
    int best = 0;
    double bestScore = Double.NEGATIVE_INFINITY;
    for (int k = 0; k < classes; k++) {
      int off = k * stride;
      double s = weights[off + features];
      for (int j = 0; j < features; j++) {
        s += weights[off + j] * xi[j];
      }
      if (s > bestScore) {
        bestScore = s;
        best = k;
      }
    }
    return best;
  }

  /** {@return how the optimiser ended} */
  Lbfgs.Outcome outcome() {
    return outcome;
  }
}
