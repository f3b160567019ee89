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
        .hasMessage(f + ":3: score must be a number between 0 and 5, but is: 'abc'");
    Path g = write(StsDataset.HEADER + "\n5.5\ta\tb\tc\n");
    assertThatThrownBy(() -> StsDataset.read(g))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessage(g + ":2: score must be a number between 0 and 5, but is: '5.5'");
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
