package dev.gecko4j.train;

import static dev.gecko4j.core.train.ContrastiveLoss.gecko;
import static dev.gecko4j.core.train.ContrastiveLoss.matryoshka;
import static dev.gecko4j.core.train.ContrastiveLoss.multipleNegativesRanking;
import static dev.gecko4j.core.train.ContrastiveLoss.sum;
import static dev.gecko4j.core.train.ContrastiveLoss.term;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import dev.gecko4j.core.train.ContrastiveLoss;
import dev.gecko4j.core.train.TrainingConfig;
import dev.gecko4j.core.train.TrainingResult;
import dev.gecko4j.train.djl.DjlContrastiveLoss;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trainer takes a user's {@link ContrastiveLoss} instance, through GradCache too. */
@Tag("jdk-independent") // JDK 17 only: see the root pom's jdk25 execution
class LossInstanceTrainingTest {

  /** A margin loss on the row's own negative: mean(max(0, 0.2 - s(q,p) + s(q,n))). */
  static final DjlContrastiveLoss MARGIN = new DjlContrastiveLoss() {
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

  /** MNRL under Matryoshka with weights, plus the engine-level margin loss. */
  static final ContrastiveLoss LOSS = sum(
      term(matryoshka(multipleNegativesRanking(20), new int[] {384, 128}, new double[] {1, 0.5}), 1),
      term(MARGIN, 0.5));

  static GeckoTrainer trainer;

  @BeforeAll
  static void open() throws Exception {
    trainer = new GeckoTrainer(TrainableEncoder.bgeSmall(), null, null);
  }

  @AfterAll
  static void close() {
    trainer.close();
  }

  static TrainingConfig.Builder config(Path out) {
    return TrainingConfig.builder("bge-small-en-v1.5", out).steps(1).batchSize(4).microBatchSize(4)
        .learningRate(5e-5).warmupSteps(0).queryMaxLength(16).passageMaxLength(16).seed(1)
        .resume(false).loss(LOSS);
  }

  @Test
  void should_give_the_same_gradients_with_and_without_grad_cache() {
    // given the full batch at once, and micro-batches of 2 (GradCache)
    TrainingConfig whole = config(Path.of("unused")).build();
    TrainingConfig cached = config(Path.of("unused")).microBatchSize(2).build();

    // when
    GeckoTrainer.StepResult a = trainer.computeGradients(GeckoTrainerTest.ROWS, GeckoTrainer.lossOf(whole), whole);
    GeckoTrainer.StepResult b = trainer.computeGradients(GeckoTrainerTest.ROWS, GeckoTrainer.lossOf(cached), cached);

    // then
    assertThat(a.loss()).isFinite().isPositive();
    assertThat(b.loss()).isCloseTo(a.loss(), org.assertj.core.data.Offset.offset(1e-5));
    double norm = GeckoTrainer.globalNorm(a.grads());
    assertThat(norm).isPositive();
    double diff = 0;
    for (Map.Entry<String, float[]> e : a.grads().entrySet()) {
      float[] g = b.grads().get(e.getKey());
      for (int i = 0; i < g.length; i++) {
        double d = g[i] - e.getValue()[i];
        diff += d * d;
      }
    }
    assertThat(Math.sqrt(diff) / norm).isLessThan(1e-3);
  }

  @Test
  void should_train_with_the_instance_given_to_the_config(@TempDir Path out) {
    TrainingResult r = trainer.train(config(out).build(), GeckoTrainerTest.data(), null);

    assertThat(r.steps()).isEqualTo(1);
    assertThat(r.skippedSteps()).isZero();
    assertThat(r.finalLoss()).isFinite().isPositive();
  }

  @Test
  void should_refuse_a_matryoshka_dimension_wider_than_the_model_before_training(@TempDir Path out) {
    TrainingConfig wide = config(out).loss(matryoshka(gecko(0.05), 512)).build();

    assertThatThrownBy(() -> trainer.train(wide, GeckoTrainerTest.data(), null))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("matryoshkaDims must be at most the embedding dimension 384, but contain: 512");
  }
}
