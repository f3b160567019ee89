package dev.gecko4j.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gecko4j.core.train.TrainingConfig;
import dev.gecko4j.core.train.TrainingExample;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A GradCache step with rows bucketed by length has the loss and gradients of the unbucketed
 * step, and a step with bf16 matrix products has float32 gradients close to the fp32 step's.
 */
@Tag("jdk-independent") // JDK 17 only: see the root pom's jdk25 execution
class StepPrecisionAndBucketsTest {

  /** Short and long texts mixed, so unbucketed chunks pad short rows to long ones. */
  private static final List<TrainingExample> BATCH = List.of(
      new TrainingExample("what do geckos eat?",
          "Geckos are small, mostly nocturnal lizards found in warm climates. Most species eat insects,"
              + " spiders and other invertebrates; some lick nectar or eat ripe fruit.", "Paris is in France."),
      new TrainingExample("capital of France", "Paris is the capital and largest city of France.",
          "Lizards are a widespread group of squamate reptiles, with over 7,000 species, ranging across all"
              + " continents except Antarctica, as well as most oceanic island chains."),
      new TrainingExample("does vitamin D prevent fractures in older adults living at home, according to trials?",
          "Vitamin D did not reduce fractures.", "Calcium intake and bone density in adolescents."),
      new TrainingExample("insulin", "Insulin is a peptide hormone produced by beta cells of the pancreatic islets"
          + " and the main anabolic hormone of the body; it regulates the metabolism of carbohydrates, fats"
          + " and protein by promoting the absorption of glucose from the blood.", "Glucagon raises blood sugar."),
      new TrainingExample("speed of light", "About 300,000 km per second.",
          "Sound travels at about 343 metres per second in dry air at 20 degrees Celsius."),
      new TrainingExample("how are proteins folded inside the cell and what helps them fold correctly?",
          "Chaperones assist protein folding.", "DNA replication is semi-conservative."));

  @Test
  void should_give_the_same_loss_and_gradients_with_and_without_length_buckets(@TempDir Path out) throws Exception {
    try (GeckoTrainer trainer = GeckoTrainer.open("bge-small-en-v1.5")) {
      TrainingConfig config = config(out);
      trainer.lengthBuckets(false);
      GeckoTrainer.StepResult plain = trainer.computeGradients(BATCH, GeckoTrainer.lossOf(config), config);
      trainer.lengthBuckets(true);
      GeckoTrainer.StepResult bucketed = trainer.computeGradients(BATCH, GeckoTrainer.lossOf(config), config);

      assertThat(bucketed.loss()).isCloseTo(plain.loss(), org.assertj.core.data.Offset.offset(1e-5));
      assertThat(relativeDifference(bucketed.grads(), plain.grads())).isLessThan(1e-3);
      // and the bucketed chunks pad less: fewer model FLOPs for the same rows
      assertThat(bucketed.flops()).isLessThan(plain.flops());
    }
  }

  @Test
  void should_compute_float32_gradients_close_to_fp32_with_bf16_products(@TempDir Path out) throws Exception {
    try (GeckoTrainer trainer = GeckoTrainer.open("bge-small-en-v1.5")) {
      TrainingConfig config = config(out);
      GeckoTrainer.StepResult fp32 = trainer.computeGradients(BATCH, GeckoTrainer.lossOf(config), config);
      trainer.encoder().useMatmulPrecision(MatmulPrecision.BF16);
      GeckoTrainer.StepResult bf16 = trainer.computeGradients(BATCH, GeckoTrainer.lossOf(config), config);

      assertThat(bf16.loss()).isCloseTo(fp32.loss(), org.assertj.core.data.Offset.offset(0.02 * fp32.loss()));
      assertThat(cosine(bf16.grads(), fp32.grads())).isGreaterThan(0.99);
      // the master weights and their gradients stay float32 arrays of the same shapes
      assertThat(bf16.grads().keySet()).containsExactlyElementsOf(fp32.grads().keySet());
    }
  }

  private static TrainingConfig config(Path out) {
    return TrainingConfig.builder("bge-small-en-v1.5", out).steps(1).batchSize(BATCH.size()).microBatchSize(2)
        .warmupSteps(0).queryMaxLength(32).passageMaxLength(64).matryoshkaDims(384, 128).build();
  }

  private static double relativeDifference(Map<String, float[]> a, Map<String, float[]> b) {
    double diff = 0;
    double norm = 0;
    for (Map.Entry<String, float[]> e : a.entrySet()) {
      float[] x = e.getValue();
      float[] y = b.get(e.getKey());
      for (int i = 0; i < x.length; i++) {
        diff += (double) (x[i] - y[i]) * (x[i] - y[i]);
        norm += (double) y[i] * y[i];
      }
    }
    return Math.sqrt(diff / norm);
  }

  private static double cosine(Map<String, float[]> a, Map<String, float[]> b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (Map.Entry<String, float[]> e : a.entrySet()) {
      float[] x = e.getValue();
      float[] y = b.get(e.getKey());
      for (int i = 0; i < x.length; i++) {
        dot += (double) x[i] * y[i];
        na += (double) x[i] * x[i];
        nb += (double) y[i] * y[i];
      }
    }
    return dot / Math.sqrt(na * nb);
  }
}
