package dev.gecko4j.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gecko4j.core.Embedding;
import dev.gecko4j.core.PromptConvention;
import dev.gecko4j.core.TaskPrompt;
import dev.gecko4j.core.internal.GeckoJson;
import dev.gecko4j.core.train.TrainingConfig;
import dev.gecko4j.core.train.TrainingExample;
import dev.gecko4j.onnx.Models;
import dev.gecko4j.onnx.OnnxEmbedder;
import dev.gecko4j.onnx.TokenizedBatch;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;

/**
 * Every bundled fp32 model is trainable by name, and the trainer sees the token ids the embedder
 * serves (one tokenisation path): the same ids and masks for STSBenchmark and SciFact texts, and
 * the same embeddings before training.
 */
@Tag("jdk-independent") // JDK 17 only: see the root pom's jdk25 execution
class BundledModelsTrainableTest {

  private static final int TEXTS_PER_DATASET = 300;

  @ParameterizedTest
  @EnumSource(value = Models.class, names = {"BGE_SMALL_EN_V15", "ALL_MINILM_L6_V2", "E5_SMALL_V2"})
  void should_open_in_the_trainer_tokenise_as_the_embedder_and_embed_alike(Models model,
      @TempDir Path out) throws Exception {
    List<String> sts = stsSentences();
    List<String> scifact = scifactDocuments();
    try (GeckoTrainer trainer = GeckoTrainer.open(model.modelName());
        OnnxEmbedder embedder = OnnxEmbedder.builder().model(model).build()) {
      TrainableEncoder encoder = trainer.encoder();
      PromptConvention convention = embedder.promptConvention();

      // then: identical ids and masks, texts with their prompts (symmetric STS, SciFact documents)
      assertSameTokens(encoder, embedder, sts, TaskPrompt.symmetric(TaskPrompt.SENTENCE_SIMILARITY));
      assertSameTokens(encoder, embedder, scifact, TaskPrompt.document());
      assertSameTokens(encoder, embedder, sts.subList(0, 50), TaskPrompt.query(TaskPrompt.SEARCH_RESULT));

      // and the same embeddings before training (PyTorch vs ONNX Runtime)
      List<String> texts = List.of("what do geckos eat?", sts.get(0), scifact.get(0), "");
      TaskPrompt query = TaskPrompt.query(TaskPrompt.SEARCH_RESULT);
      List<Embedding> served = embedder.embedAll(texts, query);
      float[][] trained = encoder.embedTexts(texts.stream().map(t -> convention.apply(query, t)).toList(),
          embedder.maxLength(), 4);
      for (int i = 0; i < texts.size(); i++) {
        assertThat(OrtReference.maxAbsDiff(served.get(i).toArray(), trained[i]))
            .as("%s text %d", model, i).isLessThanOrEqualTo(1e-4f);
      }

      // and a training step computes a finite loss and gradients
      TrainingConfig config = TrainingConfig.builder(model.modelName(), out).steps(1).batchSize(2)
          .microBatchSize(2).warmupSteps(0).queryMaxLength(16).passageMaxLength(32).build();
      GeckoTrainer.StepResult step = trainer.computeGradients(List.of(
          new TrainingExample("what do geckos eat?", "Geckos eat insects.", null),
          new TrainingExample("where is Paris?", "Paris is in France.", null)),
          GeckoTrainer.lossOf(config), config);
      assertThat(step.loss()).isFinite();
      assertThat(GeckoTrainer.globalNorm(step.grads())).isFinite().isPositive();
    }
  }

  @Test
  void should_refuse_the_int8_model_and_name_the_fp32_one_to_train() {
    assertThatThrownBy(() -> GeckoTrainer.open("bge-small-en-v1.5-q"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bge-small-en-v1.5-q is int8")
        .hasMessageContaining("train the fp32 model bge-small-en-v1.5");
  }

  private static void assertSameTokens(TrainableEncoder encoder, OnnxEmbedder embedder,
      List<String> texts, TaskPrompt prompt) {
    PromptConvention convention = embedder.promptConvention();
    List<String> rendered = texts.stream().map(t -> convention.apply(prompt, t)).toList();
    TokenizedBatch trained = encoder.tokenize(rendered, embedder.maxLength());
    long[][] served = new long[texts.size()][];
    for (TokenizedBatch b : embedder.tokenize(texts, Collections.nCopies(texts.size(), prompt))) {
      for (int r = 0; r < b.rows(); r++) {
        int from = r * b.sequenceLength();
        served[b.rowOwners()[r]] = Arrays.copyOfRange(b.inputIds(), from, from + b.rowTokens()[r]);
        assertThat(Arrays.stream(b.attentionMask(), from, from + b.sequenceLength()).sum())
            .isEqualTo(b.rowTokens()[r]);
      }
    }
    int seq = trained.sequenceLength();
    for (int i = 0; i < texts.size(); i++) {
      int len = trained.rowTokens()[i];
      long[] ids = Arrays.copyOfRange(trained.inputIds(), i * seq, i * seq + len);
      long[] mask = Arrays.copyOfRange(trained.attentionMask(), i * seq, i * seq + seq);
      assertThat(ids).as("ids of text %d", i).containsExactly(served[i]);
      assertThat(Arrays.stream(mask).sum()).as("mask of text %d", i).isEqualTo(served[i].length);
    }
  }

  private static Path data() {
    Path dir = Path.of(System.getProperty("gecko.shared.data", "../shared/data"));
    Assumptions.assumeTrue(Files.isDirectory(dir.resolve("sts")) && Files.isDirectory(dir.resolve("beir/scifact")),
        "needs " + dir + " (../shared/data beside the repo)");
    return dir;
  }

  private static List<String> stsSentences() throws IOException {
    List<String> out = new ArrayList<>();
    List<String> lines = Files.readAllLines(data().resolve("sts/STSBenchmark.test.tsv"));
    for (String line : lines.subList(1, 1 + TEXTS_PER_DATASET / 2)) {
      String[] f = line.split("\t", -1);
      out.add(f[1]);
      out.add(f[2]);
    }
    return out;
  }

  private static List<String> scifactDocuments() throws IOException {
    List<String> out = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(data().resolve("beir/scifact/corpus.jsonl"))) {
      String line;
      while (out.size() < TEXTS_PER_DATASET && (line = r.readLine()) != null) {
        JsonNode doc = GeckoJson.mapper().readTree(line);
        out.add((doc.path("title").asText() + " " + doc.path("text").asText()).strip());
      }
    }
    return out;
  }
}
