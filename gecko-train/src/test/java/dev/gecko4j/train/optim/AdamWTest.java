package dev.gecko4j.train.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** AdamW against hand computations and a double-precision transcription of torch.optim.AdamW. */
class AdamWTest {
  static final Map<String, Boolean> DECAYED = Map.of("w", true, "b", false);

  static Map<String, float[]> of(float[] w, float[] b) {
    Map<String, float[]> m = new LinkedHashMap<>();
    m.put("w", w);
    m.put("b", b);
    return m;
  }

  @Test
  void should_take_two_steps_as_computed_by_hand() {
    // given w (decayed) and b (not decayed), lr 0.1, weight decay 0.01
    Map<String, float[]> p = of(new float[] {1.0f, -2.0f}, new float[] {0.5f});
    AdamW opt = new AdamW(0.01);

    // when step 1: g_w = (0.5, -0.1), g_b = 2
    opt.step(p, of(new float[] {0.5f, -0.1f}, new float[] {2.0f}), DECAYED, 0.1);

    // then m̂ = g, v̂ = g², so each update is lr·sign(g); w also shrinks by (1 - lr·wd) = 0.999
    assertThat(p.get("w")[0]).isCloseTo(1.0f * 0.999f - 0.1f, within(1e-6f)); // 0.899
    assertThat(p.get("w")[1]).isCloseTo(-2.0f * 0.999f + 0.1f, within(1e-6f)); // -1.898
    assertThat(p.get("b")[0]).isCloseTo(0.4f, within(1e-6f));
    assertThat(opt.firstMoments().get("w")).containsExactly(new float[] {0.05f, -0.01f}, within(1e-7f));
    assertThat(opt.secondMoments().get("w")).containsExactly(new float[] {0.00025f, 0.00001f}, within(1e-8f));

    // when step 2: the same g_w, and g_b = -2
    opt.step(p, of(new float[] {0.5f, -0.1f}, new float[] {-2.0f}), DECAYED, 0.1);

    // then for w: m = 0.095, bias-corrected 0.095 / 0.19 = 0.5; v̂ = 0.00049975 / 0.001999 = 0.25
    // (within 5e-6: the optimizer runs in float32, where 1 − β2 is 0.00099998713)
    assertThat(p.get("w")[0]).isCloseTo(0.899f * 0.999f - 0.1f, within(5e-6f)); // 0.798101
    // for b: m = 0.9·0.2 − 0.2 = −0.02, m̂ = −0.02 / 0.19; v = 0.007996, v̂ = 4, √v̂ = 2
    assertThat(p.get("b")[0]).isCloseTo((float) (0.4 + 0.1 * (0.02 / 0.19) / 2), within(5e-6f)); // 0.4052632
    assertThat(opt.steps()).isEqualTo(2);
  }

  @Test
  void should_match_a_double_precision_transcription_of_torch_adamw_over_many_steps() {
    // given
    Random r = new Random(3);
    int n = 257;
    float[] w = new float[n];
    double[] ref = new double[n];
    for (int i = 0; i < n; i++) {
      w[i] = (float) r.nextGaussian();
      ref[i] = w[i];
    }
    double[] m = new double[n];
    double[] v = new double[n];
    AdamW opt = new AdamW(0.1);
    Map<String, float[]> p = new LinkedHashMap<>();
    p.put("w", w);

    // when
    for (int t = 1; t <= 50; t++) {
      double lr = 1e-2 * (1 + t % 3);
      float[] g = new float[n];
      for (int i = 0; i < n; i++) {
        g[i] = (float) (r.nextGaussian() * (i % 5 == 0 ? 1e-3 : 1));
      }
      opt.step(p, Map.of("w", g), Map.of("w", true), lr);
      for (int i = 0; i < n; i++) { // torch.optim.AdamW, decoupled decay first
        ref[i] *= 1 - lr * 0.1;
        m[i] = 0.9 * m[i] + 0.1 * g[i];
        v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i];
        double mHat = m[i] / (1 - Math.pow(0.9, t));
        double vHat = v[i] / (1 - Math.pow(0.999, t));
        ref[i] -= lr * mHat / (Math.sqrt(vHat) + 1e-8);
      }
    }

    // then
    for (int i = 0; i < n; i++) {
      assertThat((double) w[i]).as("w[%d]", i).isCloseTo(ref[i], within(1e-5 * (1 + Math.abs(ref[i]))));
    }
  }

  @Test
  void should_leave_parameters_unchanged_at_learning_rate_zero() {
    Map<String, float[]> p = of(new float[] {1.5f, -0.25f}, new float[] {3f});
    new AdamW(0.5).step(p, of(new float[] {1f, 1f}, new float[] {1f}), DECAYED, 0);

    assertThat(p.get("w")).containsExactly(1.5f, -0.25f);
    assertThat(p.get("b")).containsExactly(3f);
  }

  @ParameterizedTest
  @ValueSource(doubles = {-0.01, 1.5, Double.NaN})
  void should_reject_a_weight_decay_outside_zero_to_one(double wd) {
    assertThatThrownBy(() -> new AdamW(wd)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("weightDecay must be in [0, 1], but is: " + wd);
  }

  @ParameterizedTest
  @ValueSource(doubles = {-1e-3, Double.NaN})
  void should_reject_a_negative_or_nan_learning_rate(double lr) {
    Map<String, float[]> p = of(new float[] {1f, 1f}, new float[] {1f});
    assertThatThrownBy(() -> new AdamW(0).step(p, of(new float[2], new float[1]), DECAYED, lr))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lr must be >= 0, but is: " + lr);
  }

  @Test
  void should_name_a_parameter_whose_gradient_is_missing_or_of_another_length() {
    Map<String, float[]> p = of(new float[] {1f, 1f}, new float[] {1f});
    AdamW opt = new AdamW(0);

    assertThatThrownBy(() -> opt.step(p, Map.of("w", new float[2]), DECAYED, 0.1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("gradient of 'b' must have 1 values, but has none");
    assertThatThrownBy(() -> opt.step(p, of(new float[3], new float[1]), DECAYED, 0.1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("gradient of 'w' must have 2 values, but has 3");
  }
}
