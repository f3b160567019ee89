package dev.gecko4j.train.decoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.gecko4j.core.Embedding;
import dev.gecko4j.core.Pooling;
import dev.gecko4j.core.PromptConvention;
import dev.gecko4j.core.TaskPrompt;
import dev.gecko4j.core.eval.StsDataset;
import dev.gecko4j.core.eval.StsPair;
import dev.gecko4j.core.testing.SharedData;
import dev.gecko4j.onnx.OnnxEmbedder;
import dev.gecko4j.onnx.OrtRuntime;
import dev.gecko4j.onnx.PaddingSide;
import dev.gecko4j.onnx.SentenceTransformersFolder;
import dev.gecko4j.onnx.TokenizedBatch;
import dev.gecko4j.train.GeckoTrainer;
import dev.gecko4j.train.TrainableEncoder;
import dev.gecko4j.core.train.TrainingConfig;
import dev.gecko4j.core.train.TrainingExample;
import dev.gecko4j.core.train.TrainingListener;
import dev.gecko4j.core.train.TrainingResult;
import dev.gecko4j.core.train.TrainingSource;
import dev.gecko4j.train.onnx.OnnxModel;
import dev.gecko4j.train.onnx.TensorData;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * stories260K (a real llama: RoPE, grouped-query attention, causal mask) re-exported by {@link
 * Stories260KEmbedderExport} as a decoder-only embedder over its final hidden states, served
 * through {@code OnnxEmbedder.builder().modelFolder(dir)} with last-token pooling, an attention
 * mask, {@code position_ids} made from it and an appended EOS.
 */
class DecoderEmbedderTest {

  @TempDir static Path tmp;
  static Path source;
  static Path right;
  static Path left;
  static List<String> sentences;

  @BeforeAll
  static void export() throws Exception {
    source = SharedData.require("models/stories260K");
    right = Stories260KEmbedderExport.export(source, tmp.resolve("right"), PaddingSide.RIGHT);
    left = Stories260KEmbedderExport.export(source, tmp.resolve("left"), PaddingSide.LEFT);
    List<StsPair> pairs = StsDataset.read(SharedData.require("sts/STSBenchmark.test.tsv")).pairs();
    List<String> s = new ArrayList<>();
    for (StsPair p : pairs) {
      s.add(p.sentence1());
      s.add(p.sentence2());
      if (s.size() >= 200) {
        break;
      }
    }
    sentences = List.copyOf(s.subList(0, 200));
  }

