package dev.gecko4j.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gecko4j.core.eval.DatasetFormatException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gecko spark fret --qrels} reads the qrels on the driver by the one dataset rule before
 * Spark does (whose CSV reader drops a bad line silently); no Spark session is started here.
 */
class SparkFretQrelsTest {

  @TempDir Path dir;

  @Test
  void should_count_judgments_after_an_optional_header_and_a_byte_order_mark() throws Exception {
    Path f = Files.writeString(dir.resolve("qrels.tsv"),
        "\uFEFFquery-id\tcorpus-id\tscore\nq1\td1\t1\n\nq2\td2\t0\n");
    assertThat(SparkFretCommand.checkQrels(f)).isEqualTo(2);
  }

  @Test
  void should_reject_scores_that_only_java_reads_as_numbers_naming_path_and_line()
      throws Exception {
    for (String score : new String[] {"3d", "0x1p1", "NaN", "Infinity"}) {
      Path f = Files.writeString(dir.resolve("qrels.tsv"), "q1\td1\t1\nq2\td2\t" + score + "\n");
      assertThatThrownBy(() -> SparkFretCommand.checkQrels(f))
          .isExactlyInstanceOf(DatasetFormatException.class)
          .hasMessage(f + ":2: score must be a decimal number, but is: '" + score + "'");
    }
  }

  @Test
  void should_reject_an_empty_file_a_header_alone_and_a_short_line_naming_them() throws Exception {
    Path empty = Files.writeString(dir.resolve("empty.tsv"), "");
    assertThatThrownBy(() -> SparkFretCommand.checkQrels(empty))
        .isExactlyInstanceOf(DatasetFormatException.class)
        .hasMessageStartingWith(empty + ": file is empty (0 bytes)");
    Path header = Files.writeString(dir.resolve("header.tsv"), "query-id\tcorpus-id\tscore\n");
    assertThatThrownBy(() -> SparkFretCommand.checkQrels(header))
        .isExactlyInstanceOf(DatasetFormatException.class)
        .hasMessageStartingWith(header + ": file holds no record (1 line, none with data)");
    Path shortLine = Files.writeString(dir.resolve("short.tsv"), "q1\td1\t1\nq1 d2 1\n");
    assertThatThrownBy(() -> SparkFretCommand.checkQrels(shortLine))
        .isExactlyInstanceOf(DatasetFormatException.class)
        .hasMessage(shortLine + ":2: expected 3 tab-separated columns (query-id, corpus-id,"
            + " score), but found 1");
  }

  @Test
  void should_report_a_bad_byte_deep_in_the_file_at_its_line() throws Exception {
    Path f = Files.writeString(dir.resolve("deep.tsv"), "q1\td1\t1\n".repeat(5000));
    Files.write(f, new byte[] {'q', (byte) 0xC3, '\t', 'd', '\t', '1', '\n'},
        java.nio.file.StandardOpenOption.APPEND);
    assertThatThrownBy(() -> SparkFretCommand.checkQrels(f))
        .isExactlyInstanceOf(DatasetFormatException.class)
        .hasMessage(f + ":5001: not valid UTF-8 at byte 2 of the line");
  }
}
