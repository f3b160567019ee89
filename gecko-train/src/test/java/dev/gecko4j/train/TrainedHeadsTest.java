package dev.gecko4j.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gecko4j.core.Embedding;
import dev.gecko4j.core.Pooling;
import dev.gecko4j.core.TaskPrompt;
import dev.gecko4j.core.internal.GeckoJson;
import dev.gecko4j.core.train.TrainingConfig;
import dev.gecko4j.core.train.TrainingListener;
import dev.gecko4j.core.train.TrainingResult;
import dev.gecko4j.onnx.ModelSpec;
import dev.gecko4j.onnx.Models;
import dev.gecko4j.onnx.OnnxEmbedder;
import dev.gecko4j.onnx.PipelineModule;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Training runs the description serving runs: every pooling (last token included) pools the
 * tokens serving pools, and a Dense head trained on top is exported in sentence-transformers
 * layout ({@code 2_Dense/config.json} + {@code model.safetensors}) that reproduces the trainer's
 * forward pass.
 */
@Tag("jdk-independent") // JDK 17 only: see the root pom's jdk25 execution
class TrainedHeadsTest {
  @org.junit.jupiter.api.extension.RegisterExtension
  static final BgeSmallEncoder BGE_SMALL = new BgeSmallEncoder();

  /** Texts of different lengths, so a batch of them is padded. */
  static final List<String> TEXTS = List.of("Geckos eat insects.",
      "A man is playing a guitar on a stage in front of a large crowd of people.",
      "stock markets fell", "Vitamin D deficiency is associated with higher mortality.");

  static ModelSpec bge(Pooling pooling) {
    ModelSpec s = Models.BGE_SMALL_EN_V15.spec();
    return s.withSettings(pooling, true, s.maxLength(), s.prompts(), s.promptConventionName());
  }

  @ParameterizedTest
  @EnumSource(Pooling.class)
  void theTrainerPoolsThePaddedBatchAsServingDoes(Pooling pooling) {
    // given the token states of one padded batch, computed once by the trainer
    float[][] trained = new float[TEXTS.size()][];
    try (ai.djl.ndarray.NDManager scope = BGE_SMALL.encoder().manager().newSubManager()) {
      TrainableEncoder encoder = BGE_SMALL.encoder();
      dev.gecko4j.onnx.TokenizedBatch batch = encoder.tokenize(TEXTS, 64);
      ai.djl.ndarray.NDArray states = encoder.tokenStates(scope, encoder.upload(scope, false),
          batch);
      // when the trainer pools them (and normalises)
      ai.djl.ndarray.NDArray pooled = TrainableEncoder.pool(scope, states, batch, pooling);
      pooled = pooled.div(pooled.norm(new int[] {1}, true).maximum(1e-12f));
      float[] flat = pooled.toFloatArray();
      int h = flat.length / TEXTS.size();
      for (int i = 0; i < TEXTS.size(); i++) {
        trained[i] = java.util.Arrays.copyOfRange(flat, i * h, (i + 1) * h);
      }
    }
    // then ONNX Runtime with serving's pooling gives the same vectors
    try (OnnxEmbedder served = OnnxEmbedder.builder().model(Models.BGE_SMALL_EN_V15)
        .pooling(pooling).maxLength(64).build()) {
      List<Embedding> ort = served.embedAll(TEXTS,
          Collections.nCopies(TEXTS.size(), TaskPrompt.none()));
      assertThat(maxAbsDiff(trained, ort)).isLessThan(1e-4f);
    }
  }

