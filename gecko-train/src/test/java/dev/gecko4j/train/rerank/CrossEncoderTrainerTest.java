package dev.gecko4j.train.rerank;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.gecko4j.core.rerank.RelevanceScores;
import dev.gecko4j.core.rerank.ScoreScale;
import dev.gecko4j.onnx.OnnxCrossEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cross-encoder trainer on the bundled bge-small-en-v1.5's real weights: a few real steps,
 * the export reloaded by {@link OnnxCrossEncoder}, and resume. Short pairs and a short maximum
 * length keep it to seconds; the quality of the recipe is measured by {@code gecko train --recipe
 * scifact-reranker} and {@code gecko evaluate --rerank} (BENCHMARKS.md), not here.
 */
class CrossEncoderTrainerTest {

  static final String QUERY = "Vitamin D deficiency raises the risk of death in adults.";
  static final List<RerankExample> GROUPS = List.of(
      RerankExample.of(QUERY,
          "Low serum vitamin D was associated with higher all-cause mortality in a cohort of adults.",
          List.of("Geckos are small lizards that eat insects.",
              "The stock market fell sharply on Tuesday after the announcement.")),
      RerankExample.of("Aspirin lowers the risk of colorectal cancer.",
          "Daily aspirin reduced colorectal cancer incidence in long-term trials.",
          List.of("Paris is the capital of France.", "Vitamin D is made in the skin.")));

  @TempDir Path dir;

  static CrossEncoderConfig.Builder config(Path out, int steps) {
    return CrossEncoderConfig.builder(out).steps(steps).groupsPerStep(2).maxLength(48)
        .learningRate(1e-4).warmupSteps(0).checkpointEvery(0);
  }

  @Test
  void should_serve_the_exported_folder_with_the_trainers_own_scores() throws Exception {
    try (CrossEncoderTrainer t = CrossEncoderTrainer.open("bge-small-en-v1.5", 48, 7)) {
      // given a model trained for two real steps (so encoder and head differ from the base)
      t.train(config(dir.resolve("run"), 2).build(), GROUPS, null);
      Path folder = dir.resolve("run/model");

      // when the exported folder is served by the ONNX cross-encoder
      try (OnnxCrossEncoder ce = OnnxCrossEncoder.builder().modelFolder(folder).build()) {
        assertThat(ce.labels()).containsExactly("LABEL_0");
        assertThat(ce.declaredScale()).isEqualTo(ScoreScale.PROBABILITY);
        assertThat(ce.maxLength()).isEqualTo(48);
        for (RerankExample g : GROUPS) {
          double[] trained = t.score(g.query(), g.passages(), 2);
          RelevanceScores served = ce.score(g.query(), g.passages());
          // then each served logit equals the trainer's (a long passage is cut the same way)
          for (int i = 0; i < trained.length; i++) {
            assertThat(served.logit(i)).as("pair %d", i).isCloseTo(trained[i], within(1e-4));
          }
        }
      }
      String config = Files.readString(folder.resolve("config.json"), StandardCharsets.UTF_8);
      assertThat(config).contains("BertForSequenceClassification")
          .contains("torch.nn.modules.activation.Sigmoid");
    }
  }

  @Test
  void should_rank_the_positive_first_after_training_on_its_group() throws Exception {
    try (CrossEncoderTrainer t = CrossEncoderTrainer.open("bge-small-en-v1.5", 48, 7)) {
      t.train(config(dir.resolve("fit"), 12).learningRate(2e-4).build(), GROUPS, null);
      for (RerankExample g : GROUPS) {
        double[] s = t.score(g.query(), g.passages(), 3);
        assertThat(s[0]).as("positive over negatives of '%s'", g.query())
            .isGreaterThan(Math.max(s[1], s[2]));
      }
    }
  }

  @Test
  void should_resume_from_a_checkpoint_to_the_weights_of_an_uninterrupted_run() throws Exception {
    // given an uninterrupted two-step run
    float[] whole;
    try (CrossEncoderTrainer t = CrossEncoderTrainer.open("bge-small-en-v1.5", 48, 7)) {
      t.train(config(dir.resolve("whole"), 2).groupsPerStep(1).build(), GROUPS, null);
      whole = t.head();
    }
    // and a run that left a checkpoint after step 1
    Path out = dir.resolve("resumed");
    try (CrossEncoderTrainer first = CrossEncoderTrainer.open("bge-small-en-v1.5", 48, 7)) {
      first.train(config(out, 2).groupsPerStep(1).checkpointEvery(1).build(), GROUPS, null);
    }
    assertThat(out.resolve("checkpoints")).isDirectory();

    // when a fresh trainer runs the same command again: it resumes at step 1, trains step 2
    try (CrossEncoderTrainer t = CrossEncoderTrainer.open("bge-small-en-v1.5", 48, 7)) {
      List<String> messages = new java.util.ArrayList<>();
      t.train(config(out, 2).groupsPerStep(1).checkpointEvery(1).build(), GROUPS,
          new dev.gecko4j.core.train.TrainingListener() {
            @Override
            public void onMessage(String message) {
              messages.add(message);
            }
          });

      // then it ends with the uninterrupted run's weights
      assertThat(messages).anyMatch(m -> m.contains("at step 1"));
      assertThat(t.head()).containsExactly(whole, within(1e-6f));
    }
  }

  @Test
  void should_reject_groups_without_a_negative_or_with_grades_out_of_range() {
    assertThatThrownBy(() -> new RerankExample("q", List.of("p"), new double[] {1}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one negative");
    assertThatThrownBy(() -> new RerankExample("q", List.of("p", "n"), new double[] {1.5, 0}))
        .hasMessageContaining("relevance[0] must be in [0, 1], but is: 1.5");
    assertThatThrownBy(() -> new RerankExample("q", List.of("p", "n"), new double[] {0, 0}))
        .hasMessageContaining("at least one passage above 0");
    assertThatThrownBy(() -> CrossEncoderConfig.builder(Path.of("x")).maxLength(4).build())
        .hasMessageContaining("maxLength");
  }
}
