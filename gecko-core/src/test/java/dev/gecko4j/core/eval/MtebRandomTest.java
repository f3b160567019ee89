package dev.gecko4j.core.eval;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * numpy's legacy generator and CPython's {@code random} reproduced bit for bit: the expected
 * values were printed by numpy ({@code np.random.seed(42)}) and CPython 3.11
 * ({@code random.Random(42)}).
 */
class MtebRandomTest {

  @Test
  void numpy_shuffle_seeded_42_gives_numpys_permutation() {
    int[] idx = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    new NumpyRandom(42).shuffle(idx);
    assertThat(idx).containsExactly(8, 1, 5, 0, 7, 2, 9, 4, 3, 6);
  }

  @Test
  void numpy_randint_random_sample_choice_and_permutation_follow_one_stream() {
    NumpyRandom r = new NumpyRandom(42);
    // np.random.randint(0, 1000, 5), random_sample(), choice(3, p=[.2, .5, .3]), permutation(6)
    assertThat(new int[] {r.randint(1000), r.randint(1000), r.randint(1000), r.randint(1000),
        r.randint(1000)}).containsExactly(102, 435, 860, 270, 106);
    assertThat(r.randomSample()).isEqualTo(0.7796910002727693);
    assertThat(r.choice(new double[] {0.2, 0.5, 0.3})).isEqualTo(1);
    assertThat(r.permutation(6)).containsExactly(5, 0, 3, 4, 2, 1);
  }

  @Test
  void numpy_shuffle_of_banking77_sized_array_matches_numpy_at_both_ends() {
    int[] idx = new int[10_003];
    for (int i = 0; i < idx.length; i++) {
      idx[i] = i;
    }
    new NumpyRandom(42).shuffle(idx);
    assertThat(new int[] {idx[0], idx[1], idx[2], idx[3], idx[4]})
        .containsExactly(6883, 5836, 8601, 2545, 8697);
    assertThat(new int[] {idx[10_000], idx[10_001], idx[10_002]}).containsExactly(5390, 860, 7270);
  }

  @Test
  void python_sample_choices_and_random_continue_cpythons_stream() {
    PythonRandom r = new PythonRandom(42);
    int[] sample = r.sample(1004, 1004);
    assertThat(java.util.Arrays.copyOf(sample, 8)).containsExactly(654, 114, 25, 759, 281, 250,
        228, 142);
    assertThat(java.util.Arrays.stream(sample).distinct().count()).isEqualTo(1004);
    assertThat(r.choices(1004, 8)).containsExactly(71, 234, 265, 794, 592, 807, 198, 115);
    assertThat(r.random()).isEqualTo(0.22480945026602384);
  }
}
