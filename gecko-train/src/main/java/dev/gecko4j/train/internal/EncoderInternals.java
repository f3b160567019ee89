package dev.gecko4j.train.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.gecko4j.onnx.TokenizedBatch;
import dev.gecko4j.train.TrainableEncoder;
import dev.gecko4j.train.onnx.LoraAdapters;
import dev.gecko4j.train.onnx.OnnxModel;
import java.util.Map;
import java.util.Objects;

/**
 * The tensor-level side of {@link TrainableEncoder} for gecko4j's own training code in other
 * packages (the cross-encoder trainer, adapters). {@code TrainableEncoder} keeps these methods
 * package-private so that no DJL type is part of the training API; it registers an {@link Access}
 * here when its class is initialised. This package is not exported by {@code dev.gecko4j.train}:
 * not API (it may change in any release).
 */
public final class EncoderInternals {
  /** What {@code TrainableEncoder} lends to gecko4j's own packages. */
  public interface Access {
    /**
     * @param encoder the encoder
     * @return its DJL manager (parameters live there)
     */
    NDManager manager(TrainableEncoder encoder);

    /**
     * @param encoder the encoder
     * @return the ONNX graph it runs
     */
    OnnxModel model(TrainableEncoder encoder);

    /**
     * @param encoder the encoder
     * @param scope the manager the arrays belong to
     * @param requiresGradient whether the copies record gradients
     * @return the parameters as arrays in {@code scope}
     */
    Map<String, NDArray> upload(TrainableEncoder encoder, NDManager scope, boolean requiresGradient);

    /**
     * @param encoder the encoder
     * @param scope the manager for intermediate arrays
     * @param params the parameters from {@link #upload}
     * @param batch the tokenized batch
     * @return the token states {@code [rows, length, hidden]}
     */
    NDArray tokenStates(TrainableEncoder encoder, NDManager scope, Map<String, NDArray> params,
        TokenizedBatch batch);

    /**
     * @param encoder the encoder
     * @return its low-rank adapters, or empty when it trains the graph's weights
     */
    java.util.Optional<LoraAdapters> lora(TrainableEncoder encoder);
  }

  private static volatile Access access;

  private EncoderInternals() {}

  /**
   * Registers the access; called once by {@code TrainableEncoder}'s static initialiser.
   *
   * @param a the access; not null
   * @throws IllegalStateException if one is registered already
   */
  public static synchronized void register(Access a) {
    Objects.requireNonNull(a, "access");
    if (access != null) {
      throw new IllegalStateException("EncoderInternals.Access is registered already");
    }
    access = a;
  }

  /**
   * Returns the access {@code TrainableEncoder} registered.
   *
   * @return the access
   */
  public static Access access() {
    Access a = access;
    if (a == null) {
      try { // initialises TrainableEncoder, which registers
        Class.forName(TrainableEncoder.class.getName(), true, TrainableEncoder.class.getClassLoader());
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException(e);
      }
      a = access;
    }
    return a;
  }
}