  @Test
  void theReExportedHiddenStateIsTheLanguageModelsOwnOneTheLogitsAreComputedFrom() throws Exception {
    // given one unpadded row, run by the original graph (logits) and the re-exported one
    long[] ids = {1, 100, 200, 300, 400, 50, 2};
    long[] shape = {1, ids.length};
    long[] mask = new long[ids.length];
    long[] positions = new long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      mask[i] = 1;
      positions[i] = i;
    }
    OrtEnvironment env = OrtRuntime.environment();
    float[] logits;
    float[] hidden;
    try (OrtSession lm = env.createSession(source.resolve("model.onnx").toString());
        OrtSession emb = env.createSession(right.resolve("model.onnx").toString());
        OnnxTensor idT = OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape);
        OnnxTensor maskT = OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape);
        OnnxTensor posT = OnnxTensor.createTensor(env, LongBuffer.wrap(positions), shape)) {
      assertThat(emb.getInputNames()).containsExactlyInAnyOrder("input_ids", "attention_mask",
          "position_ids");
      assertThat(emb.getOutputNames()).containsExactly("last_hidden_state");
      try (OrtSession.Result r = lm.run(Map.of("input_ids", idT))) {
        logits = floats((OnnxTensor) r.get(0));
      }
      try (OrtSession.Result r = emb.run(Map.of("input_ids", idT, "attention_mask", maskT,
          "position_ids", posT))) {
        hidden = floats((OnnxTensor) r.get(0));
      }
    }
    // when the hidden state goes through the LM head (the tied embedding, transposed)
    TensorData headT = OnnxModel.read(source.resolve("model.onnx")).initializers().get("emb_T");
    float[] head = headT.floats();
    int vocab = (int) headT.dims()[1];
    float[] recomputed = new float[ids.length * vocab];
    for (int t = 0; t < ids.length; t++) {
      for (int v = 0; v < vocab; v++) {
        double s = 0;
        for (int h = 0; h < Stories260KEmbedderExport.HIDDEN; h++) {
          s += hidden[t * Stories260KEmbedderExport.HIDDEN + h] * head[h * vocab + v];
        }
        recomputed[t * vocab + v] = (float) s;
      }
    }
    // then it gives the original logits
    assertThat(maxAbsDiff(recomputed, logits)).isLessThan(1e-4f);
  }

  @ParameterizedTest
  @EnumSource(PaddingSide.class)
  void batchedEqualsOneByOneOnTheFirst200StsBenchmarkSentences(PaddingSide side) {
    Path folder = side == PaddingSide.LEFT ? left : right;
    try (OnnxEmbedder embedder = OnnxEmbedder.builder().modelFolder(folder).tokenBudget(8192)
        .build()) {
      // given an embedder that reads the folder's last-token pooling, padding side and EOS
      assertThat(embedder.pooling()).isEqualTo(Pooling.LAST_TOKEN);
      assertThat(embedder.tokenizerLayout().paddingSide()).isEqualTo(side);
      assertThat(embedder.dimension()).isEqualTo(Stories260KEmbedderExport.HIDDEN);
      List<TaskPrompt> prompts = Collections.nCopies(sentences.size(), TaskPrompt.none());
      List<TokenizedBatch> batches = embedder.tokenize(sentences, prompts);
      assertThat(batches).as("the sentences are batched with padding")
          .anySatisfy(b -> assertThat(b.tokenCount()).isLessThan(
              (long) b.rows() * b.sequenceLength()));
      for (TokenizedBatch b : batches) {
        for (int r = 0; r < b.rows(); r++) {
          int last = side == PaddingSide.LEFT ? (r + 1) * b.sequenceLength() - 1
              : r * b.sequenceLength() + b.rowTokens()[r] - 1;
          assertThat(b.inputIds()[last]).as("every row ends with </s>").isEqualTo(2L);
        }
      }

      // when the sentences are embedded in batches and one by one
      List<Embedding> batched = embedder.embedAll(sentences, prompts);
      float max = 0;
      for (int i = 0; i < sentences.size(); i++) {
        float[] alone = embedder.embed(sentences.get(i), TaskPrompt.none()).toArray();
        max = Math.max(max, maxAbsDiff(batched.get(i).toArray(), alone));
      }

      // then they are equal
      assertThat(max).isLessThan(1e-4f);
    }
  }

  @ParameterizedTest
  @EnumSource(PaddingSide.class)
  void theTrainerRunsTheDecoderFolderAsServingDoes(PaddingSide side) throws Exception {
    // given the trainer's encoder and the embedder over the same decoder folder
    Path folder = side == PaddingSide.LEFT ? left : right;
    List<String> some = sentences.subList(0, 32);
    try (TrainableEncoder encoder = TrainableEncoder.open(SentenceTransformersFolder.read(folder));
        OnnxEmbedder served = OnnxEmbedder.builder().modelFolder(folder).build()) {
      assertThat(encoder.pooling()).isEqualTo(Pooling.LAST_TOKEN);
      assertThat(encoder.hiddenSize()).isEqualTo(Stories260KEmbedderExport.HIDDEN);
      // when the trainer (PyTorch, one padded batch) and ONNX Runtime embed the sentences
      float[][] trained = encoder.embedTexts(some, encoder.maxLength(), some.size());
      List<Embedding> ort = served.embedAll(some, Collections.nCopies(some.size(),
          TaskPrompt.none()));
      // then they agree: same tokens (EOS appended, padding side), same pooling
      float max = 0;
      for (int i = 0; i < some.size(); i++) {
        max = Math.max(max, maxAbsDiff(trained[i], ort.get(i).toArray()));
      }
      assertThat(max).isLessThan(1e-4f);
    }
  }

  @Test
  void aTrainedDecoderIsExportedWithItsTokenizerNeedsAndServesWhatTheTrainerComputes(
      @TempDir Path out) throws Exception {
    // given two training steps on the left-padded decoder folder
    List<TrainingExample> rows = new ArrayList<>();
    for (int i = 0; i + 1 < 16; i += 2) {
      rows.add(new TrainingExample(sentences.get(i), sentences.get(i + 1), null));
    }
    try (GeckoTrainer trainer = GeckoTrainer.open(SentenceTransformersFolder.read(left))) {
      TrainingResult result = trainer.train(
          TrainingConfig.builder("stories260K", out).steps(2).batchSize(4).microBatchSize(4)
              .learningRate(1e-3).warmupSteps(1).queryMaxLength(32).passageMaxLength(32).seed(1)
              .build(),
          List.of(new TrainingSource("sts", 1.0, rows)), new TrainingListener() { });
      Path dir = result.modelDirectory();
      // then the folder keeps last-token pooling, the left padding and the appended EOS
      List<String> some = sentences.subList(0, 16);
      float[][] trained = trainer.encoder().embedTexts(some, 64, some.size());
      try (OnnxEmbedder served = OnnxEmbedder.builder().modelFolder(dir).maxLength(64).build()) {
        assertThat(served.pooling()).isEqualTo(Pooling.LAST_TOKEN);
        assertThat(served.tokenizerLayout()).isEqualTo(
            new dev.gecko4j.onnx.TokenizerLayout(PaddingSide.LEFT, 2));
        // and serves what the trainer computes
        List<Embedding> ort = served.embedAll(some, Collections.nCopies(some.size(),
            TaskPrompt.none()));
        float max = 0;
        for (int i = 0; i < some.size(); i++) {
          max = Math.max(max, maxAbsDiff(trained[i], ort.get(i).toArray()));
        }
        assertThat(max).isLessThan(1e-4f);
      }
    }
  }

  @Test
  void leftAndRightPaddingGiveTheSameVectors() {
    List<String> some = sentences.subList(0, 64);
    List<TaskPrompt> prompts = Collections.nCopies(some.size(), TaskPrompt.none());
    try (OnnxEmbedder l = OnnxEmbedder.builder().modelFolder(left).tokenBudget(8192).build();
        OnnxEmbedder r = OnnxEmbedder.builder().modelFolder(right).tokenBudget(8192).build()) {
      List<Embedding> a = l.embedAll(some, prompts);
      List<Embedding> b = r.embedAll(some, prompts);
      for (int i = 0; i < some.size(); i++) {
        assertThat(maxAbsDiff(a.get(i).toArray(), b.get(i).toArray())).isLessThan(1e-4f);
      }
    }
  }

  @Test
  void theAppendedEosIsWhatLastTokenPoolingReads() {
    try (OnnxEmbedder withEos = OnnxEmbedder.builder().modelFolder(right).build();
        OnnxEmbedder without = OnnxEmbedder.builder().modelFolder(right).appendEos(false).build()) {
      TokenizedBatch a = withEos.tokenize(List.of("a cat sat"), List.of(TaskPrompt.none())).get(0);
      TokenizedBatch b = without.tokenize(List.of("a cat sat"), List.of(TaskPrompt.none())).get(0);
      assertThat(a.inputIds()).startsWith(b.inputIds()).endsWith(2L);
      assertThat(a.sequenceLength()).isEqualTo(b.sequenceLength() + 1);
      assertThat(withEos.fingerprint()).isNotEqualTo(without.fingerprint());
    }
  }

  @Test
  void e5MistralsInstructionGoesOnQueriesOnly() {
    String task = "Given a sentence, retrieve sentences that mean the same";
    String text = sentences.get(0);
    try (OnnxEmbedder instructed = OnnxEmbedder.builder().modelFolder(right)
            .promptConvention(PromptConvention.E5_MISTRAL, "E5_MISTRAL").build();
        OnnxEmbedder plain = OnnxEmbedder.builder().modelFolder(right).build()) {
      // a query is the instruction and the text, as one string
      assertThat(instructed.embed(text, TaskPrompt.query(task)).toArray()).containsExactly(
          plain.embed("Instruct: " + task + "\nQuery: " + text, TaskPrompt.none()).toArray(),
          within(1e-6f));
      // a document is the text alone
      assertThat(instructed.embed(text, TaskPrompt.document()).toArray()).containsExactly(
          plain.embed(text, TaskPrompt.none()).toArray(), within(1e-6f));
    }
  }

  @Test
  void aDecoderFamilyAppendsTheEosItsModelsExpect(@TempDir Path dir) throws Exception {
    // given a folder whose tokenizer config says nothing of an EOS
    Path plain = Stories260KEmbedderExport.export(source, dir.resolve("plain"), PaddingSide.RIGHT,
        false);
    try (OnnxEmbedder none = OnnxEmbedder.builder().modelFolder(plain).build();
        OnnxEmbedder family = OnnxEmbedder.builder().modelFolder(plain)
            .family(dev.gecko4j.core.ModelFamily.E5_MISTRAL).build();
        OnnxEmbedder off = OnnxEmbedder.builder().modelFolder(plain)
            .family(dev.gecko4j.core.ModelFamily.E5_MISTRAL).appendEos(false).build()) {
      // then only the e5-mistral family appends </s> (unless told not to)
      assertThat(none.tokenizerLayout().appendsEos()).isFalse();
      assertThat(family.tokenizerLayout().eosTokenId()).isEqualTo(2);
      assertThat(family.tokenize(List.of("a cat sat"), List.of(TaskPrompt.none())).get(0)
          .inputIds()).endsWith(2L);
      assertThat(off.tokenizerLayout().appendsEos()).isFalse();
    }
  }

  @Test
  void truncationKeepsTheAppendedEos() {
    try (OnnxEmbedder e = OnnxEmbedder.builder().modelFolder(right).maxLength(8).build()) {
      TokenizedBatch b = e.tokenize(List.of(String.join(" ", sentences.subList(0, 5))),
          List.of(TaskPrompt.none())).get(0);
      assertThat(b.sequenceLength()).isEqualTo(8);
      assertThat(b.inputIds()[0]).isEqualTo(1L);
      assertThat(b.inputIds()[7]).isEqualTo(2L);
    }
  }

  private static float[] floats(OnnxTensor t) {
    FloatBuffer fb = t.getFloatBuffer();
    float[] f = new float[fb.remaining()];
    fb.get(f);
    return f;
  }

  private static float maxAbsDiff(float[] a, float[] b) {
    assertThat(a).hasSameSizeAs(b);
    float m = 0;
    for (int i = 0; i < a.length; i++) {
      m = Math.max(m, Math.abs(a[i] - b[i]));
    }
    return m;
  }
}
