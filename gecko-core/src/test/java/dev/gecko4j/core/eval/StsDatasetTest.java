package dev.gecko4j.core.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gecko4j.core.testing.SharedData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StsDatasetTest {

  @TempDir Path tmp;

  private Path write(String content) throws IOException {
    Path f = tmp.resolve("Tiny.test.tsv");
    Files.writeString(f, content, StandardCharsets.UTF_8);
    return f;
  }

  @Test
  void should_read_pairs_without_treating_quotes_specially() throws IOException {
    // given
    Path f = write(StsDataset.HEADER + "\n"
        + "2.5\tA girl is styling her hair.\tA girl is brushing her hair.\tmsrvid\n"
        + "0\t\"Quoted\" start\tsome \"inner\" quote\t\n");
    // when
    StsDataset d = StsDataset.read(f);
    // then
    assertThat(d.name()).isEqualTo("Tiny");
    assertThat(d.pairs()).containsExactly(
        new StsPair(2.5, "A girl is styling her hair.", "A girl is brushing her hair.", "msrvid"),
        new StsPair(0, "\"Quoted\" start", "some \"inner\" quote", ""));
  }

  @Test
  void should_name_path_and_line_for_a_bad_header() throws IOException {
    Path f = write("score\tsentence1\tsentence2\n1\ta\tb\tc\n");
    assertThatThrownBy(() -> StsDataset.read(f))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessageStartingWith(f + ":1: expected the header 'score\\tsentence1\\tsentence2"
            + "\\tsubset'");
  }

  @Test
  void should_name_path_and_line_for_a_bad_score() throws IOException {
    Path f = write(StsDataset.HEADER + "\n1\ta\tb\tc\nabc\ta\tb\tc\n");
    assertThatThrownBy(() -> StsDataset.read(f))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessage(f + ":3: score must be a decimal number between 0 and 5, but is: 'abc'");
    Path g = write(StsDataset.HEADER + "\n5.5\ta\tb\tc\n");
    assertThatThrownBy(() -> StsDataset.read(g))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessage(g + ":2: score must be a decimal number between 0 and 5, but is: '5.5'");
  }

  @Test
  void should_name_path_and_line_for_a_missing_column() throws IOException {
    Path f = write(StsDataset.HEADER + "\n1\ta\tb\tc\n2\tonly one sentence\tsubset\n");
    assertThatThrownBy(() -> StsDataset.read(f))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessage(f + ":3: expected 4 tab-separated columns (score, sentence1, sentence2,"
            + " subset), but found 3")
        .satisfies(e -> assertThat(((DatasetFormatException) e).line()).isEqualTo(3));
  }

  @Test
  void should_accept_a_utf8_byte_order_mark_before_the_header() throws IOException {
    Path f = write("\uFEFF" + StsDataset.HEADER + "\n1\ta\tb\tc\n");
    assertThat(StsDataset.read(f).pairs()).containsExactly(new StsPair(1, "a", "b", "c"));
  }

  @Test
  void should_reject_scores_that_only_java_reads_as_numbers_naming_path_and_line()
      throws IOException {
    for (String score : new String[] {"3d", "0x1p1", "NaN", "Infinity"}) {
      Path f = write(StsDataset.HEADER + "\n1\ta\tb\tc\n" + score + "\ta\tb\tc\n");
      assertThatThrownBy(() -> StsDataset.read(f))
          .isInstanceOf(DatasetFormatException.class)
          .hasMessage(f + ":3: score must be a decimal number between 0 and 5, but is: '" + score
              + "'");
    }
  }

  @Test
  void should_report_a_bad_byte_deep_in_the_file_at_its_line() throws IOException {
    StringBuilder sb = new StringBuilder(StsDataset.HEADER).append('\n');
    for (int i = 0; i < 3000; i++) {
      sb.append("1\tA man is playing a guitar.\tA man plays the guitar.\tsub\n");
    }
    Path f = tmp.resolve("Deep.test.tsv");
    byte[] good = sb.toString().getBytes(StandardCharsets.UTF_8);
    byte[] bad = "2\tcaf\u00e9\tb\tc\n".getBytes(StandardCharsets.ISO_8859_1);
    byte[] all = java.util.Arrays.copyOf(good, good.length + bad.length);
    System.arraycopy(bad, 0, all, good.length, bad.length);
    Files.write(f, all);
    assertThatThrownBy(() -> StsDataset.read(f))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessage(f + ":3002: not valid UTF-8 at byte 6 of the line");
  }

  @Test
  void should_reject_an_empty_file_and_a_header_without_pairs_naming_the_file() throws IOException {
    Path empty = write("");
    assertThatThrownBy(() -> StsDataset.read(empty))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessageStartingWith(empty + ": file is empty (0 bytes); expected the header");
    Path headerOnly = write(StsDataset.HEADER + "\n");
    assertThatThrownBy(() -> StsDataset.read(headerOnly))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessage(headerOnly + ": file holds no record (1 line, none with data); expected at"
            + " least one pair after the header");
  }

  @Test
  void should_reject_a_missing_file_naming_it() {
    Path missing = tmp.resolve("nope.tsv");
    assertThatThrownBy(() -> StsDataset.read(missing))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("STS file does not exist or is not a file: " + missing);
  }

  @Test
  void should_parse_the_real_sts_benchmark_test_set() {
    // given
    // when
    StsDataset d = StsDataset.read(SharedData.require("sts/STSBenchmark.test.tsv"));
    // then
    assertThat(d.name()).isEqualTo("STSBenchmark");
    assertThat(d.size()).isEqualTo(1379);
    assertThat(d.pairs().get(0)).isEqualTo(new StsPair(2.5, "A girl is styling her hair.",
        "A girl is brushing her hair.", "main-captions/MSRvid/2012test"));
    assertThat(d.pairs()).allSatisfy(p -> assertThat(p.score()).isBetween(0.0, 5.0));
  }
}
