package dev.gecko4j.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gecko4j.core.Pooling;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole sentence-transformers description survives read -> write -> read. */
class SentenceTransformersFolderTest {

  @TempDir Path dir;

  @Test
  void should_read_back_every_module_prompt_and_setting_it_wrote() throws IOException {
    Path first = folder("first");
    Files.writeString(first.resolve("modules.json"), """
        [
          {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
          {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
          {"idx": 2, "name": "2", "path": "2_Dense", "type": "sentence_transformers.models.Dense"},
          {"idx": 3, "name": "3", "path": "3_Dense", "type": "sentence_transformers.models.Dense"},
          {"idx": 4, "name": "4", "path": "4_Normalize", "type": "sentence_transformers.models.Normalize"}
        ]
        """);
    Files.createDirectories(first.resolve("1_Pooling"));
    Files.writeString(first.resolve("1_Pooling/config.json"), """
        {"word_embedding_dimension": 4, "pooling_mode_cls_token": false,
         "pooling_mode_mean_tokens": true, "pooling_mode_max_tokens": true,
         "pooling_mode_mean_sqrt_len_tokens": false, "pooling_mode_weightedmean_tokens": false,
         "pooling_mode_lasttoken": false, "include_prompt": false}
        """);
    dense(first, "2_Dense", 8, 3, true, "torch.nn.modules.activation.Tanh");
    dense(first, "3_Dense", 3, 2, false, "torch.nn.modules.linear.Identity");
    Files.writeString(first.resolve("sentence_bert_config.json"), "{\"max_seq_length\": 2048}");
    Files.writeString(first.resolve("config_sentence_transformers.json"), """
        {"prompts": {"query": "task: search result | query: ", "document": "title: none | text: ",
                     "STS": "task: sentence similarity | query: ", "Retrieval-query": "q: ",
                     "my own task": "Instruct: find it\\nQuery: "},
         "default_prompt_name": "STS", "similarity_fn_name": "dot"}
        """);

    ModelSpec read = SentenceTransformersFolder.read(first);
    Path second = folder("second");
    SentenceTransformersFolder.writeConfig(second, read, 4);
    ModelSpec again = SentenceTransformersFolder.read(second);

    assertThat(read.modules()).hasSize(5);
    assertThat(read.poolingModule().modes()).containsExactly(Pooling.MAX, Pooling.MEAN);
    assertThat(read.poolingModule().includePrompt()).isFalse();
    assertThat(read.denseLayers()).extracting(PipelineModule.Dense::outFeatures)
        .containsExactly(3, 2);
    assertThat(read.denseLayers().get(1).bias()).isNull();
    assertThat(read.namedPrompts().keySet()).containsExactly("query", "document", "STS",
        "Retrieval-query", "my own task");
    assertThat(read.defaultPromptName()).isEqualTo("STS");
    assertThat(read.similarityFnName()).isEqualTo("dot");
    assertThat(read.maxLength()).isEqualTo(2048);
    assertThat(read.dimension()).isEqualTo(2);
    assertThat(read.pooling()).isEqualTo(Pooling.MAX);
    assertThat(read.normalize()).isTrue();
    assertThat(again.modules()).isEqualTo(read.modules());
    assertThat(again.namedPrompts()).containsExactlyEntriesOf(read.namedPrompts());
    assertThat(again.defaultPromptName()).isEqualTo(read.defaultPromptName());
    assertThat(again.similarityFnName()).isEqualTo(read.similarityFnName());
    assertThat(again.prompts()).isEqualTo(read.prompts());
    assertThat(again.maxLength()).isEqualTo(read.maxLength());
    assertThat(again.dimension()).isEqualTo(read.dimension());
    assertThat(again.withModules(read.modules())).isNotNull();
  }

