package dev.gecko4j.core.eval;

/**
 * scikit-learn's {@code MiniBatchKMeans(n_clusters, batch_size, n_init="auto")} with its other
 * defaults ({@code init="k-means++"} run once, {@code max_iter=100}, {@code tol=0.0},
 * {@code max_no_improvement=10}, {@code reassignment_ratio=0.01}, {@code init_size=3*batch_size}),
 * drawing from a {@link NumpyRandom} in scikit-learn's order (1.3 and later): validation indices,
 * the k-means++ sample and its draws ({@code 2 + int(log k)} local trials), then per step a
 * minibatch of {@code randint}s, the count-weighted centre update, the random reassignment of
 * centres whose count falls below 1% of the largest, and the early stop when the smoothed batch
 * inertia has not improved for 10 steps. {@link #fitPredict} returns each sample's nearest final
 * centre.
 */
final class MiniBatchKMeans {

  private final int clusters;
  private final int batchSize;
  private final NumpyRandom random;

  MiniBatchKMeans(int clusters, int batchSize, NumpyRandom random) {
    this.clusters = clusters;
    this.batchSize = batchSize;
    this.random = random;
  }

  int[] fitPredict(double[][] x) {
    int n = x.length;
    int k = clusters;
    if (n < k) {
      throw new IllegalArgumentException("n_samples=" + n + " should be >= n_clusters=" + k);
    }
    int batch = Math.min(batchSize, n);
    int initSize = 3 * batch;
    if (initSize < k) {
      initSize = 3 * k;
    }
    initSize = Math.min(initSize, n);
    // validation indices (drawn, only used to choose among several inits; n_init is 1)
    for (int i = 0; i < initSize; i++) {
      random.randint(n);
    }
    double[][] initX = x;
    if (initSize < n) {
      initX = new double[initSize][];
      for (int i = 0; i < initSize; i++) {
        initX[i] = x[random.randint(n)];
      }
    }
    double[][] centers = kmeansPlusPlus(initX, k);
    double[][] centersNew = new double[k][x[0].length];
    double[] counts = new double[k];
    Double ewaInertia = null;
    Double ewaInertiaMin = null;
    int noImprovement = 0;
    int sinceReassign = 0;
    long steps = 100L * n / batch;
    int[] labels = new int[batch];
    double[][] mb = new double[batch][];
    for (long step = 0; step < steps; step++) {
      for (int i = 0; i < batch; i++) {
        mb[i] = x[random.randint(n)];
      }
      sinceReassign += batch;
      boolean anyZero = false;
      for (double c : counts) {
        anyZero |= c == 0;
      }
      boolean reassign = false;
      if (anyZero || sinceReassign >= 10 * k) {
        sinceReassign = 0;
        reassign = true;
      }
      double inertia = assign(mb, centers, labels);
      update(mb, labels, centers, centersNew, counts);
      if (reassign) {
        double max = 0;
        for (double c : counts) {
          max = Math.max(max, c);
        }
        boolean[] to = new boolean[k];
        int m = 0;
        for (int c = 0; c < k; c++) {
          to[c] = counts[c] < 0.01 * max;
          if (to[c]) {
            m++;
          }
        }
        if (m > 0.5 * batch) {
          // keep the clusters with the largest counts (argsort from int(0.5 * batch) on)
          Integer[] order = new Integer[k];
          for (int c = 0; c < k; c++) {
            order[c] = c;
          }
          java.util.Arrays.sort(order, (a, b) -> Double.compare(counts[a], counts[b]));
          for (int i = (int) (0.5 * batch); i < k; i++) {
            to[order[i]] = false;
          }
          m = 0;
          for (boolean t : to) {
            m += t ? 1 : 0;
          }
        }
        if (m > 0) {
          int[] perm = random.permutation(batch);
          int j = 0;
          for (int c = 0; c < k; c++) {
            if (to[c]) {
              centersNew[c] = mb[perm[j++]].clone();
            }
          }
          double minKept = Double.POSITIVE_INFINITY;
          for (int c = 0; c < k; c++) {
            if (!to[c]) {
              minKept = Math.min(minKept, counts[c]);
            }
          }
          for (int c = 0; c < k; c++) {
            if (to[c]) {
              counts[c] = minKept;
            }
          }
        }
      }
      double[][] t = centers;
      centers = centersNew;
      centersNew = t;
      // _mini_batch_convergence
      double batchInertia = inertia / batch;
      if (step == 0) {
        continue;
      }
      if (ewaInertia == null) {
        ewaInertia = batchInertia;
      } else {
        double alpha = Math.min(batch * 2.0 / (n + 1), 1.0);
        ewaInertia = ewaInertia * (1 - alpha) + batchInertia * alpha;
      }
      if (ewaInertiaMin == null || ewaInertia < ewaInertiaMin) {
        noImprovement = 0;
        ewaInertiaMin = ewaInertia;
      } else {
        noImprovement++;
      }
      if (noImprovement >= 10) {
        break;
      }
    }
    int[] out = new int[n];
    assign(x, centers, out);
    return out;
  }

