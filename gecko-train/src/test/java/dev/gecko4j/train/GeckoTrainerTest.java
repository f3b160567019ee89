package dev.gecko4j.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.gecko4j.core.Embedding;
import dev.gecko4j.core.TaskPrompt;
import dev.gecko4j.core.train.TrainingConfig;
import dev.gecko4j.core.train.TrainingExample;
import dev.gecko4j.core.train.TrainingListener;
import dev.gecko4j.core.train.TrainingProgress;
import dev.gecko4j.core.train.TrainingResult;
import dev.gecko4j.core.train.TrainingSource;
import dev.gecko4j.onnx.OnnxEmbedder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A tiny real training run (bge-small, seq 16, batch 4): the CI proof of the training loop. */
class GeckoTrainerTest {
  static final List<TrainingExample> ROWS = List.of(
      new TrainingExample("what do geckos eat", "Geckos eat insects such as crickets.", "The stock market fell."),
      new TrainingExample("capital of france", "Paris is the capital of France.", "Geckos eat insects."),
      new TrainingExample("how do vaccines work", "Vaccines train the immune system.", "Paris has museums."),
      new TrainingExample("why is the sky blue", "Rayleigh scattering makes the sky blue.", "Vaccines are shots."));

  static TrainingConfig.Builder tiny(Path out) {
    return TrainingConfig.builder("bge-small-en-v1.5", out).steps(4).batchSize(4).microBatchSize(4)
        .learningRate(5e-5).warmupSteps(1).queryMaxLength(16).passageMaxLength(16).seed(1)
        .matryoshkaDims(384, 128);
  }

  static List<TrainingSource> data() {
    return List.of(new TrainingSource("tiny", 1.0, ROWS));
  }

  @Test
  void should_lower_the_loss_and_export_a_model_onnx_runtime_reproduces(@TempDir Path out) throws Exception {
    // given
    List<Double> losses = new ArrayList<>();
    TrainingListener listener = new TrainingListener() {
      @Override
      public void onStep(TrainingProgress p) {
        losses.add(p.loss());
      }
    };
    String instruction = "Represent this sentence for searching relevant passages: ";
    try (TrainableEncoder encoder = TrainableEncoder.bgeSmall()) {
      GeckoTrainer trainer = new GeckoTrainer(encoder, null, instruction);

      // when
      TrainingResult result = trainer.train(tiny(out).build(), data(), listener);

      // then the loss fell
      assertThat(losses).hasSize(4);
      assertThat(losses.get(losses.size() - 1)).isLessThan(losses.get(0));
      assertThat(result.skippedSteps()).isZero();
      assertThat(result.examplesPerSecond()).isPositive();

      // and the exported folder reproduces the trainer's token states in ONNX Runtime
      Path dir = result.modelDirectory();
      assertThat(dir.resolve("model.onnx")).isRegularFile();
      assertThat(dir.resolve("tokenizer.json")).isRegularFile();
      assertThat(Files.readString(dir.resolve("1_Pooling/config.json"))).contains("\"pooling_mode_cls_token\": true");
      assertThat(Files.readString(dir.resolve("modules.json"))).contains("Normalize");
      TokenBatch batch = encoder.tokenize(List.of("what do geckos eat", "Paris is the capital of France."), 16);
      float[] torch;
      try (NDManager scope = encoder.manager().newSubManager()) {
        Map<String, NDArray> params = encoder.upload(scope, false);
        torch = encoder.tokenStates(scope, params, batch).toFloatArray();
      }
      float[] ort = OrtReference.lastHiddenState(Files.readAllBytes(dir.resolve("model.onnx")), batch);
      assertThat(OrtReference.maxAbsDiff(torch, ort)).isLessThanOrEqualTo(1e-4f);
      // and OnnxEmbedder loads the folder and serves the trainer's embeddings
      List<String> texts = List.of("what do geckos eat", "Paris is the capital of France.");
      float[][] trained = encoder.embedTexts(texts, 16, 2);
      try (OnnxEmbedder served = OnnxEmbedder.builder().modelFolder(dir).maxLength(16).build()) {
        List<Embedding> e = served.embedAll(texts, TaskPrompt.none());
        for (int i = 0; i < texts.size(); i++) {
          assertThat(OrtReference.maxAbsDiff(e.get(i).toArray(), trained[i])).isLessThanOrEqualTo(1e-4f);
        }
        // with the base model's convention: BGE's instruction on queries, none on symmetric texts
        float[] instructed = encoder.embedTexts(List.of(instruction + texts.get(0)), 16, 1)[0];
        Embedding query = served.embed(texts.get(0), TaskPrompt.query(TaskPrompt.SEARCH_RESULT));
        Embedding similarity = served.embed(texts.get(0), TaskPrompt.symmetric(TaskPrompt.SENTENCE_SIMILARITY));
        assertThat(OrtReference.maxAbsDiff(query.toArray(), instructed)).isLessThanOrEqualTo(1e-4f);
        assertThat(OrtReference.maxAbsDiff(similarity.toArray(), trained[0])).isLessThanOrEqualTo(1e-4f);
      }
      // and it differs from the base model (the weights were trained)
      float[] base = OrtReference.lastHiddenState(TrainableEncoder.resource(TrainableEncoder.BGE_SMALL_ONNX), batch);
      assertThat(OrtReference.maxAbsDiff(base, ort)).isGreaterThan(1e-3f);
    }
  }

