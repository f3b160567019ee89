package dev.gecko4j.core;

import java.util.Arrays;

/**
 * How token states become one vector per text. Works on a flat, row-major
 * {@code [batch, seq, hidden]} buffer and a flat {@code [batch, seq]} attention mask (1 = token,
 * 0 = padding), as ONNX Runtime returns them.
 *
 * <p>The pooling of a model is given in its sentence-transformers {@code 1_Pooling/config.json}.
 */
public enum Pooling {
  /**
   * Takes the state of the first real token ({@code [CLS]}; the first position whose mask is 1,
   * so left padding does not move it); BGE.
   */
  CLS,
  /**
   * Averages the token states weighted by the attention mask (padding excluded), with the divisor
   * clamped to at least 1e-9 as sentence-transformers does; MiniLM, E5, Gecko.
   */
  MEAN,
  /**
   * Takes the state of the last real token of each row (the last position whose mask is 1), so it
   * is correct under both left and right padding; E5-mistral and other decoder embedders.
   */
  LAST_TOKEN,
  /**
   * Takes the largest value of each dimension over the real tokens (sentence-transformers' {@code
   * pooling_mode_max_tokens}: padding positions count as -1e9).
   */
  MAX,
  /**
   * Sums the token states weighted by the attention mask and divides by the square root of the
   * token count (clamped to at least 1e-9); sentence-transformers' {@code
   * pooling_mode_mean_sqrt_len_tokens}.
   */
  MEAN_SQRT_LEN,
  /**
   * Averages the token states weighted by their position (1 for the first, 2 for the second, ...)
   * and the attention mask, the divisor clamped to at least 1e-9; sentence-transformers' {@code
   * pooling_mode_weightedmean_tokens} (SGPT).
   */
  WEIGHTED_MEAN;

  /**
   * Pools {@code hidden} into {@code [batch, hiddenSize]}.
   *
   * @param hidden token states, length {@code batch * seq * hiddenSize}
   * @param mask attention mask, length {@code batch * seq}, values 0 or 1
   * @param batch number of rows, {@code >= 1}
   * @param seq sequence length, {@code >= 1}
   * @param hiddenSize hidden size, {@code >= 1}
   * @return a new array of length {@code batch * hiddenSize}
   * @throws IllegalArgumentException if a size is not positive, a buffer length does not match,
   *     or a row has no token under {@link #CLS} or {@link #LAST_TOKEN}
   */
  public float[] pool(float[] hidden, long[] mask, int batch, int seq, int hiddenSize) {
    float[] out = new float[Math.multiplyExact(batch, hiddenSize)];
    pool(hidden, mask, batch, seq, hiddenSize, out, 0);
    return out;
  }

