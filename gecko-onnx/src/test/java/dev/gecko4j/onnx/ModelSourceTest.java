package dev.gecko4j.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One resolver for "a bundled name or a folder". */
class ModelSourceTest {

  @TempDir Path dir;

  @Test
  void should_resolve_a_bundled_name_in_either_spelling() {
    assertThat(ModelSource.of("bge-small-en-v1.5").bundled()).isEqualTo(Models.BGE_SMALL_EN_V15);
    assertThat(ModelSource.of(" E5_SMALL_V2 ").bundled()).isEqualTo(Models.E5_SMALL_V2);
    assertThat(ModelSource.of("all-MiniLM-L6-v2").spec()).isEqualTo(Models.ALL_MINILM_L6_V2.spec());
  }

  @Test
  void should_prefer_an_existing_folder_over_a_bundled_name() throws IOException {
    Path folder = Files.createDirectories(dir.resolve("bge-small-en-v1.5"));

    ModelSource source = ModelSource.of(folder.toString());

    assertThat(source.isBundled()).isFalse();
    assertThat(source.folder()).isEqualTo(folder);
    assertThat(source.toString()).isEqualTo(folder.toString());
  }

  @Test
  void should_refuse_a_name_that_is_neither_naming_the_bundled_models() {
    assertThatThrownBy(() -> ModelSource.of("bge-large"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Unknown bundled model: bge-large. Bundled models are: [bge-small-en-v1.5, "
            + "bge-small-en-v1.5-q, all-MiniLM-L6-v2, e5-small-v2]; and no model folder exists at "
            + "bge-large");
    assertThatThrownBy(() -> ModelSource.of(" "))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("model");
  }
}
