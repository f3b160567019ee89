package dev.gecko4j.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.gecko4j.core.Embedding;
import dev.gecko4j.core.Pooling;
import dev.gecko4j.core.PromptConvention;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Pooling module's modes and what a pipeline cannot run, served from real weights. */
class PipelineServingTest {

  static final List<String> TEXTS = List.of("geckos eat insects", "a small lizard on a wall", "");

  @TempDir Path dir;

  @Test
  void should_concatenate_several_pooling_modes_in_sentence_transformers_order() throws IOException {
    Path folder = folder("modes", """
        [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
         {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}]
        """, """
        {"word_embedding_dimension": 384, "pooling_mode_mean_tokens": true,
         "pooling_mode_cls_token": true, "pooling_mode_max_tokens": true}
        """);

    List<Embedding> expected = new ArrayList<>();
    List<List<Embedding>> parts = new ArrayList<>();
    for (Pooling p : List.of(Pooling.CLS, Pooling.MAX, Pooling.MEAN)) {
      try (OnnxEmbedder e = OnnxEmbedder.builder().modelFolder(folder).pooling(p)
          .normalize(false).build()) {
        parts.add(e.embedAll(TEXTS, dev.gecko4j.core.TaskPrompt.none()));
      }
    }
    for (int i = 0; i < TEXTS.size(); i++) {
      float[] v = new float[3 * 384];
      for (int k = 0; k < 3; k++) {
        System.arraycopy(parts.get(k).get(i).toArray(), 0, v, k * 384, 384);
      }
      expected.add(Embedding.wrap(v));
    }

    try (OnnxEmbedder e = OnnxEmbedder.builder().modelFolder(folder).build()) {
      assertThat(e.dimension()).isEqualTo(3 * 384);
      List<Embedding> got = e.embedAll(TEXTS, dev.gecko4j.core.TaskPrompt.none());
      for (int i = 0; i < TEXTS.size(); i++) {
        assertThat(got.get(i).toArray()).containsExactly(expected.get(i).toArray(), within(1e-6f));
      }
    }
  }

  @Test
  void should_refuse_token_states_without_a_pooling_module() throws IOException {
    Path folder = folder("no-pooling", """
        [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
         {"idx": 1, "name": "1", "path": "1_Normalize", "type": "sentence_transformers.models.Normalize"}]
        """, null);

    assertThatThrownBy(() -> OnnxEmbedder.builder().modelFolder(folder).build())
        .isInstanceOf(ModelLoadException.class)
        .hasMessage(folder.resolve("model.onnx") + ": found a pipeline without a Pooling module "
            + "[Transformer[path=], Normalize[path=1_Normalize]] and a graph output "
            + "last_hidden_state of token states, expected a Pooling module in modules.json or a "
            + "graph exporting sentence_embedding");
  }

  @Test
  void should_refuse_pooling_without_the_prompt_when_the_model_prepends_prompts() throws IOException {
    String modules = """
        [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
         {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}]
        """;
    String pooling = "{\"pooling_mode_cls_token\": true, \"include_prompt\": false}";
    Path folder = folder("exclude-prompt", modules, pooling);

    try (OnnxEmbedder e = OnnxEmbedder.builder().modelFolder(folder).build()) {
      assertThat(e.spec().poolingModule().includePrompt()).isFalse();
    }
    assertThatThrownBy(() -> OnnxEmbedder.builder().modelFolder(folder)
        .promptConvention(PromptConvention.E5, "E5").build())
        .isInstanceOf(ModelLoadException.class)
        .hasMessage(folder.resolve("1_Pooling/config.json") + ": found include_prompt: false "
            + "with a prompt convention that prepends prompts, expected include_prompt: true "
            + "(pooling without the prompt's tokens is not supported yet) or a model without "
            + "prompts");
  }

  private Path folder(String name, String modules, String pooling) throws IOException {
    Path folder = dir.resolve(name);
    Files.createDirectories(folder);
    copy("bge-small-en-v1.5-q.onnx", folder.resolve("model.onnx"));
    copy("bge-small-en-v1.5-q-tokenizer.json", folder.resolve("tokenizer.json"));
    Files.writeString(folder.resolve("modules.json"), modules);
    if (pooling != null) {
      Files.createDirectories(folder.resolve("1_Pooling"));
      Files.writeString(folder.resolve("1_Pooling/config.json"), pooling);
    }
    return folder;
  }

  private static void copy(String resource, Path target) throws IOException {
    try (InputStream in = PipelineServingTest.class.getClassLoader().getResourceAsStream(resource)) {
      Files.copy(in, target);
    }
  }
}
