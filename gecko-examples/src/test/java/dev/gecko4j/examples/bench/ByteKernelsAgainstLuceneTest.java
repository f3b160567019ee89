package dev.gecko4j.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.gecko4j.core.vector.VectorMath;
import dev.gecko4j.core.vector.internal.ScalarVectorSupport;
import dev.gecko4j.core.vector.internal.VectorSupport;
import dev.gecko4j.core.vector.internal.VectorSupportProvider;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.lucene.util.VectorUtil;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * gecko4j's int8 dot product and Hamming distance (scalar, and Panama where usable) give Lucene
 * 10.6's results ({@code VectorUtil.dotProduct(byte[], byte[])}, {@code
 * VectorUtil.xorBitCount(byte[], byte[])}) exactly, the kernels the benchmarks compare them with.
 * Lucene 10 needs Java 21, so the JDK 17 run of the suite skips it (with that reason); the JDK 25
 * run compares.
 */
class ByteKernelsAgainstLuceneTest {

  @BeforeEach
  void requireJava21ForLucene() {
    assumeThat(Runtime.version().feature())
        .as("Lucene 10.6 is compiled for Java 21; this JVM is Java %d (the JDK 25 run compares)",
            Runtime.version().feature())
        .isGreaterThanOrEqualTo(21);
  }

  private static List<VectorSupport> kernels() {
    List<VectorSupport> all = new ArrayList<>();
    all.add(new ScalarVectorSupport());
    VectorSupportProvider.panama().ifPresent(all::add);
    return all;
  }

  @Test
  void int8_dot_product_equals_lucenes_byte_dot_product() {
    Random random = new Random(5);
    for (int dim : new int[] {1, 15, 16, 31, 32, 64, 100, 384, 768, 1024, 1536}) {
      for (int trial = 0; trial < 20; trial++) {
        byte[] a = new byte[dim];
        byte[] b = new byte[dim];
        random.nextBytes(a);
        random.nextBytes(b);
        if (trial == 0) {
          java.util.Arrays.fill(a, (byte) -128);
          java.util.Arrays.fill(b, (byte) -128);
        }
        int lucene = VectorUtil.dotProduct(a, b);
        for (VectorSupport impl : kernels()) {
          assertThat(impl.dotInt8(a, 0, b, 0, dim)).as("%s at dim %d", impl.name(), dim)
              .isEqualTo(lucene);
        }
        assertThat(VectorMath.dotProduct(a, b)).isEqualTo(lucene);
      }
    }
  }

  @Test
  void hamming_distance_equals_lucenes_xor_bit_count_of_the_same_bits() {
    Random random = new Random(6);
    for (int words : new int[] {1, 2, 6, 8, 12, 16, 17, 48}) {
      for (int trial = 0; trial < 20; trial++) {
        byte[] a = new byte[8 * words];
        byte[] b = new byte[8 * words];
        random.nextBytes(a);
        random.nextBytes(b);
        long[] la = new long[words];
        long[] lb = new long[words];
        ByteBuffer.wrap(a).asLongBuffer().get(la);
        ByteBuffer.wrap(b).asLongBuffer().get(lb);
        int lucene = VectorUtil.xorBitCount(a, b);
        for (VectorSupport impl : kernels()) {
          assertThat(impl.hamming(la, 0, lb, 0, words)).as("%s at %d words", impl.name(), words)
              .isEqualTo(lucene);
        }
        assertThat(VectorMath.hammingDistance(la, lb)).isEqualTo(lucene);
      }
    }
  }
}