  /**
   * Pools {@code hidden} into {@code out} starting at {@code outOffset}, without allocating.
   *
   * @param hidden token states, length {@code batch * seq * hiddenSize}
   * @param mask attention mask, length {@code batch * seq}, values 0 or 1
   * @param batch number of rows, {@code >= 1}
   * @param seq sequence length, {@code >= 1}
   * @param hiddenSize hidden size, {@code >= 1}
   * @param out receives {@code batch * hiddenSize} floats; not null
   * @param outOffset where the first pooled value goes in {@code out}, {@code >= 0}
   * @throws IllegalArgumentException if a size is not positive, a buffer length does not match,
   *     {@code out} is null or too short from {@code outOffset}, or a row has no token under
   *     {@link #CLS} or {@link #LAST_TOKEN}
   * @see #pool(float[], long[], int, int, int)
   */
  public void pool(float[] hidden, long[] mask, int batch, int seq, int hiddenSize, float[] out,
      int outOffset) {
    checkShapes(hidden, mask, batch, seq, hiddenSize);
    if (out == null || outOffset < 0 || (long) outOffset + (long) batch * hiddenSize > out.length) {
      throw new IllegalArgumentException(
          "out must hold " + ((long) batch * hiddenSize) + " floats from offset " + outOffset
              + ", but has length " + (out == null ? "null" : out.length));
    }
    for (int b = 0; b < batch; b++) {
      int o = outOffset + b * hiddenSize;
      int rowBase = b * seq;
      switch (this) {
        case CLS -> {
          int first = -1;
          for (int t = 0; t < seq && first < 0; t++) {
            if (mask[rowBase + t] != 0) {
              first = t;
            }
          }
          if (first < 0) {
            throw new IllegalArgumentException("row " + b + " has no token (attention mask all 0)");
          }
          System.arraycopy(hidden, (rowBase + first) * hiddenSize, out, o, hiddenSize);
        }
        case LAST_TOKEN -> {
          int last = -1;
          for (int t = seq - 1; t >= 0; t--) {
            if (mask[rowBase + t] != 0) {
              last = t;
              break;
            }
          }
          if (last < 0) {
            throw new IllegalArgumentException("row " + b + " has no token (attention mask all 0)");
          }
          System.arraycopy(hidden, (rowBase + last) * hiddenSize, out, o, hiddenSize);
        }
        case MEAN -> {
          Arrays.fill(out, o, o + hiddenSize, 0f);
          float count = 0;
          for (int t = 0; t < seq; t++) {
            long m = mask[rowBase + t];
            if (m == 0) {
              continue;
            }
            count += m;
            int h = (rowBase + t) * hiddenSize;
            for (int d = 0; d < hiddenSize; d++) {
              out[o + d] += hidden[h + d] * m;
            }
          }
          float inv = 1f / Math.max(count, 1e-9f);
          for (int d = 0; d < hiddenSize; d++) {
            out[o + d] *= inv;
          }
        }
        case MAX -> {
          Arrays.fill(out, o, o + hiddenSize, Float.NEGATIVE_INFINITY);
          for (int t = 0; t < seq; t++) {
            boolean real = mask[rowBase + t] != 0;
            int h = (rowBase + t) * hiddenSize;
            for (int d = 0; d < hiddenSize; d++) {
              out[o + d] = Math.max(out[o + d], real ? hidden[h + d] : -1e9f);
            }
          }
        }
        case MEAN_SQRT_LEN, WEIGHTED_MEAN -> {
          Arrays.fill(out, o, o + hiddenSize, 0f);
          float sum = 0;
          for (int t = 0; t < seq; t++) {
            float w = this == WEIGHTED_MEAN ? mask[rowBase + t] * (float) (t + 1)
                : mask[rowBase + t];
            if (w == 0) {
              continue;
            }
            sum += w;
            int h = (rowBase + t) * hiddenSize;
            for (int d = 0; d < hiddenSize; d++) {
              out[o + d] += hidden[h + d] * w;
            }
          }
          float div = this == WEIGHTED_MEAN ? Math.max(sum, 1e-9f)
              : (float) Math.sqrt(Math.max(sum, 1e-9f));
          for (int d = 0; d < hiddenSize; d++) {
            out[o + d] /= div;
          }
        }
      }
    }
  }

