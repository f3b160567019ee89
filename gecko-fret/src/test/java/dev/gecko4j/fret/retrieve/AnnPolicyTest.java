package dev.gecko4j.fret.retrieve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gecko4j.core.ProgressListener;
import dev.gecko4j.core.TaskPrompt;
import dev.gecko4j.core.index.VectorIndex;
import dev.gecko4j.core.index.VectorIndexFactory;
import dev.gecko4j.core.testing.Resources;
import dev.gecko4j.fret.testing.SciFactSlice;
import dev.gecko4j.onnx.Models;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link AnnPolicy}: when FRet retrieves neighbours from a {@link VectorIndex} built from the
 * embeddings cache instead of scanning it, on a slice of SciFact embedded by the int8 bge-small.
 * gecko-fret's tests have no ANN module on the class path, so the index here is a flat one made by
 * {@link VectorIndexFactory#flat()}: it checks the wiring (ordinals, ids, hits) exactly; the graph
 * index's recall is measured in gecko-jvector.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AnnPolicyTest {

  @TempDir static Path dir;
  private SciFactSlice.Embedded embedded;

  @BeforeAll
  void setUp() throws Exception {
    embedded = SciFactSlice.write(dir, 6, 40)
        .embed(Models.BGE_SMALL_EN_V15_Q, dir.resolve("cache"));
  }

  @AfterAll
  void tearDown() throws Exception {
    Resources.closeAll(embedded);
  }

  @Test
  void should_stay_exact_below_the_threshold() {
    assertThat(AnnPolicy.of(embedded.corpus().size() + 1, VectorIndexFactory.flat())
        .indexFor(embedded.cacheFile(), ProgressListener.NONE)).isEmpty();
    assertThat(AnnPolicy.defaults().threshold()).isEqualTo(200_000);
    assertThat(AnnPolicy.exactOnly().indexFor(embedded.cacheFile(), ProgressListener.NONE))
        .isEmpty();
  }

  @Test
  void should_build_an_index_whose_ordinals_are_the_corpus_ordinals_and_retrieve_the_same_hits() {
    List<Long> progress = new ArrayList<>();
    VectorIndex index = AnnPolicy.of(embedded.corpus().size(), VectorIndexFactory.flat())
        .indexFor(embedded.cacheFile(), (stage, done, total) -> progress.add(done)).orElseThrow();
    assertThat(index.size()).isEqualTo(embedded.corpus().size());
    assertThat(index.id(3)).isEqualTo("3");
    assertThat(progress).endsWith((long) embedded.corpus().size());

    NeighbourRetriever scan = new NeighbourRetriever(embedded.embedder(), embedded.vectors());
    NeighbourRetriever indexed =
        new NeighbourRetriever(embedded.embedder(), embedded.vectors(), index);
    assertThat(scan.isExact()).isTrue();
    for (String q : List.of("vitamin D and bone density", "gene expression in cancer cells")) {
      List<MappedVectors.Hit> a = scan.neighbours(TaskPrompt.SEARCH_RESULT, q, 10);
      List<MappedVectors.Hit> b = indexed.neighbours(TaskPrompt.SEARCH_RESULT, q, 10);
      assertThat(b).extracting(MappedVectors.Hit::ordinal)
          .containsExactlyElementsOf(a.stream().map(MappedVectors.Hit::ordinal).toList());
      for (int i = 0; i < a.size(); i++) {
        assertThat(b.get(i).score()).isCloseTo(a.get(i).score(),
            org.assertj.core.data.Offset.offset(1e-5f));
      }
    }
  }

  @Test
  void should_stay_exact_when_no_ann_module_is_on_the_class_path() {
    assertThat(AnnPolicy.defaults().factory()).isEmpty();
    assertThat(AnnPolicy.defaults().withThreshold(2)
        .indexFor(embedded.cacheFile(), ProgressListener.NONE)).isEmpty();
  }

  @Test
  void should_reject_invalid_arguments_naming_the_bad_value() {
    assertThatThrownBy(() -> AnnPolicy.of(1, VectorIndexFactory.flat()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("but is: 1");
    assertThatThrownBy(() -> AnnPolicy.of(10, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("factory");
    assertThatThrownBy(() -> AnnPolicy.defaults().indexFor(null, ProgressListener.NONE))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cacheFile");
    assertThatThrownBy(() -> AnnPolicy.defaults()
        .indexFor(dir.resolve("corpus.jsonl"), ProgressListener.NONE))
        .isInstanceOf(RuntimeException.class);
    VectorIndex small = VectorIndexFactory.flat().create(embedded.vectors().dimension(),
        dev.gecko4j.core.vector.Similarity.COSINE, 1);
    small.add("0", unit());
    assertThatThrownBy(
            () -> new NeighbourRetriever(embedded.embedder(), embedded.vectors(), small))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("size 1");
  }

  private float[] unit() {
    float[] v = new float[embedded.vectors().dimension()];
    v[0] = 1f;
    return v;
  }
}
