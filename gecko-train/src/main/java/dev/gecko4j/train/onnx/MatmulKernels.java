package dev.gecko4j.train.onnx;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.gecko4j.core.internal.Args;
import dev.gecko4j.train.MatmulPrecision;

/**
 * The matrix products behind {@link MatmulPrecision}: float32, or bfloat16 inputs with a float32
 * result ({@link Bf16MatMul}). This package is not exported by {@code dev.gecko4j.train}: not API.
 */
public final class MatmulKernels {
  private MatmulKernels() {}

  /**
   * Checks that the PyTorch engine runs bf16 products.
   *
   * @throws IllegalStateException if it cannot
   */
  public static void requireBf16() {
    Bf16MatMul.get();
  }

  /**
   * Multiplies {@code a} by {@code b} at {@code precision}, with ONNX MatMul semantics (numpy
   * broadcasting of batch dimensions); differentiable inside a gradient collector.
   *
   * @param precision {@code FP32} or {@code BF16}
   * @param a the left operand (float32)
   * @param b the right operand (float32)
   * @return the float32 product
   * @throws IllegalStateException if precision is {@code AUTO} (resolve it first)
   */
  public static NDArray multiply(MatmulPrecision precision, NDArray a, NDArray b) {
    return switch (precision) {
      case FP32 -> a.matMul(b);
      case BF16 -> Bf16MatMul.get().multiply(a, b);
      case AUTO -> throw new IllegalStateException("resolve() AUTO before multiplying");
    };
  }

  /**
   * Measures the throughput of 1024x1024x1024 products at {@code precision}: the fastest of
   * products timed one by one for about two seconds (bf16 includes the casts of both inputs and of
   * the product), so a moment of other load on the machine lowers it less than an average would.
   *
   * @param precision {@code FP32} or {@code BF16}
   * @param manager the manager to allocate in (freed arrays are closed)
   * @return GFLOP/s
   * @throws IllegalArgumentException if an argument is null
   * @throws IllegalStateException if precision is {@code AUTO}, or bf16 cannot run
   */
  public static double measurePeakGflops(MatmulPrecision precision, NDManager manager) {
    Args.notNull(precision, "precision");
    Args.notNull(manager, "manager");
    try (NDManager m = manager.newSubManager()) {
      NDArray a = m.randomNormal(new Shape(1024, 1024));
      NDArray b = m.randomNormal(new Shape(1024, 1024));
      multiply(precision, a, b).close();
      long best = Long.MAX_VALUE;
      int reps = 0;
      long t0 = System.nanoTime();
      while (System.nanoTime() - t0 < 2_000_000_000L || reps < 5) {
        long r0 = System.nanoTime();
        NDArray c = multiply(precision, a, b);
        c.getFloat(0, 0);
        best = Math.min(best, System.nanoTime() - r0);
        c.close();
        reps++;
      }
      return 2.0 * 1024 * 1024 * 1024 / (best / 1e9) / 1e9;
    }
  }
}
