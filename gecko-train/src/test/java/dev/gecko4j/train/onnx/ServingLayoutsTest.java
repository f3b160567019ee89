package dev.gecko4j.train.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.gecko4j.core.Embedding;
import dev.gecko4j.core.Pooling;
import dev.gecko4j.core.TaskPrompt;
import dev.gecko4j.onnx.ModelLoadException;
import dev.gecko4j.onnx.ModelSpec;
import dev.gecko4j.onnx.Models;
import dev.gecko4j.onnx.OnnxEmbedder;
import dev.gecko4j.onnx.PipelineModule;
import dev.gecko4j.onnx.SentenceTransformersFolder;
import java.io.IOException;
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
 * The layouts users download, each made from the bundled bge-small-en-v1.5's real weights with the
 * project's own ONNX writer ({@link GraphEditor} on {@link Wire}), served through {@code
 * OnnxEmbedder.builder().modelFolder(dir)}: each serves exactly what it must (the bundled model's
 * vectors, or the Dense head computed here independently), or is refused at {@code build()} by a
 * message naming what cannot be run. No layout yields a silently different vector.
 */
class ServingLayoutsTest {

  static final List<String> TEXTS = List.of("what do geckos eat?",
      "Geckos are small lizards that eat insects, worms and fruit.", "A man is playing a flute.",
      "", "Paris is the capital of France, and its largest city. ".repeat(12), "naïve café 東京");
  static final List<TaskPrompt> PROMPTS = List.of(TaskPrompt.query(TaskPrompt.SEARCH_RESULT),
      TaskPrompt.document(), TaskPrompt.symmetric(TaskPrompt.SENTENCE_SIMILARITY),
      TaskPrompt.none(), TaskPrompt.document(), TaskPrompt.query(TaskPrompt.SEARCH_RESULT));
  /** Real weights for a 384 -> 256 Dense head: rows 1000..1255 of bge's word embeddings. */
  static final int OUT = 256;
  static final int HIDDEN = 384;

  static byte[] model;
  static byte[] tokenizer;
  static float[] denseWeight;
  static float[] denseBias;
  /** The bundled model's vectors, and its CLS vectors before normalisation. */
  static List<Embedding> bundled;
  static List<Embedding> rawCls;

  @TempDir Path dir;

  @BeforeAll
  static void readRealWeights() {
    ModelSpec spec = Models.BGE_SMALL_EN_V15.spec();
    model = spec.readModelBytes();
    tokenizer = spec.readTokenizerBytes();
    Map<String, TensorData> inits = OnnxModel.parse(model).initializers();
    float[] words = inits.get("embeddings.word_embeddings.weight").floats();
    denseWeight = Arrays.copyOfRange(words, 1000 * HIDDEN, (1000 + OUT) * HIDDEN);
    denseBias = Arrays.copyOf(inits.get("encoder.layer.0.attention.self.query.bias").floats(), OUT);
    try (OnnxEmbedder e = OnnxEmbedder.builder().model(Models.BGE_SMALL_EN_V15).build();
        OnnxEmbedder raw = OnnxEmbedder.builder().model(Models.BGE_SMALL_EN_V15).normalize(false)
            .build()) {
      bundled = e.embedAll(TEXTS, PROMPTS);
      rawCls = raw.embedAll(TEXTS, PROMPTS);
    }
  }

  @AfterAll
  static void release() {
    model = null;
    tokenizer = null;
  }

  @Test
  void should_serve_a_graph_without_token_type_ids_equal_to_the_bundled_model() throws IOException {
    Path folder = folder("no-token-types", Models.BGE_SMALL_EN_V15.spec());
    new GraphEditor(model).dropInput("token_type_ids")
        .addInitializer("gecko4j_zero", GraphEditor.INT64, new long[0], new byte[8])
        .prependNode("Mul", List.of("input_ids", "gecko4j_zero"), List.of("token_type_ids"))
        .write(folder.resolve("model.onnx"));

    assertServes(folder, bundled, 1e-4f);
  }

  @Test
  void should_serve_weights_in_external_data_equal_to_the_bundled_model() throws IOException {
    Path folder = folder("external-data", Models.BGE_SMALL_EN_V15.spec());
    new GraphEditor(model).externalData(folder.resolve("model.onnx_data"))
        .write(folder.resolve("model.onnx"));

    assertThat(Files.size(folder.resolve("model.onnx"))).isLessThan(1 << 20);
    assertThat(Files.size(folder.resolve("model.onnx_data"))).isGreaterThan(100L << 20);
    assertServes(folder, bundled, 1e-4f);
    try (OnnxEmbedder e = OnnxEmbedder.builder().modelFolder(folder).build()) {
      assertThat(e.fingerprint()).contains("|data=crc32c:");
    }
  }

