package dev.gecko4j.core.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.gecko4j.core.quantization.Precision;
import dev.gecko4j.core.quantization.QuantizationRanges;
import dev.gecko4j.core.vector.Similarity;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The quantized scan finds (almost all of) the exact top k, and with rescoring its scores are the
 * exact similarities of the float vectors; ground truth is a {@link FlatIndex} on the same data.
 */
class QuantizedFlatIndexTest {

  private static final int DIM = 96;

  /** Vectors around 50 random centres, like embeddings of a corpus with topics. */
  private static List<float[]> clustered(long seed, int n) {
    Random random = new Random(seed);
    Random centres = new Random(1);
    float[][] c = new float[50][DIM];
    for (float[] centre : c) {
      for (int d = 0; d < DIM; d++) {
        centre[d] = (float) centres.nextGaussian();
      }
    }
    List<float[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      float[] centre = c[random.nextInt(c.length)];
      float[] v = new float[DIM];
      for (int d = 0; d < DIM; d++) {
        v[d] = centre[d] + (float) (0.7 * random.nextGaussian());
      }
      out.add(v);
    }
    return out;
  }

  private static FlatIndex flat(List<float[]> corpus, Similarity similarity) {
    FlatIndex index = new FlatIndex(DIM, similarity);
    for (int i = 0; i < corpus.size(); i++) {
      index.add("d" + i, corpus.get(i));
    }
    return index;
  }

  private static QuantizedFlatIndex quantized(List<float[]> corpus,
      QuantizedFlatIndex.Builder builder) {
    QuantizedFlatIndex index = builder.build();
    for (int i = 0; i < corpus.size(); i++) {
      index.add("d" + i, corpus.get(i));
    }
    return index;
  }

  private static double recall(List<List<Hit>> truth, List<List<Hit>> found) {
    int hit = 0;
    int total = 0;
    for (int q = 0; q < truth.size(); q++) {
      Set<Integer> expected = new HashSet<>();
      truth.get(q).forEach(h -> expected.add(h.ordinal()));
      for (Hit h : found.get(q)) {
        hit += expected.contains(h.ordinal()) ? 1 : 0;
      }
      total += expected.size();
    }
    return hit / (double) total;
  }

  @ParameterizedTest
  @EnumSource(value = Precision.class, names = {"INT8", "BINARY"})
  void with_rescoring_it_finds_the_exact_top_10_with_the_exact_scores(Precision precision) {
    List<float[]> corpus = clustered(3, 3000);
    List<float[]> queries = clustered(4, 40);
    FlatIndex exact = flat(corpus, Similarity.COSINE);
    QuantizedFlatIndex index = quantized(corpus, QuantizedFlatIndex.builder(DIM, Similarity.COSINE)
        .precision(precision).rescoreFactor(precision == Precision.BINARY ? 20 : 4));
    List<List<Hit>> truth = exact.searchBatch(queries, 10);
    List<List<Hit>> found = index.searchBatch(queries, 10);
    assertThat(recall(truth, found)).as("recall@10 of %s with rescoring", precision)
        .isGreaterThanOrEqualTo(0.97);
    for (int q = 0; q < queries.size(); q++) {
      for (Hit h : found.get(q)) {
        float[] v = new float[DIM];
        exact.copyTo(h.ordinal(), v, 0);
        float expected = exact.search(queries.get(q), corpus.size()).stream()
            .filter(x -> x.ordinal() == h.ordinal()).findFirst().orElseThrow().score();
        assertThat(h.score()).isCloseTo(expected, within(1e-5f));
      }
    }
  }

  @Test
  void int8_scores_without_rescoring_estimate_the_cosine_and_rank_nearly_as_floats() {
    List<float[]> corpus = clustered(5, 3000);
    List<float[]> queries = clustered(6, 40);
    FlatIndex exact = flat(corpus, Similarity.COSINE);
    QuantizedFlatIndex index = quantized(corpus,
        QuantizedFlatIndex.builder(DIM, Similarity.COSINE).precision(Precision.INT8));
    List<List<Hit>> truth = exact.searchBatch(queries, 10);
    List<List<Hit>> found = index.searchBatch(queries, 10);
    assertThat(recall(truth, found)).isGreaterThanOrEqualTo(0.8);
    assertThat(found.get(0).get(0).score()).isCloseTo(truth.get(0).get(0).score(), within(0.02f));
  }

  @Test
  void one_query_search_gives_the_hits_of_the_batch() {
    List<float[]> corpus = clustered(7, 1000);
    List<float[]> queries = clustered(8, 20);
    for (Precision p : new Precision[] {Precision.INT8, Precision.BINARY}) {
      for (int factor : new int[] {0, 3}) {
        QuantizedFlatIndex index = quantized(corpus,
            QuantizedFlatIndex.builder(DIM, Similarity.DOT_PRODUCT).precision(p)
                .rescoreFactor(factor));
        List<List<Hit>> batch = index.searchBatch(queries, 5);
        for (int q = 0; q < queries.size(); q++) {
          assertThat(index.search(queries.get(q), 5)).as("%s x%d query %d", p, factor, q)
              .isEqualTo(batch.get(q));
        }
      }
    }
  }

