package dev.gecko4j.onnx.lm;

import dev.gecko4j.core.lm.ContinuationScore;
import dev.gecko4j.core.lm.ScoreRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Continuation scoring on a {@link DecoderGraph}: {@code log P(continuation | prompt)} from one
 * forward pass with an empty past per batch, the continuation's tokens being those of {@code
 * tokenize(prompt + continuation)} beyond the longest common prefix with {@code tokenize(prompt)}
 * (see {@link OnnxCausalLanguageModel}'s class comment on the boundary). Thread-safe.
 */
final class ContinuationScorer {

  private final DecoderGraph graph;
  private final Function<String, long[]> encoder;
  private final int maxContext;
  private final int maxBatchSize;

  ContinuationScorer(DecoderGraph graph, Function<String, long[]> encoder, int maxContext,
      int maxBatchSize) {
    this.graph = graph;
    this.encoder = encoder;
    this.maxContext = maxContext;
    this.maxBatchSize = maxBatchSize;
  }

  /**
   * Scores every request; results in input order.
   *
   * @throws IllegalArgumentException if a continuation adds no token or a request is longer than
   *     the context
   */
  List<ContinuationScore> score(List<ScoreRequest> requests) {
    int n = requests.size();
    long[][] full = new long[n][];
    int[] start = new int[n];
    for (int i = 0; i < n; i++) {
      ScoreRequest r = requests.get(i);
      long[] p = encoder.apply(r.prompt());
      long[] f = encoder.apply(r.prompt() + r.continuation());
      int k = 0;
      while (k < p.length && k < f.length && p[k] == f[k]) {
        k++;
      }
      // Position 0 has no logits conditioning it; the first scored token is at index >= 1.
      k = Math.max(k, 1);
      if (k >= f.length) {
        throw new IllegalArgumentException(String.format(Locale.ROOT,
            "requests[%d]: the continuation adds no token beyond the prompt's tokens (continuation: '%s')",
            i, r.continuation()));
      }
      if (f.length > maxContext) {
        throw new IllegalArgumentException(String.format(Locale.ROOT,
            "requests[%d]: prompt plus continuation is %d tokens, but the model's context is %d tokens",
            i, f.length, maxContext));
      }
      full[i] = f;
      start[i] = k;
    }
    // Sort by length so a batch pads little; results go back in input order.
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparingInt(i -> full[i].length));
    ContinuationScore[] out = new ContinuationScore[n];
    for (int from = 0; from < n; from += maxBatchSize) {
      int to = Math.min(n, from + maxBatchSize);
      List<long[]> rows = new ArrayList<>(to - from);
      int[] idxs = new int[to - from];
      for (int j = from; j < to; j++) {
        idxs[j - from] = order[j];
        rows.add(full[order[j]]);
      }
      graph.forward(rows, (row, seq, vocab, logits) -> {
        int idx = idxs[row];
        long[] f = full[idx];
        double[] lp = new double[f.length - start[idx]];
        for (int t = start[idx]; t < f.length; t++) {
          int base = (row * seq + t - 1) * vocab;
          lp[t - start[idx]] = Sampling.logSoftmaxAt(logits, base, vocab, (int) f[t]);
        }
        out[idx] = ContinuationScore.ofTokens(lp);
      });
    }
    return List.of(out);
  }
}