  @Test
  void should_widen_a_float16_output_to_within_2e_3_of_the_bundled_model() throws IOException {
    Path folder = folder("float16", Models.BGE_SMALL_EN_V15.spec());
    new GraphEditor(model).dropOutput("last_hidden_state")
        .appendNode("Cast", List.of("last_hidden_state"), List.of("token_embeddings"),
            GraphEditor.intAttr("to", GraphEditor.FLOAT16))
        .addOutput("token_embeddings", GraphEditor.FLOAT16, "batch", "sequence", (long) HIDDEN)
        .write(folder.resolve("model.onnx"));

    try (OnnxEmbedder e = OnnxEmbedder.builder().modelFolder(folder).build()) {
      assertThat(e.outputName()).isEqualTo("token_embeddings");
    }
    assertServes(folder, bundled, 2e-3f);
  }

  @Test
  void should_use_an_exported_sentence_embedding_as_is_rather_than_pool_the_token_states()
      throws IOException {
    // The graph pools CLS and normalises; the folder's Pooling says MEAN. sentence_embedding is
    // the whole pipeline's output, so the served vectors are the graph's CLS ones.
    ModelSpec spec = Models.BGE_SMALL_EN_V15.spec();
    Path folder = folder("pooled-output", spec.withSettings(Pooling.MEAN, true, spec.maxLength(),
        spec.prompts(), spec.promptConventionName()));
    clsGraph().appendNode("LpNormalization", List.of("gecko4j_cls"),
            List.of("sentence_embedding"), GraphEditor.intAttr("axis", 1),
            GraphEditor.intAttr("p", 2))
        .addOutput("sentence_embedding", GraphEditor.FLOAT, "batch", (long) HIDDEN)
        .write(folder.resolve("model.onnx"));

    try (OnnxEmbedder e = OnnxEmbedder.builder().modelFolder(folder).build()) {
      assertThat(e.outputName()).isEqualTo("sentence_embedding");
    }
    assertServes(folder, bundled, 1e-4f);
  }

  @Test
  void should_serve_a_graph_whose_sentence_embedding_holds_the_dense_head_without_applying_it_again()
      throws IOException {
    // EmbeddingGemma's layout: modules.json lists the Dense head, and the graph's
    // sentence_embedding already includes it (and the normalisation).
    Path folder = folder("pooled-dense", denseSpec());
    assertThat(folder.resolve("2_Dense/model.safetensors")).isRegularFile();
    clsGraph()
        .addInitializer("gecko4j_dense_w", GraphEditor.FLOAT, new long[] {OUT, HIDDEN},
            TensorData.floatBytes(denseWeight))
        .addInitializer("gecko4j_dense_b", GraphEditor.FLOAT, new long[] {OUT},
            TensorData.floatBytes(denseBias))
        .appendNode("Gemm", List.of("gecko4j_cls", "gecko4j_dense_w", "gecko4j_dense_b"),
            List.of("gecko4j_dense"), GraphEditor.intAttr("transB", 1))
        .appendNode("Tanh", List.of("gecko4j_dense"), List.of("gecko4j_tanh"))
        .appendNode("LpNormalization", List.of("gecko4j_tanh"), List.of("sentence_embedding"),
            GraphEditor.intAttr("axis", 1), GraphEditor.intAttr("p", 2))
        .addOutput("sentence_embedding", GraphEditor.FLOAT, "batch", (long) OUT)
        .write(folder.resolve("model.onnx"));

    assertServes(folder, denseHeadComputedHere(), 1e-4f);
  }

  @Test
  void should_refuse_a_sentence_embedding_whose_size_is_not_what_the_folders_pipeline_ends_with()
      throws IOException {
    // modules.json ends with a 256-wide Dense head, but the graph's sentence_embedding (384) was
    // exported without it: served as is it would silently drop the head.
    Path folder = folder("pooled-without-dense", denseSpec());
    clsGraph().appendNode("LpNormalization", List.of("gecko4j_cls"),
            List.of("sentence_embedding"), GraphEditor.intAttr("axis", 1),
            GraphEditor.intAttr("p", 2))
        .addOutput("sentence_embedding", GraphEditor.FLOAT, "batch", (long) HIDDEN)
        .write(folder.resolve("model.onnx"));

    assertThatThrownBy(() -> OnnxEmbedder.builder().modelFolder(folder).build())
        .isInstanceOf(ModelLoadException.class)
        .hasMessageStartingWith(folder.resolve("model.onnx") + ": found a sentence_embedding "
            + "output of 384 values, expected the 256 values the pipeline [")
        .hasMessageContaining("Dense[2_Dense, 384->256, TANH, bias=true]");
  }

  @Test
  void should_run_a_dense_module_of_the_folder_on_the_pooled_vector() throws IOException {
    Path folder = folder("dense-head", denseSpec());
    Files.write(folder.resolve("model.onnx"), model);

    try (OnnxEmbedder e = OnnxEmbedder.builder().modelFolder(folder).build()) {
      assertThat(e.dimension()).isEqualTo(OUT);
      assertThat(e.spec().denseLayers()).hasSize(1);
    }
    assertServes(folder, denseHeadComputedHere(), 1e-4f);
  }