  @Test
  void aDenseHeadIsTrainedAndExportedInSentenceTransformersLayout(@TempDir Path out)
      throws Exception {
    try (GeckoTrainer trainer = GeckoTrainer.open(bge(Pooling.LAST_TOKEN), 256,
        PipelineModule.Activation.TANH, 7)) {
      TrainableEncoder encoder = trainer.encoder();
      assertThat(encoder.embeddingDimension()).isEqualTo(256);
      assertThat(encoder.hiddenSize()).isEqualTo(384);
      float[] headBefore = encoder.parameters().get(TrainableEncoder.DENSE_WEIGHT).clone();

      // when it trains a few steps and exports
      TrainingConfig config = GeckoTrainerTest.tiny(out).steps(2).batchSize(4).microBatchSize(4)
          .matryoshkaDims(256, 128).build();
      TrainingResult result = trainer.train(config, GeckoTrainerTest.data(),
          new TrainingListener() { });
      Path dir = result.modelDirectory();

      // then the head was trained
      assertThat(encoder.parameters().get(TrainableEncoder.DENSE_WEIGHT))
          .isNotEqualTo(headBefore);
      // and the folder is Transformer -> Pooling(lasttoken) -> Dense -> Normalize
      JsonNode modules = GeckoJson.mapper().readTree(dir.resolve("modules.json").toFile());
      List<String> types = new ArrayList<>();
      modules.forEach(m -> types.add(m.path("type").asText() + "@" + m.path("path").asText()));
      assertThat(types).containsExactly("sentence_transformers.models.Transformer@",
          "sentence_transformers.models.Pooling@1_Pooling",
          "sentence_transformers.models.Dense@2_Dense",
          "sentence_transformers.models.Normalize@3_Normalize");
      JsonNode pooling = GeckoJson.mapper().readTree(dir.resolve("1_Pooling/config.json").toFile());
      assertThat(pooling.path("pooling_mode_lasttoken").asBoolean()).isTrue();
      assertThat(pooling.path("word_embedding_dimension").asInt()).isEqualTo(384);
      JsonNode dense = GeckoJson.mapper().readTree(dir.resolve("2_Dense/config.json").toFile());
      assertThat(dense.path("in_features").asInt()).isEqualTo(384);
      assertThat(dense.path("out_features").asInt()).isEqualTo(256);
      assertThat(dense.path("bias").asBoolean()).isTrue();
      assertThat(dense.path("activation_function").asText())
          .isEqualTo("torch.nn.modules.activation.Tanh");
      // and model.safetensors holds the trained weights as linear.weight [out, in], linear.bias
      SafeTensorsFile st = SafeTensorsFile.read(dir.resolve("2_Dense/model.safetensors"));
      assertThat(st.shape("linear.weight")).containsExactly(256, 384);
      assertThat(st.shape("linear.bias")).containsExactly(256);
      assertThat(st.floats("linear.weight"))
          .containsExactly(encoder.parameters().get(TrainableEncoder.DENSE_WEIGHT));
      assertThat(st.floats("linear.bias"))
          .containsExactly(encoder.parameters().get(TrainableEncoder.DENSE_BIAS));
      // and the folder's Transformer and Pooling served by ONNX Runtime, with the head computed
      // here from the safetensors file, give the trainer's own vectors
      float[][] trained = encoder.embedTexts(TEXTS, 64, TEXTS.size());
      try (OnnxEmbedder pooled = OnnxEmbedder.builder()
          .modelPath(dir.resolve("model.onnx")).tokenizerPath(dir.resolve("tokenizer.json"))
          .pooling(Pooling.LAST_TOKEN).normalize(false).maxLength(64).build()) {
        List<Embedding> p = pooled.embedAll(TEXTS,
            Collections.nCopies(TEXTS.size(), TaskPrompt.none()));
        float[] w = st.floats("linear.weight");
        float[] b = st.floats("linear.bias");
        float max = 0;
        for (int i = 0; i < TEXTS.size(); i++) {
          float[] x = p.get(i).toArray();
          float[] y = new float[256];
          double norm = 0;
          for (int o = 0; o < 256; o++) {
            double s = b[o];
            for (int k = 0; k < 384; k++) {
              s += (double) w[o * 384 + k] * x[k];
            }
            y[o] = (float) Math.tanh(s);
            norm += y[o] * y[o];
          }
          for (int o = 0; o < 256; o++) {
            max = Math.max(max, Math.abs(y[o] / (float) Math.sqrt(norm) - trained[i][o]));
          }
        }
        assertThat(max).isLessThan(1e-4f);
      }
      // and OnnxEmbedder serving the folder (its Dense module included) gives them too
      try (OnnxEmbedder served = OnnxEmbedder.builder().modelFolder(dir).maxLength(64).build()) {
        assertThat(served.dimension()).isEqualTo(256);
        assertThat(maxAbsDiff(trained, served.embedAll(TEXTS,
            Collections.nCopies(TEXTS.size(), TaskPrompt.none())))).isLessThan(1e-4f);
      }
      // and the trainer reopens the folder with its trained head
      try (TrainableEncoder again = TrainableEncoder.open(
          dev.gecko4j.onnx.SentenceTransformersFolder.read(dir))) {
        assertThat(again.embeddingDimension()).isEqualTo(256);
        float[][] reloaded = again.embedTexts(TEXTS, 64, TEXTS.size());
        for (int i = 0; i < TEXTS.size(); i++) {
          assertThat(reloaded[i]).containsExactly(trained[i], within(1e-5f));
        }
      }
    }
  }