  private double[][] kmeansPlusPlus(double[][] x, int k) {
    int n = x.length;
    int trials = 2 + (int) Math.log(k);
    double[][] centers = new double[k][];
    double[] uniform = new double[n];
    java.util.Arrays.fill(uniform, 1.0 / n);
    int first = random.choice(uniform);
    centers[0] = x[first].clone();
    double[] closest = new double[n];
    for (int i = 0; i < n; i++) {
      closest[i] = sq(x[i], centers[0]);
    }
    double pot = sum(closest);
    for (int c = 1; c < k; c++) {
      double[] cum = new double[n];
      double s = 0;
      for (int i = 0; i < n; i++) {
        s += closest[i];
        cum[i] = s;
      }
      int[] candidates = new int[trials];
      for (int t = 0; t < trials; t++) {
        double r = random.randomSample() * pot;
        int lo = 0;
        int hi = n;
        while (lo < hi) {
          int mid = (lo + hi) >>> 1;
          if (cum[mid] < r) {
            lo = mid + 1;
          } else {
            hi = mid;
          }
        }
        candidates[t] = Math.min(lo, n - 1);
      }
      double bestPot = Double.POSITIVE_INFINITY;
      double[] bestDist = null;
      int best = -1;
      for (int t = 0; t < trials; t++) {
        double[] dist = new double[n];
        for (int i = 0; i < n; i++) {
          dist[i] = Math.min(closest[i], sq(x[candidates[t]], x[i]));
        }
        double p = sum(dist);
        if (p < bestPot) {
          bestPot = p;
          bestDist = dist;
          best = candidates[t];
        }
      }
      pot = bestPot;
      closest = bestDist;
      centers[c] = x[best].clone();
    }
    return centers;
  }

  private static double assign(double[][] x, double[][] centers, int[] labels) {
    double inertia = 0;
    for (int i = 0; i < x.length; i++) {
      int best = 0;
      double bestD = Double.POSITIVE_INFINITY;
      for (int c = 0; c < centers.length; c++) {
        double d = sq(x[i], centers[c]);
        if (d < bestD) {
          bestD = d;
          best = c;
        }
      }
      labels[i] = best;
      inertia += bestD;
    }
    return inertia;
  }

  private static void update(double[][] x, int[] labels, double[][] old, double[][] next,
      double[] counts) {
    int dim = old[0].length;
    for (int c = 0; c < old.length; c++) {
      double[] nc = next[c];
      java.util.Arrays.fill(nc, 0);
      double wsum = 0;
      for (int i = 0; i < x.length; i++) {
        if (labels[i] == c) {
          for (int j = 0; j < dim; j++) {
            nc[j] += x[i][j];
          }
          wsum += 1;
        }
      }
      if (wsum > 0) {
        for (int j = 0; j < dim; j++) {
          nc[j] += old[c][j] * counts[c];
        }
        counts[c] += wsum;
        double alpha = 1.0 / counts[c];
        for (int j = 0; j < dim; j++) {
          nc[j] *= alpha;
        }
      } else {
        System.arraycopy(old[c], 0, nc, 0, dim);
      }
    }
  }

  private static double sq(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      double d = a[i] - b[i];
      s += d * d;
    }
    return s;
  }

  private static double sum(double[] v) {
    double s = 0;
    for (double e : v) {
      s += e;
    }
    return s;
  }
}