  @Test
  void should_end_a_killed_and_resumed_run_with_the_weights_of_an_uninterrupted_run(@TempDir Path tmp) throws Exception {
    try (TrainableEncoder encoder = TrainableEncoder.bgeSmall()) {
      Map<String, float[]> initial = copy(encoder.parameters());
      // given an uninterrupted 3-step run (GradCache with micro-batches of 1, checkpoint every 2)
      new GeckoTrainer(encoder, null, null).train(tiny(tmp.resolve("straight")).steps(3).batchSize(2)
          .microBatchSize(1).checkpointEvery(2).build(), data(), TrainingListener.NONE);
      Map<String, float[]> straight = copy(encoder.parameters());

      // and the same run from the same start, killed during step 3 (its step-2 checkpoint on disk)
      restore(encoder, initial);
      TrainingConfig killed = tiny(tmp.resolve("killed")).steps(3).batchSize(2).microBatchSize(1)
          .checkpointEvery(2).build();
      TrainingListener killer = new TrainingListener() {
        @Override
        public void onStep(TrainingProgress p) {
          if (p.step() == 3) {
            throw new IllegalStateException("killed");
          }
        }
      };
      assertThatThrownBy(() -> new GeckoTrainer(encoder, null, null).train(killed, data(), killer))
          .hasMessage("killed");

      // when a fresh start (the base weights again) resumes from the checkpoint
      restore(encoder, initial);
      List<String> messages = new ArrayList<>();
      new GeckoTrainer(encoder, null, null).train(killed, data(), new TrainingListener() {
        @Override
        public void onMessage(String message) {
          messages.add(message);
        }
      });

      // then it resumed at step 2 and ended with the same weights
      assertThat(messages).anyMatch(m -> m.contains("at step 2"));
      Map<String, float[]> resumed = encoder.parameters();
      for (Map.Entry<String, float[]> e : straight.entrySet()) {
        float[] a = e.getValue();
        float[] b = resumed.get(e.getKey());
        float max = 0;
        for (int i = 0; i < a.length; i++) {
          max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        assertThat(max).as(e.getKey()).isLessThanOrEqualTo(1e-6f);
      }
    }
  }

  static void restore(TrainableEncoder encoder, Map<String, float[]> values) {
    values.forEach((k, v) -> System.arraycopy(v, 0, encoder.parameters().get(k), 0, v.length));
  }

  static Map<String, float[]> copy(Map<String, float[]> m) {
    Map<String, float[]> c = new java.util.LinkedHashMap<>();
    m.forEach((k, v) -> c.put(k, v.clone()));
    return c;
  }
}
