package dev.gecko4j.onnx.lm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Behaviour of {@link Sampling} on hand-made logits. */
class SamplingTest {

  private static final float[] LOGITS = {9f, 1f, 3f, 2f, 3f, 0f}; // one row at base 1: 1 3 2 3 0

  @Test
  void should_pick_the_first_largest_logit_greedily() {
    assertThat(Sampling.argmax(LOGITS, 1, 5)).isEqualTo(1);
  }

  @Test
  void should_give_log_probabilities_that_sum_to_one() {
    double sum = 0;
    for (int t = 0; t < 5; t++) {
      sum += Math.exp(Sampling.logSoftmaxAt(LOGITS, 1, 5, t));
    }
    assertThat(sum).isCloseTo(1.0, within(1e-12));
    // log softmax of [1, 3, 2, 3, 0] at token 0, by hand
    double z = Math.exp(1) + 2 * Math.exp(3) + Math.exp(2) + Math.exp(0);
    assertThat(Sampling.logSoftmaxAt(LOGITS, 1, 5, 0)).isCloseTo(1 - Math.log(z), within(1e-12));
  }

  @Test
  void should_sample_only_inside_the_top_p_nucleus() {
    // given: tokens 1 and 3 (logit 3) hold most of the mass at a low temperature
    SplittableRandom rng = new SplittableRandom(42);

    // when / then
    for (int i = 0; i < 200; i++) {
      assertThat(Sampling.sample(LOGITS, 1, 5, 0.5, 0.9, rng)).isIn(1, 3);
    }
  }

  @Test
  void should_sample_reproducibly_for_a_seed() {
    int[] a = new int[50];
    int[] b = new int[50];
    SplittableRandom r1 = new SplittableRandom(7);
    SplittableRandom r2 = new SplittableRandom(7);
    for (int i = 0; i < 50; i++) {
      a[i] = Sampling.sample(LOGITS, 1, 5, 1.0, 1.0, r1);
      b[i] = Sampling.sample(LOGITS, 1, 5, 1.0, 1.0, r2);
    }
    assertThat(a).containsExactly(b);
  }
}
