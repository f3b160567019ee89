package dev.gecko4j.onnx;

/**
 * One padded batch exactly as {@link OnnxEmbedder} feeds it to ONNX Runtime: row-major
 * {@code [rows, sequenceLength]} int64 inputs, padded on the model's {@link PaddingSide} (right
 * unless its tokenizer config says left), and for each row the index of the input
 * text it belongs to (several rows share an owner when a long text is chunked).
 *
 * <p>Obtained from {@link OnnxEmbedder#tokenize}; {@link OnnxEmbedder#forward} runs it. Exposed so a
 * benchmark can time the model alone on the exact batches the embedder forms. The arrays are shared,
 * not copied: do not modify them.
 *
 * @param rows number of rows, {@code >= 1}
 * @param sequenceLength padded length of every row, {@code >= 1}
 * @param inputIds token ids, length {@code rows * sequenceLength}; padding holds the pad id
 * @param attentionMask 1 for tokens, 0 for padding, same length as {@code inputIds}
 * @param tokenTypeIds segment ids, same length as {@code inputIds}
 * @param rowOwners for each row, the index of its input text in the list given to tokenize
 * @param rowTokens for each row, its number of real tokens
 */
public record TokenizedBatch(int rows, int sequenceLength, long[] inputIds, long[] attentionMask,
    long[] tokenTypeIds, int[] rowOwners, int[] rowTokens) {

  /** Validates the shapes. */
  public TokenizedBatch {
    if (rows < 1 || sequenceLength < 1) {
      throw new IllegalArgumentException(
          "rows and sequenceLength must be >= 1, but are: " + rows + ", " + sequenceLength);
    }
    long n = (long) rows * sequenceLength;
    if (inputIds == null || inputIds.length != n || attentionMask == null
        || attentionMask.length != n || tokenTypeIds == null || tokenTypeIds.length != n) {
      throw new IllegalArgumentException(
          "inputIds, attentionMask and tokenTypeIds must each have length rows*sequenceLength=" + n);
    }
    if (rowOwners == null || rowOwners.length != rows || rowTokens == null
        || rowTokens.length != rows) {
      throw new IllegalArgumentException("rowOwners and rowTokens must each have length rows=" + rows);
    }
  }

  /**
   * Returns the {@code position_ids} of the batch as HuggingFace decoders compute them from the
   * attention mask ({@code attention_mask.cumsum(-1) - 1}, padding positions set to 1): each real
   * token's index among the real tokens of its row, so a left-padded row gets the positions it
   * gets alone. Serving and training feed these to a graph that takes {@code position_ids}.
   *
   * @return a new array {@code [rows, sequenceLength]} row-major
   */
  public long[] positionIds() {
    long[] pos = new long[attentionMask.length];
    for (int r = 0; r < rows; r++) {
      long count = 0;
      for (int t = 0; t < sequenceLength; t++) {
        int i = r * sequenceLength + t;
        pos[i] = attentionMask[i] != 0 ? count++ : 1;
      }
    }
    return pos;
  }

  /** {@return the number of real (non-padding) tokens in the batch} */
  public long tokenCount() {
    long s = 0;
    for (int t : rowTokens) {
      s += t;
    }
    return s;
  }
}
