package dev.gecko4j.train.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * Scalars for arithmetic inside a gradient scope.
 *
 * <p>DJL's {@code Number} overloads ({@code x.div(2)}, {@code x.mul(s)}, {@code x.maximum(0)})
 * copy the number into a 0-d array backed by a Java direct buffer and close that array as soon as
 * the operation returns. PyTorch's autograd, though, keeps the scalar operand of {@code mul},
 * {@code div}, {@code maximum}, {@code minimum} and {@code pow} for the backward pass; once the
 * garbage collector frees the buffer, backward reads freed memory, and the gradient comes out
 * garbage ({@code 1e29}) or NaN on some steps and right on others (DJL 0.35.1, found by
 * {@code GradientsUnderGarbageCollectionTest}). Every scalar that enters a differentiable
 * expression in gecko-train is therefore made here: a 0-d array owned by the operand's manager,
 * alive until that manager closes, after the backward pass.
 */
public final class Scalars {
  private Scalars() {}

  /**
   * Returns {@code value} as a 0-d array of {@code like}'s data type, owned by {@code like}'s
   * manager.
   *
   * @param like the array the scalar will be combined with
   * @param value the value
   * @return the 0-d array
   */
  public static NDArray of(NDArray like, double value) {
    if (like.getDataType() == DataType.FLOAT32) {
      return like.getManager().create((float) value);
    }
    return like.getManager().create(value).toType(like.getDataType(), false);
  }
}
