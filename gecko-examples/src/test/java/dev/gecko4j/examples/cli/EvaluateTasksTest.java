package dev.gecko4j.examples.cli;

import static dev.gecko4j.examples.cli.CliCommandsTest.gecko;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gecko evaluate} on the task families beyond STS and retrieval, and a suite of them, run
 * in-process on small hand-written files with the int8 bge model.
 */
class EvaluateTasksTest {

  @TempDir Path dir;

  private static final String[][] TOPICS = {
      {"card", "my card has not arrived yet", "when will my new card come", "card still missing",
          "where is the card I ordered"},
      {"refund", "I want my money back", "how do I get a refund", "refund for a cancelled order",
          "return the payment to me"},
      {"pin", "I forgot my pin", "how can I change my pin code", "my pin is blocked",
          "reset the pin of my card"}};

  private Path classificationFolder() throws IOException {
    Path d = Files.createDirectories(dir.resolve("intents"));
    StringBuilder csv = new StringBuilder("text,label\n");
    for (String[] t : TOPICS) {
      for (int i = 1; i < t.length; i++) {
        csv.append('"').append(t[i]).append("\",").append(t[0]).append('\n');
      }
    }
    Files.writeString(d.resolve("train.csv"), csv);
    Files.writeString(d.resolve("test.csv"), csv);
    return d;
  }

  @Test
  void classification_prints_accuracy_as_the_score_on_the_last_line() throws IOException {
    CliCommandsTest.Run r = gecko("evaluate", "--model", "bge-small-en-v1.5-q", "--classification",
        classificationFolder().toString(), "--samples-per-label", "2", "--experiments", "2",
        "--dims", "384,128");

    assertThat(r.code()).as(r.err()).isZero();
    JsonNode json = r.lastJson();
    assertThat(json.get("dataset").asText()).isEqualTo("intents");
    assertThat(json.get("metric").asText()).isEqualTo("accuracy");
    assertThat(json.get("score").asDouble()).isBetween(0.5, 1.0);
    assertThat(json.get("accuracies")).hasSize(2);
    assertThat(json.get("dimension").asInt()).isEqualTo(384);
    assertThat(json.get("scores_by_dimension").get("128").asDouble()).isBetween(0.0, 1.0);
  }

  @Test
  void a_suite_runs_every_family_into_one_table_and_one_json_object() throws IOException {
    classificationFolder();
    Files.writeString(dir.resolve("pairs.tsv"), "sentence1\tsentence2\tlabel\n"
        + "my card has not arrived\twhen will my card come\t1\n"
        + "I forgot my pin\thow do I get a refund\t0\n"
        + "reset my pin\tmy pin is blocked\t1\n"
        + "refund please\twhere is my card\t0\n");
    Files.writeString(dir.resolve("rerank.jsonl"),
        "{\"query\": \"lost card\", \"positive\": [\"my card has not arrived\"], "
            + "\"negative\": [\"I want my money back\", \"my pin is blocked\"]}\n");
    Files.writeString(dir.resolve("suite.txt"), """
        # family path options
        classification intents samples-per-label=2 experiments=1 name=Intents
        clustering intents/test.csv protocol=legacy
        pair-classification pairs.tsv
        reranking rerank.jsonl
        """);

    CliCommandsTest.Run r = gecko("evaluate", "--model", "bge-small-en-v1.5-q", "--suite",
        dir.resolve("suite.txt").toString());

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.err()).contains("| task | family | metric | score |", "| Intents | classification"
        + " | accuracy |", "| intents | clustering | v_measure |", "max_ap", "| **mean** |");
    JsonNode json = r.lastJson();
    assertThat(json.get("tasks")).hasSize(4);
    assertThat(json.get("tasks").get(2).get("metric").asText()).isEqualTo("max_ap");
    assertThat(json.get("score").asDouble()).isBetween(0.0, 1.0);
  }

  @Test
  void a_bad_suite_line_names_the_file_and_line_and_exits_2() throws IOException {
    Path suite = dir.resolve("bad.txt");
    Files.writeString(suite, "\nclassifcation somewhere\n");

    CliCommandsTest.Run r = gecko("evaluate", "--model", "bge-small-en-v1.5-q", "--suite",
        suite.toString());

    assertThat(r.code()).isEqualTo(GeckoCli.EXIT_USAGE);
    assertThat(r.lastJson().get("error").asText()).contains(suite + ":2:",
        "the family must be one of");
  }

  @Test
  void an_empty_suite_file_or_a_bad_byte_in_it_is_named_with_its_line_and_exits_2()
      throws IOException {
    Path empty = dir.resolve("empty.suite");
    Files.write(empty, new byte[0]);
    CliCommandsTest.Run r = gecko("evaluate", "--model", "bge-small-en-v1.5-q", "--suite",
        empty.toString());
    assertThat(r.code()).isEqualTo(GeckoCli.EXIT_USAGE);
    assertThat(r.lastJson().get("error").asText())
        .startsWith("--suite " + empty + ": file is empty (0 bytes)");

    Path bad = dir.resolve("bad-byte.suite");
    Files.write(bad, new byte[] {'#', ' ', 'o', 'k', '\n', '#', ' ', (byte) 0xE9, '\n'});
    r = gecko("evaluate", "--model", "bge-small-en-v1.5-q", "--suite", bad.toString());
    assertThat(r.code()).isEqualTo(GeckoCli.EXIT_USAGE);
    assertThat(r.lastJson().get("error").asText())
        .isEqualTo("--suite " + bad + ":2: not valid UTF-8 at byte 3 of the line");
  }
}
