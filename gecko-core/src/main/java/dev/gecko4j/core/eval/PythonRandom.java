package dev.gecko4j.core.eval;

/**
 * CPython's {@code random.Random(seed)} for an integer seed, with the draws MTEB's fast
 * clustering uses: {@code sample(range(n), k)} and {@code choices(range(n), k=k)}, bit for bit
 * (CPython 3.x: {@code getrandbits}-based {@code _randbelow}, the pool or set-selection branch of
 * {@code sample}, {@code floor(random() * n)} in {@code choices}).
 */
final class PythonRandom {

  private final MersenneTwister mt = new MersenneTwister();

  /** {@code random.Random(seed)}. */
  PythonRandom(long seed) {
    long a = Math.abs(seed);
    int[] key = a > 0xffffffffL ? new int[] {(int) a, (int) (a >>> 32)} : new int[] {(int) a};
    mt.seedArray(key);
  }

  /** {@code getrandbits(k)} for 1 <= k <= 32. */
  long getrandbits(int k) {
    return mt.nextUint32() >>> (32 - k);
  }

  /** {@code _randbelow(n)}. */
  int randbelow(int n) {
    int k = 32 - Integer.numberOfLeadingZeros(n);
    long r = getrandbits(k);
    while (r >= n) {
      r = getrandbits(k);
    }
    return (int) r;
  }

  /** {@code random()}. */
  double random() {
    return mt.nextDouble();
  }

  /** {@code sample(range(n), k)}. */
  int[] sample(int n, int k) {
    if (k < 0 || k > n) {
      throw new IllegalArgumentException("sample size must be between 0 and " + n + ", but is: " + k);
    }
    int[] result = new int[k];
    int setsize = 21;
    if (k > 5) {
      setsize += (int) Math.pow(4, Math.ceil(Math.log(3.0 * k) / Math.log(4)));
    }
    if (n <= setsize) {
      int[] pool = new int[n];
      for (int i = 0; i < n; i++) {
        pool[i] = i;
      }
      for (int i = 0; i < k; i++) {
        int j = randbelow(n - i);
        result[i] = pool[j];
        pool[j] = pool[n - i - 1];
      }
    } else {
      java.util.Set<Integer> selected = new java.util.HashSet<>();
      for (int i = 0; i < k; i++) {
        int j = randbelow(n);
        while (selected.contains(j)) {
          j = randbelow(n);
        }
        selected.add(j);
        result[i] = j;
      }
    }
    return result;
  }

  /** {@code choices(range(n), k=k)}. */
  int[] choices(int n, int k) {
    int[] result = new int[k];
    double nd = n;
    for (int i = 0; i < k; i++) {
      result[i] = (int) Math.floor(random() * nd);
    }
    return result;
  }
}
