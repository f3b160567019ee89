package dev.gecko4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A right-padded batch of token ids, attention mask and token type ids, row-major
 * {@code [batch, seq]}.
 *
 * @param batch number of rows
 * @param seq padded length
 * @param ids token ids
 * @param mask attention mask (1 token, 0 padding)
 * @param typeIds token type ids
 */
public record TokenBatch(int batch, int seq, long[] ids, long[] mask, long[] typeIds) {
  /**
   * Validates the lengths.
   *
   * @throws IllegalArgumentException if a size is not positive or an array length is not
   *     {@code batch * seq}
   */
  public TokenBatch {
    if (batch < 1 || seq < 1) {
      throw new IllegalArgumentException("batch and seq must be >= 1, but are: " + batch + ", " + seq);
    }
    long n = (long) batch * seq;
    if (ids == null || mask == null || typeIds == null || ids.length != n || mask.length != n
        || typeIds.length != n) {
      throw new IllegalArgumentException("ids, mask and typeIds must each have batch*seq = " + n + " values");
    }
  }

  /** @return the number of real (unpadded) tokens */
  public long tokens() {
    long t = 0;
    for (long m : mask) {
      t += m;
    }
    return t;
  }

  /**
   * Creates the graph inputs {@code input_ids}, {@code attention_mask}, {@code token_type_ids}.
   *
   * @param manager the owner of the arrays
   * @return the inputs by name
   */
  public Map<String, NDArray> toInputs(NDManager manager) {
    Shape s = new Shape(batch, seq);
    Map<String, NDArray> in = new LinkedHashMap<>();
    in.put("input_ids", manager.create(ids, s));
    in.put("attention_mask", manager.create(mask, s));
    in.put("token_type_ids", manager.create(typeIds, s));
    return in;
  }
}
