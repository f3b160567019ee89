package dev.gecko4j.jvector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gecko4j.core.index.CorruptFileException;
import dev.gecko4j.core.index.FlatIndex;
import dev.gecko4j.core.index.Hit;
import dev.gecko4j.core.index.VectorIndex;
import dev.gecko4j.core.index.VectorIndexFactory;
import dev.gecko4j.core.vector.Similarity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link GraphIndex} on seeded clustered synthetic vectors ({@link ClusteredVectors}: 10,000 x 384
 * in 200 clusters, the shape of a corpus of sentence embeddings; 10,000 rather than 20,000 keeps the
 * build under a minute on two shared cores), measured against the exact {@link FlatIndex}.
 */
class GraphIndexTest {

  private static final int N = 10_000;
  private static final int DIM = 384;
  private static final int QUERIES = 200;

  private static List<float[]> corpus;
  private static List<float[]> queries;
  private static FlatIndex flat;
  private static GraphIndex graph;

  @BeforeAll
  static void build() {
    corpus = ClusteredVectors.generate(N, DIM, 200, 7, 1);
    queries = ClusteredVectors.generate(QUERIES, DIM, 200, 7, 2);
    flat = new FlatIndex(DIM, Similarity.COSINE);
    flat.addAll(ClusteredVectors.ids(0, N), corpus);
    graph = new GraphIndex(DIM, Similarity.COSINE);
    graph.addAll(ClusteredVectors.ids(0, N), corpus);
  }

  static double recallAt10(VectorIndex approx, VectorIndex exact, List<float[]> qs) {
    List<List<Hit>> truth = exact.searchBatch(qs, 10);
    List<List<Hit>> got = approx.searchBatch(qs, 10);
    long found = 0;
    for (int i = 0; i < qs.size(); i++) {
      Set<Integer> t = new HashSet<>();
      truth.get(i).forEach(h -> t.add(h.ordinal()));
      for (Hit h : got.get(i)) {
        if (t.contains(h.ordinal())) {
          found++;
        }
      }
    }
    return found / (10.0 * qs.size());
  }

  @Test
  void should_find_at_least_99_percent_of_the_exact_top_10_on_clustered_vectors() {
    assertThat(graph.size()).isEqualTo(N);
    assertThat(graph.isExact()).isFalse();
    assertThat(recallAt10(graph, flat, queries)).isGreaterThanOrEqualTo(0.99);
  }

  @Test
  void should_score_hits_like_the_flat_index_and_sort_them_best_first() {
    List<Hit> g = graph.search(queries.get(0), 10);
    List<Hit> f = flat.search(queries.get(0), 10);
    assertThat(g).hasSize(10);
    for (int i = 1; i < g.size(); i++) {
      assertThat(g.get(i - 1).score()).isGreaterThanOrEqualTo(g.get(i).score());
    }
    assertThat(g.get(0).ordinal()).isEqualTo(f.get(0).ordinal());
    assertThat(g.get(0).id()).isEqualTo(f.get(0).id());
    assertThat(g.get(0).score()).isCloseTo(f.get(0).score(), org.assertj.core.data.Offset.offset(1e-5f));
    assertThat(graph.id(g.get(0).ordinal())).isEqualTo(g.get(0).id());
  }

  @Test
  void should_return_the_same_hits_after_save_and_load(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("graph.idx");
    graph.save(file);
    GraphIndex loaded = GraphIndex.load(file);
    assertThat(loaded.size()).isEqualTo(N);
    assertThat(loaded.dimension()).isEqualTo(DIM);
    assertThat(loaded.similarity()).isEqualTo(Similarity.COSINE);
    assertThat(loaded.config()).isEqualTo(graph.config());
    assertThat(loaded.searchBatch(queries, 10)).isEqualTo(graph.searchBatch(queries, 10));
    Path again = dir.resolve("again.idx");
    loaded.save(again);
    assertThat(GraphIndex.load(again).search(queries.get(3), 10))
        .isEqualTo(graph.search(queries.get(3), 10));
  }

  @Test
  void should_find_vectors_added_one_by_one_after_a_build_and_after_a_load(@TempDir Path dir)
      throws Exception {
    List<float[]> base = ClusteredVectors.generate(3_000, 64, 30, 11, 1);
    GraphIndex g = new GraphIndex(64, Similarity.COSINE);
    g.addAll(ClusteredVectors.ids(0, base.size()), base);
    g.optimize();
    List<float[]> extra = ClusteredVectors.generate(500, 64, 30, 11, 2);
    for (int i = 0; i < extra.size(); i++) {
      g.add("x" + i, extra.get(i));
    }
    assertThat(g.size()).isEqualTo(3_500);
    assertThat(g.id(3_000)).isEqualTo("x0");
    for (int i = 0; i < extra.size(); i += 50) {
      assertThat(g.search(extra.get(i), 1).get(0).id()).isEqualTo("x" + i);
    }
    Path file = dir.resolve("g.idx");
    g.save(file);
    GraphIndex loaded = GraphIndex.load(file);
    float[] later = extra.get(7).clone();
    later[0] += 3f;
    loaded.add("later", later);
    assertThat(loaded.size()).isEqualTo(3_501);
    assertThat(loaded.search(later, 1).get(0).id()).isEqualTo("later");
    assertThat(loaded.search(extra.get(9), 1).get(0).id()).isEqualTo("x9");
  }

