package dev.gecko4j.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.gecko4j.core.Embedding;
import dev.gecko4j.core.TaskPrompt;
import dev.gecko4j.core.testing.SharedData;
import dev.gecko4j.core.train.TrainingConfig;
import dev.gecko4j.core.train.TrainingListener;
import dev.gecko4j.core.train.TrainingProgress;
import dev.gecko4j.core.train.TrainingResult;
import dev.gecko4j.onnx.Models;
import dev.gecko4j.onnx.OnnxEmbedder;
import dev.gecko4j.onnx.PaddingSide;
import dev.gecko4j.onnx.SentenceTransformersFolder;
import dev.gecko4j.train.decoder.Stories260KEmbedderExport;
import dev.gecko4j.train.lora.LoraAdapterFiles;
import dev.gecko4j.train.onnx.LoraAdapters;
import dev.gecko4j.train.lora.LoraConfig;
import dev.gecko4j.train.onnx.TensorData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LoRA on real graphs, in tiny runs: bge-small-en-v1.5 with rank-16 adapters on its attention
 * projections (two steps of four rows, GradCache micro-batches of two), and stories260K (a real
 * llama) as a decoder-only embedder.
 */
@Tag("jdk-independent") // JDK 17 only: see the root pom's jdk25 execution
class LoraTrainingTest {
  static final LoraConfig R16 = LoraConfig.builder().rank(16).build();
  static final List<String> TEXTS = List.of("what do geckos eat",
      "Rayleigh scattering makes the sky blue because short wavelengths scatter more.");

  @TempDir static Path tmp;
  static GeckoTrainer trainer;
  static Map<String, float[]> baseWeights;
  static TrainingResult result;

  static TrainingConfig.Builder twoSteps(Path out) {
    return GeckoTrainerTest.tiny(out).steps(2).batchSize(4).microBatchSize(2).learningRate(1e-3)
        .checkpointEvery(0);
  }

  @BeforeAll
  static void trainTwoSteps() throws Exception {
    trainer = GeckoTrainer.open(Models.BGE_SMALL_EN_V15.spec(), null, 0, R16);
    baseWeights = copy(trainer.encoder().graphParameters());
    result = trainer.train(twoSteps(tmp.resolve("run")).build(), GeckoTrainerTest.data(), null);
  }

  @AfterAll
  static void close() {
    if (trainer != null) {
      trainer.close();
    }
  }

  @Test
  void onlyTheAdaptersTrainAndTheyAreUnderFivePercentOfTheModel() {
    TrainableEncoder encoder = trainer.encoder();
    LoraAdapters lora = encoder.lora().orElseThrow();
    // 12 layers x query, key, value, attention output, found by node path (weights are anonymous)
    assertThat(lora.targets()).hasSize(48);
    assertThat(lora.targets().get(0).module()).isEqualTo("encoder.layer.0.attention.self.query");
    assertThat(lora.targets().get(0).weight()).startsWith("onnx::MatMul_");
    assertThat(encoder.parameters().keySet()).allMatch(n -> n.startsWith("base_model.model.")
        && (n.endsWith(".lora_A.weight") || n.endsWith(".lora_B.weight")));
    assertThat(encoder.parameterCount()).isEqualTo(48L * 16 * (384 + 384));
    assertThat((double) encoder.parameterCount() / encoder.modelParameterCount()).isLessThan(0.05);
  }

  @Test
  void theBaseWeightsAreUnchangedAfterTrainingAndTheAdaptersMoved() {
    TrainableEncoder encoder = trainer.encoder();
    LoraAdapters lora = encoder.lora().orElseThrow();
    Map<String, float[]> now = encoder.graphParameters();
    // the merged weights are the untouched base weights plus the trained adapters' product
    Map<String, float[]> expected = lora.merge(baseWeights, encoder.parameters());
    for (Map.Entry<String, float[]> e : expected.entrySet()) {
      // Arrays.equals: AssertJ's containsExactly diffs in quadratic time on 12M-value tables
      assertThat(java.util.Arrays.equals(now.get(e.getKey()), e.getValue())).as(e.getKey()).isTrue();
    }
    // and B, zero at the start, was trained
    float[] b = encoder.parameters().get(lora.targets().get(0).loraB());
    double norm = 0;
    for (float x : b) {
      norm += x * x;
    }
    assertThat(norm).isPositive();
    assertThat(java.util.Arrays.equals(now.get(lora.targets().get(0).weight()),
        baseWeights.get(lora.targets().get(0).weight()))).isFalse();
  }

  @Test
  void theMergedExportServedByOnnxEmbedderEqualsTheTrainersForwardPass() {
    float[][] trained = trainer.encoder().embedTexts(TEXTS, 32, 2);
    float[][] served = serve(result.modelDirectory());
    for (int i = 0; i < TEXTS.size(); i++) {
      assertThat(OrtReference.maxAbsDiff(served[i], trained[i])).isLessThanOrEqualTo(1e-4f);
    }
  }

