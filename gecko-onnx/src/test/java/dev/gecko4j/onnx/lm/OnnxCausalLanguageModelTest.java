package dev.gecko4j.onnx.lm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import dev.gecko4j.core.lm.ContinuationScore;
import dev.gecko4j.core.lm.Generation;
import dev.gecko4j.core.lm.GenerationOptions;
import dev.gecko4j.core.lm.ScoreRequest;
import dev.gecko4j.core.testing.SharedData;
import dev.gecko4j.onnx.ExecutionProvider;
import dev.gecko4j.onnx.GraphOptimization;
import dev.gecko4j.onnx.OrtRuntime;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Tests {@link OnnxCausalLanguageModel} on the real stories260K llama ONNX model. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OnnxCausalLanguageModelTest {

  private Path dir;
  private OnnxCausalLanguageModel lm;

  @BeforeAll
  void load() {
    dir = SharedData.require("models", "stories260K");
    lm = OnnxCausalLanguageModel.builder(dir).build();
  }

  @AfterAll
  void close() {
    if (lm != null) {
      lm.close();
    }
  }

  /** Reads the BOS + 200 greedy token ids and the decoded text of greedy_reference.txt. */
  private long[] referenceIds() throws Exception {
    List<String> lines = Files.readAllLines(dir.resolve("greedy_reference.txt"));
    int at = lines.indexOf("# token ids (including BOS):");
    return Arrays.stream(lines.get(at + 1).trim().split("\\s+")).mapToLong(Long::parseLong).toArray();
  }

  private String referenceText() throws Exception {
    String all = Files.readString(dir.resolve("greedy_reference.txt"));
    return all.substring(all.indexOf("# decoded text:\n") + "# decoded text:\n".length());
  }

  @Test
  void should_reproduce_the_200_reference_greedy_tokens_from_bos() throws Exception {
    // given
    long[] reference = referenceIds();
    assertThat(reference).hasSize(201);
    assertThat(reference[0]).isEqualTo(1L);

    // when
    Generation g = lm.generateFromIds(new long[] {1}, GenerationOptions.greedy(200));

    // then
    long[] expected = Arrays.copyOfRange(reference, 1, reference.length);
    assertThat(g.tokenIds().stream().mapToLong(Integer::longValue).toArray()).containsExactly(expected);
    assertThat(g.finishReason()).isEqualTo("length");
    assertThat(g.text()).isEqualTo(referenceText().strip());
  }

  @Test
  void should_generate_the_same_tokens_from_an_empty_text_prompt_as_from_bos() throws Exception {
    // given: tokenising "" gives just the BOS
    assertThat(lm.tokenize("")).containsExactly(1L);

    // when
    Generation g = lm.generate(List.of(""), GenerationOptions.greedy(20)).get(0);

    // then
    long[] expected = Arrays.copyOfRange(referenceIds(), 1, 21);
    assertThat(g.tokenIds().stream().mapToLong(Integer::longValue).toArray()).containsExactly(expected);
  }

  @Test
  void should_batch_prompts_of_different_lengths_like_one_at_a_time() {
    // given
    List<String> prompts = List.of("Once upon a time", "The dog", "Lily and Tom went to the park to play");

    // when
    List<Generation> batched = lm.generate(prompts, GenerationOptions.greedy(15));

    // then
    for (int i = 0; i < prompts.size(); i++) {
      Generation single = lm.generate(List.of(prompts.get(i)), GenerationOptions.greedy(15)).get(0);
      assertThat(batched.get(i).tokenIds()).isEqualTo(single.tokenIds());
      assertThat(batched.get(i).text()).isEqualTo(single.text());
    }
  }

  @Test
  void should_score_a_continuation_as_the_sum_of_token_log_softmax_of_raw_logits() throws Exception {
    // given
    String prompt = "Once upon a time, there was a little";
    String continuation = " girl named Lily.";
    long[] full;
    long[] promptIds;
    Map<String, String> opts = Map.of("addSpecialTokens", "true", "truncation", "false", "padding", "false");
    try (HuggingFaceTokenizer tok = HuggingFaceTokenizer.newInstance(dir.resolve("tokenizer.json"), opts)) {
      full = tok.encode(prompt + continuation).getIds();
      promptIds = tok.encode(prompt).getIds();
    }
    assertThat(Arrays.copyOf(full, promptIds.length)).containsExactly(promptIds);
    float[][][] logits;
    OrtEnvironment env = OrtRuntime.environment();
    try (OrtSession s = env.createSession(dir.resolve("model.onnx").toString());
        OnnxTensor in = OnnxTensor.createTensor(env, LongBuffer.wrap(full), new long[] {1, full.length});
        OrtSession.Result r = s.run(Map.of("input_ids", in))) {
      logits = (float[][][]) r.get("logits").orElseThrow().getValue();
    }
    double expected = 0;
    for (int t = promptIds.length; t < full.length; t++) {
      float[] row = logits[0][t - 1];
      double max = Double.NEGATIVE_INFINITY;
      for (float v : row) {
        max = Math.max(max, v);
      }
      double z = 0;
      for (float v : row) {
        z += Math.exp(v - max);
      }
      expected += row[(int) full[t]] - max - Math.log(z);
    }

    // when: scored in a batch with other requests of other lengths
    List<ContinuationScore> scores = lm.score(List.of(
        new ScoreRequest("A", " cat sat on the mat and looked at the sun."),
        new ScoreRequest(prompt, continuation),
        new ScoreRequest("", "Hi")));

    // then
    ContinuationScore got = scores.get(1);
    assertThat(got.tokenCount()).isEqualTo(full.length - promptIds.length);
    assertThat(got.logProbability()).isCloseTo(expected, within(1e-4));
    assertThat(got.logProbability()).isLessThan(0);
    assertThat(scores.get(1).logProbability())
        .isCloseTo(lm.score(List.of(new ScoreRequest(prompt, continuation))).get(0).logProbability(), within(1e-4));
  }

  @Test
  void should_score_a_likely_continuation_above_an_unlikely_one() {
    // when
    List<ContinuationScore> s = lm.score(List.of(
        new ScoreRequest("Once upon a time, there was a little", " girl"),
        new ScoreRequest("Once upon a time, there was a little", " because")));

    // then
    assertThat(s.get(0).logProbability()).isGreaterThan(s.get(1).logProbability());
  }

  @Test
  void should_score_the_token_straddling_the_boundary_as_continuation() {
    // given: "Lil" + "y" merges across the join
    long[] p = lm.tokenize("Once upon a time there was a girl named Lil");
    long[] f = lm.tokenize("Once upon a time there was a girl named Lily");

    // when
    ContinuationScore s = lm.score(List.of(new ScoreRequest("Once upon a time there was a girl named Lil", "y")))
        .get(0);

    // then
    int common = 0;
    while (common < p.length && p[common] == f[common]) {
      common++;
    }
    assertThat(s.tokenCount()).isEqualTo(f.length - common).isPositive();
  }

  @Test
  void should_sample_reproducibly_for_a_seed_and_stop_at_a_stop_string() {
    // given
    GenerationOptions opts = GenerationOptions.sampled(40, 0.8, 0.9).withSeed(42);

    // when
    Generation a = lm.generate(List.of("Once upon a time"), opts).get(0);
    Generation b = lm.generate(List.of("Once upon a time"), opts).get(0);
    Generation stopped = lm.generate(List.of("Once upon a time"), GenerationOptions.greedy(100).withStop(List.of("."))).get(0);

    // then
    assertThat(a.tokenIds()).isEqualTo(b.tokenIds()).hasSizeLessThanOrEqualTo(40);
    assertThat(stopped.finishReason()).isEqualTo("stop");
    assertThat(stopped.text()).doesNotContain(".").isNotEmpty();
  }

  @Test
  void should_reject_a_prompt_longer_than_the_context() {
    // given
    String longPrompt = "Once upon a time ".repeat(400);

    // then
    assertThat(lm.maxContext()).isEqualTo(512);
    assertThatThrownBy(() -> lm.generate(List.of(longPrompt), GenerationOptions.greedy(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("prompts[0]")
        .hasMessageContaining("512");
  }

  @Test
  void should_stop_with_length_when_the_context_is_full() {
    // given
    OnnxCausalLanguageModel small = OnnxCausalLanguageModel.builder(dir).maxContext(12).build();
    try (small) {
      // when
      Generation g = small.generateFromIds(new long[] {1}, GenerationOptions.greedy(100));

      // then
      assertThat(g.tokenIds()).hasSize(11);
      assertThat(g.finishReason()).isEqualTo("length");
    }
  }

  @Test
  void should_give_the_same_results_when_called_from_many_threads() throws Exception {
    // given
    List<ScoreRequest> requests = List.of(new ScoreRequest("Once upon a time", " there was a dog."),
        new ScoreRequest("The sun", " was hot."));
    List<ContinuationScore> expectedScores = lm.score(requests);
    Generation expectedGen = lm.generate(List.of("Tom had a"), GenerationOptions.greedy(20)).get(0);

    // when
    List<java.util.concurrent.Future<Boolean>> results = new java.util.ArrayList<>();
    var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
    try {
      for (int t = 0; t < 4; t++) {
        results.add(pool.submit(() -> {
          List<ContinuationScore> s = lm.score(requests);
          Generation g = lm.generate(List.of("Tom had a"), GenerationOptions.greedy(20)).get(0);
          return Math.abs(s.get(0).logProbability() - expectedScores.get(0).logProbability()) < 1e-9
              && Math.abs(s.get(1).logProbability() - expectedScores.get(1).logProbability()) < 1e-9
              && g.tokenIds().equals(expectedGen.tokenIds());
        }));
      }
    } finally {
      pool.shutdown();
      pool.awaitTermination(5, java.util.concurrent.TimeUnit.MINUTES);
    }

    // then
    for (var r : results) {
      assertThat(r.get()).isTrue();
    }
  }

  @Test
  void should_give_label_log_probabilities_equal_to_continuation_scores() {
    // given
    String prompt = "Once upon a time, there was a little";

    // when
    Map<String, Double> labels = lm.labelLogProbabilities(List.of(prompt), List.of(" girl", " dog")).get(0);

    // then
    assertThat(labels.keySet()).containsExactly(" girl", " dog");
    assertThat(labels.get(" girl"))
        .isCloseTo(lm.score(List.of(new ScoreRequest(prompt, " girl"))).get(0).logProbability(), within(1e-9));
    assertThat(labels.get(" girl")).isGreaterThan(labels.get(" dog"));
  }

  @Test
  void should_tokenise_with_bos_and_byte_fallback_and_decode_back_to_the_text() {
    // given: characters outside the 512-token vocabulary fall back to UTF-8 byte tokens
    String text = "Lily said: café ☃!";

    // when
    long[] ids = lm.tokenize(text);

    // then
    assertThat(ids[0]).isEqualTo(1L);
    // the snowman U+2603 is UTF-8 E2 98 83: the byte tokens <0xE2> <0x98> <0x83> of tokenizer.json
    assertThat(ids).containsSequence(229L, 155L, 134L);
    assertThat(lm.decode(ids)).isEqualTo(text);
  }

  @Test
  void should_reject_null_arguments_and_use_after_close() {
    // given
    OnnxCausalLanguageModel other = OnnxCausalLanguageModel.builder(dir).build();
    other.close();
    other.close();

    // then
    assertThatThrownBy(() -> lm.generate(null, GenerationOptions.greedy(1))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> lm.score(Arrays.asList(new ScoreRequest("a", "b"), null)))
        .hasMessageContaining("requests[1]");
    assertThatThrownBy(() -> other.generate(List.of("a"), GenerationOptions.greedy(1)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    assertThat(lm.capabilities().canScore()).isTrue();
    assertThat(lm.hasKvCacheInputs()).isFalse();
  }

  @Test
  void should_open_its_session_with_the_chosen_optimisation_and_fall_back_from_cuda_to_the_cpu()
      throws Exception {
    // given: the CPU build of ONNX Runtime (the default profile) has no CUDA provider
    long[] reference = referenceIds();
    long[] expected = Arrays.copyOfRange(reference, 1, 21);

    // when
    try (OnnxCausalLanguageModel other = OnnxCausalLanguageModel.builder(dir)
        .graphOptimization(GraphOptimization.BASIC).executionProvider(ExecutionProvider.CUDA)
        .intraOpThreads(1).build()) {
      Generation g = other.generateFromIds(new long[] {1}, GenerationOptions.greedy(20));

      // then
      if (!OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
        assertThat(other.executionProvider()).isEqualTo(ExecutionProvider.CPU);
      }
      assertThat(g.tokenIds().stream().mapToLong(Integer::longValue).toArray()).containsExactly(expected);
    }
    assertThat(lm.executionProvider()).isEqualTo(ExecutionProvider.CPU);
    assertThatThrownBy(() -> OnnxCausalLanguageModel.builder(dir).graphOptimization(null))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("graphOptimization must not be null");
    assertThatThrownBy(() -> OnnxCausalLanguageModel.builder(dir).executionProvider(null))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("executionProvider must not be null");
  }
}
