package dev.gecko4j.train.optim;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * AdamW (Loshchilov and Hutter) over Java float arrays, with decoupled weight decay as in
 * {@code torch.optim.AdamW}: {@code p -= lr·wd·p; p -= lr·m̂/(√v̂ + ε)}. Weight decay applies only
 * to parameters named in {@code decayed} (matrices; not biases or LayerNorm).
 */
public final class AdamW {
  private final double beta1;
  private final double beta2;
  private final double eps;
  private final double weightDecay;
  private final Map<String, float[]> m = new LinkedHashMap<>();
  private final Map<String, float[]> v = new LinkedHashMap<>();
  private long t;

  /**
   * Creates the optimizer with β1 0.9, β2 0.999, ε 1e-8.
   *
   * @param weightDecay decoupled weight decay in [0, 1]
   * @throws IllegalArgumentException if weightDecay is out of range
   */
  public AdamW(double weightDecay) {
    if (!(weightDecay >= 0 && weightDecay <= 1)) {
      throw new IllegalArgumentException("weightDecay must be in [0, 1], but is: " + weightDecay);
    }
    this.beta1 = 0.9;
    this.beta2 = 0.999;
    this.eps = 1e-8;
    this.weightDecay = weightDecay;
  }

  /** @return the number of steps taken */
  public long steps() {
    return t;
  }

  /**
   * Returns the first-moment buffers, for checkpoints.
   *
   * @return the first-moment buffers by parameter name (live: a checkpoint reads and restores them)
   */
  public Map<String, float[]> firstMoments() {
    return m;
  }

  /**
   * Returns the second-moment buffers, for checkpoints.
   *
   * @return the second-moment buffers by parameter name (live: a checkpoint reads and restores them)
   */
  public Map<String, float[]> secondMoments() {
    return v;
  }

  /**
   * Sets the step count after the moments were restored from a checkpoint.
   *
   * @param steps the optimizer steps taken, {@code >= 0}
   */
  public void restore(long steps) {
    this.t = steps;
  }

  /**
   * Applies one update in place.
   *
   * @param params parameters by name (updated in place)
   * @param grads gradients by name, same lengths
   * @param decayed whether each parameter gets weight decay
   * @param lr the learning rate, >= 0
   * @throws IllegalArgumentException if a gradient is missing or has the wrong length
   */
  public void step(Map<String, float[]> params, Map<String, float[]> grads, Map<String, Boolean> decayed, double lr) {
    if (!(lr >= 0)) {
      throw new IllegalArgumentException("lr must be >= 0, but is: " + lr);
    }
    t++;
    double bc1 = 1 - Math.pow(beta1, t);
    double bc2 = 1 - Math.pow(beta2, t);
    for (Map.Entry<String, float[]> e : params.entrySet()) {
      String name = e.getKey();
      float[] p = e.getValue();
      float[] g = grads.get(name);
      if (g == null || g.length != p.length) {
        throw new IllegalArgumentException(String.format(Locale.ROOT,
            "gradient of '%s' must have %d values, but has %s", name, p.length,
            g == null ? "none" : String.valueOf(g.length)));
      }
      float[] mm = m.computeIfAbsent(name, k -> new float[p.length]);
      float[] vv = v.computeIfAbsent(name, k -> new float[p.length]);
      float decay = (float) (Boolean.TRUE.equals(decayed.get(name)) ? 1 - lr * weightDecay : 1);
      float b1 = (float) beta1;
      float b2 = (float) beta2;
      float stepSize = (float) (lr / bc1);
      float invBc2 = (float) (1 / Math.sqrt(bc2));
      float e2 = (float) eps;
      for (int i = 0; i < p.length; i++) {
        float gi = g[i];
        float mi = b1 * mm[i] + (1 - b1) * gi;
        float vi = b2 * vv[i] + (1 - b2) * gi * gi;
        mm[i] = mi;
        vv[i] = vi;
        p[i] = p[i] * decay - stepSize * mi / ((float) Math.sqrt(vi) * invBc2 + e2);
      }
    }
  }
}
