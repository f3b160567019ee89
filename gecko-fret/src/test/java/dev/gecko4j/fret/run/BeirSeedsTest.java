package dev.gecko4j.fret.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gecko4j.core.eval.DatasetFormatException;
import dev.gecko4j.core.fret.FretSeed;
import dev.gecko4j.fret.retrieve.CorpusStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The relabel seeds of a qrels file: read by the one dataset rule, every skip counted by reason. */
class BeirSeedsTest {

  @TempDir Path dir;
  private CorpusStore corpus;
  private final Map<String, String> queries = Map.of("q1", "what is a cat", "q2", "dogs?");
  private final Map<String, Long> skipped = new TreeMap<>();

  @BeforeEach
  void openCorpus() throws Exception {
    corpus = CorpusStore.open(Files.writeString(dir.resolve("corpus.jsonl"),
        "{\"_id\":\"d1\",\"text\":\"a cat\"}\n{\"_id\":\"d2\",\"text\":\"a dog\"}\n"));
  }

  @AfterEach
  void closeCorpus() {
    corpus.close();
  }

  private List<FretSeed> seeds(String qrels) throws Exception {
    Path f = Files.writeString(dir.resolve("qrels.tsv"), qrels);
    List<FretSeed> out = new ArrayList<>();
    Iterator<FretSeed> it = BeirSeeds.relabel(queries, f, corpus, skipped);
    it.forEachRemaining(out::add);
    return out;
  }

  @Test
  void should_accept_a_byte_order_mark_before_the_header_and_count_ids_that_refer_to_nothing()
      throws Exception {
    // when
    List<FretSeed> seeds = seeds("\uFEFFquery-id\tcorpus-id\tscore\nq1\td1\t1\nq9\td1\t1\n"
        + "q2\td7\t1\nq2\td2\t0\nq2\td2\t2\n");
    // then
    assertThat(seeds).extracting(FretSeed::queryId).containsExactly("q1", "q2");
    assertThat(skipped).containsExactly(Map.entry("non_positive", 1L),
        Map.entry("unknown_passage", 1L), Map.entry("unknown_query", 1L));
  }

  @Test
  void should_reject_scores_that_only_java_reads_as_numbers_naming_path_and_line()
      throws Exception {
    for (String score : new String[] {"3d", "0x1p1", "NaN", "Infinity"}) {
      Path f = dir.resolve("qrels.tsv");
      assertThatThrownBy(() -> seeds("query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td2\t" + score
          + "\n"))
          .isExactlyInstanceOf(DatasetFormatException.class)
          .hasMessage(f + ":3: score must be a decimal number, but is: '" + score + "'");
    }
  }

  @Test
  void should_reject_an_empty_file_and_one_without_judgments_naming_it() throws Exception {
    Path f = dir.resolve("qrels.tsv");
    assertThatThrownBy(() -> seeds(""))
        .isExactlyInstanceOf(DatasetFormatException.class)
        .hasMessage(f + ": file is empty (0 bytes); expected one judgment"
            + " 'query-id<TAB>corpus-id<TAB>score' per line");
    assertThatThrownBy(() -> seeds("query-id\tcorpus-id\tscore\n"))
        .isExactlyInstanceOf(DatasetFormatException.class)
        .hasMessage(f + ": file holds no record (1 line, none with data); expected one judgment"
            + " 'query-id<TAB>corpus-id<TAB>score' per line");
  }

  @Test
  void should_report_a_bad_byte_deep_in_the_file_at_its_line() throws Exception {
    StringBuilder sb = new StringBuilder("query-id\tcorpus-id\tscore\n");
    for (int i = 0; i < 4000; i++) {
      sb.append("q1\td1\t0\n");
    }
    Path f = Files.writeString(dir.resolve("qrels.tsv"), sb);
    Files.write(f, new byte[] {'q', (byte) 0xE9, '\t', 'd', '1', '\t', '1', '\n'},
        java.nio.file.StandardOpenOption.APPEND);
    Iterator<FretSeed> it = BeirSeeds.relabel(queries, f, corpus, skipped);
    assertThatThrownBy(() -> it.forEachRemaining(s -> { }))
        .isExactlyInstanceOf(DatasetFormatException.class)
        .hasMessage(f + ":4002: not valid UTF-8 at byte 2 of the line");
  }

  @Test
  void should_reject_a_line_without_three_columns_naming_path_and_line() throws Exception {
    Path f = dir.resolve("qrels.tsv");
    assertThatThrownBy(() -> seeds("q1\td1\t1\nq1 d2 1\n"))
        .isExactlyInstanceOf(DatasetFormatException.class)
        .hasMessage(f + ":2: expected 3 tab-separated columns (query-id, corpus-id, score), but"
            + " found 1: 'q1 d2 1'");
  }
}