  @Test
  void it_rescores_from_a_shared_float_index_and_reports_the_bytes_per_vector() {
    List<float[]> corpus = clustered(9, 500);
    FlatIndex floats = flat(corpus, Similarity.COSINE);
    QuantizedFlatIndex bits = quantized(corpus, QuantizedFlatIndex.builder(DIM, Similarity.COSINE)
        .precision(Precision.UBINARY).rescoreFactor(4).rescoreFrom(floats));
    float[] query = corpus.get(17);
    assertThat(bits.search(query, 1).get(0).id()).isEqualTo("d17");
    assertThat(bits.search(query, 1).get(0).score()).isCloseTo(1f, within(1e-5f));
    assertThat(bits.precision()).isEqualTo(Precision.BINARY);
    assertThat(bits.bytesPerVector()).isEqualTo(16); // 96 bits in two longs
    assertThat(QuantizedFlatIndex.builder(384, Similarity.COSINE).precision(Precision.BINARY)
        .build().bytesPerVector()).isEqualTo(384 * 4 / 32);
    assertThat(QuantizedFlatIndex.builder(384, Similarity.COSINE).build().bytesPerVector())
        .isEqualTo(384 * 4 / 4);
  }

  @Test
  void int8_ranges_calibrated_by_one_index_are_reusable_by_the_next() {
    List<float[]> corpus = clustered(10, 400);
    QuantizedFlatIndex first = quantized(corpus,
        QuantizedFlatIndex.builder(DIM, Similarity.COSINE).calibrationSize(100));
    QuantizationRanges ranges = first.ranges().orElseThrow();
    QuantizedFlatIndex second = quantized(corpus,
        QuantizedFlatIndex.builder(DIM, Similarity.COSINE).ranges(ranges));
    assertThat(second.ranges()).contains(ranges);
    assertThat(second.search(corpus.get(3), 5)).isEqualTo(first.search(corpus.get(3), 5));
    QuantizedFlatIndex fresh = quantized(corpus.subList(0, 10),
        QuantizedFlatIndex.builder(DIM, Similarity.COSINE));
    assertThat(fresh.ranges()).as("not calibrated before the sample is complete").isEmpty();
    assertThat(fresh.search(corpus.get(3), 1).get(0).id()).isEqualTo("d3");
    assertThat(fresh.ranges()).as("calibrated from all vectors at the first search").isPresent();
  }

  @Test
  void bad_arguments_are_refused_with_the_value_and_what_was_expected() {
    QuantizedFlatIndex index = QuantizedFlatIndex.builder(4, Similarity.COSINE).build();
    index.add("a", new float[] {1, 2, 3, 4});
    assertThatThrownBy(() -> index.add("a", new float[] {1, 2, 3, 4}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("duplicate id 'a'");
    assertThatThrownBy(() -> index.add("b", new float[] {0, 0, 0, 0}))
        .hasMessageContaining("all zeros");
    assertThatThrownBy(() -> index.add("b", new float[] {1, 2}))
        .hasMessageContaining("vector dimensions differ: 2 != 4");
    assertThatThrownBy(() -> index.search(new float[] {1, Float.NaN, 0, 0}, 1))
        .hasMessageContaining("query[1]=NaN");
    assertThatThrownBy(() -> index.search(new float[] {1, 1, 0, 0}, 2))
        .hasMessageContaining("k");
    assertThatThrownBy(() -> QuantizedFlatIndex.builder(4, Similarity.COSINE)
        .precision(Precision.UINT8)).hasMessageContaining("int8 or binary, but is: uint8");
    assertThatThrownBy(() -> QuantizedFlatIndex.builder(4, Similarity.COSINE).rescoreFactor(-1))
        .hasMessageContaining("[0, 10000], but is: -1");
    assertThatThrownBy(() -> QuantizedFlatIndex.builder(4, Similarity.COSINE)
        .rescoreFrom(new FlatIndex(5, Similarity.COSINE)))
        .hasMessageContaining("dimension 5; expected the index dimension 4");
    FlatIndex empty = new FlatIndex(4, Similarity.COSINE);
    QuantizedFlatIndex unfed = QuantizedFlatIndex.builder(4, Similarity.COSINE)
        .precision(Precision.BINARY).rescoreFactor(2).rescoreFrom(empty).build();
    unfed.add("a", new float[] {1, 2, 3, 4});
    assertThatThrownBy(() -> unfed.search(new float[] {1, 2, 3, 4}, 1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("holds 0 vectors of dimension 4; expected at least 1");
  }
}
