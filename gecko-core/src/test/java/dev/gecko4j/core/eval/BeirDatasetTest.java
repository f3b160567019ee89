package dev.gecko4j.core.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gecko4j.core.testing.SharedData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.assertj.core.api.AbstractThrowableAssert;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BeirDatasetTest {

  @TempDir Path tmp;

  static Path writeDataset(Path dir, String corpus, String queries, String testQrels)
      throws IOException {
    Files.createDirectories(dir.resolve("qrels"));
    Files.writeString(dir.resolve("corpus.jsonl"), corpus);
    Files.writeString(dir.resolve("queries.jsonl"), queries);
    Files.writeString(dir.resolve("qrels/test.tsv"), testQrels);
    return dir;
  }

  /** Writes and opens a dataset whose qrels judge nothing, to test its corpus and queries. */
  private BeirDataset openUnjudged(String name, String corpus, String queries)
      throws IOException {
    return BeirDataset.open(writeDataset(tmp.resolve(name), corpus, queries,
        "query-id\tcorpus-id\tscore\n"));
  }

  /** Starts an assertion that {@code call} fails with a {@link DatasetFormatException}. */
  private static AbstractThrowableAssert<?, ? extends Throwable> assertFormatError(
      ThrowingCallable call) {
    return assertThatThrownBy(call).isInstanceOf(DatasetFormatException.class);
  }

  @Test
  void should_read_corpus_queries_and_qrels() throws IOException {
    // given
    Path dir = writeDataset(tmp.resolve("tiny"),
        "{\"_id\": \"d1\", \"title\": \"Geckos\", \"text\": \" eat insects \"}\n\n"
            + "{\"_id\": 7, \"text\": \"  no title here \"}\n",
        "{\"_id\": \"q1\", \"text\": \"what do geckos eat\", \"metadata\": {}}\n",
        "query-id\tcorpus-id\tscore\nq1\td1\t2\nq1\t7\t0\n");
    BeirDataset d = BeirDataset.open(dir);
    // when
    List<BeirDocument> docs = d.loadDocuments();
    // then
    assertThat(d.name()).isEqualTo("tiny");
    assertThat(d.splits()).containsExactly("test");
    assertThat(docs).containsExactly(new BeirDocument("d1", "Geckos", " eat insects "),
        new BeirDocument("7", null, "  no title here "));
    assertThat(docs.get(0).mtebText()).isEqualTo("Geckos  eat insects");
    assertThat(docs.get(1).mtebText()).isEqualTo("no title here");
    assertThat(d.countDocuments()).isEqualTo(2);
    assertThat(d.queries()).containsExactly(Map.entry("q1", "what do geckos eat"));
    assertThat(d.qrels("test")).containsExactly(Map.entry("q1", Map.of("d1", 2, "7", 0)));
  }

  @Test
  void should_strip_as_python_does_for_an_empty_title() {
    assertThat(new BeirDocument("d", "", "text\u00a0").mtebText()).isEqualTo("text");
    assertThat(new BeirDocument("d", "T", "").mtebText()).isEqualTo("T");
  }

  @Test
  void should_name_path_and_line_for_a_corpus_record_without_id() throws IOException {
    BeirDataset d = openUnjudged("bad",
        "{\"_id\": \"d1\", \"text\": \"x\"}\n{\"title\": \"t\", \"text\": \"y\"}\n", "");
    Path corpus = d.dir().resolve("corpus.jsonl");
    try (Stream<BeirDocument> s = d.documents()) {
      assertFormatError(s::toList)
          .hasMessage(corpus + ":2: expected a string field '_id', but it is missing");
    }
  }

  @Test
  void should_name_path_and_line_for_bad_json_and_repeated_ids() throws IOException {
    BeirDataset d = openUnjudged("bad",
        "{\"_id\": \"d1\", \"text\": \"x\"}\n{\"_id\": \"d1\", \"text\": \"y\"}\n",
        "{\"_id\": \"q1\", \"text\": \n");
    Path dir = d.dir();
    assertFormatError(d::loadDocuments)
        .hasMessage(dir.resolve("corpus.jsonl") + ":2: id 'd1' appears twice; expected unique ids");
    assertFormatError(d::queries)
        .hasMessageStartingWith(dir.resolve("queries.jsonl")
            + ":1: expected one JSON object per line, but: ");
  }

  @Test
  void should_reject_a_line_holding_two_records_or_trailing_garbage_naming_path_and_line()
      throws IOException {
    // given a corpus whose second line lost its newline, and queries with garbage after a record
    BeirDataset d = openUnjudged("joined",
        "{\"_id\": \"d1\", \"text\": \"x\"}\n"
            + "{\"_id\": \"d2\", \"text\": \"y\"}{\"_id\": \"d3\", \"text\": \"z\"}\n",
        "{\"_id\": \"q1\", \"text\": \"a\"} ]\n");
    Path dir = d.dir();
    // when / then: nothing is silently dropped
    assertFormatError(d::loadDocuments)
        .hasMessageStartingWith(dir.resolve("corpus.jsonl") + ":2: expected one JSON object per line");
    assertFormatError(d::queries)
        .hasMessageStartingWith(dir.resolve("queries.jsonl") + ":1: expected one JSON object per line");
  }

  @Test
  void should_name_path_and_line_for_bytes_that_are_not_utf8() throws IOException {
    Path dir = writeDataset(tmp.resolve("latin1"), "", "", "query-id\tcorpus-id\tscore\n");
    Files.write(dir.resolve("corpus.jsonl"), new byte[] {'{', '"', '_', 'i', 'd', '"', ':', '"',
        (byte) 0xE9, '"', '}', '\n'});
    BeirDataset d = BeirDataset.open(dir);
    assertFormatError(d::loadDocuments)
        .hasMessageStartingWith(dir.resolve("corpus.jsonl") + ":1: not valid UTF-8");
  }

  @Test
  void should_accept_a_utf8_byte_order_mark_in_every_file() throws IOException {
    String bom = "\uFEFF";
    BeirDataset d = BeirDataset.open(writeDataset(tmp.resolve("bom"),
        bom + "{\"_id\": \"d1\", \"text\": \"x\"}\n", bom + "{\"_id\": \"q1\", \"text\": \"a\"}\n",
        bom + "query-id\tcorpus-id\tscore\nq1\td1\t1\n"));
    assertThat(d.loadDocuments()).containsExactly(new BeirDocument("d1", null, "x"));
    assertThat(d.queries()).containsExactly(Map.entry("q1", "a"));
    assertThat(d.qrels("test")).containsExactly(Map.entry("q1", Map.of("d1", 1)));
  }

  @Test
  void should_reject_empty_files_naming_them() throws IOException {
    BeirDataset d = BeirDataset.open(writeDataset(tmp.resolve("zero"), "", "\n\n",
        "query-id\tcorpus-id\tscore\n"));
    Path dir = d.dir();
    assertFormatError(d::loadDocuments)
        .hasMessage(dir.resolve("corpus.jsonl") + ": file is empty (0 bytes); expected one JSON"
            + " object {\"_id\", \"title\", \"text\"} per line");
    assertFormatError(d::countDocuments)
        .hasMessageStartingWith(dir.resolve("corpus.jsonl") + ": file is empty");
    assertFormatError(d::queries)
        .hasMessage(dir.resolve("queries.jsonl") + ": file holds no record (2 lines, none with"
            + " data); expected one JSON object {\"_id\", \"text\"} per line");
    assertFormatError(() -> d.qrels("test"))
        .hasMessage(dir.resolve("qrels/test.tsv") + ": file holds no record (1 line, none with"
            + " data); expected at least one judgment after the header");
  }

  @Test
  void should_reject_relevances_that_are_not_plain_integers_naming_path_and_line()
      throws IOException {
    Path dir = writeDataset(tmp.resolve("scores"), "", "", "query-id\tcorpus-id\tscore\n");
    Path qrels = dir.resolve("qrels/test.tsv");
    BeirDataset d = BeirDataset.open(dir);
    for (String score : new String[] {"3d", "0x1p1", "1.0", "NaN", "Infinity"}) {
      Files.writeString(qrels, "query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\td2\t" + score + "\n");
      assertFormatError(() -> d.qrels("test"))
          .hasMessage(qrels + ":3: score (an integer relevance) must be an integer, but is: '"
              + score + "'");
    }
  }

  @Test
  void should_report_a_bad_byte_deep_in_the_corpus_at_its_line() throws IOException {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 2000; i++) {
      sb.append("{\"_id\": \"d").append(i).append("\", \"text\": \"a passage of some length\"}\n");
    }
    Path dir = writeDataset(tmp.resolve("deep"), sb.toString(), "", "query-id\tcorpus-id\tscore\n");
    Files.write(dir.resolve("corpus.jsonl"), new byte[] {'{', '"', '_', 'i', 'd', '"', ':', '"',
        (byte) 0xE9, '"', '}', '\n'}, java.nio.file.StandardOpenOption.APPEND);
    BeirDataset d = BeirDataset.open(dir);
    assertFormatError(d::loadDocuments)
        .hasMessage(dir.resolve("corpus.jsonl") + ":2001: not valid UTF-8 at byte 9 of the line");
  }

  @Test
  void should_name_the_missing_queries_file_and_qrels_folder() throws IOException {
    Path dir = tmp.resolve("partial");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("corpus.jsonl"), "");
    assertThatThrownBy(() -> BeirDataset.open(dir))
        .hasMessage("BEIR queries file is missing: " + dir.resolve("queries.jsonl"));
    Files.writeString(dir.resolve("queries.jsonl"), "");
    assertThatThrownBy(() -> BeirDataset.open(dir))
        .hasMessage("BEIR qrels folder is missing: " + dir.resolve("qrels"));
  }

  @Test
  void should_name_path_and_line_for_bad_qrels() throws IOException {
    Path dir = writeDataset(tmp.resolve("bad"), "", "",
        "query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\td2\tyes\n");
    Path qrels = dir.resolve("qrels/test.tsv");
    BeirDataset d = BeirDataset.open(dir);
    assertFormatError(() -> d.qrels("test"))
        .hasMessage(qrels + ":3: score (an integer relevance) must be an integer, but is: 'yes'");
    Files.writeString(qrels, "qid\tdocid\trel\n");
    assertFormatError(() -> d.qrels("test"))
        .hasMessageStartingWith(qrels + ":1: expected the header");
    Files.writeString(qrels, "query-id\tcorpus-id\tscore\nq1\td1\n");
    assertFormatError(() -> d.qrels("test"))
        .hasMessage(qrels + ":2: expected 3 tab-separated columns (query-id, corpus-id, score),"
            + " but found 2");
    assertThatThrownBy(() -> d.qrels("dev"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("split 'dev' not found")
        .hasMessageEndingWith("present splits: [test]");
  }

  @Test
  void should_name_the_missing_file_when_opening() {
    Path dir = tmp.resolve("empty");
    assertThatThrownBy(() -> BeirDataset.open(dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("BEIR corpus file is missing: " + dir.resolve("corpus.jsonl"));
  }

  @Test
  void should_parse_the_real_scifact_dataset() {
    // given
    BeirDataset d = BeirDataset.open(SharedData.require("beir/scifact"));
    // when
    long streamed;
    try (Stream<BeirDocument> s = d.documents()) {
      streamed = s.count();
    }
    Map<String, Map<String, Integer>> test = d.qrels("test");
    // then
    assertThat(streamed).isEqualTo(5183);
    assertThat(d.countDocuments()).isEqualTo(5183);
    assertThat(d.queries()).hasSize(1109);
    assertThat(d.splits()).containsExactly("test", "train");
    assertThat(test).hasSize(300);
    assertThat(test.values().stream().mapToInt(Map::size).sum()).isEqualTo(339);
    assertThat(d.queries()).containsKeys(test.keySet().toArray(String[]::new));
  }
}
