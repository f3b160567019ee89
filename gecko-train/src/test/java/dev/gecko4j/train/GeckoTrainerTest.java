package dev.gecko4j.train;

import dev.gecko4j.train.checkpoint.CheckpointsTest;
import dev.gecko4j.train.checkpoint.Checkpoints;
import dev.gecko4j.train.checkpoint.FailingSink;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Tag;

/**
 * Tiny real training runs (bge-small, seq 16, batches of 2-4): the CI proof of the training loop,
 * of exact resumes after a kill or a requested stop, and of faults while checkpointing.
 */
@Tag("jdk-independent") // JDK 17 only: see the root pom's jdk25 execution
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
    try (GeckoTrainer trainer = new GeckoTrainer(TrainableEncoder.bgeSmall(), null, instruction)) {
      TrainableEncoder encoder = trainer.encoder();

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
      dev.gecko4j.onnx.TokenizedBatch batch = encoder.tokenize(List.of("what do geckos eat", "Paris is the capital of France."), 16);
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

  /** One trainer (bge-small) for the runs below, its base weights, and an uninterrupted 3-step run's weights. */
  static GeckoTrainer shared;
  static Map<String, float[]> initial;
  static Map<String, float[]> straight;

  /** 3 steps of 2 rows, GradCache with micro-batches of 1, a checkpoint every 2 steps. */
  static TrainingConfig threeSteps(Path out) {
    return tiny(out).steps(3).batchSize(2).microBatchSize(1).checkpointEvery(2).build();
  }

  @BeforeAll
  static void runStraight(@TempDir Path tmp) throws Exception {
    shared = new GeckoTrainer(TrainableEncoder.bgeSmall(), null, null);
    initial = copy(shared.encoder().parameters());
    shared.train(threeSteps(tmp.resolve("straight")), data(), TrainingListener.NONE);
    straight = copy(shared.encoder().parameters());
  }

  @AfterAll
  static void closeShared() {
    shared.close();
  }

  @Test
  void should_end_a_killed_and_resumed_run_with_the_weights_of_an_uninterrupted_run(@TempDir Path tmp) {
    // given the run, from the base weights, killed during step 3 (its step-2 checkpoint on disk)
    restore(shared.encoder(), initial);
    TrainingConfig killed = threeSteps(tmp.resolve("killed"));
    TrainingListener killer = new TrainingListener() {
      @Override
      public void onStep(TrainingProgress p) {
        if (p.step() == 3) {
          throw new IllegalStateException("killed");
        }
      }
    };
    assertThatThrownBy(() -> shared.train(killed, data(), killer)).hasMessage("killed");

    // when a fresh start (the base weights again) resumes from the checkpoint
    restore(shared.encoder(), initial);
    List<String> messages = new ArrayList<>();
    shared.train(killed, data(), new TrainingListener() {
      @Override
      public void onMessage(String message) {
        messages.add(message);
      }
    });

    // then it resumed at step 2 and ended with the same weights
    assertThat(messages).anyMatch(m -> m.contains("at step 2"));
    assertSameWeights(straight, shared.encoder().parameters());
  }

  @Test
  void should_stop_on_request_with_a_checkpoint_and_resume_to_the_weights_of_an_uninterrupted_run(@TempDir Path tmp) {
    // given the run, asked to stop after step 1 (no periodic checkpoint yet)
    restore(shared.encoder(), initial);
    TrainingConfig config = threeSteps(tmp.resolve("stopped"));
    List<String> messages = new ArrayList<>();
    TrainingListener stopper = new TrainingListener() {
      @Override
      public void onStep(TrainingProgress p) {
        if (p.step() == 1) {
          assertThat(shared.requestStop()).isTrue();
        }
      }

      @Override
      public void onMessage(String message) {
        messages.add(message);
      }
    };

    // when
    TrainingStoppedException stop = catchThrowableOfType(TrainingStoppedException.class,
        () -> shared.train(config, data(), stopper));

    // then it stopped before step 2 with a checkpoint of step 1
    assertThat(stop.step()).isEqualTo(1);
    Path checkpoint = tmp.resolve("stopped/checkpoints/step-00000001");
    assertThat(stop.checkpoint()).contains(checkpoint);
    assertThat(stop).hasMessageContaining("stopped after step 1").hasMessageContaining(checkpoint.toString());
    assertThat(new Checkpoints(checkpoint.getParent()).problem(checkpoint)).isEmpty();
    assertThat(tmp.resolve("stopped/model")).doesNotExist();
    assertThat(shared.requestStop()).as("no run to stop any more").isFalse();

    // when a fresh start resumes
    restore(shared.encoder(), initial);
    messages.clear();
    shared.train(config, data(), stopper);

    // then it resumed at step 1 and ended with the weights of the uninterrupted run
    assertThat(messages).anyMatch(m -> m.contains("resumed from " + checkpoint + " at step 1"));
    assertSameWeights(straight, shared.encoder().parameters());
  }

  @Test
  void should_name_the_file_and_publish_no_checkpoint_when_the_disk_fills_up(@TempDir Path tmp) throws Exception {
    // given a trainer whose disk fills up 1000 bytes into a checkpoint's adam_m.bin
    restore(shared.encoder(), initial);
    GeckoTrainer full = new GeckoTrainer(shared.encoder(), null, null, FailingSink.diskFullIn("adam_m.bin", 1000));
    TrainingConfig config = tiny(tmp).steps(2).batchSize(2).microBatchSize(2).checkpointEvery(1).build();

    // when / then the step-1 checkpoint fails, naming its file
    assertThatThrownBy(() -> full.train(config, data(), TrainingListener.NONE))
        .isInstanceOf(java.io.UncheckedIOException.class)
        .hasMessageContaining(tmp.resolve("checkpoints/step-00000001.tmp/adam_m.bin").toString())
        .hasMessageContaining(FailingSink.DISK_FULL);
    // and leaves nothing a resume could take for a checkpoint
    assertThat(CheckpointsTest.children(tmp.resolve("checkpoints"))).isEmpty();
  }

  @Test
  void should_keep_the_trained_weights_in_a_checkpoint_when_the_export_fails_and_only_export_on_the_rerun(
      @TempDir Path tmp) throws Exception {
    // given a one-step run whose disk fills up 1 MB into the exported model.onnx
    restore(shared.encoder(), initial);
    GeckoTrainer full = new GeckoTrainer(shared.encoder(), null, null, FailingSink.diskFullIn("model.onnx", 1 << 20));
    TrainingConfig config = tiny(tmp).steps(1).batchSize(2).microBatchSize(2).build();

    // when / then the error names the file and where the trained weights are
    Path checkpoint = tmp.resolve("checkpoints/step-00000001");
    assertThatThrownBy(() -> full.train(config, data(), TrainingListener.NONE))
        .isInstanceOf(java.io.UncheckedIOException.class)
        .hasMessageContaining(tmp.resolve("model.export-tmp/model.onnx").toString())
        .hasMessageContaining(FailingSink.DISK_FULL)
        .hasMessageContaining("the trained weights are kept in " + checkpoint);
    Map<String, float[]> trained = copy(shared.encoder().parameters());
    assertThat(CheckpointsTest.children(tmp)).containsExactly("checkpoints");

    // when a fresh start runs again with room on the disk
    restore(shared.encoder(), initial);
    List<String> messages = new ArrayList<>();
    List<Integer> steps = new ArrayList<>();
    TrainingResult r = shared.train(config, data(), new TrainingListener() {
      @Override
      public void onStep(TrainingProgress p) {
        steps.add(p.step());
      }

      @Override
      public void onMessage(String message) {
        messages.add(message);
      }
    });

    // then it trained no step again and exported the trained weights
    assertThat(steps).isEmpty();
    assertThat(messages).anyMatch(m -> m.contains("resumed from " + checkpoint + " at step 1"));
    float[] exported = dev.gecko4j.train.onnx.OnnxModel.read(r.modelDirectory().resolve("model.onnx"))
        .initializers().get("embeddings.LayerNorm.bias").floats();
    assertThat(exported).containsExactly(trained.get("embeddings.LayerNorm.bias"));
  }

  @Test
  void should_free_its_encoder_on_close_and_refuse_use_after_it(@TempDir Path tmp) throws Exception {
    // given a trainer closed from inside its own run, after step 1
    GeckoTrainer trainer = new GeckoTrainer(TrainableEncoder.bgeSmall(), null, null);
    TrainableEncoder encoder = trainer.encoder();
    TrainingConfig config = tiny(tmp).steps(3).batchSize(2).microBatchSize(2).build();
    TrainingListener closer = new TrainingListener() {
      @Override
      public void onStep(TrainingProgress p) {
        trainer.close();
      }
    };

    // when / then the run stops with a checkpoint, and the encoder is freed once train() returns
    assertThatThrownBy(() -> trainer.train(config, data(), closer)).isInstanceOf(TrainingStoppedException.class)
        .hasMessageContaining("stopped after step 1");
    assertThatThrownBy(encoder::manager).isInstanceOf(IllegalStateException.class).hasMessage("encoder is closed");
    // and every use of the trainer is refused
    assertThatThrownBy(() -> trainer.train(config, data(), TrainingListener.NONE))
        .isInstanceOf(IllegalStateException.class).hasMessage("the trainer is closed");
    assertThatThrownBy(trainer::measureMatmulPeak).isInstanceOf(IllegalStateException.class)
        .hasMessage("the trainer is closed");
    assertThatThrownBy(trainer::encoder).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> trainer.forwardFlops(16)).isInstanceOf(IllegalStateException.class);
    assertThat(trainer.requestStop()).isFalse();
    trainer.close(); // idempotent
  }

  static void assertSameWeights(Map<String, float[]> expected, Map<String, float[]> actual) {
    for (Map.Entry<String, float[]> e : expected.entrySet()) {
      float[] a = e.getValue();
      float[] b = actual.get(e.getKey());
      float max = 0;
      for (int i = 0; i < a.length; i++) {
        max = Math.max(max, Math.abs(a[i] - b[i]));
      }
      assertThat(max).as(e.getKey()).isLessThanOrEqualTo(1e-6f);
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