  @Test
  void should_rank_unit_vectors_by_dot_product_when_asked() {
    // DOT_PRODUCT is meant for unit vectors (as in JVector): a graph over vectors of very
    // different norms is a maximum-inner-product search, where graph recall drops (see GraphIndex)
    List<float[]> vs = unit(ClusteredVectors.generate(2_000, 32, 20, 5, 1));
    GraphIndex g = new GraphIndex(32, Similarity.DOT_PRODUCT);
    FlatIndex f = new FlatIndex(32, Similarity.DOT_PRODUCT);
    g.addAll(ClusteredVectors.ids(0, vs.size()), vs);
    f.addAll(ClusteredVectors.ids(0, vs.size()), vs);
    List<float[]> qs = ClusteredVectors.generate(50, 32, 20, 5, 2);
    assertThat(recallAt10(g, f, qs)).isGreaterThanOrEqualTo(0.99);
    Hit top = g.search(qs.get(0), 1).get(0);
    assertThat(top.score()).isCloseTo(Similarity.DOT_PRODUCT.score(qs.get(0), vs.get(top.ordinal())),
        org.assertj.core.data.Offset.offset(1e-4f));
  }

  private static List<float[]> unit(List<float[]> vs) {
    List<float[]> out = new ArrayList<>();
    for (float[] v : vs) {
      double n = 0;
      for (float x : v) {
        n += x * x;
      }
      float[] u = v.clone();
      for (int i = 0; i < u.length; i++) {
        u[i] = (float) (u[i] / Math.sqrt(n));
      }
      out.add(u);
    }
    return out;
  }

  @Test
  void should_keep_recall_when_traversing_with_product_quantisation_codes(@TempDir Path dir)
      throws Exception {
    // 2,000 x 64 keeps the PQ training (k-means, 256 centroids per subspace) short
    GraphIndex pq = new GraphIndex(64, Similarity.COSINE,
        GraphIndexConfig.builder().pqSubspaces(16).searchRerank(100).build());
    List<float[]> part = ClusteredVectors.generate(2_000, 64, 30, 13, 1);
    List<float[]> pqQueries = ClusteredVectors.generate(100, 64, 30, 13, 2);
    FlatIndex f = new FlatIndex(64, Similarity.COSINE);
    f.addAll(ClusteredVectors.ids(0, part.size()), part);
    pq.addAll(ClusteredVectors.ids(0, part.size()), part);
    assertThat(pq.isCompressed()).isFalse();
    pq.optimize();
    assertThat(pq.isCompressed()).isTrue();
    assertThat(recallAt10(pq, f, pqQueries)).isGreaterThanOrEqualTo(0.95);
    Path file = dir.resolve("pq.idx");
    pq.save(file);
    GraphIndex loaded = GraphIndex.load(file);
    assertThat(loaded.isCompressed()).isTrue();
    assertThat(loaded.searchBatch(pqQueries, 10)).isEqualTo(pq.searchBatch(pqQueries, 10));
    pq.add("late", pqQueries.get(0));
    assertThat(pq.isCompressed()).isFalse(); // no codes for the new vector until optimize()
    assertThat(pq.search(pqQueries.get(0), 1).get(0).id()).isEqualTo("late");
  }