  /**
   * Returns the weight each token state gets in the pooled vector, so a differentiable
   * implementation (the trainer's, on PyTorch) pools as {@code sum_t weights[b, t] * hidden[b, t]}
   * with exactly the tokens this pooling reads: 1 on the first real token ({@link #CLS}) or the
   * last one ({@link #LAST_TOKEN}, either padding side), {@code mask / max(sum(mask), 1e-9)} on
   * every token ({@link #MEAN}), {@code mask / sqrt(max(sum(mask), 1e-9))} ({@link
   * #MEAN_SQRT_LEN}), {@code mask * (t + 1) / max(sum(mask * (t + 1)), 1e-9)} ({@link
   * #WEIGHTED_MEAN}), 0 elsewhere. {@link #pool} gives the same vectors (to float rounding; a test
   * holds the two equal). {@link #MAX} is not a weighted sum and has no weights.
   *
   * @param mask attention mask, length {@code batch * seq}, values 0 or 1
   * @param batch number of rows, {@code >= 1}
   * @param seq sequence length, {@code >= 1}
   * @return a new array {@code [batch, seq]} row-major
   * @throws IllegalArgumentException if a size is not positive, the mask length does not match,
   *     a row has no token under {@link #CLS} or {@link #LAST_TOKEN}, or this is {@link #MAX}
   */
  public float[] tokenWeights(long[] mask, int batch, int seq) {
    if (batch < 1 || seq < 1) {
      throw new IllegalArgumentException(
          "batch and seq must be >= 1, but are: " + batch + ", " + seq);
    }
    if (mask == null || mask.length != (long) batch * seq) {
      throw new IllegalArgumentException(
          "mask must have length batch*seq=" + ((long) batch * seq) + ", but has "
              + (mask == null ? "null" : mask.length));
    }
    if (this == MAX) {
      throw new IllegalArgumentException("MAX pooling takes a maximum, not a weighted sum of the "
          + "token states, so it has no token weights");
    }
    float[] w = new float[batch * seq];
    for (int b = 0; b < batch; b++) {
      int rowBase = b * seq;
      switch (this) {
        case MAX -> throw new AssertionError("handled above");
        case MEAN_SQRT_LEN, WEIGHTED_MEAN -> {
          float sum = 0;
          for (int t = 0; t < seq; t++) {
            sum += this == WEIGHTED_MEAN ? mask[rowBase + t] * (float) (t + 1) : mask[rowBase + t];
          }
          float div = this == WEIGHTED_MEAN ? Math.max(sum, 1e-9f)
              : (float) Math.sqrt(Math.max(sum, 1e-9f));
          for (int t = 0; t < seq; t++) {
            float m = this == WEIGHTED_MEAN ? mask[rowBase + t] * (float) (t + 1)
                : mask[rowBase + t];
            w[rowBase + t] = m / div;
          }
        }
        case CLS, LAST_TOKEN -> {
          int at = -1;
          for (int t = 0; t < seq; t++) {
            if (mask[rowBase + t] != 0 && (at < 0 || this == LAST_TOKEN)) {
              at = t;
            }
          }
          if (at < 0) {
            throw new IllegalArgumentException("row " + b + " has no token (attention mask all 0)");
          }
          w[rowBase + at] = 1f;
        }
        case MEAN -> {
          float count = 0;
          for (int t = 0; t < seq; t++) {
            count += mask[rowBase + t];
          }
          float inv = 1f / Math.max(count, 1e-9f);
          for (int t = 0; t < seq; t++) {
            w[rowBase + t] = mask[rowBase + t] * inv;
          }
        }
      }
    }
    return w;
  }

  private static void checkShapes(float[] hidden, long[] mask, int batch, int seq, int hiddenSize) {
    if (batch < 1 || seq < 1 || hiddenSize < 1) {
      throw new IllegalArgumentException(
          "batch, seq and hiddenSize must be >= 1, but are: " + batch + ", " + seq + ", " + hiddenSize);
    }
    long expectedHidden = (long) batch * seq * hiddenSize;
    if (hidden == null || hidden.length != expectedHidden) {
      throw new IllegalArgumentException(
          "hidden must have length batch*seq*hiddenSize=" + expectedHidden + ", but has "
              + (hidden == null ? "null" : hidden.length));
    }
    if (mask == null || mask.length != (long) batch * seq) {
      throw new IllegalArgumentException(
          "mask must have length batch*seq=" + ((long) batch * seq) + ", but has "
              + (mask == null ? "null" : mask.length));
    }
  }

  /**
   * Parses a pooling name as sentence-transformers writes it ({@code cls}, {@code mean}, {@code
   * max}, {@code mean_sqrt_len_tokens}, {@code weightedmean}, {@code lasttoken}, {@code
   * last_token}) or as this enum names it, ignoring case.
   *
   * @param name the name; not null
   * @return the pooling mode
   * @throws IllegalArgumentException naming the valid modes if {@code name} is unknown
   */
  public static Pooling parse(String name) {
    if (name != null) {
      String n = name.trim().toLowerCase(java.util.Locale.ROOT).replace("_", "").replace("-", "");
      switch (n) {
        case "cls", "clstoken" -> {
          return CLS;
        }
        case "mean", "meantokens" -> {
          return MEAN;
        }
        case "lasttoken" -> {
          return LAST_TOKEN;
        }
        case "max", "maxtokens" -> {
          return MAX;
        }
        case "meansqrtlen", "meansqrtlentokens" -> {
          return MEAN_SQRT_LEN;
        }
        case "weightedmean", "weightedmeantokens" -> {
          return WEIGHTED_MEAN;
        }
        default -> { }
      }
    }
    throw new IllegalArgumentException(
        "Invalid pooling mode: " + name + ". Valid pooling modes are: [cls, mean, max, mean_sqrt_len_tokens, weightedmean, lasttoken]");
  }
}
