package dev.gecko4j.onnx;

import dev.gecko4j.core.Embedding;
import dev.gecko4j.core.vector.VectorMath;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns the pooled rows of an {@link OnnxEmbedder} call into one embedding per text, in input
 * order whatever order the batches ran in: L2-normalises each row (when the model normalises),
 * averages the chunks of a chunked text weighted by their token counts (and normalises again),
 * and keeps a Matryoshka prefix (always renormalised). Normalisation is {@link
 * VectorMath#normalizeInPlace}; an all-zero vector from the model cannot be normalised and fails
 * naming the text.
 */
final class EmbeddingAssembler {

  private final boolean normalize;
  private final int hiddenSize;
  private final int dimension;

  EmbeddingAssembler(boolean normalize, int hiddenSize, int dimension) {
    this.normalize = normalize;
    this.hiddenSize = hiddenSize;
    this.dimension = dimension;
  }

  List<Embedding> assemble(int n, List<TokenizedBatch> batches, float[][] pooledBatches) {
    float[][] sums = new float[n][];
    int[] weights = new int[n];
    int[] parts = new int[n];
    for (int bi = 0; bi < batches.size(); bi++) {
      TokenizedBatch batch = batches.get(bi);
      float[] pooled = pooledBatches[bi];
      for (int r = 0; r < batch.rows(); r++) {
        int owner = batch.rowOwners()[r];
        float[] v = Arrays.copyOfRange(pooled, r * hiddenSize, (r + 1) * hiddenSize);
        if (normalize) {
          normalize(v, owner);
        }
        parts[owner]++;
        if (sums[owner] == null) {
          sums[owner] = v;
          weights[owner] = batch.rowTokens()[r];
        } else {
          // Chunked text: token-weighted average of the chunk embeddings.
          addWeighted(sums[owner], weights[owner], parts[owner] == 2, v, batch.rowTokens()[r]);
          weights[owner] += batch.rowTokens()[r];
        }
      }
    }
    List<Embedding> result = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      float[] v = sums[i];
      if (parts[i] > 1) {
        float inv = 1f / weights[i];
        for (int d = 0; d < v.length; d++) {
          v[d] *= inv;
        }
        if (normalize) {
          normalize(v, i);
        }
      }
      if (dimension < hiddenSize) {
        v = Arrays.copyOf(v, dimension);
        normalize(v, i);
      }
      result.add(Embedding.wrap(v));
    }
    return result;
  }

  private static void normalize(float[] v, int owner) {
    try {
      VectorMath.normalizeInPlace(v, 0, v.length);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("the model gave an all-zero vector for texts[" + owner
          + "], which cannot be L2-normalised", e);
    }
  }

  /** Adds chunk {@code v} (weight {@code w}) to {@code acc}, which holds the first chunk unscaled
   * (weight {@code accWeight}) when {@code first} is true, or a weighted sum otherwise. */
  private static void addWeighted(float[] acc, int accWeight, boolean first, float[] v, int w) {
    for (int d = 0; d < acc.length; d++) {
      acc[d] = (first ? acc[d] * accWeight : acc[d]) + v[d] * w;
    }
  }
}
