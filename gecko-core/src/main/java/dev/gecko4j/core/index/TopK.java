package dev.gecko4j.core.index;

import java.util.ArrayList;
import java.util.List;

/**
 * A bounded min-heap of (score, ordinal): keeps the {@code k} best entries seen, where better means
 * a higher score, and on equal scores a lower ordinal. The root is the worst entry kept, so most
 * candidates are rejected by one comparison.
 */
final class TopK {
  private final float[] scores;
  private final int[] ordinals;
  private final int k;
  private int n;

  TopK(int k) {
    this.k = k;
    this.scores = new float[k];
    this.ordinals = new int[k];
  }

  /** True if (s1, o1) ranks below (s2, o2). */
  private static boolean worse(float s1, int o1, float s2, int o2) {
    return s1 < s2 || (s1 == s2 && o1 > o2);
  }

  /**
   * Offers scores of consecutive ordinals {@code firstOrdinal, firstOrdinal+1, ...}, taken from
   * {@code s[from, from+count)}; ordinals must be larger than every ordinal offered before.
   */
  void offerAscending(float[] s, int from, int count, int firstOrdinal) {
    int i = 0;
    // fill phase
    for (; i < count && n < k; i++) {
      push(s[from + i], firstOrdinal + i);
    }
    // steady state: a later ordinal only enters on a strictly higher score than the root
    float root = scores[0];
    for (; i < count; i++) {
      float v = s[from + i];
      if (v > root) {
        replaceRoot(v, firstOrdinal + i);
        root = scores[0];
      }
    }
  }

  /** Offers one entry, in any ordinal order. */
  void offer(float score, int ordinal) {
    if (n < k) {
      push(score, ordinal);
    } else if (worse(scores[0], ordinals[0], score, ordinal)) {
      replaceRoot(score, ordinal);
    }
  }

  /** Offers every entry of {@code other}. */
  void merge(TopK other) {
    for (int i = 0; i < other.n; i++) {
      offer(other.scores[i], other.ordinals[i]);
    }
  }

  private void push(float score, int ordinal) {
    int i = n++;
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      if (!worse(score, ordinal, scores[parent], ordinals[parent])) {
        break;
      }
      move(parent, i);
      i = parent;
    }
    set(i, score, ordinal);
  }

  private void replaceRoot(float score, int ordinal) {
    int i = 0;
    while (true) {
      int child = 2 * i + 1;
      if (child >= n) {
        break;
      }
      int right = child + 1;
      if (right < n && worse(scores[right], ordinals[right], scores[child], ordinals[child])) {
        child = right;
      }
      if (!worse(scores[child], ordinals[child], score, ordinal)) {
        break;
      }
      move(child, i);
      i = child;
    }
    set(i, score, ordinal);
  }

  /** Copies the entry at heap slot {@code from} to slot {@code to}. */
  private void move(int from, int to) {
    scores[to] = scores[from];
    ordinals[to] = ordinals[from];
  }

  private void set(int i, float score, int ordinal) {
    scores[i] = score;
    ordinals[i] = ordinal;
  }

  /** {@return the number of entries kept} */
  int size() {
    return n;
  }

  /** {@return the ordinal of entry {@code i} (heap order)} */
  int ordinalAt(int i) {
    return ordinals[i];
  }

  /** Returns the entries as hits, best first (score descending, ordinal ascending on ties). */
  List<Hit> toHits(List<String> ids) {
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(order, (x, y) -> {
      if (scores[x] != scores[y]) {
        return scores[x] > scores[y] ? -1 : 1; // numeric compare: -0.0 ties with 0.0
      }
      return Integer.compare(ordinals[x], ordinals[y]);
    });
    List<Hit> hits = new ArrayList<>(n);
    for (int i : order) {
      hits.add(new Hit(ids.get(ordinals[i]), ordinals[i], scores[i]));
    }
    return hits;
  }
}
