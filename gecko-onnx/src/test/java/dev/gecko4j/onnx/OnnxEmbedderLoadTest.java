package dev.gecko4j.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gecko4j.core.Embedding;
import dev.gecko4j.core.Pooling;
import dev.gecko4j.core.TaskPrompt;
import dev.gecko4j.core.testing.SharedData;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Load-time checks: every missing or corrupt part fails at build() naming path, found, expected. */
class OnnxEmbedderLoadTest {

  @TempDir Path dir;

  @Test
  void should_name_a_missing_model_folder() {
    Path missing = dir.resolve("no-such-model");

    assertThatThrownBy(() -> OnnxEmbedder.builder().modelFolder(missing).build())
        .isInstanceOf(ModelLoadException.class)
        .hasMessage(missing + ": found nothing, expected a model folder (sentence-transformers layout)");
  }

  @Test
  void should_name_a_folder_without_tokenizer() throws IOException {
    Files.write(dir.resolve("model.onnx"), new byte[] {1, 2, 3});
    Files.createDirectories(dir.resolve("1_Pooling"));

    assertThatThrownBy(() -> OnnxEmbedder.builder().modelFolder(dir).build())
        .isInstanceOf(ModelLoadException.class)
        .hasMessage(dir + ": found [1_Pooling/, model.onnx], expected tokenizer.json "
            + "(HuggingFace fast tokenizer)");
  }

  @Test
  void should_name_a_folder_without_model() throws IOException {
    copyResource("all-minilm-l6-v2-tokenizer.json", dir.resolve("tokenizer.json"));

    assertThatThrownBy(() -> OnnxEmbedder.builder().modelFolder(dir).build())
        .isInstanceOf(ModelLoadException.class)
        .hasMessage(dir + ": found [tokenizer.json], expected model.onnx or onnx/model.onnx");
  }

  @Test
  void should_name_corrupt_model_bytes() throws IOException {
    copyResource("all-minilm-l6-v2-tokenizer.json", dir.resolve("tokenizer.json"));
    Files.writeString(dir.resolve("model.onnx"), "not an onnx model", StandardCharsets.UTF_8);

    assertThatThrownBy(() -> OnnxEmbedder.builder().modelFolder(dir).build())
        .isInstanceOf(ModelLoadException.class)
        .hasMessageStartingWith(dir.resolve("model.onnx")
            + ": found 17 bytes that ONNX Runtime cannot load (")
        .hasMessageEndingWith("), expected an ONNX model (ModelProto)")
        .satisfies(e -> assertThat(((ModelLoadException) e).location())
            .isEqualTo(dir.resolve("model.onnx").toString()));
  }

  @Test
  void should_name_a_corrupt_tokenizer() throws IOException {
    Files.writeString(dir.resolve("tokenizer.json"), "{ this is not json", StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("model.onnx"), "x", StandardCharsets.UTF_8);

    assertThatThrownBy(() -> OnnxEmbedder.builder().modelFolder(dir).build())
        .isInstanceOf(ModelLoadException.class)
        .hasMessageStartingWith(dir.resolve("tokenizer.json")
            + ": found a file the HuggingFace tokenizers library cannot load (")
        .hasMessageEndingWith("), expected a tokenizer.json");
  }

  @Test
  void should_name_a_pooling_config_without_a_mode() throws IOException {
    copyResource("all-minilm-l6-v2-tokenizer.json", dir.resolve("tokenizer.json"));
    Files.writeString(dir.resolve("model.onnx"), "x", StandardCharsets.UTF_8);
    Files.createDirectories(dir.resolve("1_Pooling"));
    Files.writeString(dir.resolve("1_Pooling/config.json"),
        "{\"word_embedding_dimension\": 384, \"pooling_mode_cls_token\": false, "
            + "\"pooling_mode_mean_tokens\": false}");

    assertThatThrownBy(() -> OnnxEmbedder.builder().modelFolder(dir).build())
        .isInstanceOf(ModelLoadException.class)
        .hasMessage(dir.resolve("1_Pooling/config.json") + ": found no pooling mode set to true, "
            + "expected at least one of pooling_mode_cls_token, pooling_mode_max_tokens, "
            + "pooling_mode_mean_tokens, pooling_mode_mean_sqrt_len_tokens, "
            + "pooling_mode_weightedmean_tokens, pooling_mode_lasttoken");
  }

  @Test
  void should_name_a_missing_model_file() throws IOException {
    Path tokenizer = dir.resolve("tokenizer.json");
    copyResource("all-minilm-l6-v2-tokenizer.json", tokenizer);
    Path model = dir.resolve("absent.onnx");

    assertThatThrownBy(() -> OnnxEmbedder.builder().modelPath(model).tokenizerPath(tokenizer).build())
        .isInstanceOf(ModelLoadException.class)
        .hasMessage(model + ": found nothing, expected an ONNX model file");
  }

  @Test
  void should_name_a_model_whose_inputs_are_not_bert_like() {
    Path stories = SharedData.require("models/stories260K");
    Path model = stories.resolve("model.onnx");

    assertThatThrownBy(() -> OnnxEmbedder.builder().modelPath(model)
        .tokenizerPath(stories.resolve("tokenizer.json")).build())
        .isInstanceOf(ModelLoadException.class)
        .hasMessage(model + ": found inputs [input_ids], expected input_ids and attention_mask "
            + "(token_type_ids optional)");
  }

