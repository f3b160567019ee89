package dev.gecko4j.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a folder's tokenizer files decide the padding side and the appended EOS of decoders. */
class TokenizerLayoutTest {

  static final byte[] TOKENIZER = """
      {"padding": null,
       "added_tokens": [{"id": 0, "content": "<unk>"}, {"id": 1, "content": "<s>"},
                        {"id": 2, "content": "</s>"}],
       "model": {"type": "BPE", "vocab": {"<|endoftext|>": 151643, "a": 5}}}
      """.getBytes(StandardCharsets.UTF_8);

  @TempDir Path dir;

  @Test
  void anEncoderFolderPadsRightAndAppendsNothing() {
    assertThat(TokenizerLayout.read(dir, TOKENIZER)).isEqualTo(TokenizerLayout.DEFAULT);
    assertThat(TokenizerLayout.read(null, TOKENIZER)).isEqualTo(TokenizerLayout.DEFAULT);
  }

  @Test
  void e5MistralsTokenizerConfigAppendsItsEosTokenFoundInTheTokenizer() throws Exception {
    // given e5-mistral's tokenizer_config.json (add_eos_token true; the template adds only <s>)
    Files.writeString(dir.resolve("tokenizer_config.json"),
        "{\"add_eos_token\": true, \"eos_token\": {\"content\": \"</s>\"}}");
    // then </s> (id 2) is appended, padding stays right
    assertThat(TokenizerLayout.read(dir, TOKENIZER))
        .isEqualTo(new TokenizerLayout(PaddingSide.RIGHT, 2));
  }

  @Test
  void qwenStylePaddingLeftAndAnEosFromTheVocabulary() throws Exception {
    Files.writeString(dir.resolve("tokenizer_config.json"),
        "{\"padding_side\": \"left\", \"add_eos_token\": true, \"eos_token\": \"<|endoftext|>\"}");
    assertThat(TokenizerLayout.read(dir, TOKENIZER))
        .isEqualTo(new TokenizerLayout(PaddingSide.LEFT, 151643));
  }

  @Test
  void theTokenizersOwnPaddingDirectionCountsWhenTheConfigIsSilent() {
    byte[] left = "{\"padding\": {\"direction\": \"Left\"}}".getBytes(StandardCharsets.UTF_8);
    assertThat(TokenizerLayout.read(dir, left).paddingSide()).isEqualTo(PaddingSide.LEFT);
  }

  @Test
  void theConfigsEosTokenIdIsTheFallback() throws Exception {
    Files.writeString(dir.resolve("tokenizer_config.json"),
        "{\"add_eos_token\": true, \"eos_token\": \"<eos>\"}");
    Files.writeString(dir.resolve("config.json"), "{\"eos_token_id\": 7}");
    assertThat(TokenizerLayout.read(dir, TOKENIZER).eosTokenId()).isEqualTo(7);
  }

  @Test
  void anEosWithoutAnIdIsRefusedNamingTheFile() throws Exception {
    Path config = dir.resolve("tokenizer_config.json");
    Files.writeString(config, "{\"add_eos_token\": true, \"eos_token\": \"<eos>\"}");
    assertThatThrownBy(() -> TokenizerLayout.read(dir, TOKENIZER))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining(config.toString())
        .hasMessageContaining("add_eos_token true and eos_token \"<eos>\"");
  }

  @Test
  void anUnknownPaddingSideIsRefusedNamingTheValidOnes() throws Exception {
    Files.writeString(dir.resolve("tokenizer_config.json"), "{\"padding_side\": \"middle\"}");
    assertThatThrownBy(() -> TokenizerLayout.read(dir, TOKENIZER))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("Invalid padding side: middle. Valid padding sides are: [left, right]");
  }

  @Test
  void positionIdsCountRealTokensOnlyWhateverThePaddingSide() {
    // given a right-padded row of 2 tokens and a left-padded row of 2 tokens, length 4
    TokenizedBatch b = new TokenizedBatch(2, 4, new long[8],
        new long[] {1, 1, 0, 0, 0, 0, 1, 1}, new long[8], new int[] {0, 1}, new int[] {2, 2});
    // then both real tokens of each row are at positions 0 and 1 (padding at 1, as HuggingFace)
    assertThat(b.positionIds()).containsExactly(0, 1, 1, 1, 1, 1, 0, 1);
  }

  @Test
  void aNegativeEosOtherThanNoneIsRefused() {
    assertThatThrownBy(() -> new TokenizerLayout(PaddingSide.RIGHT, -2))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("eosTokenId must be >= 0, or -1 for none, but is: -2");
  }
}