  @Test
  void should_answer_concurrent_searches_as_sequential_ones() throws Exception {
    List<List<Hit>> expected = new ArrayList<>();
    for (float[] q : queries) {
      expected.add(graph.search(q, 10));
    }
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<List<Hit>>> futures = new ArrayList<>();
      for (int rep = 0; rep < 4; rep++) {
        for (float[] q : queries) {
          futures.add(pool.submit(() -> graph.search(q, 10)));
        }
      }
      for (int i = 0; i < futures.size(); i++) {
        assertThat(futures.get(i).get()).isEqualTo(expected.get(i % QUERIES));
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void should_answer_a_tiny_index_exactly() {
    GraphIndex g = new GraphIndex(3, Similarity.COSINE);
    g.add("a", new float[] {1, 0, 0});
    g.add("b", new float[] {0, 1, 0});
    g.add("c", new float[] {1, 1, 0});
    List<Hit> hits = g.search(new float[] {1, 0.1f, 0}, 3);
    assertThat(hits).extracting(Hit::id).containsExactly("a", "c", "b");
  }

  @Test
  void should_reject_invalid_arguments_naming_the_bad_value() {
    GraphIndex g = new GraphIndex(4, Similarity.COSINE);
    assertThatThrownBy(() -> new GraphIndex(0, Similarity.COSINE))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dimension");
    assertThatThrownBy(() -> new GraphIndex(4, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("similarity");
    assertThatThrownBy(() -> new GraphIndex(4, Similarity.COSINE,
        GraphIndexConfig.builder().pqSubspaces(5).build()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pqSubspaces");
    assertThatThrownBy(() -> g.search(new float[] {1, 0, 0, 0}, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
    g.add("a", new float[] {1, 2, 3, 4});
    assertThatThrownBy(() -> g.add("a", new float[] {1, 1, 1, 1}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("duplicate id 'a'");
    assertThatThrownBy(() -> g.add("b", new float[] {1, 1, 1}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3 != 4");
    assertThatThrownBy(() -> g.add("b", new float[] {1, Float.NaN, 1, 1}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NaN");
    assertThatThrownBy(() -> g.add("b", new float[4]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("all zeros");
    assertThatThrownBy(() -> g.add(null, new float[] {1, 1, 1, 1}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("id");
    assertThatThrownBy(() -> g.addAll(List.of("b", "c"), List.of(new float[] {1, 1, 1, 1})))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("same size");
    assertThatThrownBy(() -> g.addAll(List.of("b", "a"),
        List.of(new float[] {1, 1, 1, 1}, new float[] {1, 0, 1, 1})))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("duplicate id 'a'");
    assertThat(g.size()).isEqualTo(1); // the failed addAll added nothing
    assertThatThrownBy(() -> g.search(new float[] {1, 0, 0, 0}, 2))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("but is: 2");
    assertThatThrownBy(() -> g.search(new float[] {1, 0, 0, 0}, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("but is: 0");
    assertThatThrownBy(() -> g.search(null, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("query");
    assertThatThrownBy(() -> g.searchBatch(List.of(new float[] {1, 0, 0, 0}, new float[2]), 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("queries[1]");
    assertThatThrownBy(() -> g.id(1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("but is: 1");
    assertThatThrownBy(() -> GraphIndex.load(null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("file");
  }

  @Test
  void should_reject_a_file_that_is_not_a_graph_index(@TempDir Path dir)
      throws Exception {
    Path junk = dir.resolve("junk.idx");
    Files.write(junk, new byte[64]);
    assertThatThrownBy(() -> GraphIndex.load(junk))
        .isInstanceOf(CorruptFileException.class)
        .hasMessage(junk + ": magic is 0x00000000; expected 0x474B4A56 ('GKJV'): not a gecko4j"
            + " graph index file");
  }

  @Test
  void should_validate_every_setting_of_the_config() {
    GraphIndexConfig.Builder b = GraphIndexConfig.builder();
    assertThatThrownBy(() -> b.maxDegree(1)).hasMessageContaining("maxDegree must be in [2, 512]");
    assertThatThrownBy(() -> b.beamWidth(0)).hasMessageContaining("beamWidth");
    assertThatThrownBy(() -> b.neighbourOverflow(0.5f)).hasMessageContaining("neighbourOverflow");
    assertThatThrownBy(() -> b.neighbourOverflow(Float.NaN)).hasMessageContaining("NaN");
    assertThatThrownBy(() -> b.alpha(0f)).hasMessageContaining("alpha");
    assertThatThrownBy(() -> b.searchRerank(0)).hasMessageContaining("searchRerank");
    assertThatThrownBy(() -> b.pqSubspaces(-1)).hasMessageContaining("pqSubspaces");
    assertThatThrownBy(() -> b.buildThreads(-1)).hasMessageContaining("buildThreads");
    GraphIndexConfig c = b.maxDegree(32).beamWidth(200).searchRerank(50).build();
    assertThat(c.maxDegree()).isEqualTo(32);
    assertThat(c.withSearchRerank(80).searchRerank()).isEqualTo(80);
    assertThat(GraphIndexConfig.defaults().maxDegree()).isEqualTo(16);
  }

  @Test
  void should_be_found_by_the_service_loader_as_the_approximate_factory() {
    VectorIndexFactory f = VectorIndexFactory.approximate().orElseThrow();
    assertThat(f).isInstanceOf(GraphIndexFactory.class);
    assertThat(f.create(8, Similarity.COSINE, 1000)).isInstanceOf(GraphIndex.class);
    VectorIndexFactory bySize = VectorIndexFactory.bySize(500, VectorIndexFactory.flat(), f);
    assertThat(bySize.create(8, Similarity.COSINE, 499)).isInstanceOf(FlatIndex.class);
    assertThat(bySize.create(8, Similarity.COSINE, 500)).isInstanceOf(GraphIndex.class);
  }
}
