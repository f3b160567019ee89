package dev.gecko4j.fret.export;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gecko4j.fret.internal.JsonlAppender;
import dev.gecko4j.fret.testing.TestRows;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FretExportersTest {

  @TempDir Path dir;

  private Path rows() {
    Path f = dir.resolve("rows.jsonl");
    try (JsonlAppender w = new JsonlAppender(f, 1)) {
      w.append(TestRows.row("q1", "d1", "d1").toJson());
      w.append(TestRows.row("q2", "d2", "x2").toJson());
    }
    return f;
  }

  @Test
  void should_export_flag_embedding_jsonl() throws Exception {
    // when
    Path out = dir.resolve("flag.jsonl");
    long n = FretExporters.toFlagEmbedding(rows(), out);
    // then
    List<String> lines = Files.readAllLines(out);
    assertThat(n).isEqualTo(2);
    assertThat(lines).containsExactly(
        "{\"query\":\"query for d1\",\"pos\":[\"text of d1\"],\"neg\":[\"text of nd1\"],"
            + "\"prompt\":\"question answering\"}",
        "{\"query\":\"query for d2\",\"pos\":[\"text of x2\"],\"neg\":[\"text of nd2\"],"
            + "\"prompt\":\"question answering\"}");
  }

  @Test
  void should_export_sentence_transformers_triplets_with_or_without_task_prefix() throws Exception {
    // when
    Path plain = dir.resolve("st.jsonl");
    Path prefixed = dir.resolve("st-task.jsonl");
    Path in = rows();
    FretExporters.toSentenceTransformers(in, plain, false);
    FretExporters.toSentenceTransformers(in, prefixed, true);
    // then
    var mapper = new ObjectMapper();
    var first = mapper.readTree(Files.readAllLines(plain).get(0));
    assertThat(first.get("anchor").asText()).isEqualTo("query for d1");
    assertThat(first.get("positive").asText()).isEqualTo("text of d1");
    assertThat(first.get("negative").asText()).isEqualTo("text of nd1");
    assertThat(mapper.readTree(Files.readAllLines(prefixed).get(1)).get("anchor").asText())
        .isEqualTo("task: question answering | query: query for d2");
    assertThat(Files.exists(dir.resolve("st.jsonl.tmp"))).isFalse();
  }
}
