/**
 * Vector math on {@code float[]}: the validated facade {@link dev.gecko4j.core.vector.VectorMath}
 * and {@link dev.gecko4j.core.vector.Similarity}. The kernels behind the facade use the Vector API
 * (SIMD) when the JVM runs with {@code --add-modules jdk.incubator.vector}, and plain Java
 * otherwise; see {@link dev.gecko4j.core.vector.VectorMath} for how the choice is made.
 */
package dev.gecko4j.core.vector;
