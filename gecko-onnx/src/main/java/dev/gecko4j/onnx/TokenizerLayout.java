package dev.gecko4j.onnx;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gecko4j.core.internal.Args;
import dev.gecko4j.core.internal.GeckoJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How a model's rows are laid out around the tokenizer's own template: the side padding goes to,
 * and whether an end-of-sequence token is appended to every row. Decoder embedders need both:
 * e5-mistral-7b-instruct's {@code tokenizer_config.json} says {@code "add_eos_token": true} while
 * its {@code tokenizer.json} template adds only {@code <s>} (so a reader of {@code tokenizer.json}
 * alone pools the last content token instead of {@code </s>}; mteb PR #5237), and
 * Qwen3-Embedding pads on the left and ends every row with {@code <|endoftext|>}. An appended EOS
 * is kept when a long text is truncated (it counts as a trailing special token), and is not added
 * twice when the template already ends with it.
 *
 * @param paddingSide where padding goes; not null
 * @param eosTokenId the id appended to every row, or -1 for none
 */
public record TokenizerLayout(PaddingSide paddingSide, long eosTokenId) {

  /** Right padding, nothing appended: what encoders use. */
  public static final TokenizerLayout DEFAULT = new TokenizerLayout(PaddingSide.RIGHT, -1);

  /**
   * Validates the layout.
   *
   * @throws IllegalArgumentException if {@code paddingSide} is null or {@code eosTokenId < -1}
   */
  public TokenizerLayout {
    Args.notNull(paddingSide, "paddingSide");
    if (eosTokenId < -1) {
      throw new IllegalArgumentException("eosTokenId must be >= 0, or -1 for none, but is: "
          + eosTokenId);
    }
  }

  /** {@return whether an EOS token is appended to every row} */
  public boolean appendsEos() {
    return eosTokenId >= 0;
  }

  /**
   * Returns this layout with another padding side.
   *
   * @param side the side; not null
   * @return a new layout
   */
  public TokenizerLayout withPaddingSide(PaddingSide side) {
    return new TokenizerLayout(side, eosTokenId);
  }

  /**
   * Reads the layout of a model folder: the padding side from {@code tokenizer_config.json}'s
   * {@code padding_side}, else {@code tokenizer.json}'s {@code padding.direction}, else right; an
   * EOS appended when {@code tokenizer_config.json} says {@code "add_eos_token": true}, its id
   * found by looking {@code eos_token} up in {@code tokenizer.json} (else {@code config.json}'s
   * {@code eos_token_id}).
   *
   * @param folder the model folder, or null for a model without one (gives {@link #DEFAULT} but
   *     for the tokenizer's own padding direction)
   * @param tokenizerJson the bytes of {@code tokenizer.json}; not null
   * @return the layout
   * @throws ModelLoadException if a config file is unreadable, a padding side is unknown, or an
   *     EOS is asked for and its id cannot be found (an unreadable {@code tokenizer.json} is left
   *     to the tokenizer library, which names it when it loads it)
   */
  public static TokenizerLayout read(Path folder, byte[] tokenizerJson) {
    Args.notNull(tokenizerJson, "tokenizerJson");
    JsonNode tok;
    try {
      tok = GeckoJson.mapper().readTree(tokenizerJson);
    } catch (IOException e) {
      // the tokenizers library reports an unusable tokenizer.json when it loads it
      tok = com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }
    PaddingSide side = PaddingSide.RIGHT;
    JsonNode direction = tok.path("padding").path("direction");
    if (direction.isTextual()) {
      side = parseSide(direction.asText(), folder == null ? null : folder.resolve("tokenizer.json"));
    }
    long eos = -1;
    Path config = folder == null ? null : folder.resolve("tokenizer_config.json");
    if (config != null && Files.isRegularFile(config)) {
      JsonNode tc = SentenceTransformersFolder.readJson(config, "a tokenizer config");
      if (tc.path("padding_side").isTextual()) {
        side = parseSide(tc.path("padding_side").asText(), config);
      }
      if (tc.path("add_eos_token").asBoolean(false)) {
        JsonNode token = tc.path("eos_token");
        String content = token.isTextual() ? token.asText() : token.path("content").asText(null);
        eos = content == null ? -1 : tokenId(tok, content);
        if (eos < 0) {
          eos = configEosId(folder);
        }
        if (eos < 0) {
          throw ModelLoadException.of(config, "found add_eos_token true and eos_token " + token
              + ", which neither tokenizer.json nor config.json (eos_token_id) gives an id for; "
              + "expected an eos_token of the tokenizer's vocabulary");
        }
      }
    }
    return new TokenizerLayout(side, eos);
  }

  /**
   * Finds the EOS id of a model: {@code tokenizer_config.json}'s {@code eos_token} looked up in
   * {@code tokenizer.json}, else {@code config.json}'s {@code eos_token_id}.
   *
   * @param folder the model folder, or null
   * @param tokenizerJson the bytes of {@code tokenizer.json}; not null
   * @return the id, or -1 when neither file gives one
   */
  static long eosId(Path folder, byte[] tokenizerJson) {
    try {
      JsonNode tok = GeckoJson.mapper().readTree(tokenizerJson);
      Path config = folder == null ? null : folder.resolve("tokenizer_config.json");
      if (config != null && Files.isRegularFile(config)) {
        JsonNode token = SentenceTransformersFolder.readJson(config, "a tokenizer config")
            .path("eos_token");
        String content = token.isTextual() ? token.asText() : token.path("content").asText(null);
        long id = content == null ? -1 : tokenId(tok, content);
        if (id >= 0) {
          return id;
        }
      }
    } catch (IOException e) {
      return configEosId(folder);
    }
    return configEosId(folder);
  }

  private static PaddingSide parseSide(String name, Path file) {
    try {
      return PaddingSide.parse(name);
    } catch (IllegalArgumentException e) {
      throw new ModelLoadException(String.valueOf(file), e.getMessage(), e);
    }
  }

  /** The id of {@code content} among tokenizer.json's added tokens or its model's vocabulary. */
  private static long tokenId(JsonNode tok, String content) {
    for (JsonNode added : tok.path("added_tokens")) {
      if (content.equals(added.path("content").asText(null)) && added.path("id").canConvertToLong()) {
        return added.path("id").asLong();
      }
    }
    JsonNode id = tok.path("model").path("vocab").path(content);
    return id.canConvertToLong() ? id.asLong() : -1;
  }

  private static long configEosId(Path folder) {
    Path c = folder == null ? null : folder.resolve("config.json");
    if (c == null || !Files.isRegularFile(c)) {
      return -1;
    }
    JsonNode id = SentenceTransformersFolder.readJson(c, "a model config").path("eos_token_id");
    return id.canConvertToLong() && id.asLong() >= 0 ? id.asLong() : -1;
  }
}
