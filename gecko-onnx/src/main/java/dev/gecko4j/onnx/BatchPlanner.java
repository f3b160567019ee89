package dev.gecko4j.onnx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Cuts token rows into the batches {@link OnnxEmbedder} runs: rows sorted by token count (longest
 * first, ties in input order, so batches are a pure function of the input), each batch padded to
 * its longest row, at most {@code maxBatchSize} rows, with rows times padded length within the
 * token budget and rows times its square (the attention scores) within the attention budget.
 */
final class BatchPlanner {

  /**
   * On the CPU, from this length on the attention budget (tokenBudget x this) binds before the token
   * budget: rows of ~300 tokens ran 9% faster one per batch than three per batch (`gecko bench
   * throughput`, BENCHMARKS.md), while short rows keep the token budget's large batches.
   */
  static final int ATTENTION_LENGTH = 128;

  private final int tokenBudget;
  private final long attentionBudget;
  private final int maxBatchSize;
  private final PaddingSide side;

  /**
   * @param tokenBudget most padded tokens per batch
   * @param cpu whether the attention budget applies (the CPU); unbounded otherwise
   * @param maxBatchSize most rows per batch
   */
  BatchPlanner(int tokenBudget, boolean cpu, int maxBatchSize) {
    this(tokenBudget, cpu, maxBatchSize, PaddingSide.RIGHT);
  }

  BatchPlanner(int tokenBudget, boolean cpu, int maxBatchSize, PaddingSide side) {
    this.side = side;
    this.tokenBudget = tokenBudget;
    this.attentionBudget = cpu ? (long) tokenBudget * ATTENTION_LENGTH : Long.MAX_VALUE;
    this.maxBatchSize = maxBatchSize;
  }

  int tokenBudget() {
    return tokenBudget;
  }

  List<TokenizedBatch> plan(List<EncoderTokenizer.Row> rows) {
    EncoderTokenizer.Row[] sorted = rows.toArray(new EncoderTokenizer.Row[0]);
    Arrays.sort(sorted, (a, b) -> a.ids().length != b.ids().length
        ? Integer.compare(b.ids().length, a.ids().length) : Integer.compare(a.owner(), b.owner()));
    List<TokenizedBatch> batches = new ArrayList<>();
    int i = 0;
    while (i < sorted.length) {
      int seq = sorted[i].ids().length;
      int count = 1;
      while (i + count < sorted.length && count < maxBatchSize
          && (long) (count + 1) * seq <= tokenBudget
          && (long) (count + 1) * seq * seq <= attentionBudget) {
        count++;
      }
      batches.add(EncoderTokenizer.pad(sorted, i, count, side));
      i += count;
    }
    return batches;
  }
}
