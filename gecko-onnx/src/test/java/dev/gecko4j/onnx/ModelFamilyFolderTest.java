package dev.gecko4j.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gecko4j.core.ModelFamily;
import dev.gecko4j.core.PromptConvention;
import dev.gecko4j.core.TaskPrompt;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A family named on the builder renders a folder's prompts by the family's convention. */
class ModelFamilyFolderTest {

  @TempDir Path dir;

  @Test
  void should_serve_a_folder_named_as_embedding_gemma_with_geckos_prompts_and_the_folders_own_where_it_has_them()
      throws IOException {
    Path folder = dir.resolve("gemma-like");
    Files.createDirectories(folder);
    copy("bge-small-en-v1.5-q.onnx", folder.resolve("model.onnx"));
    copy("bge-small-en-v1.5-q-tokenizer.json", folder.resolve("tokenizer.json"));
    SentenceTransformersFolder.writeConfig(folder, Models.BGE_SMALL_EN_V15_Q.spec(), 384);
    // the folder's own STS prompt, which wins over the family's published one
    Files.writeString(folder.resolve(SentenceTransformersFolder.ST_CONFIG),
        "{\"prompts\": {\"STS\": \"similar: \"}, \"default_prompt_name\": null}");
    List<String> texts = List.of("geckos eat insects", "a lizard", "two lizards");
    List<TaskPrompt> prompts = List.of(TaskPrompt.query(TaskPrompt.SEARCH_RESULT),
        TaskPrompt.document("Geckos"), TaskPrompt.symmetric(TaskPrompt.SENTENCE_SIMILARITY));
    PromptConvention expected = (p, t) -> p.kind() == TaskPrompt.Kind.SYMMETRIC
        ? "similar: " + t : PromptConvention.GECKO.apply(p, t);

    try (OnnxEmbedder family = OnnxEmbedder.builder().modelFolder(folder)
            .family(ModelFamily.EMBEDDING_GEMMA).build();
        OnnxEmbedder reference = OnnxEmbedder.builder().modelFolder(folder)
            .promptConvention(expected, "expected").build()) {
      assertThat(family.promptConventionName()).isEqualTo("EMBEDDING_GEMMA");
      assertThat(family.promptConvention().apply(prompts.get(1), "x"))
          .isEqualTo("title: Geckos | text: x");
      assertThat(family.embedAll(texts, prompts)).isEqualTo(reference.embedAll(texts, prompts));
    }
  }

  private static void copy(String resource, Path target) throws IOException {
    try (InputStream in = ModelFamilyFolderTest.class.getClassLoader().getResourceAsStream(resource)) {
      Files.copy(in, target);
    }
  }
}
