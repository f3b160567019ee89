package dev.gecko4j.onnx.lm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.gecko4j.core.lm.ContinuationScore;
import dev.gecko4j.core.lm.Generation;
import dev.gecko4j.core.lm.GenerationOptions;
import dev.gecko4j.core.lm.ScoreRequest;
import dev.gecko4j.core.testing.Resources;
import dev.gecko4j.core.testing.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tests {@link OnnxCausalLanguageModel} on a real KV-cache llama: stories260K's weights in the
 * HuggingFace Optimum decoder layout, built at test time by {@link KvLlamaFixture}, against the
 * plain stories260K model (no cache) and its greedy reference.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OnnxCausalLanguageModelKvCacheTest {

  private static final List<String> PROMPTS =
      List.of("Once upon a time", "The dog", "Lily and Tom went to the park to play");

  private Path plainDir;
  private Path kvDir;
  private OnnxCausalLanguageModel plain;
  private OnnxCausalLanguageModel kv;

  @BeforeAll
  void load(@TempDir Path tmp) throws Exception {
    plainDir = SharedData.require("models", "stories260K");
    kvDir = tmp.resolve("stories260K-kv");
    KvLlamaFixture.write(plainDir, kvDir);
    plain = OnnxCausalLanguageModel.builder(plainDir).build();
    kv = OnnxCausalLanguageModel.builder(kvDir).build();
  }

  @AfterAll
  void close() throws Exception {
    Resources.closeAll(plain, kv);
  }

  @Test
  void should_detect_the_kv_cache_inputs() {
    // then
    assertThat(kv.hasKvCacheInputs()).isTrue();
    assertThat(plain.hasKvCacheInputs()).isFalse();
    assertThat(kv.maxContext()).isEqualTo(512);
  }

  @Test
  void should_reproduce_the_200_reference_greedy_tokens_with_the_cache() throws Exception {
    // given
    List<String> lines = Files.readAllLines(plainDir.resolve("greedy_reference.txt"));
    long[] reference = Arrays.stream(lines.get(lines.indexOf("# token ids (including BOS):") + 1).trim().split("\\s+"))
        .mapToLong(Long::parseLong).toArray();

    // when
    Generation g = kv.generateFromIds(new long[] {1}, GenerationOptions.greedy(200));

    // then
    assertThat(g.tokenIds().stream().mapToLong(Integer::longValue).toArray())
        .containsExactly(Arrays.copyOfRange(reference, 1, reference.length));
    assertThat(g.finishReason()).isEqualTo("length");
  }

  @Test
  void should_batch_prompts_of_different_lengths_like_one_at_a_time() {
    for (GenerationOptions opts : List.of(GenerationOptions.greedy(25),
        GenerationOptions.greedy(60).withStop(List.of(".")))) {
      // when: rows of 5, 3 and 11 tokens; with the stop string they finish at different steps
      List<Generation> batched = kv.generate(PROMPTS, opts);

      // then
      for (int i = 0; i < PROMPTS.size(); i++) {
        Generation single = kv.generate(List.of(PROMPTS.get(i)), opts).get(0);
        assertThat(batched.get(i)).isEqualTo(single);
      }
    }
  }

  @Test
  void should_generate_what_the_plain_model_generates_greedy_and_sampled() {
    for (GenerationOptions opts : List.of(GenerationOptions.greedy(40),
        GenerationOptions.sampled(40, 0.8, 0.9).withSeed(7))) {
      // when
      List<Generation> cached = kv.generate(PROMPTS, opts);
      List<Generation> recomputed = plain.generate(PROMPTS, opts);

      // then
      assertThat(cached).isEqualTo(recomputed);
    }
  }

  @Test
  void should_feed_only_the_new_token_at_each_step_with_the_cache() {
    // given: a P-token prompt and N new tokens (no EOS within them)
    String prompt = "Lily and Tom went to the park to play";
    int p = kv.tokenize(prompt).length;
    int n = 30;

    // when
    long kvBefore = kv.tokensComputed();
    Generation cached = kv.generate(List.of(prompt), GenerationOptions.greedy(n)).get(0);
    long kvFed = kv.tokensComputed() - kvBefore;
    long plainBefore = plain.tokensComputed();
    Generation recomputed = plain.generate(List.of(prompt), GenerationOptions.greedy(n)).get(0);
    long plainFed = plain.tokensComputed() - plainBefore;

    // then
    assertThat(cached.finishReason()).isEqualTo("length");
    assertThat(cached.tokenIds()).hasSize(n).isEqualTo(recomputed.tokenIds());
    assertThat(kvFed).isEqualTo(p + n - 1L);
    assertThat(plainFed).isEqualTo((long) n * p + (long) n * (n - 1) / 2);
  }

  @Test
  void should_score_like_the_plain_model_in_one_forward_pass() {
    // given
    List<ScoreRequest> requests = List.of(
        new ScoreRequest("A", " cat sat on the mat and looked at the sun."),
        new ScoreRequest("Once upon a time, there was a little", " girl named Lily."),
        new ScoreRequest("", "Hi"));

    // when
    long before = kv.tokensComputed();
    List<ContinuationScore> got = kv.score(requests);
    long fed = kv.tokensComputed() - before;
    List<ContinuationScore> expected = plain.score(requests);
    Map<String, Double> labels = kv.labelLogProbabilities(List.of("Once upon a time, there was a little"),
        List.of(" girl", " dog")).get(0);

    // then: one batch of 3 rows padded to the longest
    int longest = 0;
    for (ScoreRequest r : requests) {
      longest = Math.max(longest, kv.tokenize(r.prompt() + r.continuation()).length);
    }
    assertThat(fed).isEqualTo(3L * longest);
    for (int i = 0; i < requests.size(); i++) {
      assertThat(got.get(i).tokenCount()).isEqualTo(expected.get(i).tokenCount());
      assertThat(got.get(i).logProbability()).isCloseTo(expected.get(i).logProbability(), within(1e-4));
    }
    assertThat(labels.get(" girl")).isGreaterThan(labels.get(" dog"));
  }

  @Test
  void should_stop_with_length_when_the_context_is_full_with_the_cache() {
    // given
    try (OnnxCausalLanguageModel small = OnnxCausalLanguageModel.builder(kvDir).maxContext(12).build()) {
      // when
      Generation g = small.generateFromIds(new long[] {1}, GenerationOptions.greedy(100));

      // then
      assertThat(g.tokenIds()).hasSize(11);
      assertThat(g.finishReason()).isEqualTo("length");
    }
  }

  @Test
  void should_reject_a_kv_input_whose_heads_are_not_fixed(@TempDir Path tmp) throws Exception {
    // given
    Path dir = tmp.resolve("symbolic-heads");
    KvLlamaFixture.write(plainDir, dir, true);

    // then
    assertThatThrownBy(() -> OnnxCausalLanguageModel.builder(dir).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("past_key_values.0.key")
        .hasMessageContaining("[batch, heads, past_sequence, head_dim]")
        .hasMessageContaining("[-1, -1, -1, 8]");
  }
}