  @Test
  void should_reject_conflicting_sources_and_a_model_path_without_tokenizer() {
    assertThatThrownBy(() -> OnnxEmbedder.builder().model(Models.BGE_SMALL_EN_V15)
        .modelFolder(dir).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("modelFolder(" + dir + ") cannot be combined with the model source already "
            + "set (bundled BGE_SMALL_EN_V15)");
    assertThatThrownBy(() -> OnnxEmbedder.builder().modelPath(dir.resolve("m.onnx")).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("modelPath(" + dir.resolve("m.onnx")
            + ") needs tokenizerPath(...) (a HuggingFace tokenizer.json)");
  }

  @Test
  void should_validate_builder_arguments() {
    assertThatThrownBy(() -> OnnxEmbedder.builder().dimension(0).build())
        .hasMessage("dimension must be >= 1, but is: 0");
    assertThatThrownBy(() -> OnnxEmbedder.builder().maxLength(1).build())
        .hasMessage("maxLength must be between 2 and 8192, but is: 1");
    assertThatThrownBy(() -> OnnxEmbedder.builder().tokenBudget(0).build())
        .hasMessage("tokenBudget must be between 1 and 1048576, but is: 0");
    assertThatThrownBy(() -> OnnxEmbedder.builder().intraOpThreads(-1).build())
        .hasMessage("intraOpThreads must be between 0 and 1024, but is: -1");
    assertThatThrownBy(() -> Models.byName("bge-large"))
        .hasMessage("Unknown bundled model: bge-large. Bundled models are: [bge-small-en-v1.5, "
            + "bge-small-en-v1.5-q, all-MiniLM-L6-v2, e5-small-v2]");
  }

  @Test
  void should_load_a_sentence_transformers_folder_like_the_bundled_model() throws IOException {
    // given: the bundled int8 bge written out in sentence-transformers layout
    writeBgeFolder("{\"prompts\": {\"query\": \"" + BGE_INSTRUCTION + "\", \"document\": \"\"}}");
    List<String> texts = List.of("what do geckos eat?", "Geckos eat insects.", "",
        "A gecko is a lizard.");
    List<TaskPrompt> prompts = List.of(TaskPrompt.query(TaskPrompt.SEARCH_RESULT),
        TaskPrompt.document(), TaskPrompt.document(),
        TaskPrompt.symmetric(TaskPrompt.SENTENCE_SIMILARITY));

    // when
    List<Embedding> fromFolder;
    List<Embedding> bundled;
    try (OnnxEmbedder f = OnnxEmbedder.builder().modelFolder(dir).build();
        OnnxEmbedder m = OnnxEmbedder.builder().model(Models.BGE_SMALL_EN_V15_Q).build()) {
      assertThat(f.pooling()).isEqualTo(Pooling.CLS);
      assertThat(f.maxLength()).isEqualTo(512);
      assertThat(f.normalizes()).isTrue();
      fromFolder = f.embedAll(texts, prompts);
      bundled = m.embedAll(texts, prompts);
    }

    // then: the same vectors, the instruction on the query only (BGE's convention)
    for (int i = 0; i < texts.size(); i++) {
      assertThat(fromFolder.get(i).toArray()).containsExactly(bundled.get(i).toArray());
    }
  }

  @Test
  void should_give_symmetric_texts_the_prompt_default_prompt_name_names() throws IOException {
    // given: a folder whose default prompt is the query prompt (as sentence-transformers reads it)
    writeBgeFolder("{\"prompts\": {\"query\": \"" + BGE_INSTRUCTION + "\", \"document\": \"\"}, "
        + "\"default_prompt_name\": \"query\"}");
    String text = "A gecko is a lizard.";

    // when
    float[] symmetric;
    float[] instructed;
    try (OnnxEmbedder f = OnnxEmbedder.builder().modelFolder(dir).build()) {
      symmetric = f.embed(text, TaskPrompt.symmetric(TaskPrompt.SENTENCE_SIMILARITY)).toArray();
      instructed = f.embed(BGE_INSTRUCTION + text, TaskPrompt.none()).toArray();
    }

    // then
    assertThat(symmetric).containsExactly(instructed);
  }

  @Test
  void should_name_a_default_prompt_name_that_names_no_prompt() throws IOException {
    writeBgeFolder("{\"prompts\": {\"query\": \"q: \"}, \"default_prompt_name\": \"classification\"}");

    assertThatThrownBy(() -> OnnxEmbedder.builder().modelFolder(dir).build())
        .isInstanceOf(ModelLoadException.class)
        .hasMessage(dir.resolve("config_sentence_transformers.json") + ": found default_prompt_name "
            + "'classification', expected the name of one of the prompts [query]");
  }

  private static final String BGE_INSTRUCTION =
      "Represent this sentence for searching relevant passages: ";

  private void writeBgeFolder(String sentenceTransformersConfig) throws IOException {
    Files.createDirectories(dir.resolve("onnx"));
    copyResource("bge-small-en-v1.5-q.onnx", dir.resolve("onnx/model.onnx"));
    copyResource("bge-small-en-v1.5-q-tokenizer.json", dir.resolve("tokenizer.json"));
    Files.writeString(dir.resolve("modules.json"), """
        [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
         {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
         {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}]
        """);
    Files.createDirectories(dir.resolve("1_Pooling"));
    Files.writeString(dir.resolve("1_Pooling/config.json"),
        "{\"word_embedding_dimension\": 384, \"pooling_mode_cls_token\": true, "
            + "\"pooling_mode_mean_tokens\": false}");
    Files.writeString(dir.resolve("sentence_bert_config.json"),
        "{\"max_seq_length\": 512, \"do_lower_case\": true}");
    Files.writeString(dir.resolve("config_sentence_transformers.json"), sentenceTransformersConfig);
  }

  private static void copyResource(String name, Path target) throws IOException {
    try (InputStream in = OnnxEmbedderLoadTest.class.getClassLoader().getResourceAsStream(name)) {
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
