package dev.gecko4j.core.quantization;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gecko4j.core.Embedding;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * The calibration of {@link Precision#INT8} and {@link Precision#UINT8} quantization: a minimum and
 * a maximum per dimension, sentence-transformers' {@code ranges} array of shape {@code (2, dim)}.
 * Values are cut into 255 equal steps between them; values outside are clamped to the lowest or
 * highest code.
 *
 * <p>Compute them once from a sample of the corpus ({@link #calibrate}: per dimension, as
 * sentence-transformers' {@code calibration_embeddings}; or {@link #calibrateGlobal}: one range for
 * all dimensions), store them next to the quantized vectors ({@link #write}, {@link #read}) and
 * quantize every later vector, queries included, with the same ranges: codes made with different
 * ranges are not comparable.
 *
 * <p>Immutable and thread-safe.
 */
public final class QuantizationRanges {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final float[] min;
  private final float[] max;

  private QuantizationRanges(float[] min, float[] max) {
    this.min = min;
    this.max = max;
  }

  /**
   * Creates ranges from given per-dimension bounds (copied).
   *
   * @param min the lowest value per dimension; not null, not empty, finite
   * @param max the highest value per dimension; same length as {@code min}, finite, each {@code >=
   *     min[i]}
   * @return the ranges
   * @throws IllegalArgumentException if an array is null, empty or of another length, holds a
   *     non-finite value, or {@code max[i] < min[i]}
   */
  public static QuantizationRanges of(float[] min, float[] max) {
    if (min == null || max == null) {
      throw new IllegalArgumentException("min and max must not be null, but min=" + min
          + ", max=" + max);
    }
    if (min.length == 0 || min.length != max.length) {
      throw new IllegalArgumentException("min and max must have the same length >= 1, but have "
          + min.length + " and " + max.length);
    }
    for (int i = 0; i < min.length; i++) {
      if (!Float.isFinite(min[i]) || !Float.isFinite(max[i]) || max[i] < min[i]) {
        throw new IllegalArgumentException("range of dimension " + i + " is [" + min[i] + ", "
            + max[i] + "]; expected finite bounds with min <= max");
      }
    }
    return new QuantizationRanges(min.clone(), max.clone());
  }

  /**
   * Computes the per-dimension minimum and maximum of a sample of vectors (sentence-transformers'
   * {@code calibration_embeddings}).
   *
   * @param sample the vectors; not null, not empty, all of one length, finite values
   * @return the ranges
   * @throws IllegalArgumentException if the sample is null or empty, a vector is null or of
   *     another length, or a value is not finite (the message names its position)
   */
  public static QuantizationRanges calibrate(Collection<float[]> sample) {
    if (sample == null || sample.isEmpty()) {
      throw new IllegalArgumentException(
          "sample must hold at least one vector, but is " + (sample == null ? "null" : "empty"));
    }
    float[] min = null;
    float[] max = null;
    int n = 0;
    for (float[] v : sample) {
      if (v == null) {
        throw new IllegalArgumentException("sample[" + n + "] is null");
      }
      if (min == null) {
        if (v.length == 0) {
          throw new IllegalArgumentException("sample[0] is empty; expected >= 1 dimension");
        }
        min = new float[v.length];
        max = new float[v.length];
        Arrays.fill(min, Float.POSITIVE_INFINITY);
        Arrays.fill(max, Float.NEGATIVE_INFINITY);
      }
      if (v.length != min.length) {
        throw new IllegalArgumentException("sample[" + n + "] has " + v.length
            + " dimensions; expected " + min.length + " as sample[0]");
      }
      for (int i = 0; i < v.length; i++) {
        float x = v[i];
        if (!Float.isFinite(x)) {
          throw new IllegalArgumentException("non-finite value at sample[" + n + "][" + i + "]="
              + x);
        }
        if (x < min[i]) {
          min[i] = x;
        }
        if (x > max[i]) {
          max[i] = x;
        }
      }
      n++;
    }
    return new QuantizationRanges(min, max);
  }

  /**
   * Computes per-dimension ranges from a sample of embeddings (see {@link #calibrate(Collection)}).
   *
   * @param sample the embeddings; not null, not empty, no null, all of one dimension
   * @return the ranges
   * @throws IllegalArgumentException if the sample is null or empty, or an element is null or of
   *     another dimension
   */
  public static QuantizationRanges calibrateEmbeddings(List<Embedding> sample) {
    return calibrate(arrays(sample));
  }

  /**
   * Computes one range for all dimensions: the minimum and maximum over every value of the sample
   * (coarser than {@link #calibrate}, but robust when the sample is small).
   *
   * @param sample the vectors; not null, not empty, all of one length, finite values
   * @return ranges with the same bounds in every dimension
   * @throws IllegalArgumentException as {@link #calibrate}
   */
  public static QuantizationRanges calibrateGlobal(Collection<float[]> sample) {
    QuantizationRanges perDim = calibrate(sample);
    float lo = Float.POSITIVE_INFINITY;
    float hi = Float.NEGATIVE_INFINITY;
    for (int i = 0; i < perDim.min.length; i++) {
      lo = Math.min(lo, perDim.min[i]);
      hi = Math.max(hi, perDim.max[i]);
    }
    float[] min = new float[perDim.min.length];
    float[] max = new float[perDim.min.length];
    Arrays.fill(min, lo);
    Arrays.fill(max, hi);
    return new QuantizationRanges(min, max);
  }

  static List<float[]> arrays(List<Embedding> embeddings) {
    if (embeddings == null) {
      throw new IllegalArgumentException("embeddings must not be null");
    }
    List<float[]> out = new ArrayList<>(embeddings.size());
    for (int i = 0; i < embeddings.size(); i++) {
      Embedding e = embeddings.get(i);
      if (e == null) {
        throw new IllegalArgumentException("embeddings[" + i + "] is null");
      }
      out.add(e.toArray());
    }
    return out;
  }

  /** {@return the number of dimensions} */
  public int dimension() {
    return min.length;
  }

  /** {@return a copy of the per-dimension minimums (sentence-transformers' {@code ranges[0]})} */
  public float[] min() {
    return min.clone();
  }

  /** {@return a copy of the per-dimension maximums ({@code ranges[1]})} */
  public float[] max() {
    return max.clone();
  }

  /**
   * Returns the lowest value of dimension {@code i} (the start of its first bucket).
   *
   * @param i a dimension in {@code [0, dimension())}
   * @return the minimum
   * @throws IllegalArgumentException if {@code i} is out of range
   */
  public float min(int i) {
    checkIndex(i);
    return min[i];
  }

  /**
   * Returns the width of one of the 255 buckets of dimension {@code i}: {@code (max - min) / 255}.
   *
   * @param i a dimension in {@code [0, dimension())}
   * @return the step, {@code >= 0}
   * @throws IllegalArgumentException if {@code i} is out of range
   */
  public float step(int i) {
    checkIndex(i);
    return (max[i] - min[i]) / 255f;
  }

  float minUnchecked(int i) {
    return min[i];
  }

  float stepUnchecked(int i) {
    return (max[i] - min[i]) / 255f;
  }

  private void checkIndex(int i) {
    if (i < 0 || i >= min.length) {
      throw new IllegalArgumentException(
          "dimension index must be in [0, " + min.length + "), but is: " + i);
    }
  }

  /**
   * Writes the ranges as JSON {@code {"ranges": [[min...], [max...]]}} (the layout of
   * sentence-transformers' {@code ranges} array), replacing the file.
   *
   * @param file the file to write; not null
   * @throws IllegalArgumentException if {@code file} is null
   * @throws UncheckedIOException if it cannot be written
   */
  public void write(Path file) {
    if (file == null) {
      throw new IllegalArgumentException("file must not be null");
    }
    ObjectNode root = JSON.createObjectNode();
    ArrayNode ranges = root.putArray("ranges");
    ArrayNode lo = ranges.addArray();
    ArrayNode hi = ranges.addArray();
    for (int i = 0; i < min.length; i++) {
      lo.add(min[i]);
      hi.add(max[i]);
    }
    try {
      Files.writeString(file, JSON.writeValueAsString(root) + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write quantization ranges to " + file, e);
    }
  }

  /**
   * Reads ranges written by {@link #write}.
   *
   * @param file the file; not null
   * @return the ranges
   * @throws IllegalArgumentException if {@code file} is null or its content is not {@code
   *     {"ranges": [[min...], [max...]]}} with valid bounds (the message names the file)
   * @throws UncheckedIOException if it cannot be read
   */
  public static QuantizationRanges read(Path file) {
    if (file == null) {
      throw new IllegalArgumentException("file must not be null");
    }
    JsonNode root;
    try {
      root = JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read quantization ranges from " + file, e);
    }
    JsonNode ranges = root == null ? null : root.get("ranges");
    if (ranges == null || !ranges.isArray() || ranges.size() != 2 || !ranges.get(0).isArray()
        || !ranges.get(1).isArray()) {
      throw new IllegalArgumentException(file + ": expected {\"ranges\": [[min...], [max...]]}");
    }
    float[] lo = new float[ranges.get(0).size()];
    float[] hi = new float[ranges.get(1).size()];
    for (int i = 0; i < lo.length; i++) {
      lo[i] = (float) ranges.get(0).get(i).asDouble(Double.NaN);
    }
    for (int i = 0; i < hi.length; i++) {
      hi[i] = (float) ranges.get(1).get(i).asDouble(Double.NaN);
    }
    try {
      return of(lo, hi);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof QuantizationRanges r && Arrays.equals(min, r.min)
        && Arrays.equals(max, r.max);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(min) + Arrays.hashCode(max);
  }

  @Override
  public String toString() {
    return "QuantizationRanges[dimension=" + min.length + "]";
  }
}