  @Test
  void should_write_a_bundled_models_description_as_before() throws IOException {
    ModelSpec bge = Models.BGE_SMALL_EN_V15.spec();
    Path folder = folder("bge");
    SentenceTransformersFolder.writeConfig(folder, bge, 384);

    ModelSpec read = SentenceTransformersFolder.read(folder);

    assertThat(read.modules()).isEqualTo(bge.modules());
    assertThat(read.prompts()).isEqualTo(bge.prompts());
    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("query", "Represent this sentence for searching relevant passages: ");
    expected.put("document", "");
    assertThat(read.namedPrompts()).containsExactlyEntriesOf(expected);
    assertThat(Files.readString(folder.resolve("modules.json"))).contains(
        "\"type\": \"sentence_transformers.models.Normalize\"");
  }

  @Test
  void should_refuse_a_dense_module_whose_weights_do_not_match_its_config() throws IOException {
    Path folder = folder("bad-dense");
    Files.writeString(folder.resolve("modules.json"), """
        [
          {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
          {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
          {"idx": 2, "name": "2", "path": "2_Dense", "type": "sentence_transformers.models.Dense"}
        ]
        """);
    dense(folder, "2_Dense", 8, 3, true, "torch.nn.modules.activation.Tanh");
    Files.writeString(folder.resolve("2_Dense/config.json"), "{\"in_features\": 8, "
        + "\"out_features\": 4, \"bias\": true, "
        + "\"activation_function\": \"torch.nn.modules.activation.Tanh\"}");

    assertThatThrownBy(() -> SentenceTransformersFolder.read(folder))
        .isInstanceOf(ModelLoadException.class)
        .hasMessage(folder.resolve("2_Dense/model.safetensors") + ": found tensors "
            + "{linear.weight=Tensor[3, 8], linear.bias=Tensor[3]}, expected linear.weight [4, 8] "
            + "and linear.bias [4]");
  }

  @Test
  void should_refuse_an_activation_it_cannot_run_naming_the_supported_ones() throws IOException {
    Path folder = folder("gelu");
    Files.writeString(folder.resolve("modules.json"), """
        [
          {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
          {"idx": 1, "name": "1", "path": "2_Dense", "type": "sentence_transformers.models.Dense"}
        ]
        """);
    dense(folder, "2_Dense", 2, 2, true, "torch.nn.modules.activation.GELU");

    assertThatThrownBy(() -> SentenceTransformersFolder.read(folder))
        .isInstanceOf(ModelLoadException.class)
        .hasMessage(folder.resolve("2_Dense/config.json") + ": found a Dense module gecko4j cannot "
            + "run: activation_function 'torch.nn.modules.activation.GELU' is not supported; "
            + "expected one of [torch.nn.modules.linear.Identity, torch.nn.modules.activation.Tanh, "
            + "torch.nn.modules.activation.ReLU, torch.nn.modules.activation.Sigmoid, "
            + "torch.nn.modules.activation.SiLU]");
  }

  private Path folder(String name) throws IOException {
    Path folder = dir.resolve(name);
    Files.createDirectories(folder);
    Files.writeString(folder.resolve("model.onnx"), "graph bytes are not read here");
    Files.writeString(folder.resolve("tokenizer.json"), "{}");
    return folder;
  }

  private static void dense(Path folder, String path, int in, int out, boolean bias,
      String activation) throws IOException {
    Path d = folder.resolve(path);
    Files.createDirectories(d);
    Files.writeString(d.resolve("config.json"), "{\"in_features\": " + in + ", \"out_features\": "
        + out + ", \"bias\": " + bias + ", \"activation_function\": \"" + activation + "\"}");
    float[] w = new float[in * out];
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) Math.sin(i + 1) / 7;
    }
    Map<String, SafeTensors.Tensor> t = new LinkedHashMap<>();
    t.put("linear.weight", SafeTensors.Tensor.of(w, out, in));
    if (bias) {
      float[] b = new float[out];
      for (int i = 0; i < out; i++) {
        b[i] = i * 0.125f - 0.1f;
      }
      t.put("linear.bias", SafeTensors.Tensor.of(b, out));
    }
    SafeTensors.write(d.resolve("model.safetensors"), t);
  }
}
