package dev.gecko4j.onnx.lm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Behaviour of {@link LmConfig} on hand-written config.json files. */
class LmConfigTest {

  @Test
  void should_default_to_2048_tokens_and_no_special_ids_without_a_config(@TempDir Path dir)
      throws Exception {
    LmConfig c = LmConfig.read(dir, 0);

    assertThat(c).isEqualTo(new LmConfig(2048, -1, -1));
    assertThat(c.padId()).isZero();
  }

  @Test
  void should_take_the_context_key_that_comes_first_in_the_documented_order_and_the_token_ids(@TempDir Path dir)
      throws Exception {
    Files.writeString(dir.resolve("config.json"),
        "{\"n_ctx\": 1024, \"max_position_embeddings\": 512, \"bos_token_id\": 1, \"eos_token_id\": 2}");

    LmConfig c = LmConfig.read(dir, 0);

    assertThat(c).isEqualTo(new LmConfig(512, 1, 2));
    assertThat(c.padId()).isEqualTo(2);
  }

  @Test
  void should_let_the_builder_context_win(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("config.json"), "{\"max_position_embeddings\": 512}");

    assertThat(LmConfig.read(dir, 64).maxContext()).isEqualTo(64);
  }
}
