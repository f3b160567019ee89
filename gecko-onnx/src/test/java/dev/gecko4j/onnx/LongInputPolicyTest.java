package dev.gecko4j.onnx;

import static dev.gecko4j.onnx.OnnxEmbedderTest.assertClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.gecko4j.core.Embedding;
import dev.gecko4j.core.TaskPrompt;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The three {@link LongInputPolicy} choices on all-MiniLM-L6-v2 (max 256 tokens), up to 1 MB. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LongInputPolicyTest {

  private static final String SENTENCE =
      "Geckos are lizards that live in warm places and eat insects at night. ";
  /** About 1 MB of ordinary English: ~230k tokens. */
  private static final String ONE_MB = SENTENCE.repeat(1_000_000 / SENTENCE.length() + 1);

  private OnnxEmbedder truncate;
  private OnnxEmbedder chunk;
  private OnnxEmbedder fail;

  @BeforeAll
  void load() {
    OnnxEmbedder.Builder base = OnnxEmbedder.builder().model(Models.ALL_MINILM_L6_V2);
    truncate = base.build();
    chunk = base.longInputPolicy(LongInputPolicy.CHUNK_AND_AVERAGE).build();
    fail = base.longInputPolicy(LongInputPolicy.FAIL).build();
  }

  @AfterAll
  void close() {
    truncate.close();
    chunk.close();
    fail.close();
  }

  @Test
  void should_truncate_a_1_mb_text_to_its_first_max_length_tokens() {
    // given: a prefix that is itself longer than 256 tokens
    String prefix = SENTENCE.repeat(30);

    // when
    Embedding whole = truncate.embed(ONE_MB);
    Embedding start = truncate.embed(prefix);

    // then
    assertThat(ONE_MB.length()).isGreaterThanOrEqualTo(1_000_000);
    assertThat(whole.toArray()).containsExactly(start.toArray());
  }

  @Test
  void should_fail_on_a_1_mb_text_naming_its_index_and_token_count() {
    assertThatThrownBy(() -> fail.embedAll(List.of("short", ONE_MB), TaskPrompt.none()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("texts[1] has ")
        .hasMessageEndingWith(" tokens, but the model's max length is 256 (LongInputPolicy.FAIL); "
            + "shorten it or use TRUNCATE or CHUNK_AND_AVERAGE");
  }

  @Test
  void should_chunk_a_1_mb_text_into_windows_of_max_length() {
    // given: 1 MB of 199-letter words; WordPiece maps each word (over 100 chars) to one [UNK]
    String word = "a".repeat(199) + " ";
    String oneMbOfWords = word.repeat(5000);

    // when
    List<TokenizedBatch> batches = chunk.tokenize(List.of(oneMbOfWords), List.of(TaskPrompt.none()));
    Embedding e = chunk.embed(oneMbOfWords);

    // then: 5000 content tokens in windows of 254 (+ [CLS], [SEP]) = 20 rows
    assertThat(oneMbOfWords.length()).isEqualTo(1_000_000);
    assertThat(batches.stream().mapToInt(TokenizedBatch::rows).sum()).isEqualTo(20);
    assertThat(batches.get(0).sequenceLength()).isEqualTo(256);
    assertThat(e.norm()).isCloseTo(1.0, within(1e-5));
  }

  @Test
  void should_average_chunk_embeddings_weighted_by_their_token_counts() {
    // given: ~2.5 windows
    String text = SENTENCE.repeat(40);
    List<TokenizedBatch> batches = chunk.tokenize(List.of(text), List.of(TaskPrompt.none()));
    float[] sum = new float[chunk.modelDimension()];
    int rows = 0;
    for (TokenizedBatch b : batches) {
      float[] pooled = chunk.forward(b);
      for (int r = 0; r < b.rows(); r++) {
        float[] v = Embedding.of(Arrays.copyOfRange(pooled, r * sum.length, (r + 1) * sum.length))
            .normalize().toArray();
        for (int d = 0; d < sum.length; d++) {
          sum[d] += v[d] * b.rowTokens()[r];
        }
        rows++;
      }
    }

    // when
    Embedding e = chunk.embed(text);

    // then
    assertThat(rows).isEqualTo(3);
    assertClose(e, Embedding.of(sum).normalize(), 1e-5);
    assertThat(e.cosine(truncate.embed(text))).isLessThan(0.9999);
  }

  @Test
  void should_treat_texts_within_the_max_length_alike_under_every_policy() {
    // given
    List<String> texts = List.of(SENTENCE, SENTENCE.repeat(3), "");

    // when
    List<Embedding> a = truncate.embedAll(texts, TaskPrompt.none());
    List<Embedding> b = chunk.embedAll(texts, TaskPrompt.none());
    List<Embedding> c = fail.embedAll(texts, TaskPrompt.none());

    // then
    for (int i = 0; i < texts.size(); i++) {
      assertThat(b.get(i).toArray()).containsExactly(a.get(i).toArray());
      assertThat(c.get(i).toArray()).containsExactly(a.get(i).toArray());
    }
  }
}
