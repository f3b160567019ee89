package dev.gecko4j.train;

import dev.gecko4j.core.Embedder;
import dev.gecko4j.core.Embedding;
import dev.gecko4j.core.PromptConvention;
import dev.gecko4j.core.TaskPrompt;
import java.util.ArrayList;
import dev.gecko4j.core.internal.Args;
import java.util.List;

/**
 * An {@link Embedder} view of a {@link TrainableEncoder} with its current weights (the same graph
 * the ONNX embedder serves, executed on PyTorch; outputs agree with ONNX Runtime within 1e-4). Used
 * to mine hard negatives and to evaluate during training without writing a model first. Does not
 * own the encoder: {@link #close()} leaves it open.
 */
public final class EncoderEmbedder implements Embedder {
  private final TrainableEncoder encoder;
  private final PromptConvention convention;
  private final int maxLength;
  private final int batchSize;

  /**
   * Creates the view.
   *
   * @param encoder the encoder
   * @param convention the model's prompt convention
   * @param maxLength max tokens per text, 2 to the encoder's {@link TrainableEncoder#maxLength()}
   * @param batchSize texts per forward pass, >= 1
   * @throws IllegalArgumentException if an argument is null or out of range
   */
  public EncoderEmbedder(TrainableEncoder encoder, PromptConvention convention, int maxLength, int batchSize) {
    this.encoder = Args.notNull(encoder, "encoder");
    this.convention = Args.notNull(convention, "convention");
    Args.inRange(maxLength, 2, encoder.maxLength(), "maxLength");
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be >= 1, but is: " + batchSize);
    }
    this.maxLength = maxLength;
    this.batchSize = batchSize;
  }

  @Override
  public int dimension() {
    return encoder.embeddingDimension();
  }

  /** {@return the name of the model the encoder was opened from} */
  @Override
  public String name() {
    return encoder.spec().name();
  }

  /**
   * {@return the name, dimension and prompt rendering, a checksum of the encoder's current weights
   * (it changes with every training step), pooling and maximum length}
   */
  @Override
  public String fingerprint() {
    return Embedder.super.fingerprint() + "|trainable|weights=" + encoder.weightsChecksum()
        + "|pooling=" + encoder.pooling() + "|normalize=true|maxLength=" + maxLength;
  }

  @Override
  public PromptConvention promptConvention() {
    return convention;
  }

  @Override
  public List<Embedding> embedAll(List<String> texts, List<TaskPrompt> prompts) {
    if (texts == null || prompts == null || texts.size() != prompts.size()) {
      throw new IllegalArgumentException("texts and prompts must be non-null lists of equal length");
    }
    if (texts.isEmpty()) {
      return List.of();
    }
    List<String> prompted = new ArrayList<>(texts.size());
    for (int i = 0; i < texts.size(); i++) {
      prompted.add(convention.apply(prompts.get(i), texts.get(i)));
    }
    // sort by length so batches pad little, then restore the order
    Integer[] order = new Integer[prompted.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(order, (a, b) -> Integer.compare(prompted.get(a).length(), prompted.get(b).length()));
    List<String> sorted = new ArrayList<>(prompted.size());
    for (Integer i : order) {
      sorted.add(prompted.get(i));
    }
    float[][] vecs = encoder.embedTexts(sorted, maxLength, batchSize);
    Embedding[] out = new Embedding[vecs.length];
    for (int i = 0; i < order.length; i++) {
      out[order[i]] = Embedding.of(vecs[i]);
    }
    return List.of(out);
  }

  @Override
  public void close() {
    // the encoder is owned by the caller
  }
}
