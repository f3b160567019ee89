package dev.gecko4j.core.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.gecko4j.core.Embedding;
import dev.gecko4j.core.vector.Similarity;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class FlatIndexTest {

  private static float[] randomVector(Random random, int dim) {
    float[] v = new float[dim];
    for (int i = 0; i < dim; i++) {
      v[i] = (float) random.nextGaussian();
    }
    return v;
  }

  private static List<float[]> randomVectors(Random random, int n, int dim) {
    List<float[]> vectors = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      vectors.add(randomVector(random, dim));
    }
    return vectors;
  }

  /** The reference: score every vector in double precision and sort all of them. */
  private static List<Integer> bruteForceOrder(List<float[]> corpus, float[] query,
      Similarity similarity) {
    double[] scores = new double[corpus.size()];
    for (int i = 0; i < corpus.size(); i++) {
      float[] v = corpus.get(i);
      double dot = 0, nq = 0, nv = 0;
      for (int d = 0; d < v.length; d++) {
        dot += (double) query[d] * v[d];
        nq += (double) query[d] * query[d];
        nv += (double) v[d] * v[d];
      }
      scores[i] = similarity == Similarity.COSINE ? dot / Math.sqrt(nq * nv) : dot;
    }
    return IntStream.range(0, corpus.size()).boxed()
        .sorted(Comparator.<Integer>comparingDouble(i -> -scores[i]).thenComparing(i -> i))
        .toList();
  }

  private static double referenceScore(float[] v, float[] query, Similarity similarity) {
    double dot = 0, nq = 0, nv = 0;
    for (int d = 0; d < v.length; d++) {
      dot += (double) query[d] * v[d];
      nq += (double) query[d] * query[d];
      nv += (double) v[d] * v[d];
    }
    return similarity == Similarity.COSINE ? dot / Math.sqrt(nq * nv) : dot;
  }

  private static void assertMatchesFullSort(List<Hit> hits, List<float[]> corpus, float[] query,
      Similarity similarity, int k) {
    assertThat(hits).hasSize(k);
    // sorted by score descending, ties by ordinal ascending
    for (int i = 1; i < hits.size(); i++) {
      Hit prev = hits.get(i - 1);
      Hit cur = hits.get(i);
      assertThat(prev.score() > cur.score()
          || (prev.score() == cur.score() && prev.ordinal() < cur.ordinal()))
          .as("hits %d and %d out of order: %s, %s", i - 1, i, prev, cur).isTrue();
    }
    // the same set as a full sort, up to float rounding at the boundary
    List<Integer> expected = bruteForceOrder(corpus, query, similarity);
    for (int i = 0; i < k; i++) {
      Hit hit = hits.get(i);
      assertThat(hit.id()).isEqualTo("doc-" + hit.ordinal());
      double exact = referenceScore(corpus.get(hit.ordinal()), query, similarity);
      assertThat((double) hit.score()).isCloseTo(exact, within(1e-4 * Math.max(1, Math.abs(exact))));
      double expectedScore = referenceScore(corpus.get(expected.get(i)), query, similarity);
      assertThat(exact).as("rank %d", i).isCloseTo(expectedScore, within(1e-4 * Math.max(1, Math.abs(expectedScore))));
    }
  }

  private static List<float[]> fill(FlatIndex index, Random random, int n) {
    List<float[]> corpus = randomVectors(random, n, index.dimension());
    for (int i = 0; i < n; i++) {
      index.add("doc-" + i, corpus.get(i));
    }
    return corpus;
  }

  @ParameterizedTest
  @EnumSource(Similarity.class)
  void should_return_the_same_top_k_as_a_full_sort(Similarity similarity) {
    // given: a corpus spanning several row blocks, with an odd dimension
    Random random = new Random(42);
    FlatIndex index = new FlatIndex(37, similarity);
    List<float[]> corpus = fill(index, random, 1000);
    for (int k : new int[] {1, 10, 257, 1000}) {
      float[] query = randomVector(random, 37);
      // when
      List<Hit> hits = index.search(query, k);
      // then
      assertMatchesFullSort(hits, corpus, query, similarity, k);
    }
  }

  @ParameterizedTest
  @EnumSource(Similarity.class)
  void should_give_each_query_of_a_batch_the_same_hits_as_a_single_search(Similarity similarity) {
    // given: 37 queries = 2 full blocks of 16 and a partial block
    Random random = new Random(7);
    List<float[]> queries = randomVectors(random, 37, 64);
    FlatIndex index = new FlatIndex(64, similarity);
    List<float[]> corpus = fill(index, random, 2000);
    for (int k : new int[] {1, 20, 2000}) {
      // when
      List<List<Hit>> batch = index.searchBatch(queries, k);
      // then
      assertThat(batch).hasSize(queries.size());
      for (int i = 0; i < queries.size(); i++) {
        List<Hit> single = index.search(queries.get(i), k);
        // the blocked kernel sums in another order: scores agree up to rounding, near-ties may swap
        assertThat(batch.get(i)).hasSize(k);
        for (int rank = 0; rank < k; rank++) {
          assertThat(batch.get(i).get(rank).score()).as("query %d rank %d", i, rank)
              .isCloseTo(single.get(rank).score(), within(1e-4f));
        }
        assertMatchesFullSort(batch.get(i), corpus, queries.get(i), similarity, k);
      }
    }
  }

  @Test
  void should_break_ties_by_ordinal_ascending() {
    // given: equal vectors at ordinals 0, 2, 3
    FlatIndex index = new FlatIndex(2, Similarity.DOT_PRODUCT);
    index.add("a", new float[] {1, 1});
    index.add("b", new float[] {0, 1});
    index.add("c", new float[] {1, 1});
    index.add("d", new float[] {1, 1});
    // when
    List<Hit> hits = index.search(new float[] {1, 1}, 4);
    List<List<Hit>> batch = index.searchBatch(List.of(new float[] {1, 1}), 3);
    // then
    assertThat(hits).containsExactly(new Hit("a", 0, 2f), new Hit("c", 2, 2f), new Hit("d", 3, 2f),
        new Hit("b", 1, 1f));
    assertThat(batch.get(0)).containsExactly(new Hit("a", 0, 2f), new Hit("c", 2, 2f),
        new Hit("d", 3, 2f));
  }

  @Test
  void should_store_normalised_copies_for_cosine_and_score_by_cosine() {
    // given
    FlatIndex index = new FlatIndex(2, Similarity.COSINE);
    float[] v = {3, 4};
    index.add("x", v);
    index.add("y", Embedding.of(new float[] {0, -2}));
    v[0] = -100; // the index keeps its own copy
    // when
    List<Hit> hits = index.search(new float[] {6, 8}, 2);
    // then
    assertThat(hits.get(0).id()).isEqualTo("x");
    assertThat(hits.get(0).score()).isCloseTo(1f, within(1e-6f));
    assertThat(hits.get(1).id()).isEqualTo("y");
    assertThat(hits.get(1).score()).isCloseTo(-0.8f, within(1e-6f));
  }

  @Test
  void should_grow_across_storage_chunks() {
    // given: 4 Mi floats per chunk at dimension 1024 is 4096 rows; add 4100
    FlatIndex index = new FlatIndex(1024, Similarity.DOT_PRODUCT);
    for (int i = 0; i < 4100; i++) {
      float[] v = new float[1024];
      v[i % 1024] = i;
      index.add("v" + i, v);
    }
    float[] query = new float[1024];
    query[4099 % 1024] = 1;
    query[4096 % 1024] = 0.5f;
    // when
    List<Hit> hits = index.search(query, 3);
    // then: row 4099 scores 4099, 3075 scores 3075, 4096 scores 2048 (all past the first chunk)
    assertThat(index.size()).isEqualTo(4100);
    assertThat(hits).extracting(Hit::ordinal).containsExactly(4099, 3075, 2051);
    assertThat(index.id(4099)).isEqualTo("v4099");
  }

  @Test
  void should_reject_duplicate_ids() {
    FlatIndex index = new FlatIndex(2, Similarity.DOT_PRODUCT);
    index.add("a", new float[] {1, 2});
    assertThatThrownBy(() -> index.add("a", new float[] {3, 4}))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("duplicate id 'a': already in the index at ordinal 0");
    assertThat(index.size()).isEqualTo(1);
  }

  @Test
  void should_reject_k_outside_one_to_size() {
    FlatIndex index = new FlatIndex(2, Similarity.DOT_PRODUCT);
    assertThatThrownBy(() -> index.search(new float[] {1, 2}, 1))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("k must be between 1 and the index size, but the index is empty (size 0) and k is: 1");
    index.add("a", new float[] {1, 2});
    index.add("b", new float[] {2, 1});
    assertThatThrownBy(() -> index.search(new float[] {1, 2}, 0))
        .hasMessage("k must be between 1 and the index size 2, but is: 0");
    assertThatThrownBy(() -> index.search(new float[] {1, 2}, 3))
        .hasMessage("k must be between 1 and the index size 2, but is: 3");
    assertThatThrownBy(() -> index.searchBatch(List.of(new float[] {1, 2}), -1))
        .hasMessage("k must be between 1 and the index size 2, but is: -1");
  }

  @Test
  void should_reject_bad_vectors_at_add() {
    FlatIndex index = new FlatIndex(3, Similarity.COSINE);
    assertThatThrownBy(() -> index.add("a", new float[] {1, Float.NaN, 2}))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("non-finite value at vector[1]=NaN (id 'a')");
    assertThatThrownBy(() -> index.add("a", new float[] {1, 2, Float.NEGATIVE_INFINITY}))
        .hasMessage("non-finite value at vector[2]=-Infinity (id 'a')");
    assertThatThrownBy(() -> index.add("a", new float[] {1, 2}))
        .hasMessage("vector dimensions differ: 2 != 3 (vector vs. index dimension)");
    assertThatThrownBy(() -> index.add("a", Embedding.of(new float[] {1, 2, 3, 4})))
        .hasMessage("vector dimensions differ: 4 != 3 (embedding vs. index dimension)");
    assertThatThrownBy(() -> index.add("a", new float[3]))
        .hasMessage("vector of id 'a' is all zeros; cosine similarity needs a non-zero vector");
    assertThatThrownBy(() -> index.add(null, new float[] {1, 2, 3}))
        .hasMessage("id must not be null");
    assertThatThrownBy(() -> index.add("a", (float[]) null)).hasMessage("vector must not be null");
    assertThatThrownBy(() -> index.add("a", (Embedding) null))
        .hasMessage("embedding must not be null");
    assertThat(index.size()).isZero();
  }

  @Test
  void should_reject_bad_queries() {
    FlatIndex index = new FlatIndex(3, Similarity.COSINE);
    index.add("a", new float[] {1, 2, 3});
    assertThatThrownBy(() -> index.search(null, 1))
        .isExactlyInstanceOf(IllegalArgumentException.class).hasMessage("query must not be null");
    assertThatThrownBy(() -> index.search(new float[] {1, 2}, 1))
        .hasMessage("vector dimensions differ: 2 != 3 (query vs. index dimension)");
    assertThatThrownBy(() -> index.search(new float[] {1, Float.NaN, 2}, 1))
        .hasMessage("non-finite value at query[1]=NaN");
    assertThatThrownBy(() -> index.search(new float[3], 1))
        .hasMessage("query is all zeros; cosine similarity needs a non-zero vector");
    assertThatThrownBy(() -> index.searchBatch(List.of(), 1))
        .hasMessage("queries must not be empty; expected at least 1 query");
    assertThatThrownBy(() -> index.searchBatch(null, 1)).hasMessage("queries must not be null");
    assertThatThrownBy(() -> index.searchBatch(List.of(new float[] {1, 2, 3}, new float[] {1, Float.POSITIVE_INFINITY, 3}), 1))
        .hasMessage("non-finite value at queries[1][1]=Infinity");
  }

  @Test
  void should_reject_a_bad_configuration_or_ordinal() {
    assertThatThrownBy(() -> new FlatIndex(0, Similarity.COSINE))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("dimension must be >= 1, but is: 0");
    assertThatThrownBy(() -> new FlatIndex(3, null))
        .hasMessage("similarity must not be null; expected one of [COSINE, DOT_PRODUCT]");
    FlatIndex index = new FlatIndex(3, Similarity.DOT_PRODUCT);
    assertThat(index.dimension()).isEqualTo(3);
    assertThat(index.similarity()).isEqualTo(Similarity.DOT_PRODUCT);
    assertThatThrownBy(() -> index.id(0)).hasMessage("ordinal must be between 0 and -1, but is: 0");
  }

  @Test
  void should_allow_concurrent_searches_while_adding() throws Exception {
    // given
    Random random = new Random(3);
    FlatIndex index = new FlatIndex(16, Similarity.DOT_PRODUCT);
    fill(index, random, 100);
    float[] query = randomVector(random, 16);
    // when: one thread adds while this one searches
    Thread writer = new Thread(() -> {
      Random r = new Random(4);
      for (int i = 100; i < 2100; i++) {
        index.add("doc-" + i, randomVector(r, 16));
      }
    });
    writer.start();
    int searches = 0;
    while (writer.isAlive() || searches == 0) {
      assertThat(index.searchBatch(List.of(query, query), 10)).allSatisfy(h -> assertThat(h).hasSize(10));
      searches++;
    }
    writer.join();
    // then
    assertThat(index.size()).isEqualTo(2100);
  }

  @Test
  void should_score_tiny_vectors_under_cosine_as_their_ordinary_sized_copies() {
    // given: a vector of length ~5e-40 (its 1/|v| overflows a float) and one of ~5e-22
    float[] base = {3, 4, 0, 1};
    float[] other = {4, 3, 1, 0};
    float[] tiny = new float[4];
    float[] small = new float[4];
    for (int i = 0; i < 4; i++) {
      tiny[i] = (float) (base[i] * 1e-40);
      small[i] = (float) (other[i] * 1e-22);
    }
    FlatIndex index = new FlatIndex(4, Similarity.COSINE);
    index.add("tiny", tiny);
    index.add("small", small);
    // when
    List<Hit> hits = index.search(base, 2);
    List<Hit> tinyQuery = index.search(tiny, 2);
    // then: the scores of the exact cosines, never Infinity or NaN
    double expectedOther = referenceScore(other, base, Similarity.COSINE);
    assertThat(hits.get(0).id()).isEqualTo("tiny");
    assertThat(hits.get(0).score()).isCloseTo(1f, within(1e-5f));
    assertThat(hits.get(1).score()).isCloseTo((float) expectedOther, within(1e-5f));
    assertThat(tinyQuery.get(0).score()).isCloseTo(1f, within(1e-5f));
    assertThat(tinyQuery.get(1).score()).isCloseTo((float) expectedOther, within(1e-5f));
  }
}