  @Test
  void should_refuse_an_unknown_module_naming_its_type_and_path() throws IOException {
    Path folder = folder("unknown-module", Models.BGE_SMALL_EN_V15.spec());
    Files.writeString(folder.resolve("model.onnx"), "never opened");
    Files.writeString(folder.resolve("modules.json"), """
        [
          {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
          {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
          {"idx": 2, "name": "2", "path": "2_LayerNorm", "type": "sentence_transformers.models.LayerNorm"},
          {"idx": 3, "name": "3", "path": "3_Normalize", "type": "sentence_transformers.models.Normalize"}
        ]
        """);

    assertThatThrownBy(() -> OnnxEmbedder.builder().modelFolder(folder).build())
        .isInstanceOf(ModelLoadException.class)
        .hasMessage(folder.resolve("modules.json") + ": found module '2' of type "
            + "'sentence_transformers.models.LayerNorm' at path '2_LayerNorm', which gecko4j "
            + "cannot run; expected only sentence_transformers.models.Transformer, Pooling, Dense "
            + "and Normalize modules");
  }

  @Test
  void should_refuse_a_dense_module_whose_weights_are_a_pytorch_pickle() throws IOException {
    Path folder = folder("dense-bin", denseSpec());
    Files.writeString(folder.resolve("model.onnx"), "never opened");
    Files.delete(folder.resolve("2_Dense/model.safetensors"));
    Files.write(folder.resolve("2_Dense/pytorch_model.bin"), new byte[] {'P', 'K', 3, 4});

    assertThatThrownBy(() -> OnnxEmbedder.builder().modelFolder(folder).build())
        .isInstanceOf(ModelLoadException.class)
        .hasMessage(folder.resolve("2_Dense/pytorch_model.bin") + ": found the Dense module's "
            + "weights as a PyTorch pickle (sentence_transformers.models.Dense at path '2_Dense'), "
            + "which gecko4j cannot read; expected model.safetensors (save the model again with a "
            + "recent sentence-transformers, which writes safetensors)");
  }

  /** Gather(last_hidden_state, 0, axis 1): the CLS state, as {@code gecko4j_cls}. */
  private static GraphEditor clsGraph() {
    return new GraphEditor(model)
        .addInitializer("gecko4j_zero", GraphEditor.INT64, new long[0], new byte[8])
        .appendNode("Gather", List.of("last_hidden_state", "gecko4j_zero"), List.of("gecko4j_cls"),
            GraphEditor.intAttr("axis", 1));
  }

  /** bge's Transformer and CLS Pooling, then the 384 -> 256 Tanh Dense head, then Normalize. */
  private static ModelSpec denseSpec() {
    ModelSpec bge = Models.BGE_SMALL_EN_V15.spec();
    return bge.withModules(List.of(new PipelineModule.Transformer(""),
        PipelineModule.Pool.of("1_Pooling", Pooling.CLS, HIDDEN),
        new PipelineModule.Dense("2_Dense", HIDDEN, OUT, PipelineModule.Activation.TANH,
            denseWeight, denseBias),
        new PipelineModule.Normalize("3_Normalize")));
  }

  /** normalise(tanh(W cls + b)) from the bundled model's raw CLS vectors, computed here. */
  private static List<Embedding> denseHeadComputedHere() {
    List<Embedding> out = new ArrayList<>();
    for (Embedding cls : rawCls) {
      float[] x = cls.toArray();
      float[] y = new float[OUT];
      double norm = 0;
      for (int o = 0; o < OUT; o++) {
        double acc = denseBias[o];
        for (int i = 0; i < HIDDEN; i++) {
          acc += denseWeight[o * HIDDEN + i] * (double) x[i];
        }
        y[o] = (float) Math.tanh(acc);
        norm += y[o] * (double) y[o];
      }
      for (int o = 0; o < OUT; o++) {
        y[o] = (float) (y[o] / Math.sqrt(norm));
      }
      out.add(Embedding.wrap(y));
    }
    return out;
  }

  private Path folder(String name, ModelSpec spec) throws IOException {
    Path folder = dir.resolve(name);
    Files.createDirectories(folder);
    Files.write(folder.resolve("tokenizer.json"), tokenizer);
    SentenceTransformersFolder.writeConfig(folder, spec, HIDDEN);
    return folder;
  }

  private static void assertServes(Path folder, List<Embedding> expected, float tolerance) {
    try (OnnxEmbedder e = OnnxEmbedder.builder().modelFolder(folder).build()) {
      List<Embedding> got = e.embedAll(TEXTS, PROMPTS);
      for (int i = 0; i < TEXTS.size(); i++) {
        assertThat(got.get(i).toArray()).as("texts[%d] served from %s", i, folder.getFileName())
            .containsExactly(expected.get(i).toArray(), within(tolerance));
      }
    }
  }
}