  @Test
  void theAdapterFileAloneIsSmallAndAppliedToTheBaseModelGivesTheMergedExport() throws Exception {
    Path adapter = tmp.resolve("run/adapter");
    // rank 16 on 48 projections of 384 x 384: 589,824 floats
    assertThat(Files.size(adapter.resolve(LoraAdapterFiles.WEIGHTS))).isLessThan(5_000_000L);
    String config = Files.readString(adapter.resolve(LoraAdapterFiles.CONFIG));
    assertThat(config).contains("\"peft_type\" : \"LORA\"", "\"r\" : 16", "\"lora_alpha\" : 32.0",
        "\"encoder.layer.11.attention.output.dense\"", "\"base_model_name_or_path\" : \"bge-small-en-v1.5\"");

    Path merged = LoraAdapterFiles.merge(Models.BGE_SMALL_EN_V15.spec(), adapter, tmp.resolve("merged"));

    assertThat(Files.mismatch(merged.resolve("model.onnx"),
        result.modelDirectory().resolve("model.onnx"))).isEqualTo(-1L);
    float[][] a = serve(merged);
    float[][] b = serve(result.modelDirectory());
    for (int i = 0; i < TEXTS.size(); i++) {
      assertThat(OrtReference.maxAbsDiff(a[i], b[i])).isLessThanOrEqualTo(1e-4f);
    }
  }

  @Test
  void aCheckpointHoldsOnlyTheAdaptersAndAStoppedRunResumesToTheSameAdapters(@TempDir Path out)
      throws Exception {
    TrainingConfig config = twoSteps(out).checkpointEvery(1).build();
    Path checkpoint;
    try (GeckoTrainer t = GeckoTrainer.open(Models.BGE_SMALL_EN_V15.spec(), null, 0, R16)) {
      TrainingStoppedException stopped = catchThrowableOfType(TrainingStoppedException.class,
          () -> t.train(config, GeckoTrainerTest.data(), new TrainingListener() {
            @Override
            public void onCheckpoint(int step, Path directory) {
              t.requestStop();
            }
          }));
      assertThat(stopped.step()).isEqualTo(1);
      checkpoint = stopped.checkpoint().orElseThrow();
      assertThat(Files.size(checkpoint.resolve("params.bin")))
          .isEqualTo(4 * t.encoder().parameterCount());
    }
    try (GeckoTrainer t = GeckoTrainer.open(Models.BGE_SMALL_EN_V15.spec(), null, 0, R16)) {
      t.train(config, GeckoTrainerTest.data(), null);
      for (Map.Entry<String, float[]> e : trainer.encoder().parameters().entrySet()) {
        assertThat(t.encoder().parameters().get(e.getKey())).as(e.getKey())
            .containsExactly(e.getValue());
      }
    }
  }

  @Test
  void aLoraStepOnTheStories260KDecoderLowersTheLossOnAFixedBatch() throws Exception {
    Path source = SharedData.require("models/stories260K");
    Path folder = Stories260KEmbedderExport.export(source, tmp.resolve("stories"), PaddingSide.RIGHT);
    LoraConfig lora = LoraConfig.builder().rank(8).targets(List.of("attention", "mlp")).build();
    List<Double> losses = new ArrayList<>();
    try (GeckoTrainer t = GeckoTrainer.open(SentenceTransformersFolder.read(folder), null, 0, lora)) {
      // 5 layers x q, k, v, o, gate, up, down: GGUF weight names mapped to HuggingFace llama names
      assertThat(t.encoder().lora().orElseThrow().targets()).hasSize(35)
          .extracting(LoraAdapters.Target::module).contains("model.layers.0.self_attn.q_proj",
              "model.layers.4.mlp.down_proj");
      TrainingConfig config = TrainingConfig.builder(folder.toString(), tmp.resolve("stories-run"))
          .steps(4).batchSize(4).microBatchSize(4).learningRate(1e-2).warmupSteps(0)
          .temperature(0.02).queryMaxLength(24).passageMaxLength(24).checkpointEvery(0).seed(1)
          .build();
      t.train(config, GeckoTrainerTest.data(), new TrainingListener() {
        @Override
        public void onStep(TrainingProgress p) {
          losses.add(p.loss());
        }
      });
    }
    // every step sees the same four rows (in some order): the in-batch loss is the same function
    assertThat(losses).hasSize(4);
    assertThat(losses.get(3)).isLessThan(losses.get(0));
  }

  static float[][] serve(Path folder) {
    try (OnnxEmbedder e = OnnxEmbedder.builder().modelFolder(folder).maxLength(32).build()) {
      List<Embedding> v = e.embedAll(TEXTS, TaskPrompt.none());
      return v.stream().map(Embedding::toArray).toArray(float[][]::new);
    }
  }

  static Map<String, float[]> copy(Map<String, float[]> m) {
    Map<String, float[]> c = new LinkedHashMap<>();
    m.forEach((k, v) -> c.put(k, v.clone()));
    return c;
  }
}
