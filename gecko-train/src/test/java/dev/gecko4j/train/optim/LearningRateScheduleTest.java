package dev.gecko4j.train.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The linear warm-up and decay schedule against hand computations. */
class LearningRateScheduleTest {

  @Test
  void should_warm_up_linearly_peak_after_warm_up_and_decay_to_zero_at_the_last_step() {
    // given peak 1e-3, 4 warm-up steps of 10
    LearningRateSchedule s = new LearningRateSchedule(1e-3, 4, 10);

    // then warm-up: peak·(step+1)/5
    assertThat(s.at(0)).isCloseTo(2e-4, within(1e-15));
    assertThat(s.at(1)).isCloseTo(4e-4, within(1e-15));
    assertThat(s.at(3)).isCloseTo(8e-4, within(1e-15));
    // then decay: peak·(10-step)/6
    assertThat(s.at(4)).isCloseTo(1e-3, within(1e-15));
    assertThat(s.at(7)).isCloseTo(5e-4, within(1e-15));
    assertThat(s.at(9)).isCloseTo(1e-3 / 6, within(1e-15));
    assertThat(s.at(10)).isZero();
    assertThat(s.at(1000)).isZero();
  }

  @Test
  void should_start_at_the_peak_without_warm_up_and_stay_below_it_when_warm_up_takes_every_step() {
    LearningRateSchedule none = new LearningRateSchedule(0.5, 0, 4);
    assertThat(none.at(0)).isEqualTo(0.5);
    assertThat(none.at(3)).isEqualTo(0.125);

    LearningRateSchedule all = new LearningRateSchedule(0.6, 5, 5);
    assertThat(all.at(4)).isCloseTo(0.5, within(1e-15));
    assertThat(all.at(5)).isZero();
  }

  @Test
  void should_reject_values_out_of_range_naming_them() {
    assertThatThrownBy(() -> new LearningRateSchedule(0, 0, 1)).hasMessageContaining("peak must be finite and > 0, but is: 0.0");
    assertThatThrownBy(() -> new LearningRateSchedule(Double.NaN, 0, 1)).hasMessageContaining("but is: NaN");
    assertThatThrownBy(() -> new LearningRateSchedule(Double.POSITIVE_INFINITY, 0, 1)).hasMessageContaining("Infinity");
    assertThatThrownBy(() -> new LearningRateSchedule(1, 0, 0)).hasMessageContaining("but are: 0, 0");
    assertThatThrownBy(() -> new LearningRateSchedule(1, -1, 5)).hasMessageContaining("but are: -1, 5");
    assertThatThrownBy(() -> new LearningRateSchedule(1, 6, 5)).hasMessageContaining("but are: 6, 5");
    LearningRateSchedule s = new LearningRateSchedule(1, 0, 5);
    assertThatThrownBy(() -> s.at(-1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("step must be >= 0, but is: -1");
  }
}
