package dev.gecko4j.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gecko4j.core.train.TrainingConfig;
import dev.gecko4j.onnx.Models;
import dev.gecko4j.train.lora.LoraConfig;
import dev.gecko4j.train.loss.ContrastiveLoss;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A training step's gradients do not depend on when the garbage collector runs. DJL's {@code
 * Number} overloads ({@code x.div(τ)}) free a scalar that autograd still reads in the backward
 * pass; before every scalar came from {@code Scalars}, a collection between forward and backward
 * turned gradients into garbage (norm 1e29) or NaN, and a resumed LoRA run ended elsewhere than
 * an uninterrupted one.
 */
class GradientsUnderGarbageCollectionTest {

  @Test
  void aStepsGradientsAreFiniteAndTheSameWhileTheCollectorRunsFlatOut(@TempDir Path tmp) throws Exception {
    // given a LoRA trainer (scaled adapter products, normalised embeddings, a Matryoshka InfoNCE
    // with temperature and hard negatives, GradCache micro-batches) and a thread that collects
    Thread collector = new Thread(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        System.gc();
        try {
          Thread.sleep(2);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "gc-hammer");
    collector.setDaemon(true);
    List<Double> norms = new ArrayList<>();
    try (GeckoTrainer trainer = GeckoTrainer.open(Models.BGE_SMALL_EN_V15.spec(), null, 0,
        LoraConfig.builder().rank(8).build())) {
      TrainingConfig config = GeckoTrainerTest.tiny(tmp).batchSize(4).microBatchSize(2).build();
      ContrastiveLoss loss = GeckoTrainer.lossOf(config);
      collector.start();
      // when the same batch's gradients are computed five times
      for (int i = 0; i < 5; i++) {
        norms.add(GeckoTrainer.globalNorm(
            trainer.computeGradients(GeckoTrainerTest.ROWS.subList(0, 4), loss, config).grads()));
      }
    } finally {
      collector.interrupt();
      collector.join();
    }
    // then every norm is finite, of the size a first step has, and all five agree
    assertThat(norms).allSatisfy(n -> assertThat(n).isFinite().isBetween(1e-3, 10.0));
    assertThat(norms).allSatisfy(n -> assertThat(n).isCloseTo(norms.get(0),
        org.assertj.core.data.Percentage.withPercentage(1e-4)));
  }
}
