package dev.gecko4j.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import dev.gecko4j.core.Embedding;
import dev.gecko4j.core.Pooling;
import dev.gecko4j.core.TaskPrompt;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Behaviour of {@link OnnxEmbedder} on the bundled bge-small-en-v1.5 (fp32). Golden values come
 * from the model's structure: an independent raw ONNX Runtime run with hand-written pooling, batch
 * versus single equality, order, normalisation, Matryoshka, and the tokenizer's own truncation.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OnnxEmbedderTest {

  private static final List<String> SENTENCES = List.of(
      "Geckos are small lizards found in warm climates.",
      "A gecko can climb glass thanks to millions of tiny hairs on its toes.",
      "The stock market fell sharply on Monday.",
      "What do geckos eat?",
      "Insects such as crickets and mealworms are the main diet of most geckos kept as pets.",
      "Rain is expected tomorrow.",
      "x",
      "The quick brown fox jumps over the lazy dog, again and again, until the dog finally wakes up "
          + "and chases the fox across the field and into the forest beyond the river.");

  private OnnxEmbedder bge;

  @BeforeAll
  void load() {
    bge = OnnxEmbedder.builder().model(Models.BGE_SMALL_EN_V15).build();
  }

  @AfterAll
  void close() {
    bge.close();
  }

  @Test
  void should_describe_the_bundled_default_model() {
    // given / when
    OnnxEmbedder e = bge;

    // then
    assertThat(e.dimension()).isEqualTo(384);
    assertThat(e.modelDimension()).isEqualTo(384);
    assertThat(e.pooling()).isEqualTo(Pooling.CLS);
    assertThat(e.maxLength()).isEqualTo(512);
    assertThat(e.promptConventionName()).isEqualTo("BGE");
    assertThat(e.outputName()).isEqualTo("last_hidden_state");
    assertThat(e.executionProvider()).isEqualTo(ExecutionProvider.CPU);
    assertThat(e.longInputPolicy()).isEqualTo(LongInputPolicy.TRUNCATE);
  }

  @Test
  void should_match_a_raw_onnx_runtime_run_with_cls_pooling_and_mean_pooling() throws Exception {
    // given: the same text run by hand through ORT, pooled by hand
    String text = SENTENCES.get(1);
    float[][] states = rawTokenStates("bge-small-en-v1.5.onnx", "bge-small-en-v1.5-tokenizer.json",
        text);
    float[] cls = states[0].clone();
    float[] mean = new float[cls.length];
    for (float[] s : states) {
      for (int d = 0; d < mean.length; d++) {
        mean[d] += s[d] / states.length;
      }
    }

    // when
    Embedding byEmbedder = bge.embed(text);
    Embedding byMean;
    try (OnnxEmbedder meanEmbedder = OnnxEmbedder.builder().model(Models.BGE_SMALL_EN_V15)
        .pooling(Pooling.MEAN).build()) {
      byMean = meanEmbedder.embed(text);
    }

    // then
    assertClose(byEmbedder, Embedding.of(cls).normalize(), 1e-5);
    assertClose(byMean, Embedding.of(mean).normalize(), 1e-5);
    assertThat(byEmbedder.cosine(byMean)).isLessThan(0.999);
  }

  @Test
  void should_give_the_same_vectors_in_a_batch_as_one_by_one_in_input_order() {
    // when
    List<Embedding> batch = bge.embedAll(SENTENCES, TaskPrompt.none());

    // then
    assertThat(batch).hasSize(SENTENCES.size());
    for (int i = 0; i < SENTENCES.size(); i++) {
      assertClose(batch.get(i), bge.embed(SENTENCES.get(i)), 1e-5);
    }
  }

  @Test
  void should_keep_input_order_when_the_input_is_permuted() {
    // given
    List<String> reversed = new ArrayList<>(SENTENCES);
    Collections.reverse(reversed);

    // when
    List<Embedding> forward = bge.embedAll(SENTENCES, TaskPrompt.none());
    List<Embedding> backward = bge.embedAll(reversed, TaskPrompt.none());

    // then
    for (int i = 0; i < SENTENCES.size(); i++) {
      assertClose(backward.get(SENTENCES.size() - 1 - i), forward.get(i), 1e-5);
    }
  }

  @Test
  void should_return_unit_vectors() {
    // when
    List<Embedding> all = bge.embedAll(SENTENCES, TaskPrompt.none());

    // then
    assertThat(all).allSatisfy(e -> assertThat(e.norm()).isCloseTo(1.0, within(1e-5)));
  }

  @Test
  void should_prepend_the_bge_instruction_to_retrieval_queries_only() {
    // given
    String q = "what do geckos eat?";
    String instruction = "Represent this sentence for searching relevant passages: ";

    // when
    Embedding query = bge.embed(q, TaskPrompt.query(TaskPrompt.SEARCH_RESULT));
    Embedding document = bge.embed(q, TaskPrompt.document());
    Embedding symmetric = bge.embed(q, TaskPrompt.symmetric(TaskPrompt.SENTENCE_SIMILARITY));

    // then
    assertClose(query, bge.embed(instruction + q), 1e-6);
    assertClose(document, bge.embed(q), 1e-6);
    assertClose(symmetric, bge.embed(q), 1e-6);
  }

  @Test
  void should_truncate_to_a_matryoshka_dimension_and_renormalise() {
    // given
    try (OnnxEmbedder small = OnnxEmbedder.builder().model(Models.BGE_SMALL_EN_V15).dimension(128)
        .build()) {
      // when
      Embedding full = bge.embed(SENTENCES.get(0));
      Embedding truncated = small.embed(SENTENCES.get(0));

      // then
      assertThat(small.dimension()).isEqualTo(128);
      assertThat(truncated.dimension()).isEqualTo(128);
      assertThat(truncated.norm()).isCloseTo(1.0, within(1e-5));
      assertClose(truncated, full.truncate(128), 1e-6);
    }
  }

  @Test
  void should_reject_a_matryoshka_dimension_larger_than_the_model() {
    assertThatThrownBy(() -> OnnxEmbedder.builder().model(Models.BGE_SMALL_EN_V15).dimension(385)
        .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("dimension must be between 1 and the model's 384, but is: 385");
  }

  @Test
  void should_embed_the_empty_string_as_just_the_special_tokens() throws Exception {
    // given: [CLS] [SEP], as the reference tokenizer gives for ""
    float[][] states = rawTokenStates("bge-small-en-v1.5.onnx", "bge-small-en-v1.5-tokenizer.json",
        "");

    // when
    Embedding empty = bge.embed("");

    // then
    assertThat(states).hasNumberOfRows(2);
    assertClose(empty, Embedding.of(states[0]).normalize(), 1e-5);
  }

  @Test
  void should_name_the_index_of_a_null_element() {
    // given
    List<String> texts = Arrays.asList("a", "b", null);

    // then
    assertThatThrownBy(() -> bge.embedAll(texts, TaskPrompt.none()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("texts[2] must not be null");
    assertThatThrownBy(() -> bge.embedAll(null, TaskPrompt.none()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("texts must not be null");
    assertThatThrownBy(() -> bge.embedAll(List.of("a", "b"), Arrays.asList(TaskPrompt.none(), null)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("prompts[1] must not be null");
    assertThatThrownBy(() -> bge.embedAll(List.of("a", "b"), List.of(TaskPrompt.none())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("texts and prompts must have the same size, but have 2 and 1");
  }

  @Test
  void should_return_an_empty_list_for_no_texts() {
    assertThat(bge.embedAll(List.of(), TaskPrompt.none())).isEmpty();
  }

  @Test
  void should_embed_unpaired_surrogates_as_the_replacement_character() {
    // given
    String lone = "gecko \uD83D tail \uDC0D end";
    String replaced = "gecko \uFFFD tail \uFFFD end";
    String paired = "gecko \uD83E\uDD8E lizard";

    // when
    List<Embedding> out = bge.embedAll(List.of(lone, replaced, paired), TaskPrompt.none());

    // then
    assertClose(out.get(0), out.get(1), 1e-5);
    assertThat(out.get(2).norm()).isCloseTo(1.0, within(1e-5));
    assertThat(EncoderTokenizer.replaceUnpairedSurrogates(paired)).isSameAs(paired);
  }

  @Test
  void should_embed_nul_and_control_characters_without_crashing() {
    // given: BERT's normaliser drops control characters, so they vanish from the tokens
    String withControls = "gecko\u0000 \u0001lizard\u0007\u001B";
    String controlsOnly = "\u0000\u0000\u0001\u001F";

    // when
    List<Embedding> out = bge.embedAll(List.of(withControls, controlsOnly, ""), TaskPrompt.none());

    // then
    assertThat(out).allSatisfy(e -> assertThat(e.norm()).isCloseTo(1.0, within(1e-5)));
    assertClose(out.get(0), bge.embed("gecko lizard"), 1e-5);
    assertClose(out.get(1), out.get(2), 1e-5);
  }

  @Test
  void should_truncate_like_the_huggingface_tokenizer_does() throws Exception {
    // given: a text of ~1200 tokens, and the reference tokenizer with truncation at 512
    String longText = String.join(" ", Collections.nCopies(300, "geckos eat small insects"));
    List<TokenizedBatch> batches = bge.tokenize(List.of(longText), List.of(TaskPrompt.none()));
    long[] reference;
    try (InputStream in = getClass().getClassLoader()
        .getResourceAsStream("bge-small-en-v1.5-tokenizer.json");
        HuggingFaceTokenizer tok = HuggingFaceTokenizer.newInstance(in,
            Map.of("truncation", "true", "maxLength", "512", "padding", "false"))) {
      reference = tok.encode(longText).getIds();
    }

    // then
    assertThat(batches).hasSize(1);
    assertThat(batches.get(0).sequenceLength()).isEqualTo(512);
    assertThat(batches.get(0).inputIds()).containsExactly(reference);
  }

  @Test
  void should_run_rows_over_256_tokens_one_per_batch_on_the_cpu_and_short_rows_together() {
    // given: four ~300-token texts, four ~200-token texts and 20 short ones
    String words300 = "geckos climb walls with tiny hairs on their toes ".repeat(30);
    String words200 = "geckos climb walls with tiny hairs on their toes ".repeat(20);
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      texts.add(i + " " + words300);
      texts.add(i + " " + words200);
    }
    for (int i = 0; i < 20; i++) {
      texts.add("short text number " + i);
    }

    // when: the default CPU budget (1024 tokens, attention cells 1024 x 128)
    List<TokenizedBatch> batches = bge.tokenize(texts, Collections.nCopies(texts.size(), TaskPrompt.none()));

    // then
    for (TokenizedBatch b : batches) {
      if (b.sequenceLength() > 256) {
        assertThat(b.rows()).as("rows of a %d-token batch", b.sequenceLength()).isEqualTo(1);
      } else {
        assertThat((long) b.rows() * b.sequenceLength() * b.sequenceLength()).isLessThanOrEqualTo(1024L * 128);
        assertThat(b.rows() * b.sequenceLength()).isLessThanOrEqualTo(1024);
      }
    }
    assertThat(batches).filteredOn(b -> b.sequenceLength() > 256).hasSize(4);
    assertThat(batches).filteredOn(b -> b.sequenceLength() > 128 && b.sequenceLength() <= 256)
        .allMatch(b -> b.rows() == 2).hasSize(2);
    assertThat(batches).filteredOn(b -> b.sequenceLength() < 16).singleElement()
        .extracting(TokenizedBatch::rows).isEqualTo(20);
  }

  @Test
  void should_form_length_sorted_batches_within_the_token_budget() {
    // given
    try (OnnxEmbedder small = OnnxEmbedder.builder().model(Models.BGE_SMALL_EN_V15).tokenBudget(64)
        .maxBatchSize(3).build()) {
      // when
      List<TokenizedBatch> batches = small.tokenize(SENTENCES,
          Collections.nCopies(SENTENCES.size(), TaskPrompt.none()));

      // then: every text once, longest first, rows * length within budget or a single row
      assertThat(batches.stream().flatMapToInt(b -> Arrays.stream(b.rowOwners())).sorted()
          .toArray()).containsExactly(IntStream.range(0, SENTENCES.size()).toArray());
      int previous = Integer.MAX_VALUE;
      for (TokenizedBatch b : batches) {
        assertThat(b.rows()).isLessThanOrEqualTo(3);
        assertThat(b.rows() == 1 || b.rows() * b.sequenceLength() <= 64).isTrue();
        assertThat(b.sequenceLength()).isLessThanOrEqualTo(previous);
        previous = b.sequenceLength();
      }
      // and the vectors do not depend on the batching
      List<Embedding> a = small.embedAll(SENTENCES, TaskPrompt.none());
      List<Embedding> b = bge.embedAll(SENTENCES, TaskPrompt.none());
      for (int i = 0; i < a.size(); i++) {
        assertClose(a.get(i), b.get(i), 1e-5);
      }
    }
  }

  @Test
  void should_give_bit_identical_vectors_from_8_concurrent_threads() throws Exception {
    // given
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 48; i++) {
      texts.add(SENTENCES.get(i % SENTENCES.size()) + " (" + i + ")");
    }
    List<Embedding> single = bge.embedAll(texts, TaskPrompt.none());

    // when
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<List<Embedding>>> futures = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        futures.add(pool.submit(() -> bge.embedAll(texts, TaskPrompt.none())));
      }
      // then
      for (Future<List<Embedding>> f : futures) {
        List<Embedding> got = f.get();
        for (int i = 0; i < texts.size(); i++) {
          assertThat(got.get(i).toArray()).containsExactly(single.get(i).toArray());
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void should_give_bit_identical_vectors_with_concurrent_batches_and_one_intra_op_thread() {
    // given: many small batches, so both batch workers get some
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      texts.add(SENTENCES.get(i % SENTENCES.size()) + " (" + i + ")");
    }
    try (OnnxEmbedder sequential = OnnxEmbedder.builder().model(Models.BGE_SMALL_EN_V15)
            .intraOpThreads(1).maxBatchSize(4).build();
        OnnxEmbedder concurrent = OnnxEmbedder.builder().model(Models.BGE_SMALL_EN_V15)
            .intraOpThreads(1).maxBatchSize(4).concurrentBatches(3).build()) {
      // when
      List<Embedding> a = sequential.embedAll(texts, TaskPrompt.none());
      List<Embedding> b = concurrent.embedAll(texts, TaskPrompt.none());

      // then
      assertThat(concurrent.tokenize(texts, java.util.Collections.nCopies(texts.size(),
          TaskPrompt.none()))).hasSizeGreaterThan(3);
      for (int i = 0; i < texts.size(); i++) {
        assertThat(b.get(i).toArray()).containsExactly(a.get(i).toArray());
      }
      // and the shared-session default (ORT's own threads) agrees within float rounding
      List<Embedding> c = bge.embedAll(texts, TaskPrompt.none());
      for (int i = 0; i < texts.size(); i++) {
        assertClose(b.get(i), c.get(i), 1e-5);
      }
    }
  }

  @Test
  void should_reject_a_concurrent_batch_count_out_of_range() {
    assertThatThrownBy(() -> OnnxEmbedder.builder().concurrentBatches(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("concurrentBatches must be between 1 and 256, but is: 0");
  }

  @Test
  void should_be_closed_idempotently_and_refuse_work_afterwards() {
    // given
    OnnxEmbedder e = OnnxEmbedder.builder().model(Models.ALL_MINILM_L6_V2).build();

    // when
    e.close();
    e.close();

    // then
    assertThatThrownBy(() -> e.embed("gecko"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("this OnnxEmbedder (all-MiniLM-L6-v2) is closed");
  }

  @Test
  void should_fall_back_to_cpu_when_cuda_cannot_load() {
    // given: the CPU build of ONNX Runtime (the default profile) has no CUDA provider
    try (OnnxEmbedder e = OnnxEmbedder.builder().model(Models.ALL_MINILM_L6_V2)
        .executionProvider(ExecutionProvider.CUDA).build()) {
      // then
      if (!OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
        assertThat(e.executionProvider()).isEqualTo(ExecutionProvider.CPU);
      }
      assertThat(e.embed("gecko").norm()).isCloseTo(1.0, within(1e-5));
    }
  }

  /** Runs the bundled model by hand and returns the token states of {@code text}: [tokens][hidden]. */
  static float[][] rawTokenStates(String model, String tokenizer, String text) throws Exception {
    long[] ids;
    long[] types;
    try (InputStream in = OnnxEmbedderTest.class.getClassLoader().getResourceAsStream(tokenizer);
        HuggingFaceTokenizer tok = HuggingFaceTokenizer.newInstance(in, Map.of())) {
      var enc = tok.encode(text);
      ids = enc.getIds();
      types = enc.getTypeIds();
    }
    long[] mask = new long[ids.length];
    Arrays.fill(mask, 1);
    byte[] bytes;
    try (InputStream in = OnnxEmbedderTest.class.getClassLoader().getResourceAsStream(model)) {
      bytes = in.readAllBytes();
    }
    OrtEnvironment env = OrtRuntime.environment();
    long[] shape = {1, ids.length};
    try (OrtSession.SessionOptions so = new OrtSession.SessionOptions();
        OrtSession s = env.createSession(bytes, so);
        OnnxTensor a = OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape);
        OnnxTensor b = OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape);
        OnnxTensor c = OnnxTensor.createTensor(env, LongBuffer.wrap(types), shape);
        OrtSession.Result r = s.run(Map.of("input_ids", a, "attention_mask", b,
            "token_type_ids", c))) {
      OnnxTensor out = (OnnxTensor) r.get("last_hidden_state").orElseThrow();
      long[] outShape = out.getInfo().getShape();
      FloatBuffer fb = out.getFloatBuffer();
      float[][] states = new float[(int) outShape[1]][(int) outShape[2]];
      for (float[] row : states) {
        fb.get(row);
      }
      return states;
    }
  }

  static void assertClose(Embedding actual, Embedding expected, double tolerance) {
    assertThat(actual.dimension()).isEqualTo(expected.dimension());
    for (int i = 0; i < actual.dimension(); i++) {
      assertThat((double) actual.get(i)).as("dimension %d", i)
          .isCloseTo(expected.get(i), within(tolerance));
    }
  }
}
