package dev.gecko4j.train.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.gecko4j.core.rerank.RankedPassage;
import dev.gecko4j.core.rerank.RelevanceScores;
import dev.gecko4j.core.rerank.ScoreScale;
import dev.gecko4j.onnx.ModelLoadException;
import dev.gecko4j.onnx.Models;
import dev.gecko4j.onnx.OnnxCrossEncoder;
import dev.gecko4j.onnx.TokenizedBatch;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cross-encoder folders made from the bundled bge-small-en-v1.5's real weights with the project's
 * own ONNX writer: the encoder, its CLS state, and a linear head of real weights (rows of bge's
 * word embeddings) writing {@code logits}, the shape of a HuggingFace sequence-classification
 * export. {@link OnnxCrossEncoder} must serve exactly the head computed here independently (bge run
 * directly in ONNX Runtime on the tokenizer's own pair encoding, the head in double), batched equal
 * to one by one. No real cross-encoder weights are reachable here: this checks the serving
 * mechanics, not a reranker's quality.
 */
class CrossEncoderServingTest {

  static final int HIDDEN = 384;
  static final String QUERY = "what do geckos eat?";
  static final List<String> PASSAGES = List.of(
      "Geckos are small lizards that eat insects, worms and fruit.",
      "Paris is the capital of France, and its largest city.",
      "",
      "naïve café 東京 \uD800 geckos",
      "Leopard geckos are insectivores: crickets and mealworms are their staple food. ".repeat(4));

  static byte[] model;
  static byte[] tokenizer;
  static float[] words;

  @TempDir Path dir;

  @BeforeAll
  static void readRealWeights() {
    model = Models.BGE_SMALL_EN_V15.spec().readModelBytes();
    tokenizer = Models.BGE_SMALL_EN_V15.spec().readTokenizerBytes();
    Map<String, TensorData> inits = OnnxModel.parse(model).initializers();
    words = inits.get("embeddings.word_embeddings.weight").floats();
  }

  @AfterAll
  static void release() {
    model = null;
    tokenizer = null;
    words = null;
  }

  @Test
  void should_serve_one_logit_per_pair_equal_to_the_head_computed_independently()
      throws Exception {
    float[] w = head(1, 2000);
    float[] b = {0.25f};
    Path folder = crossEncoder("one-label", w, b, 1,
        "{\"id2label\": {\"0\": \"LABEL_0\"}, \"sentence_transformers\": "
            + "{\"activation_fn\": \"torch.nn.modules.activation.Sigmoid\"}}");
    double[][] expected = independentLogits(QUERY, PASSAGES, w, b, 1);

    try (OnnxCrossEncoder ce = OnnxCrossEncoder.builder().modelFolder(folder).build()) {
      assertThat(ce.labels()).containsExactly("LABEL_0");
      assertThat(ce.declaredScale()).isEqualTo(ScoreScale.PROBABILITY);
      RelevanceScores s = ce.score(QUERY, PASSAGES);
      assertThat(s.size()).isEqualTo(PASSAGES.size());
      for (int i = 0; i < PASSAGES.size(); i++) {
        assertThat(s.logit(i)).as("passages[%d]", i).isCloseTo(expected[i][0], within(1e-4));
        assertThat(s.probability(i)).isCloseTo(1 / (1 + Math.exp(-expected[i][0])), within(1e-4));
        // batched equal to one by one
        assertThat(ce.score(QUERY, List.of(PASSAGES.get(i))).logit(0))
            .isCloseTo(s.logit(i), within(1e-4));
      }
      // -Dgecko4j.exportCrossEncoder=DIR keeps this folder, for trying `bin/gecko rerank` and
      // `bin/gecko evaluate --rerank` on real (re-exported) weights
      String keep = System.getProperty("gecko4j.exportCrossEncoder");
      if (keep != null && !keep.isBlank()) {
        Path out = Path.of(keep);
        Files.createDirectories(out);
        try (var files = Files.list(folder)) {
          for (Path f : (Iterable<Path>) files::iterator) {
            Files.copy(f, out.resolve(f.getFileName()),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
          }
        }
      }
      List<RankedPassage> top = ce.rerank(QUERY, PASSAGES, 2, ScoreScale.LOGIT);
      assertThat(top).hasSize(2);
      assertThat(top.get(0).score()).isGreaterThanOrEqualTo(top.get(1).score());
      assertThat(top.get(0).score()).isEqualTo(Arrays.stream(s.scores(ScoreScale.LOGIT)).max()
          .orElseThrow());
    }
  }

  @Test
  void should_serve_several_labels_with_softmax_probabilities_read_at_the_last_label()
      throws Exception {
    float[] w = head(2, 3000);
    float[] b = {0.1f, -0.2f};
    Path folder = crossEncoder("two-labels", w, b, 2,
        "{\"id2label\": {\"0\": \"irrelevant\", \"1\": \"relevant\"}, \"sentence_transformers\": "
            + "{\"activation_fn\": \"torch.nn.modules.linear.Identity\"}}");
    double[][] expected = independentLogits(QUERY, PASSAGES, w, b, 2);

    try (OnnxCrossEncoder ce = OnnxCrossEncoder.builder().modelFolder(folder).build()) {
      assertThat(ce.labels()).containsExactly("irrelevant", "relevant");
      assertThat(ce.relevanceLabel()).isEqualTo(1);
      assertThat(ce.declaredScale()).isEqualTo(ScoreScale.LOGIT);
      RelevanceScores s = ce.score(QUERY, PASSAGES);
      for (int i = 0; i < PASSAGES.size(); i++) {
        assertThat(s.logits(i)).containsExactly(expected[i], within(1e-4));
        double e0 = Math.exp(expected[i][0]);
        double e1 = Math.exp(expected[i][1]);
        assertThat(s.probability(i)).isCloseTo(e1 / (e0 + e1), within(1e-4));
      }
      // thread-safe: concurrent callers get the same scores
      List<java.util.concurrent.Future<RelevanceScores>> futures = new ArrayList<>();
      java.util.concurrent.ExecutorService pool =
          java.util.concurrent.Executors.newFixedThreadPool(4);
      try {
        for (int t = 0; t < 4; t++) {
          futures.add(pool.submit(() -> ce.score(QUERY, PASSAGES)));
        }
        for (var f : futures) {
          RelevanceScores c = f.get();
          for (int i = 0; i < PASSAGES.size(); i++) {
            assertThat(c.logits(i)).containsExactly(s.logits(i), within(1e-5));
          }
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void should_truncate_a_long_pair_longest_first_to_the_max_length() throws Exception {
    float[] w = head(1, 2000);
    Path folder = crossEncoder("truncation", w, new float[] {0}, 1, "{}");
    String longPassage = "geckos eat crickets and worms in the garden at night ".repeat(40);
    try (OnnxCrossEncoder ce = OnnxCrossEncoder.builder().modelFolder(folder).maxLength(64)
        .build();
        HuggingFaceTokenizer tok = HuggingFaceTokenizer.newInstance(
            new ByteArrayInputStream(tokenizer), Map.of("truncation", "false", "padding", "false",
                "maxLength", "512"))) {
      TokenizedBatch batch = ce.tokenize(QUERY, List.of(longPassage)).get(0);
      assertThat(batch.rowTokens()[0]).isEqualTo(64);
      long[] q = tok.encode(QUERY).getIds(); // [CLS] query [SEP]
      long[] ids = Arrays.copyOf(batch.inputIds(), 64);
      // the query (the shorter text) is kept whole; the passage is cut, and the pair ends in [SEP]
      assertThat(Arrays.copyOf(ids, q.length)).containsExactly(q);
      assertThat(ids[63]).isEqualTo(q[q.length - 1]);
      assertThat(batch.tokenTypeIds()[q.length - 1]).isZero();
      assertThat(batch.tokenTypeIds()[q.length]).isOne();
      // the served logit is the head over bge run on exactly those 64 tokens
      double expected = logitsOf(ids, Arrays.copyOf(batch.tokenTypeIds(), 64), w,
          new float[] {0}, 1)[0];
      assertThat(ce.score(QUERY, List.of(longPassage)).logit(0)).isCloseTo(expected, within(1e-4));
    }
  }

  @Test
  void should_refuse_a_graph_without_logits_and_labels_that_disagree_with_the_graph()
      throws IOException {
    Path tokenStates = dir.resolve("token-states");
    Files.createDirectories(tokenStates);
    Files.write(tokenStates.resolve("tokenizer.json"), tokenizer);
    Files.write(tokenStates.resolve("model.onnx"), model);
    assertThatThrownBy(() -> OnnxCrossEncoder.builder().modelFolder(tokenStates).build())
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("expected logits [batch, labels]");

    Path threeLabels = crossEncoder("three-labels", head(1, 2000), new float[] {0}, 1,
        "{\"id2label\": {\"0\": \"a\", \"1\": \"b\", \"2\": \"c\"}}");
    assertThatThrownBy(() -> OnnxCrossEncoder.builder().modelFolder(threeLabels).build())
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("found 1 logits per pair, expected one per label of [a, b, c]");
  }

  @Test
  void should_reject_null_passages_by_index_and_refuse_calls_after_close() throws IOException {
    Path folder = crossEncoder("bad-input", head(1, 2000), new float[] {0}, 1, "{}");
    OnnxCrossEncoder ce = OnnxCrossEncoder.builder().modelFolder(folder).build();
    List<String> withNull = new ArrayList<>(List.of("a"));
    withNull.add(null);
    assertThatThrownBy(() -> ce.score(QUERY, withNull))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("passages[1] must not be null");
    assertThatThrownBy(() -> ce.score(null, List.of("a")))
        .hasMessage("query must not be null");
    assertThat(ce.score(QUERY, List.of()).size()).isZero();
    ce.close();
    ce.close();
    assertThatThrownBy(() -> ce.score(QUERY, List.of("a")))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    assertThatThrownBy(() -> OnnxCrossEncoder.builder().modelFolder(folder).maxBatchSize(0)
        .build()).hasMessageContaining("maxBatchSize must be");
    assertThatThrownBy(() -> OnnxCrossEncoder.builder().modelFolder(folder).relevanceLabel(1)
        .build()).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("relevanceLabel must be in [0, 0] for the labels [score]")
        .hasMessageContaining("but is: 1");
  }

  /** {@code labels} rows of bge's word embeddings from {@code firstRow}: real weights. */
  private static float[] head(int labels, int firstRow) {
    return Arrays.copyOfRange(words, firstRow * HIDDEN, (firstRow + labels) * HIDDEN);
  }

  /** bge, its CLS state, Gemm(W^T) + b as {@code logits} [batch, labels]. */
  private Path crossEncoder(String name, float[] w, float[] b, int labels, String config)
      throws IOException {
    Path folder = dir.resolve(name);
    Files.createDirectories(folder);
    Files.write(folder.resolve("tokenizer.json"), tokenizer);
    Files.writeString(folder.resolve("config.json"), config, StandardCharsets.UTF_8);
    new GraphEditor(model).dropOutput("last_hidden_state")
        .addInitializer("gecko4j_zero", GraphEditor.INT64, new long[0], new byte[8])
        .appendNode("Gather", List.of("last_hidden_state", "gecko4j_zero"), List.of("gecko4j_cls"),
            GraphEditor.intAttr("axis", 1))
        .addInitializer("gecko4j_head_w", GraphEditor.FLOAT, new long[] {labels, HIDDEN},
            TensorData.floatBytes(w))
        .addInitializer("gecko4j_head_b", GraphEditor.FLOAT, new long[] {labels},
            TensorData.floatBytes(b))
        .appendNode("Gemm", List.of("gecko4j_cls", "gecko4j_head_w", "gecko4j_head_b"),
            List.of("logits"), GraphEditor.intAttr("transB", 1))
        .addOutput("logits", GraphEditor.FLOAT, "batch", (long) labels)
        .write(folder.resolve("model.onnx"));
    return folder;
  }

  /** Pair-encodes with the tokenizer itself and runs the unedited bge one pair at a time. */
  private static double[][] independentLogits(String query, List<String> passages, float[] w,
      float[] b, int labels) throws Exception {
    try (HuggingFaceTokenizer tok = HuggingFaceTokenizer.newInstance(
        new ByteArrayInputStream(tokenizer), Map.of("truncation", "false", "padding", "false",
            "maxLength", "512"))) {
      double[][] out = new double[passages.size()][];
      for (int i = 0; i < passages.size(); i++) {
        String p = passages.get(i).replace('\uD800', '\uFFFD');
        Encoding e = tok.encode(query, p);
        out[i] = logitsOf(e.getIds(), e.getTypeIds(), w, b, labels);
      }
      return out;
    }
  }

  private static double[] logitsOf(long[] ids, long[] types, float[] w, float[] b, int labels)
      throws Exception {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    long[] mask = new long[ids.length];
    Arrays.fill(mask, 1);
    long[] shape = {1, ids.length};
    try (OrtSession s = env.createSession(model, new OrtSession.SessionOptions());
        OnnxTensor i = OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape);
        OnnxTensor m = OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape);
        OnnxTensor t = OnnxTensor.createTensor(env, LongBuffer.wrap(types), shape);
        OrtSession.Result r = s.run(Map.of("input_ids", i, "attention_mask", m,
            "token_type_ids", t))) {
      FloatBuffer states = ((OnnxTensor) r.get("last_hidden_state").orElseThrow())
          .getFloatBuffer();
      double[] logits = new double[labels];
      for (int l = 0; l < labels; l++) {
        double acc = b[l];
        for (int h = 0; h < HIDDEN; h++) {
          acc += (double) w[l * HIDDEN + h] * states.get(h); // row 0 = CLS
        }
        logits[l] = acc;
      }
      return logits;
    }
  }
}
