package dev.gecko4j.core.vector.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The int8 dot product and the packed-bit Hamming distance of every {@link VectorSupport} (the
 * scalar one, and the Panama one where the Vector API is usable) equal a plain loop exactly, for
 * every length from 1 to 1,100 (every mix of unrolled body, single-vector steps and tail), at
 * offsets, and for the extreme codes -128 and 127.
 */
class ByteKernelsTest {

  private static List<VectorSupport> kernels() {
    List<VectorSupport> all = new ArrayList<>();
    all.add(new ScalarVectorSupport());
    Optional<VectorSupport> panama = VectorSupportProvider.panama();
    panama.ifPresent(all::add);
    return all;
  }

  private static int plainDot(byte[] a, int aOff, byte[] b, int bOff, int len) {
    int s = 0;
    for (int i = 0; i < len; i++) {
      s += a[aOff + i] * b[bOff + i];
    }
    return s;
  }

  private static int plainHamming(long[] a, int aOff, long[] b, int bOff, int len) {
    int d = 0;
    for (int i = 0; i < len; i++) {
      d += Long.bitCount(a[aOff + i] ^ b[bOff + i]);
    }
    return d;
  }

  @Test
  void int8_dot_product_equals_a_plain_loop_for_every_length_and_offset() {
    Random random = new Random(7);
    for (VectorSupport impl : kernels()) {
      for (int len = 1; len <= 1100; len++) {
        byte[] a = new byte[len + 3];
        byte[] b = new byte[len + 5];
        random.nextBytes(a);
        random.nextBytes(b);
        assertThat(impl.dotInt8(a, 0, b, 0, len)).as("%s, len %d", impl.name(), len)
            .isEqualTo(plainDot(a, 0, b, 0, len));
        assertThat(impl.dotInt8(a, 3, b, 5, len)).as("%s, len %d at offsets", impl.name(), len)
            .isEqualTo(plainDot(a, 3, b, 5, len));
      }
    }
  }

  @Test
  void int8_dot_product_of_extreme_codes_does_not_overflow() {
    for (VectorSupport impl : kernels()) {
      for (int len : new int[] {1, 16, 384, 768, 4096}) {
        byte[] low = new byte[len];
        byte[] high = new byte[len];
        java.util.Arrays.fill(low, (byte) -128);
        java.util.Arrays.fill(high, (byte) 127);
        assertThat(impl.dotInt8(low, 0, low, 0, len)).as("%s (-128)^2 x %d", impl.name(), len)
            .isEqualTo(16384 * len);
        assertThat(impl.dotInt8(low, 0, high, 0, len)).as("%s -128*127 x %d", impl.name(), len)
            .isEqualTo(-128 * 127 * len);
      }
    }
  }

  @Test
  void hamming_distance_equals_a_plain_popcount_for_every_length_and_offset() {
    Random random = new Random(11);
    for (VectorSupport impl : kernels()) {
      for (int len = 1; len <= 300; len++) {
        long[] a = random.longs(len + 2).toArray();
        long[] b = random.longs(len + 1).toArray();
        assertThat(impl.hamming(a, 0, b, 0, len)).as("%s, len %d", impl.name(), len)
            .isEqualTo(plainHamming(a, 0, b, 0, len));
        assertThat(impl.hamming(a, 2, b, 1, len)).as("%s, len %d at offsets", impl.name(), len)
            .isEqualTo(plainHamming(a, 2, b, 1, len));
      }
      long[] ones = {-1L, -1L};
      long[] zeros = {0L, 0L};
      assertThat(impl.hamming(ones, 0, zeros, 0, 2)).isEqualTo(128);
      assertThat(impl.hamming(ones, 0, ones, 0, 2)).isZero();
    }
  }

  @Test
  void matrix_kernels_score_each_row_as_the_pairwise_kernels_do() {
    Random random = new Random(13);
    for (VectorSupport impl : kernels()) {
      for (int dim : new int[] {1, 7, 64, 384, 768, 1000}) {
        int rows = 9;
        byte[] q = new byte[dim + 2];
        byte[] m = new byte[rows * dim + 4];
        random.nextBytes(q);
        random.nextBytes(m);
        int[] out = new int[rows + 1];
        impl.dotInt8Matrix(q, 2, m, 4, rows, dim, out, 1);
        for (int r = 0; r < rows; r++) {
          assertThat(out[1 + r]).as("%s dotInt8Matrix dim %d row %d", impl.name(), dim, r)
              .isEqualTo(plainDot(q, 2, m, 4 + r * dim, dim));
        }
      }
      for (int words : new int[] {1, 4, 6, 12, 16, 17, 40}) {
        int rows = 9;
        long[] q = random.longs(words + 1).toArray();
        long[] m = random.longs(rows * words + 3).toArray();
        int[] out = new int[rows];
        impl.hammingMatrix(q, 1, m, 3, rows, words, out, 0);
        for (int r = 0; r < rows; r++) {
          assertThat(out[r]).as("%s hammingMatrix words %d row %d", impl.name(), words, r)
              .isEqualTo(plainHamming(q, 1, m, 3 + r * words, words));
        }
      }
    }
  }

  @Test
  void blocked_hamming_scores_8_interleaved_rows_as_the_pairwise_kernel_does() {
    Random random = new Random(17);
    for (VectorSupport impl : kernels()) {
      for (int words : new int[] {1, 4, 6, 12, 13}) {
        int blocks = 5;
        long[] q = random.longs(words + 2).toArray();
        long[] m = random.longs(blocks * words * 8 + 3).toArray();
        int[] out = new int[blocks * 8 + 1];
        impl.hammingBlocks8(q, 2, m, 3, blocks, words, out, 1);
        for (int b = 0; b < blocks; b++) {
          for (int j = 0; j < 8; j++) {
            long[] row = new long[words];
            for (int w = 0; w < words; w++) {
              row[w] = m[3 + (b * words + w) * 8 + j];
            }
            assertThat(out[1 + 8 * b + j]).as("%s words %d row %d", impl.name(), words, 8 * b + j)
                .isEqualTo(plainHamming(q, 2, row, 0, words));
          }
        }
      }
    }
  }
}
