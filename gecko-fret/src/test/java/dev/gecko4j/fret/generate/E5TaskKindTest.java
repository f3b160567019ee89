package dev.gecko4j.fret.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class E5TaskKindTest {

  @ParameterizedTest
  @EnumSource(E5TaskKind.class)
  void should_fill_every_drawn_placeholder_into_the_example_prompt_and_name_its_keys(E5TaskKind kind) {
    // given placeholders drawn with a fixed seed
    Map<String, String> p = kind.draw(new Random(7), List.of("German"));

    // when
    String prompt = kind.examplePrompt("Match a word with its definition", p);

    // then every placeholder value and every required key is in the prompt, and no brace is left
    assertThat(prompt).contains(p.values()).doesNotContain("{", "}");
    for (String key : kind.requiredKeys()) {
      assertThat(prompt).contains("\"" + key + "\"");
    }
    assertThat(p.get("language")).isEqualTo("German");
    assertThat(kind.draw(new Random(7), List.of("German"))).isEqualTo(p);
  }

  @Test
  void should_draw_from_the_papers_value_lists() {
    Random r = new Random(3);
    for (int i = 0; i < 100; i++) {
      Map<String, String> sl = E5TaskKind.SHORT_LONG.draw(r, List.of("English", "French"));
      assertThat(E5TaskKind.QUERY_TYPES).contains(sl.get("query_type"));
      assertThat(E5TaskKind.QUERY_LENGTHS).contains(sl.get("query_length"));
      assertThat(E5TaskKind.CLARITY).contains(sl.get("clarity"));
      assertThat(E5TaskKind.DIFFICULTY).contains(sl.get("difficulty"));
      assertThat(sl.get("language")).isIn("English", "French");
      Map<String, String> sts = E5TaskKind.STS.draw(r, List.of("English"));
      assertThat(E5TaskKind.HIGH_SCORES).contains(sts.get("high_score"));
      assertThat(E5TaskKind.LOW_SCORES).contains(sts.get("low_score"));
      Map<String, String> bt = E5TaskKind.BITEXT.draw(r, List.of("English"));
      assertThat(bt.get("target_language")).isNotEqualTo("English")
          .isIn(E5TaskKind.BITEXT_LANGUAGES);
      assertThat(E5TaskKind.CLASSIFICATION_WORDS)
          .contains(E5TaskKind.CLASSIFICATION.draw(r, List.of("English")).get("num_words"));
    }
  }

  @Test
  void should_brainstorm_every_kind_but_sts_and_bitext_whose_task_is_fixed() {
    for (E5TaskKind k : E5TaskKind.values()) {
      if (k.brainstormed()) {
        assertThat(k.brainstormPrompt()).startsWith("Brainstorm a list").contains("python list");
      } else {
        assertThatThrownBy(k::brainstormPrompt).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("fixed");
        assertThat(k.fixedTask()).isNotBlank();
      }
    }
  }

  @Test
  void should_turn_each_kinds_reply_keys_into_query_positive_and_negative() {
    assertThat(E5TaskKind.SHORT_LONG.parse("```json\n{\"user_query\": \"q\", \"positive_document\":"
        + " \"p\", \"hard_negative_document\": \"n\"}\n```", 100).triplet())
        .isEqualTo(new E5TaskKind.Triplet("q", "p", "n"));
    assertThat(E5TaskKind.SHORT_SHORT.parse("{\"input\": \"word\", \"positive_document\":"
        + " \"its meaning\"}", 100).triplet())
        .isEqualTo(new E5TaskKind.Triplet("word", "its meaning", null));
    assertThat(E5TaskKind.STS.parse("{\"S1\": \"a\", \"S2\": \"b\", \"S3\": \"c\"}", 100)
        .triplet()).isEqualTo(new E5TaskKind.Triplet("a", "b", "c"));
    assertThat(E5TaskKind.CLASSIFICATION.parse("{\"input_text\": \"great film\", \"label\":"
        + " \"positive\", \"misleading_label\": \"neutral\"}", 100).triplet())
        .isEqualTo(new E5TaskKind.Triplet("great film", "positive", "neutral"));
  }

  @Test
  void should_refuse_a_bad_reply_with_its_reason() {
    assertThat(E5TaskKind.SHORT_LONG.parse("Sure! Here is an example.", 100).rejection().reason())
        .isEqualTo("no_json");
    assertThat(E5TaskKind.SHORT_LONG.parse("{\"user_query\": \"q\", \"positive_document\": \"p\"}",
        100).rejection()).isEqualTo(new E5TaskKind.Rejection("missing_field",
            "no \"hard_negative_document\" (expected keys [user_query, positive_document,"
                + " hard_negative_document], got [user_query, positive_document])"));
    assertThat(E5TaskKind.STS.parse("{\"S1\": \"a\", \"S2\": 4, \"S3\": \"c\"}", 100).rejection()
        .reason()).isEqualTo("wrong_type");
    assertThat(E5TaskKind.STS.parse("{\"S1\": \"a\", \"S2\": \"  \", \"S3\": \"c\"}", 100)
        .rejection().reason()).isEqualTo("blank_field");
    assertThat(E5TaskKind.STS.parse("{\"S1\": \"a\", \"S2\": \"Same  Text\", \"S3\": \"same text\"}",
        100).rejection().reason()).isEqualTo("positive_equals_negative");
    assertThat(E5TaskKind.STS.parse("{\"S1\": \"a\", \"S2\": \"A\", \"S3\": \"c\"}", 100)
        .rejection().reason()).isEqualTo("query_equals_positive");
    assertThat(E5TaskKind.STS.parse("{\"S1\": \"a\", \"S2\": \"bbbbbb\", \"S3\": \"c\"}", 5)
        .rejection()).isEqualTo(new E5TaskKind.Rejection("too_long",
            "\"S2\" has 6 characters, more than 5"));
  }

  @Test
  void should_name_the_valid_kinds_for_an_unknown_one() {
    assertThat(E5TaskKind.parse("Short_Long")).isEqualTo(E5TaskKind.SHORT_LONG);
    assertThatThrownBy(() -> E5TaskKind.parse("retrieval"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("task kind must be one of [short-long, long-short, short-short, long-long, sts,"
            + " classification, bitext], but is: 'retrieval'");
  }
}
