package dev.gecko4j.fret.generate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class E5TripletGeneratorTest {

  private static final E5TripletGenerator.Placeholders P = new E5TripletGenerator.Placeholders(
      "long-tail", "5 to 15 words", "clear", 100, "college", "English");

  @Test
  void should_parse_brainstormed_tasks_from_a_list_with_surrounding_text() {
    var tasks = E5TripletGenerator.parseTasks(
        "Here you go:\n[\"Retrieve recipes for a dish\", \"  \", \"Retrieve recipes for a dish\","
            + " \"Find case law for a legal question\"]\nEnjoy!");
    assertThat(tasks).containsExactly("Retrieve recipes for a dish", "Find case law for a legal question");
    assertThat(E5TripletGenerator.parseTasks("no list here")).isEmpty();
  }

  @Test
  void should_fill_every_placeholder_into_the_example_prompt() {
    String p = E5TripletGenerator.examplePrompt("Find case law", P);
    assertThat(p).contains("retrieval task: Find case law", "should be long-tail, 5 to 15 words, clear",
        "at least 100 words", "in English", "\"college\" level");
  }

  @Test
  void should_keep_valid_json_and_drop_non_json_or_incomplete_output() {
    var made = E5TripletGenerator.parseExample("```json\n{\"user_query\": \"q\", \"positive_document\":"
        + " \"p\", \"hard_negative_document\": \"n\"}\n```", "t", P, "m");
    assertThat(made).isInstanceOf(E5TripletGenerator.Made.class);
    assertThat(((E5TripletGenerator.Made) made).triplet().toJson())
        .contains("\"query\":\"q\"", "\"query_type\":\"long-tail\"", "\"num_words\":100");
    assertThat(E5TripletGenerator.parseExample("Once upon a time", "t", P, "m"))
        .isEqualTo(new E5TripletGenerator.Dropped("no_json", "Once upon a time"));
    assertThat(E5TripletGenerator.parseExample("{\"user_query\": \"q\"}", "t", P, "m"))
        .extracting(o -> ((E5TripletGenerator.Dropped) o).reason()).isEqualTo("missing_field");
  }

  @Test
  void should_draw_placeholders_from_the_papers_lists() {
    var random = new Random(1);
    for (int i = 0; i < 50; i++) {
      var p = E5TripletGenerator.draw(random, "German");
      assertThat(E5TripletGenerator.QUERY_TYPES).contains(p.queryType());
      assertThat(E5TripletGenerator.NUM_WORDS).contains(p.numWords());
      assertThat(E5TripletGenerator.DIFFICULTY).contains(p.difficulty());
      assertThat(p.language()).isEqualTo("German");
    }
  }
}
