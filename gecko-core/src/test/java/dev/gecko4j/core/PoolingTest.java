package dev.gecko4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class PoolingTest {

  /**
   * Token states of 2 rows x 3 tokens x 2 hidden; token t of row b is {@code {10*b + t, -(10*b +
   * t) / 2}} so every value says where it came from.
   */
  private static final float[] HIDDEN = {
    0, -0f, 1, -0.5f, 2, -1, // row 0
    10, -5, 11, -5.5f, 12, -6 // row 1
  };

  static Stream<Arguments> poolings() {
    return Stream.of(
        Arguments.of("cls takes the first token of each row",
            Pooling.CLS, new long[] {1, 1, 0, 1, 1, 1}, new float[] {0, -0f, 10, -5}),
        // row 0 has 2 tokens and 1 padding, row 1 has 3 tokens: row 0 = mean of tokens 0, 1;
        // row 1 = mean of tokens 0, 1, 2
        Arguments.of("mean averages only the unpadded tokens",
            Pooling.MEAN, new long[] {1, 1, 0, 1, 1, 1}, new float[] {0.5f, -0.25f, 11, -5.5f}),
        Arguments.of("mean of a row without tokens is zero thanks to the clamped divisor",
            Pooling.MEAN, new long[] {0, 0, 0, 1, 0, 0}, new float[] {0, 0, 10, -5}),
        // right padding, row 0 ends at token 1
        Arguments.of("last token takes the last real token under right padding",
            Pooling.LAST_TOKEN, new long[] {1, 1, 0, 1, 1, 1}, new float[] {1, -0.5f, 12, -6}),
        // left padding, row 0 starts at token 1 and ends at token 2
        Arguments.of("last token takes the last position under left padding",
            Pooling.LAST_TOKEN, new long[] {0, 1, 1, 1, 1, 1}, new float[] {2, -1, 12, -6}),
        // left padding, row 0 starts at token 1
        Arguments.of("cls takes the first real token under left padding",
            Pooling.CLS, new long[] {0, 1, 1, 1, 1, 1}, new float[] {1, -0.5f, 10, -5}));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("poolings")
  void should_weigh_tokens_as_it_pools_them(
      String behaviour, Pooling pooling, long[] mask, float[] expected) {
    org.junit.jupiter.api.Assumptions.assumeTrue(pooling != Pooling.MAX,
        "MAX is a maximum, not a weighted sum (tested below)");
    // given the weights the trainer pools with
    float[] w = pooling.tokenWeights(mask, 2, 3);
    // when the token states are summed with them
    float[] pooled = new float[4];
    for (int b = 0; b < 2; b++) {
      for (int t = 0; t < 3; t++) {
        for (int d = 0; d < 2; d++) {
          pooled[b * 2 + d] += w[b * 3 + t] * HIDDEN[(b * 3 + t) * 2 + d];
        }
      }
    }
    // then they give what pool gives (serving and training read the same tokens)
    assertThat(pooled).containsExactly(expected, org.assertj.core.api.Assertions.within(1e-6f));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("poolings")
  void should_pool_each_row_by_its_mode(
      String behaviour, Pooling pooling, long[] mask, float[] expected) {
    // when
    float[] pooled = pooling.pool(HIDDEN, mask, 2, 3, 2);
    // then
    assertThat(pooled).containsExactly(expected);
  }

  @Test
  void should_refuse_token_weights_for_max_pooling() {
    assertThatThrownBy(() -> Pooling.MAX.tokenWeights(new long[] {1, 1}, 1, 2))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("MAX pooling takes a maximum, not a weighted sum of the token states, so it "
            + "has no token weights");
  }

  @Test
  void should_pool_into_a_given_buffer_at_an_offset() {
    // given
    long[] mask = {1, 1, 1, 1, 1, 1};
    float[] out = {7, 7, 7, 7, 7, 7};
    // when
    Pooling.CLS.pool(HIDDEN, mask, 2, 3, 2, out, 1);
    // then
    assertThat(out).containsExactly(7, 0, -0f, 10, -5, 7);
  }

  private static final long[] FULL = {1, 1, 1, 1, 1, 1};

  /** Types a lambda for {@link Arguments#of}. */
  private static ThrowingCallable call(ThrowingCallable c) {
    return c;
  }

  static Stream<Arguments> badCalls() {
    long[] row1Empty = {1, 1, 1, 0, 0, 0};
    return Stream.of(
        Arguments.of("a zero batch", call(() -> Pooling.MEAN.pool(HIDDEN, FULL, 0, 3, 2)),
            "batch, seq and hiddenSize must be >= 1, but are: 0, 3, 2"),
        Arguments.of("hidden states too short", call(() -> Pooling.MEAN.pool(HIDDEN, FULL, 2, 3, 3)),
            "hidden must have length batch*seq*hiddenSize=18, but has 12"),
        Arguments.of("null hidden states", call(() -> Pooling.MEAN.pool(null, FULL, 2, 3, 2)),
            "hidden must have length batch*seq*hiddenSize=12, but has null"),
        Arguments.of("a mask too short", call(() -> Pooling.MEAN.pool(HIDDEN, new long[5], 2, 3, 2)),
            "mask must have length batch*seq=6, but has 5"),
        Arguments.of("a null mask", call(() -> Pooling.MEAN.pool(HIDDEN, null, 2, 3, 2)),
            "mask must have length batch*seq=6, but has null"),
        Arguments.of("an output too short",
            call(() -> Pooling.MEAN.pool(HIDDEN, FULL, 2, 3, 2, new float[4], 1)),
            "out must hold 4 floats from offset 1, but has length 4"),
        Arguments.of("a null output", call(() -> Pooling.MEAN.pool(HIDDEN, FULL, 2, 3, 2, null, 0)),
            "out must hold 4 floats from offset 0, but has length null"),
        Arguments.of("last token of a row without tokens",
            call(() -> Pooling.LAST_TOKEN.pool(HIDDEN, row1Empty, 2, 3, 2)),
            "row 1 has no token (attention mask all 0)"),
        Arguments.of("cls of a row without tokens",
            call(() -> Pooling.CLS.pool(HIDDEN, row1Empty, 2, 3, 2)),
            "row 1 has no token (attention mask all 0)"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badCalls")
  void should_reject_bad_shapes_and_rows_without_tokens(
      String call, ThrowingCallable pooling, String message) {
    assertThatThrownBy(pooling)
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @ParameterizedTest
  @CsvSource({"cls, CLS", "CLS_token, CLS", "mean, MEAN", "mean_tokens, MEAN", " Mean , MEAN",
      "lasttoken, LAST_TOKEN", "last_token, LAST_TOKEN", "LAST-TOKEN, LAST_TOKEN", "max, MAX",
      "max_tokens, MAX", "mean_sqrt_len_tokens, MEAN_SQRT_LEN", "weightedmean, WEIGHTED_MEAN",
      "weightedmean_tokens, WEIGHTED_MEAN"})
  void should_parse_sentence_transformers_names(String name, Pooling expected) {
    assertThat(Pooling.parse(name)).isEqualTo(expected);
  }

  @Test
  void should_reject_unknown_pooling_names_and_list_the_valid_ones() {
    assertThatThrownBy(() -> Pooling.parse("min"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid pooling mode: min. Valid pooling modes are: [cls, mean, max, "
            + "mean_sqrt_len_tokens, weightedmean, lasttoken]");
    assertThatThrownBy(() -> Pooling.parse(null))
        .hasMessage("Invalid pooling mode: null. Valid pooling modes are: [cls, mean, max, "
            + "mean_sqrt_len_tokens, weightedmean, lasttoken]");
  }

  @Test
  void should_pool_max_mean_sqrt_len_and_weighted_mean_as_sentence_transformers_does() {
    // one row, three positions (the last is padding), two dimensions
    float[] hidden = {1, -4, 3, -2, 100, 100};
    long[] mask = {1, 1, 0};

    assertThat(Pooling.MAX.pool(hidden, mask, 1, 3, 2)).containsExactly(3f, -2f);
    // sum / sqrt(2)
    assertThat(Pooling.MEAN_SQRT_LEN.pool(hidden, mask, 1, 3, 2))
        .containsExactly(new float[] {4f / (float) Math.sqrt(2), -6f / (float) Math.sqrt(2)},
            org.assertj.core.data.Offset.offset(1e-6f));
    // weights 1 and 2: (1*1 + 2*3) / 3, (1*-4 + 2*-2) / 3
    assertThat(Pooling.WEIGHTED_MEAN.pool(hidden, mask, 1, 3, 2))
        .containsExactly(new float[] {7f / 3, -8f / 3}, org.assertj.core.data.Offset.offset(1e-6f));
  }
}
