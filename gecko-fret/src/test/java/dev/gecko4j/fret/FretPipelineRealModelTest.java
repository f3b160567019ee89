package dev.gecko4j.fret;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gecko4j.core.eval.BeirDataset;
import dev.gecko4j.core.fret.FretExample;
import dev.gecko4j.core.fret.FretOptions;
import dev.gecko4j.core.fret.FretOutcome;
import dev.gecko4j.core.fret.FretSeed;
import dev.gecko4j.core.lm.Capabilities;
import dev.gecko4j.core.lm.ContinuationScore;
import dev.gecko4j.core.lm.Generation;
import dev.gecko4j.core.lm.GenerationOptions;
import dev.gecko4j.core.lm.LanguageModel;
import dev.gecko4j.core.lm.ScoreRequest;
import dev.gecko4j.core.testing.Resources;
import dev.gecko4j.fret.export.FretExporters;
import dev.gecko4j.fret.generate.FretPrompts;
import dev.gecko4j.fret.rerank.Reranker;
import dev.gecko4j.fret.retrieve.CorpusStore;
import dev.gecko4j.fret.retrieve.EmbeddingCache;
import dev.gecko4j.fret.retrieve.MappedVectors;
import dev.gecko4j.fret.retrieve.Passage;
import dev.gecko4j.fret.run.BeirSeeds;
import dev.gecko4j.fret.run.FretRows;
import dev.gecko4j.fret.run.FretStats;
import dev.gecko4j.fret.run.MiningRun;
import dev.gecko4j.fret.testing.SciFactSlice;
import dev.gecko4j.onnx.Models;
import dev.gecko4j.onnx.OnnxEmbedder;
import dev.gecko4j.onnx.lm.OnnxCausalLanguageModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Tag;

