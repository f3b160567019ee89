package dev.gecko4j.onnx.lm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gecko4j.core.internal.GeckoJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What {@link OnnxCausalLanguageModel} reads from a model folder's optional {@code config.json}:
 * the context length and the BOS and EOS token ids.
 *
 * @param maxContext the context length in tokens
 * @param bosId the {@code bos_token_id}, or -1 when none is given
 * @param eosId the {@code eos_token_id}, or -1 when none is given
 */
record LmConfig(int maxContext, long bosId, long eosId) {

  /** The context length when neither the builder nor {@code config.json} gives one. */
  static final int DEFAULT_CONTEXT = 2048;

  /** The {@code config.json} keys that may hold the context length, in the order they are tried. */
  static final List<String> CONTEXT_KEYS = List.of("max_position_embeddings", "n_positions", "n_ctx",
      "trained_seq_len", "max_seq_len");

  /**
   * Reads {@code dir/config.json} if it exists.
   *
   * @param dir the model folder
   * @param maxContext the builder's context length; 0 to take it from {@code config.json}
   * @return the configuration
   * @throws IOException if {@code config.json} cannot be read or parsed
   */
  static LmConfig read(Path dir, int maxContext) throws IOException {
    JsonNode config = GeckoJson.mapper().createObjectNode();
    Path configFile = dir.resolve("config.json");
    if (Files.isRegularFile(configFile)) {
      config = GeckoJson.mapper().readTree(configFile.toFile());
    }
    int ctx = maxContext;
    if (ctx == 0) {
      ctx = DEFAULT_CONTEXT;
      for (String key : CONTEXT_KEYS) {
        if (config.path(key).isInt()) {
          ctx = config.get(key).asInt();
          break;
        }
      }
    }
    return new LmConfig(ctx, tokenId(config, "bos_token_id"), tokenId(config, "eos_token_id"));
  }

  private static long tokenId(JsonNode config, String key) {
    return config.path(key).isIntegralNumber() ? config.get(key).asLong() : -1;
  }

  /** {@return the id that pads rows of a batch: the EOS id, else 0} */
  long padId() {
    return eosId >= 0 ? eosId : 0;
  }
}