  @Test
  void aDenseHeadMustTakeTheHiddenSize() throws Exception {
    assertThatThrownBy(() -> TrainableEncoder.open(bge(Pooling.MEAN),
        new DenseLayer(768, 256, true, PipelineModule.Activation.IDENTITY), 1))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("the Dense head's inFeatures must be the size of the vectors before it, 384, "
            + "but is: 768");
  }

  @Test
  void anUnknownActivationIsRefusedNamingTheValidOnes() {
    assertThatThrownBy(() -> DenseLayer.activation("gelu"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("activation must be one of [identity (torch.nn.modules.linear.Identity), "
            + "tanh (torch.nn.modules.activation.Tanh), relu (torch.nn.modules.activation.ReLU), "
            + "sigmoid (torch.nn.modules.activation.Sigmoid), silu "
            + "(torch.nn.modules.activation.SiLU)], but is: gelu");
    assertThat(DenseLayer.activation("torch.nn.modules.linear.Identity"))
        .isEqualTo(PipelineModule.Activation.IDENTITY);
  }

  static float maxAbsDiff(float[][] a, List<Embedding> b) {
    float m = 0;
    for (int i = 0; i < a.length; i++) {
      float[] v = b.get(i).toArray();
      assertThat(v).hasSameSizeAs(a[i]);
      for (int d = 0; d < v.length; d++) {
        m = Math.max(m, Math.abs(a[i][d] - v[d]));
      }
    }
    return m;
  }

  /** A reader of safetensors files written independently of the exporter's writer. */
  record SafeTensorsFile(JsonNode header, ByteBuffer data) {
    static SafeTensorsFile read(Path file) throws java.io.IOException {
      ByteBuffer all = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
      int len = (int) all.getLong(0);
      JsonNode header = GeckoJson.mapper().readTree(
          new String(all.array(), 8, len, StandardCharsets.UTF_8));
      return new SafeTensorsFile(header,
          all.position(8 + len).slice().order(ByteOrder.LITTLE_ENDIAN));
    }

    long[] shape(String name) {
      List<Long> s = new ArrayList<>();
      header.path(name).path("shape").forEach(n -> s.add(n.asLong()));
      return s.stream().mapToLong(Long::longValue).toArray();
    }

    float[] floats(String name) {
      JsonNode t = header.path(name);
      assertThat(t.path("dtype").asText()).isEqualTo("F32");
      int from = t.path("data_offsets").get(0).asInt();
      int to = t.path("data_offsets").get(1).asInt();
      float[] f = new float[(to - from) / 4];
      for (int i = 0; i < f.length; i++) {
        f[i] = data.getFloat(from + 4 * i);
      }
      return f;
    }
  }
}