/**
 * The FRet pipeline end to end with the real in-process ONNX LM (stories260K, a tiny story model:
 * its queries are nonsense, so this checks the mechanics and the schema, not quality) and the real
 * bge-small embedder, on a slice of SciFact.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Tag("jdk-independent") // JDK 17 only: see the root pom's jdk25 execution
class FretPipelineRealModelTest {

  @TempDir static Path dir;
  private SciFactSlice.Embedded embedded;
  private OnnxEmbedder embedder;
  private CountingModel llm;
  private SciFactSlice slice;
  private CorpusStore corpus;
  private MappedVectors vectors;
  private Path cacheFile;

  @BeforeAll
  void setUp() throws Exception {
    Path model = SciFactSlice.stories260K();
    slice = SciFactSlice.write(dir, 6, 24);
    llm = new CountingModel(OnnxCausalLanguageModel.builder(model).build());
    embedded = slice.embed(Models.BGE_SMALL_EN_V15, dir.resolve("cache"));
    embedder = embedded.embedder();
    corpus = embedded.corpus();
    cacheFile = embedded.cacheFile();
    vectors = embedded.vectors();
  }

  @AfterAll
  void tearDown() throws Exception {
    Resources.closeAll(embedded, llm);
  }

  private FretPipeline pipeline(FretOptions options) {
    return FretPipeline.builder().embedder(embedder).languageModel(llm).corpus(corpus)
        .vectors(vectors).options(options).build();
  }

  @Test
  void should_relabel_scifact_qrels_with_two_batched_llm_requests_per_row() {
    // given
    FretPipeline miner = pipeline(FretOptions.defaults().withNeighbours(8).withMaxPassageChars(200));
    Map<String, Long> skipped = new HashMap<>();
    var seeds = BeirSeeds.relabel(BeirDataset.readQueries(slice.queries()), slice.qrels(), corpus, skipped);
    FretSeed seed = seeds.next();
    int before = llm.scoreCalls.get();
    // when
    FretOutcome out = miner.mine(seed);
    // then
    assertThat(out).isInstanceOf(FretOutcome.Mined.class);
    FretExample row = ((FretOutcome.Mined) out).example();
    assertThat(llm.scoreCalls.get() - before).isEqualTo(2);
    assertThat(row.llmRequests()).isEqualTo(2);
    assertThat(row.queryId()).isEqualTo(seed.queryId());
    assertThat(row.query()).isEqualTo(seed.query());
    assertThat(row.seedId()).isEqualTo(seed.seedId());
    assertThat(row.task()).isEqualTo("search result");
    assertThat(row.candidates()).isEqualTo(8);
    assertThat(row.positiveId()).isNotEqualTo(row.negativeId());
    assertThat(corpus.ordinal(row.positiveId())).isNotNegative();
    assertThat(corpus.ordinal(row.negativeId())).isNotNegative();
    assertThat(row.positiveScores().rrf()).isGreaterThanOrEqualTo(row.negativeScores().rrf());
    assertThat(row.positiveScores().rrf()).isEqualTo(
        1.0 / row.positiveScores().qlRank() + 1.0 / row.positiveScores().rcRank());
    assertThat(row.model()).isEqualTo(llm.name());
    assertThat(row.promptVersion()).isEqualTo(FretPrompts.VERSION);
    assertThat(FretExample.fromJson(row.toJson())).isEqualTo(row);
  }

  @Test
  void should_score_every_candidate_in_one_ql_call_and_one_rc_call() {
    // given
    Reranker reranker = new Reranker(llm, FretOptions.defaults().withMaxPassageChars(200));
    List<Passage> candidates = List.of(corpus.passage(0), corpus.passage(1), corpus.passage(2));
    int before = llm.scoreCalls.get();
    int requestsBefore = llm.scoreRequests.get();
    // when
    Reranker.Scores s = reranker.score("what causes cancer", candidates);
    // then
    assertThat(s.requests()).isEqualTo(2);
    assertThat(llm.scoreCalls.get() - before).isEqualTo(2);
    assertThat(llm.scoreRequests.get() - requestsBefore).isEqualTo(3 + 3 * 3);
    assertThat(s.ql()).hasSize(3);
    assertThat(s.rc()).hasSize(3);
    for (int i = 0; i < 3; i++) {
      assertThat(s.ql()[i]).isNegative();
      assertThat(s.rc()[i]).isBetween(0.0, 1.0);
    }
  }

  @Test
  void should_generate_queries_or_drop_story_text_as_no_json_with_counted_requests() {
    // given the story model, which writes stories, not JSON
    FretPipeline miner = pipeline(FretOptions.defaults().withNeighbours(4).withLlmRetries(1)
        .withMaxNewTokens(24).withMaxPassageChars(100));
    Passage p = corpus.passage(3);
    // when
    FretOutcome out = miner.mine(FretSeed.forGeneration(p.id(), p.title(), p.text()));
    // then: either a row (3 requests at most without retries) or a drop with a reason
    if (out instanceof FretOutcome.Dropped d) {
      assertThat(d.reason()).isIn("no_json", "empty_output", "missing_field", "empty_query",
          "too_long", "echo", "prompt_too_long");
      assertThat(d.llmRequests()).isPositive();
    } else {
      assertThat(((FretOutcome.Mined) out).example().queryId()).isEqualTo("gen:" + p.id());
    }
  }

  @Test
  void should_mine_resume_and_export_a_run_without_duplicates() throws Exception {
    // given
    Path out = dir.resolve("rows.jsonl");
    Map<String, Long> skipped = new HashMap<>();
    var queries = BeirDataset.readQueries(slice.queries());
    // when: a first run of 3 rows, then the same run continued to 5
    MiningRun.builder().miner(pipeline(FretOptions.defaults().withNeighbours(6).withMaxPassageChars(200))).output(out)
        .limit(3).build().run(BeirSeeds.relabel(queries, slice.qrels(), corpus, skipped));
    FretStats stats = MiningRun.builder().miner(pipeline(FretOptions.defaults().withNeighbours(6).withMaxPassageChars(200)))
        .output(out).limit(5).build().run(BeirSeeds.relabel(queries, slice.qrels(), corpus, skipped));
    // then
    List<FretExample> rows = FretRows.readAll(out);
    assertThat(rows).hasSize(5).extracting(FretExample::key).doesNotHaveDuplicates();
    assertThat(stats.rows()).isEqualTo(5);
    assertThat(stats.rowsResumed()).isEqualTo(3);
    assertThat(stats.llmRequestsPerRow()).isEqualTo(2.0);
    assertThat(stats.positiveChangedShare()).isBetween(0.0, 1.0);
    assertThat(FretExporters.toFlagEmbedding(out, dir.resolve("flag.jsonl"))).isEqualTo(5);
    assertThat(FretExporters.toSentenceTransformers(out, dir.resolve("st.jsonl"), false)).isEqualTo(5);
  }

  @Test
  void should_reuse_a_matching_embeddings_cache_and_recompute_a_stale_one() throws Exception {
    // given the cache of setUp
    long modified = Files.getLastModifiedTime(cacheFile).toMillis();
    // when asked again for the same corpus and model
    Path again = EmbeddingCache.ensure(corpus, embedder, cacheFile.getParent(), 32,
        (stage, done, total) -> {
          throw new AssertionError("must not embed again");
        });
    // then
    assertThat(again).isEqualTo(cacheFile);
    assertThat(Files.getLastModifiedTime(again).toMillis()).isEqualTo(modified);
    var header = EmbeddingCache.readHeader(again);
    assertThat(header.embedderName()).isEqualTo(embedder.name());
    assertThat(header.dimension()).isEqualTo(384);
    assertThat(header.count()).isEqualTo(corpus.size());
    assertThat(header.idsChecksum()).isEqualTo(corpus.idsChecksum());
    // and a truncated copy is detected and rebuilt whole
    Path stale = dir.resolve("stale");
    Files.createDirectories(stale);
    Path copy = stale.resolve(cacheFile.getFileName());
    Files.write(copy, java.util.Arrays.copyOf(Files.readAllBytes(cacheFile), 200));
    long[] embeddedPassages = {0};
    assertThat(EmbeddingCache.ensure(corpus, embedder, stale, 32,
        (stage, done, total) -> embeddedPassages[0] = done)).isEqualTo(copy);
    assertThat(embeddedPassages[0]).isEqualTo(corpus.size());
    assertThat(Files.readAllBytes(copy)).isEqualTo(Files.readAllBytes(cacheFile));
  }

  @Test
  void should_find_a_passage_as_its_own_nearest_neighbour() {
    // given passage 5 embedded as a document; search with its own vector
    Passage p = corpus.passage(5);
    var q = embedder.embed(p.fullText(), dev.gecko4j.core.TaskPrompt.document()).normalize();
    // when
    var hits = vectors.search(q.toArray(), 3);
    // then
    assertThat(hits).hasSize(3);
    assertThat(hits.get(0).ordinal()).isEqualTo(5);
    assertThat(hits.get(0).score()).isGreaterThan(0.99f);
    assertThat(hits.get(0).score()).isGreaterThanOrEqualTo(hits.get(1).score());
  }

  /** Counts calls and requests on the way to the real model (a decorator, not a mock). */
  /**
   * SHA-256 of the rows mined below, pinned with the code before the LLM re-ranker shared FRet's
   * scorer and fusion ({@code LlmReranker}, {@code RrfSelection.fuse}): mining rows stay
   * byte-identical.
   */
  static final String PINNED_ROWS_SHA256 =
      "864849fdcb89caf7005de2e95842c0ac8a8a5101946c509ef4a89fdd99768b46";

  @Test
  void should_mine_rows_byte_identical_to_the_rows_pinned_before_the_scorer_was_shared()
      throws Exception {
    FretPipeline miner = pipeline(FretOptions.defaults().withNeighbours(6).withMaxPassageChars(160));
    var seeds = BeirSeeds.relabel(BeirDataset.readQueries(slice.queries()), slice.qrels(), corpus,
        new HashMap<>());
    StringBuilder rows = new StringBuilder();
    for (int i = 0; i < 3 && seeds.hasNext(); i++) {
      FretOutcome out = miner.mine(seeds.next());
      rows.append(out instanceof FretOutcome.Mined m ? m.example().toJson() : out.toString())
          .append('\n');
    }
    byte[] sha = java.security.MessageDigest.getInstance("SHA-256")
        .digest(rows.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThat(java.util.HexFormat.of().formatHex(sha)).as(rows.toString())
        .isEqualTo(PINNED_ROWS_SHA256);
  }

  @Test
  void should_rerank_passages_with_the_llm_reranker_end_to_end_on_the_same_scorer_as_mining() {
    List<String> passages = List.of("Geckos eat insects and fruit.", "",
        "The stock market fell on Monday.", "Lily saw a gecko in the garden and it was happy.");
    try (dev.gecko4j.fret.rerank.LlmReranker reranker = new dev.gecko4j.fret.rerank.LlmReranker(
        llm, FretOptions.defaults().withMaxPassageChars(200))) {
      int before = llm.scoreCalls.get();
      dev.gecko4j.core.rerank.RelevanceScores s = reranker.score("what do geckos eat", passages);
      assertThat(llm.scoreCalls.get() - before).isEqualTo(2); // QL and RC, batched
      assertThat(s.size()).isEqualTo(4);
      assertThat(s.labels()).isEqualTo(FretPrompts.RC_LABELS);
      // the same numbers the mining scorer gives for the same candidates
      List<Passage> asPassages = new java.util.ArrayList<>();
      for (int i = 0; i < passages.size(); i++) {
        asPassages.add(new Passage("p" + i, "", passages.get(i)));
      }
      Reranker.Scores direct = new Reranker(llm, FretOptions.defaults().withMaxPassageChars(200))
          .score("what do geckos eat", asPassages);
      double[] fused = dev.gecko4j.fret.rerank.RrfSelection.fuse(
          dev.gecko4j.fret.rerank.RrfSelection.ranks(direct.ql()),
          dev.gecko4j.fret.rerank.RrfSelection.ranks(direct.rc()));
      double probabilitySum = 0;
      for (int i = 0; i < passages.size(); i++) {
        assertThat(s.logits(i)).containsExactly(direct.rcLabels()[i]);
        assertThat(s.rankingScore(i)).isEqualTo(fused[i]);
        assertThat(Reranker.expectedGrade(s.logits(i))).isEqualTo(direct.rc()[i]);
        probabilitySum = 0;
        for (double p : s.probabilities(i)) {
          probabilitySum += p;
        }
        assertThat(probabilitySum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-12));
      }
      var top = reranker.rerank("what do geckos eat", passages, 2,
          dev.gecko4j.core.rerank.ScoreScale.PROBABILITY);
      assertThat(top).hasSize(2);
      assertThat(top.get(0).index()).isEqualTo(s.order()[0]);
      assertThat(reranker.score("q", List.of()).size()).isZero();
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> reranker.score(" ", passages))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("query");
      reranker.close();
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> reranker.score("q", passages))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }
  }

  static final class CountingModel implements LanguageModel {
    final LanguageModel delegate;
    final AtomicInteger scoreCalls = new AtomicInteger();
    final AtomicInteger scoreRequests = new AtomicInteger();
    final AtomicInteger generateCalls = new AtomicInteger();

    CountingModel(LanguageModel delegate) {
      this.delegate = delegate;
    }

    @Override
    public String name() {
      return delegate.name();
    }

    @Override
    public Capabilities capabilities() {
      return delegate.capabilities();
    }

    @Override
    public List<Generation> generate(List<String> prompts, GenerationOptions options) {
      generateCalls.incrementAndGet();
      return delegate.generate(prompts, options);
    }

    @Override
    public List<ContinuationScore> score(List<ScoreRequest> requests) {
      scoreCalls.incrementAndGet();
      scoreRequests.addAndGet(requests.size());
      return delegate.score(requests);
    }

    @Override
    public void close() {
      delegate.close();
    }
  }
}
