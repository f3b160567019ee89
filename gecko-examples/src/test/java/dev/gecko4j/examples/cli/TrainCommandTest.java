package dev.gecko4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mined-rankings cache of {@code gecko train}: written whole, read back, damage named by line;
 * and its pooling and Dense-head options refused, before any work, with a message naming them.
 */
class TrainCommandTest {
  @TempDir
  Path dir;

  @Test
  void should_read_back_the_rankings_it_writes_and_leave_no_temporary_file() throws Exception {
    Map<String, List<String>> r = new LinkedHashMap<>();
    r.put("q1", List.of("d3", "d1"));
    r.put("q2", List.of());
    Path file = dir.resolve("mined-rankings.tsv");

    TrainCommand.writeRankings(file, r);

    assertThat(TrainCommand.readRankings(file)).isEqualTo(r);
    assertThat(dir.resolve("mined-rankings.tsv.tmp")).doesNotExist();
  }

  @Test
  void should_name_the_line_of_a_damaged_rankings_file() throws Exception {
    Path file = dir.resolve("mined-rankings.tsv");
    Files.writeString(file, "q1\td3,d1\nq2 lost its tab\n");

    assertThatThrownBy(() -> TrainCommand.readRankings(file)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(file + ":2 must be")
        .hasMessageContaining("delete the file to mine again");
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
      "--pooling|maxi|--pooling: Invalid pooling mode: maxi",
      "--dense|0|--dense must be >= 1, but is: 0",
      "--dense-activation|gelu|--dense-activation: activation must be one of"})
  void should_refuse_a_bad_head_option_naming_it(String option, String value, String message) {
    CliCommandsTest.Run run = CliCommandsTest.gecko("train", "--fret",
        dir.resolve("none.jsonl").toString(), "--out", dir.resolve("out").toString(), option, value);
    assertThat(run.code()).isEqualTo(2);
    assertThat(run.lastJson().path("error").asText()).contains(message);
    assertThat(dir.resolve("out")).doesNotExist();
  }
}
