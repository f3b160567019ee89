package dev.gecko4j.core.fret;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FretExampleTest {

  private static FretExample example(String positiveId) {
    return new FretExample("fact checking", "geckos eat fruit", "Geckos eat fruit.", "Cats purr.",
        "q7", "d1", positiveId, "d9", new CandidateScores(2, 1, 3, -4.5, 0.75, 1 + 1.0 / 3),
        new CandidateScores(20, 19, 20, -30, 0.0, 1.0 / 19 + 1.0 / 20), 20, 2, "stories260K",
        "gecko4j-fret-v1");
  }

  @Test
  void should_round_trip_through_snake_case_json() {
    // given
    FretExample e = example("d2");
    // when
    String json = e.toJson();
    // then
    assertThat(json).startsWith("{\"task\":\"fact checking\",\"query\":\"geckos eat fruit\"")
        .contains("\"query_id\":\"q7\"", "\"seed_id\":\"d1\"", "\"positive_id\":\"d2\"",
            "\"negative_id\":\"d9\"", "\"ql_rank\":1", "\"rc_rank\":3", "\"retrieval_rank\":2",
            "\"prompt_version\":\"gecko4j-fret-v1\"", "\"llm_requests\":2");
    assertThat(FretExample.fromJson(json)).isEqualTo(e);
    assertThat(e.positiveChanged()).isTrue();
    assertThat(example("d1").positiveChanged()).isFalse();
    assertThat(e.key()).isEqualTo("q7\td1");
  }

  @Test
  void should_name_the_bad_field_when_json_is_invalid() {
    String json = example("d2").toJson().replace("\"query\":\"geckos eat fruit\"", "\"query\":\" \"");
    assertThatThrownBy(() -> FretExample.fromJson(json))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("query must be a non-blank string, but is: ' '");
    assertThatThrownBy(() -> FretExample.fromJson("{\"task\": "))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("not a valid FretExample JSON row");
  }

  @Test
  void should_reject_a_negative_equal_to_the_positive() {
    assertThatThrownBy(() -> example("d9"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("positiveId and negativeId must differ, but both are: 'd9'");
  }

  @Test
  void should_validate_options_with_messages_naming_the_value() {
    assertThat(FretOptions.defaults().neighbours()).isEqualTo(20);
    assertThat(FretOptions.defaults().negativeStrategy()).isEqualTo(NegativeStrategy.LOWEST);
    assertThatThrownBy(() -> FretOptions.defaults().withNeighbours(1))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("neighbours must be between 2 and 1000, but is: 1");
    assertThatThrownBy(() -> FretOptions.defaults().withTasks(java.util.List.of()))
        .hasMessage("tasks must be a non-empty list, but is: []");
    FretOptions o = FretOptions.defaults();
    assertThat(o.withNeighbours(5).neighbours()).isEqualTo(5);
    assertThat(o.neighbours()).isEqualTo(20);
  }

  @Test
  void should_key_generated_and_relabel_seeds() {
    assertThat(FretSeed.forGeneration("d1", null, "text").key()).isEqualTo("gen:d1\td1");
    assertThat(FretSeed.forRelabel("q1", "query", "d1", "t", "text").key()).isEqualTo("q1\td1");
    assertThatThrownBy(() -> new FretSeed("d1", null, "text", "q1", null, null))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("queryId and query must both be set");
  }
}
