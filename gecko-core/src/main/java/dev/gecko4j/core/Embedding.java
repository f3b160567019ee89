package dev.gecko4j.core;

import dev.gecko4j.core.quantization.EmbeddingQuantizer;
import dev.gecko4j.core.quantization.Precision;
import dev.gecko4j.core.quantization.QuantizationRanges;
import dev.gecko4j.core.vector.VectorMath;

import java.util.Arrays;
import java.util.Locale;

/**
 * An immutable embedding vector.
 *
 * <p>Instances are usually L2-normalised by the {@link Embedder} that produced them (see the
 * embedder's documentation). {@link #truncate(int)} gives the Matryoshka (MRL) prefix of the
 * vector, renormalised.
 */
public final class Embedding {
  private final float[] vector;

  private Embedding(float[] vector) {
    this.vector = vector;
  }

  /**
   * Creates an embedding from a copy of {@code vector}.
   *
   * @param vector the values; not null, not empty, all finite
   * @return the embedding
   * @throws IllegalArgumentException if the vector is null, empty or holds a non-finite value
   */
  public static Embedding of(float[] vector) {
    if (vector == null) {
      throw new IllegalArgumentException("vector must not be null");
    }
    return wrap(vector.clone());
  }

  /**
   * Creates an embedding that takes ownership of {@code vector} without copying it; the caller must
   * not modify the array afterwards. Meant for embedders that create a fresh array per result.
   *
   * @param vector the values; not null, not empty, all finite
   * @return the embedding
   * @throws IllegalArgumentException if the vector is null, empty or holds a non-finite value
   */
  public static Embedding wrap(float[] vector) {
    if (vector == null) {
      throw new IllegalArgumentException("vector must not be null");
    }
    if (vector.length == 0) {
      throw new IllegalArgumentException("vector must have at least one dimension, but has 0");
    }
    for (int i = 0; i < vector.length; i++) {
      if (!Float.isFinite(vector[i])) {
        throw new IllegalArgumentException(
            "non-finite value at vector[" + i + "]=" + vector[i] + "; expected a finite float");
      }
    }
    return new Embedding(vector);
  }

  /**
   * Returns the number of dimensions.
   *
   * @return the dimension, {@code >= 1}
   */
  public int dimension() {
    return vector.length;
  }

  /**
   * Returns the value at dimension {@code i}.
   *
   * @param i the dimension, in {@code [0, dimension())}
   * @return the value
   * @throws IndexOutOfBoundsException if {@code i} is not in {@code [0, dimension())}
   */
  public float get(int i) {
    return vector[i];
  }

  /**
   * Returns a copy of the values.
   *
   * @return a new array of {@link #dimension()} values
   */
  public float[] toArray() {
    return vector.clone();
  }

  /**
   * Copies the values into {@code dest} at {@code offset} (for building contiguous matrices).
   *
   * @param dest the destination; not null
   * @param offset where the first value goes, in {@code [0, dest.length - dimension()]}
   * @throws IllegalArgumentException if {@code dest} is null or the values do not fit at
   *     {@code offset}
   */
  public void copyTo(float[] dest, int offset) {
    if (dest == null) {
      throw new IllegalArgumentException("dest must not be null");
    }
    if (offset < 0 || offset > dest.length - vector.length) {
      throw new IllegalArgumentException("offset must be between 0 and "
          + (dest.length - vector.length) + " to fit " + vector.length + " values into dest["
          + dest.length + "], but is: " + offset);
    }
    System.arraycopy(vector, 0, dest, offset, vector.length);
  }

  /**
   * Returns the Euclidean (L2) norm.
   *
   * @return the norm, {@code >= 0}
   */
  public double norm() {
    double s = 0;
    for (float v : vector) {
      s += (double) v * v;
    }
    return Math.sqrt(s);
  }

  /**
   * Returns the dot product with {@code other}; equal to cosine similarity when both are normalised.
   *
   * @param other the other embedding; not null, same dimension
   * @return the dot product
   * @throws IllegalArgumentException if {@code other} is null or the dimensions differ
   */
  public double dot(Embedding other) {
    if (other == null || other.vector.length != vector.length) {
      throw new IllegalArgumentException(
          "embedding dimensions differ: " + vector.length + " != "
              + (other == null ? "null" : other.vector.length));
    }
    double s = 0;
    for (int i = 0; i < vector.length; i++) {
      s += (double) vector[i] * other.vector[i];
    }
    return s;
  }

  /**
   * Returns the cosine similarity with {@code other}.
   *
   * @param other the other embedding; not null, same dimension
   * @return the cosine, in {@code [-1, 1]} up to rounding
   * @throws IllegalArgumentException if {@code other} is null, the dimensions differ or either vector is zero
   */
  public double cosine(Embedding other) {
    double d = dot(other);
    double n = norm() * other.norm();
    if (n == 0) {
      throw new IllegalArgumentException("cosine of a zero vector is undefined");
    }
    return d / n;
  }

  /**
   * Returns this embedding scaled to unit L2 norm (with {@link
   * VectorMath#normalizeInPlace(float[], int, int)}, as embedders normalise).
   *
   * @return a new, normalised embedding
   * @throws IllegalArgumentException if the vector is zero ({@code Cannot normalize a zero-length
   *     vector})
   */
  public Embedding normalize() {
    float[] out = vector.clone();
    VectorMath.normalizeInPlace(out, 0, out.length);
    return new Embedding(out);
  }

  /**
   * Returns the Matryoshka truncation: the first {@code dims} values, renormalised to unit length.
   * Returns an equal embedding (normalised) when {@code dims == dimension()}.
   *
   * @param dims the number of leading dimensions to keep, in {@code [1, dimension()]}
   * @return a new, normalised embedding of {@code dims} dimensions
   * @throws IllegalArgumentException if {@code dims} is out of range, or the prefix is all zeros
   */
  public Embedding truncate(int dims) {
    if (dims < 1 || dims > vector.length) {
      throw new IllegalArgumentException(
          "dims must be between 1 and " + vector.length + ", but is: " + dims);
    }
    return new Embedding(Arrays.copyOf(vector, dims)).normalize();
  }

  /**
   * Returns this vector quantized as sentence-transformers' {@code quantize_embeddings} does (see
   * {@link EmbeddingQuantizer}): {@code int8} / {@code uint8} codes with the given calibration,
   * or the packed sign bits of {@code binary} / {@code ubinary}.
   *
   * @param precision the byte precision; not null, not {@link Precision#FLOAT32}
   * @param ranges the calibration of int8 / uint8, of this dimension (from {@link
   *     QuantizationRanges#calibrateEmbeddings} on a sample of the corpus); may be null for the
   *     binary precisions
   * @return the codes, {@link Precision#bytesPerVector} bytes (a new array)
   * @throws IllegalArgumentException if the precision is null or float32, or the ranges are missing
   *     or of another dimension
   */
  public byte[] quantize(Precision precision, QuantizationRanges ranges) {
    return EmbeddingQuantizer.quantize(vector, precision, ranges);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Embedding e && Arrays.equals(vector, e.vector);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(vector);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("Embedding[dim=").append(vector.length).append(", ");
    for (int i = 0; i < Math.min(4, vector.length); i++) {
      sb.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.4f", vector[i]));
    }
    return sb.append(vector.length > 4 ? ", ...]" : "]").toString();
  }
}
