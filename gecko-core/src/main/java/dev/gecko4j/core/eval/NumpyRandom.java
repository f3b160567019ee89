package dev.gecko4j.core.eval;

/**
 * The draws of numpy's legacy global generator ({@code np.random.seed}, {@code RandomState}) that
 * MTEB and scikit-learn use, bit for bit: {@code shuffle} of a 1-d array, {@code randint(0, n)},
 * {@code random_sample}, {@code choice(n, p=...)} and {@code permutation}.
 */
final class NumpyRandom {

  private final MersenneTwister mt = new MersenneTwister();

  /** {@code np.random.seed(seed)}. */
  NumpyRandom(long seed) {
    if (seed < 0 || seed > 0xffffffffL) {
      throw new IllegalArgumentException("seed must be between 0 and 2^32-1, but is: " + seed);
    }
    mt.seedInt(seed);
  }

  /** numpy's {@code random_interval(max)}: uniform in [0, max], by rejection on masked bits. */
  long interval(long max) {
    if (max == 0) {
      return 0;
    }
    long mask = max;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    if (max > 0xffffffffL) {
      throw new IllegalArgumentException("max must be below 2^32, but is: " + max);
    }
    long value;
    while ((value = mt.nextUint32() & mask) > max) {
      // reject
    }
    return value;
  }

  /** {@code RandomState.shuffle(x)} for a 1-d array. */
  void shuffle(int[] x) {
    for (int i = x.length - 1; i > 0; i--) {
      int j = (int) interval(i);
      int t = x[i];
      x[i] = x[j];
      x[j] = t;
    }
  }

  /** {@code RandomState.permutation(n)}. */
  int[] permutation(int n) {
    int[] x = new int[n];
    for (int i = 0; i < n; i++) {
      x[i] = i;
    }
    shuffle(x);
    return x;
  }

  /** {@code RandomState.randint(0, n)}: the masked-rejection draw numpy's legacy path uses. */
  int randint(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("n must be positive, but is: " + n);
    }
    return (int) interval(n - 1L);
  }

  /** {@code RandomState.random_sample()}. */
  double randomSample() {
    return mt.nextDouble();
  }

  /**
   * {@code RandomState.choice(len(p), p=p)}: one uniform draw searched (side right) in the
   * normalised cumulative sum of {@code p}.
   */
  int choice(double[] p) {
    double[] cdf = new double[p.length];
    double s = 0;
    for (int i = 0; i < p.length; i++) {
      s += p[i];
      cdf[i] = s;
    }
    for (int i = 0; i < p.length; i++) {
      cdf[i] /= s;
    }
    double u = randomSample();
    int lo = 0;
    int hi = cdf.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (cdf[mid] <= u) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}
