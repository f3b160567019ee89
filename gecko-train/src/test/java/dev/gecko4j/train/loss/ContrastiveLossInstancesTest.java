package dev.gecko4j.train.loss;

import static dev.gecko4j.train.loss.LossReferenceTest.B;
import static dev.gecko4j.train.loss.LossReferenceTest.D;
import static dev.gecko4j.train.loss.LossReferenceTest.TAU;
import static dev.gecko4j.train.loss.LossReferenceTest.assertMatchesReference;
import static dev.gecko4j.train.loss.LossReferenceTest.cos;
import static dev.gecko4j.train.loss.LossReferenceTest.geckoRef;
import static dev.gecko4j.train.loss.LossReferenceTest.infoNceRef;
import static dev.gecko4j.train.loss.LossReferenceTest.manager;
import static dev.gecko4j.train.loss.LossReferenceTest.random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.gecko4j.core.train.ContrastiveLoss.HardNegatives;
import dev.gecko4j.core.train.TrainingConfig;
import dev.gecko4j.train.djl.DjlContrastiveLoss;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The public {@link dev.gecko4j.core.train.ContrastiveLoss} values as the trainer computes them
 * ({@link Losses#of}): the enum shorthand gives the loss it gave before, and every new setting
 * equals a scalar reference of its formula in value and gradient.
 */
class ContrastiveLossInstancesTest {
  static final int BIG_B = 16;
  static final int BIG_D = 384;

  @BeforeAll
  static void start() {
    LossReferenceTest.start();
  }

  @AfterAll
  static void stop() {
    LossReferenceTest.stop();
  }

  /** A float32 batch, as the trainer hands the loss: 16 rows of 384 dimensions. */
  static NDArray[] float32Batch(NDManager m, long seed) {
    Random r = new Random(seed);
    NDArray[] x = new NDArray[3];
    for (int k = 0; k < 3; k++) {
      float[] v = new float[BIG_B * BIG_D];
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) r.nextGaussian();
      }
      x[k] = m.create(v, new Shape(BIG_B, BIG_D));
    }
    return x;
  }

  static double value(ContrastiveLoss loss, NDArray[] batch) {
    return loss.compute(batch[0], batch[1], loss.usesNegatives() ? batch[2] : null).getFloat();
  }

  static TrainingConfig.Builder config() {
    return TrainingConfig.builder("bge-small-en-v1.5", Path.of("out"));
  }

  @Test
  void should_give_the_enum_shorthands_the_loss_values_of_the_losses_they_named_before() {
    try (NDManager m = manager.newSubManager()) {
      NDArray[] batch = float32Batch(m, 5);
      // before: GeckoTrainer.lossOf built these from the enum
      ContrastiveLoss oldGecko = new GeckoLoss(0.02);
      ContrastiveLoss oldInBatch = GeckoLoss.inBatchInfoNce(0.05);
      ContrastiveLoss oldMrl = new MatryoshkaLoss(new GeckoLoss(0.05), 384, 256, 64);

      double gecko = value(Losses.of(config().loss(TrainingConfig.Loss.GECKO).temperature(0.02).build()
          .contrastiveLoss()), batch);
      double inBatch = value(Losses.of(config().loss(TrainingConfig.Loss.IN_BATCH).build()
          .contrastiveLoss()), batch);
      double mrl = value(Losses.of(config().matryoshkaDims(384, 256, 64).build().contrastiveLoss()), batch);

      assertThat(gecko).isCloseTo(value(oldGecko, batch), offset(1e-6));
      assertThat(inBatch).isCloseTo(value(oldInBatch, batch), offset(1e-6));
      assertThat(mrl).isCloseTo(value(oldMrl, batch), offset(1e-6));
      // and the explicit instances are the same losses
      assertThat(value(Losses.of(dev.gecko4j.core.train.ContrastiveLoss.gecko(0.02)), batch))
          .isCloseTo(gecko, offset(1e-6));
    }
  }

  /** sentence-transformers' MultipleNegativesRankingLoss: every row's negative is a candidate. */
  static double mnrlRef(double[][] q, double[][] p, double[][] n, double tau) {
    double total = 0;
    for (int i = 0; i < q.length; i++) {
      double den = 0;
      for (int j = 0; j < q.length; j++) {
        den += Math.exp(cos(q, i, p, j, D) / tau) + Math.exp(cos(q, i, n, j, D) / tau);
      }
      total += -Math.log(Math.exp(cos(q, i, p, i, D) / tau) / den);
    }
    return total / q.length;
  }

  /** The document→query direction of MultipleNegativesSymmetricRankingLoss. */
  static double backwardRef(double[][] q, double[][] p, double tau) {
    double total = 0;
    for (int i = 0; i < q.length; i++) {
      double den = 0;
      for (int j = 0; j < q.length; j++) {
        den += Math.exp(cos(p, i, q, j, D) / tau);
      }
      total += -Math.log(Math.exp(cos(p, i, q, i, D) / tau) / den);
    }
    return total / q.length;
  }

  @Test
  void should_compute_multiple_negatives_ranking_with_every_rows_negative() {
    Random r = new Random(17);
    assertMatchesReference(Losses.of(dev.gecko4j.core.train.ContrastiveLoss.multipleNegativesRanking(1 / TAU)),
        random(r), random(r), random(r), (q, p, n) -> mnrlRef(q, p, n, TAU));
  }

  @Test
  void should_average_in_the_document_to_query_direction_when_symmetric() {
    Random r = new Random(19);
    assertMatchesReference(Losses.of(dev.gecko4j.core.train.ContrastiveLoss.inBatch(TAU).withSymmetric(true)),
        random(r), random(r), null, (q, p, none) -> (infoNceRef(q, p, TAU, D) + backwardRef(q, p, TAU)) / 2);
  }

  @Test
  void should_compute_gecko_as_eq_3_through_the_general_info_nce() {
    Random r = new Random(23);
    assertMatchesReference(Losses.of(dev.gecko4j.core.train.ContrastiveLoss.gecko(TAU)),
        random(r), random(r), random(r), (q, p, n) -> geckoRef(q, p, n, TAU, D));
  }

  @Test
  void should_add_weighted_terms_and_nest_matryoshka_inside() {
    Random r = new Random(29);
    dev.gecko4j.core.train.ContrastiveLoss loss = dev.gecko4j.core.train.ContrastiveLoss.sum(
        dev.gecko4j.core.train.ContrastiveLoss.term(dev.gecko4j.core.train.ContrastiveLoss.matryoshka(
            dev.gecko4j.core.train.ContrastiveLoss.gecko(TAU), new int[] {6, 3}, new double[] {1, 0.5}), 1.0),
        dev.gecko4j.core.train.ContrastiveLoss.term(dev.gecko4j.core.train.ContrastiveLoss.inBatch(TAU), 0.25));
    assertMatchesReference(Losses.of(loss), random(r), random(r), random(r),
        (q, p, n) -> geckoRef(q, p, n, TAU, 6) + 0.5 * geckoRef(q, p, n, TAU, 3)
            + 0.25 * infoNceRef(q, p, TAU, D));
  }

  @Test
  void should_run_a_users_engine_level_loss_inside_matryoshka() {
    // a margin loss on the row's own negative: mean(max(0, 0.2 - s(q,p) + s(q,n)))
    DjlContrastiveLoss margin = new DjlContrastiveLoss() {
      @Override
      public boolean usesNegatives() {
        return true;
      }

      @Override
      public NDArray compute(NDArray q, NDArray p, NDArray n) {
        NDArray qn = q.div(q.norm(new int[] {1}, true));
        NDArray sp = qn.mul(p.div(p.norm(new int[] {1}, true))).sum(new int[] {1});
        NDArray sn = qn.mul(n.div(n.norm(new int[] {1}, true))).sum(new int[] {1});
        return sn.sub(sp).add(0.2).maximum(0).mean();
      }
    };
    LossReferenceTest.Reference ref = (q, p, n) -> {
      double total = 0;
      for (int i = 0; i < B; i++) {
        total += Math.max(0, 0.2 - cos(q, i, p, i, 4) + cos(q, i, n, i, 4));
      }
      return total / B;
    };
    Random r = new Random(31);
    assertMatchesReference(Losses.of(dev.gecko4j.core.train.ContrastiveLoss.matryoshka(margin, 4)),
        random(r), random(r), random(r), ref);
  }

  @Test
  void should_reject_a_loss_it_cannot_compute_and_dims_the_model_lacks() {
    dev.gecko4j.core.train.ContrastiveLoss alien = () -> false;
    assertThatThrownBy(() -> Losses.of(alien)).isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("the trainer computes ContrastiveLoss.InfoNce, Matryoshka and"
            + " WeightedSum values and dev.gecko4j.train.djl.DjlContrastiveLoss implementations,"
            + " but got: ");
    dev.gecko4j.core.train.ContrastiveLoss tooWide = dev.gecko4j.core.train.ContrastiveLoss.sum(
        dev.gecko4j.core.train.ContrastiveLoss.term(dev.gecko4j.core.train.ContrastiveLoss.matryoshka(
            dev.gecko4j.core.train.ContrastiveLoss.gecko(0.05), 256, 768), 1));
    assertThatThrownBy(() -> Losses.checkDimensions(tooWide, 384))
        .hasMessage("matryoshkaDims must be at most the embedding dimension 384, but contain: 768");
    assertThat(new InfoNceLoss(dev.gecko4j.core.train.ContrastiveLoss.gecko(0.05)
        .withHardNegatives(HardNegatives.NONE)).usesNegatives()).isFalse();
  }

}
