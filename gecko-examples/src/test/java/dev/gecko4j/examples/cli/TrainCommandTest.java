package dev.gecko4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gecko4j.core.eval.DatasetFormatException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
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

    assertThatThrownBy(() -> TrainCommand.readRankings(file))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessageStartingWith(file + ":2: expected '<query id>\\t<doc ids, comma-separated>'")
        .hasMessageEndingWith("(delete the file to mine again)");
  }

  @Test
  void should_write_a_header_so_that_an_empty_cache_reads_back_empty_not_as_an_empty_file()
      throws Exception {
    Path file = dir.resolve("mined-rankings.tsv");

    TrainCommand.writeRankings(file, Map.of());

    assertThat(Files.readString(file)).isEqualTo("query-id\tcorpus-ids\n");
    assertThat(TrainCommand.readRankings(file)).isEmpty();
  }

  @Test
  void should_name_a_zero_byte_cache_as_empty_and_say_to_mine_again() throws Exception {
    Path file = dir.resolve("mined-rankings.tsv");
    Files.write(file, new byte[0]);

    assertThatThrownBy(() -> TrainCommand.readRankings(file))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessageStartingWith(file + ": file is empty (0 bytes)")
        .hasMessageEndingWith("(delete the file to mine again)");
  }

  @Test
  void should_read_a_cache_with_a_byte_order_mark_or_without_the_header() throws Exception {
    Path file = dir.resolve("mined-rankings.tsv");
    Files.writeString(file, "\uFEFFquery-id\tcorpus-ids\r\nq1\td1\r\n");
    assertThat(TrainCommand.readRankings(file)).isEqualTo(Map.of("q1", List.of("d1")));
    Files.writeString(file, "q1\td1,d2\nq2\t\n");
    assertThat(TrainCommand.readRankings(file))
        .containsExactly(Map.entry("q1", List.of("d1", "d2")), Map.entry("q2", List.of()));
  }

  @Test
  void should_name_the_line_of_a_bad_byte_a_repeated_query_or_an_empty_id() throws Exception {
    Path file = dir.resolve("mined-rankings.tsv");
    StringBuilder text = new StringBuilder("query-id\tcorpus-ids\n");
    for (int i = 0; i < 5_000; i++) {
      text.append('q').append(i).append("\td1,d2\n");
    }
    byte[] good = text.toString().getBytes(StandardCharsets.UTF_8);
    byte[] bad = Arrays.copyOf(good, good.length + 4);
    System.arraycopy(new byte[] {'x', '\t', (byte) 0xC3, '\n'}, 0, bad, good.length, 4);
    Files.write(file, bad);
    assertThatThrownBy(() -> TrainCommand.readRankings(file))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessage(file + ":5002: not valid UTF-8 at byte 3 of the line"
            + " (delete the file to mine again)");

    Files.writeString(file, "query-id\tcorpus-ids\nq1\td1\nq1\td2\n");
    assertThatThrownBy(() -> TrainCommand.readRankings(file))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessageStartingWith(file + ":3: query 'q1' appears twice");
    Files.writeString(file, "query-id\tcorpus-ids\nq1\td1,,d2\n");
    assertThatThrownBy(() -> TrainCommand.readRankings(file))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessageStartingWith(file + ":2: an empty document id in 'd1,,d2'");
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
