package dev.gecko4j.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gecko4j.core.train.ContrastiveLoss.HardNegatives;
import dev.gecko4j.core.train.ContrastiveLoss.InfoNce;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tests the loss values users build and the config's two ways of naming a loss. */
class ContrastiveLossTest {

  @Test
  void should_name_gecko_in_batch_and_multiple_negatives_ranking_as_info_nce_settings() {
    assertThat(ContrastiveLoss.gecko(0.05)).isEqualTo(new InfoNce(0.05, HardNegatives.OWN_ROW, true, false));
    assertThat(ContrastiveLoss.inBatch(0.02)).isEqualTo(new InfoNce(0.02, HardNegatives.NONE, false, false));
    assertThat(ContrastiveLoss.multipleNegativesRanking(20))
        .isEqualTo(new InfoNce(0.05, HardNegatives.ALL_ROWS, false, false));
    assertThat(ContrastiveLoss.inBatch(0.05).usesNegatives()).isFalse();
    assertThat(ContrastiveLoss.gecko(0.05).withSymmetric(true).symmetric()).isTrue();
  }

  @Test
  void should_turn_the_enum_shorthand_into_the_equivalent_instance() {
    TrainingConfig gecko = builder().temperature(0.02).build();
    TrainingConfig mrl = builder().loss(TrainingConfig.Loss.IN_BATCH).matryoshkaDims(384, 128).build();

    assertThat(gecko.contrastiveLoss()).isEqualTo(ContrastiveLoss.gecko(0.02));
    assertThat(mrl.contrastiveLoss())
        .isEqualTo(ContrastiveLoss.matryoshka(ContrastiveLoss.inBatch(0.05), 384, 128));
    assertThat(gecko.lossFunction()).isNull();
  }

  @Test
  void should_take_a_composed_instance_and_keep_it_through_to_builder() {
    ContrastiveLoss loss = ContrastiveLoss.sum(
        ContrastiveLoss.term(ContrastiveLoss.matryoshka(ContrastiveLoss.gecko(0.02),
            new int[] {384, 256}, new double[] {1, 0.5}), 1.0),
        ContrastiveLoss.term(ContrastiveLoss.inBatch(0.05).withSymmetric(true), 0.25));

    TrainingConfig c = builder().loss(loss).build();

    assertThat(c.contrastiveLoss()).isEqualTo(loss);
    assertThat(c.contrastiveLoss().usesNegatives()).isTrue();
    assertThat(c.toBuilder().build()).isEqualTo(c);
    assertThat(c).isNotEqualTo(builder().build());
    assertThat(c.toBuilder().loss(TrainingConfig.Loss.GECKO).build().contrastiveLoss())
        .isEqualTo(ContrastiveLoss.gecko(0.05));
  }

  @Test
  void should_refuse_shorthand_settings_beside_an_instance() {
    assertThatThrownBy(() -> builder().loss(ContrastiveLoss.gecko(0.02)).temperature(0.01).build())
        .isExactlyInstanceOf(IllegalStateException.class)
        .hasMessage("temperature (0.01) belongs to the loss shorthand and cannot be combined with a"
            + " ContrastiveLoss instance: set it on the instance, e.g. ContrastiveLoss.gecko(0.01)");
    assertThatThrownBy(() -> builder().matryoshkaDims(256).loss(ContrastiveLoss.gecko(0.02)).build())
        .isExactlyInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("matryoshkaDims [256] belong to the loss shorthand");
    assertThatThrownBy(() -> builder().loss((ContrastiveLoss) null))
        .hasMessage("loss must be a ContrastiveLoss, but is: null");
  }

  @Test
  void should_reject_bad_values_naming_them() {
    assertThatThrownBy(() -> ContrastiveLoss.gecko(0)).isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("temperature must be in (0, 10], but is: 0.0");
    assertThatThrownBy(() -> ContrastiveLoss.multipleNegativesRanking(Double.NaN))
        .hasMessageStartingWith("scale must be finite and >= 0.1");
    assertThatThrownBy(() -> ContrastiveLoss.gecko(0.05).withHardNegatives(null))
        .hasMessage("hardNegatives must be one of [NONE, OWN_ROW, ALL_ROWS], but is: null");
    assertThatThrownBy(() -> ContrastiveLoss.matryoshka(ContrastiveLoss.gecko(0.05)))
        .hasMessage("dims must name at least one dimension, but is: []");
    assertThatThrownBy(() -> ContrastiveLoss.matryoshka(ContrastiveLoss.gecko(0.05), 256, 256))
        .hasMessage("dims must be distinct, but are: [256, 256]");
    assertThatThrownBy(() -> ContrastiveLoss.matryoshka(ContrastiveLoss.gecko(0.05), 0))
        .hasMessage("dims must be >= 1, but contain: 0");
    assertThatThrownBy(() -> ContrastiveLoss.matryoshka(ContrastiveLoss.gecko(0.05),
        new int[] {256}, new double[] {1, 2}))
        .hasMessage("weights must have one entry per dim (1), but has 2");
    assertThatThrownBy(() -> ContrastiveLoss.matryoshka(null, 256)).hasMessage("inner must not be null");
    assertThatThrownBy(() -> ContrastiveLoss.term(ContrastiveLoss.gecko(0.05), -1))
        .hasMessage("weight must be finite and >= 0, but is: -1.0");
    assertThatThrownBy(() -> new ContrastiveLoss.WeightedSum(List.of()))
        .hasMessage("terms must name at least one loss, but is: []");
  }

  private static TrainingConfig.Builder builder() {
    return TrainingConfig.builder("bge-small-en-v1.5", Path.of("out"));
  }
}
