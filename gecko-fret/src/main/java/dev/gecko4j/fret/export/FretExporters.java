package dev.gecko4j.fret.export;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gecko4j.core.PromptConvention;
import dev.gecko4j.core.TaskPrompt;
import dev.gecko4j.core.fret.FretExample;
import dev.gecko4j.core.internal.GeckoJson;
import dev.gecko4j.fret.run.FretRows;
import dev.gecko4j.fret.internal.JsonlAppender;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Converts a FRet output (rows of {@link FretExample}) into the training formats of other tools:
 * <ul>
 *   <li>FlagEmbedding (BGE fine-tuning): {@code {"query", "pos": [...], "neg": [...], "prompt"}}
 *       per line, the prompt being the row's task description;
 *   <li>sentence-transformers: {@code {"anchor", "positive", "negative"}} per line (load with
 *       {@code datasets.load_dataset("json", ...)} for {@code MultipleNegativesRankingLoss}).
 * </ul>
 * Outputs are written to a temporary file and renamed, so a failed export leaves no half file.
 */
public final class FretExporters {

  private static final ObjectMapper MAPPER = GeckoJson.mapper();

  private FretExporters() {}

  /**
   * Writes FlagEmbedding's JSONL.
   *
   * @param rows the FRet output; not null
   * @param out the file to write (replaced); not null
   * @return the number of rows written
   * @throws IllegalArgumentException if an argument is null or {@code rows} holds an invalid line
   * @throws UncheckedIOException if writing fails
   */
  public static long toFlagEmbedding(Path rows, Path out) {
    return export(rows, out, row -> {
      ObjectNode o = MAPPER.createObjectNode();
      o.put("query", row.query());
      o.putArray("pos").add(row.positive());
      o.putArray("neg").add(row.negative());
      o.put("prompt", row.task());
      return o;
    });
  }

  /**
   * Writes sentence-transformers' (anchor, positive, negative) JSONL.
   *
   * @param rows the FRet output; not null
   * @param out the file to write (replaced); not null
   * @param taskPrefix whether the anchor carries the task in Gecko's format ({@code task: t | query:
   *     q}) instead of the bare query
   * @return the number of rows written
   * @throws IllegalArgumentException if an argument is null or {@code rows} holds an invalid line
   * @throws UncheckedIOException if writing fails
   */
  public static long toSentenceTransformers(Path rows, Path out, boolean taskPrefix) {
    return export(rows, out, row -> {
      ObjectNode o = MAPPER.createObjectNode();
      o.put("anchor", taskPrefix
          ? PromptConvention.GECKO.apply(TaskPrompt.query(row.task()), row.query()) : row.query());
      o.put("positive", row.positive());
      o.put("negative", row.negative());
      return o;
    });
  }

  private static long export(Path rows, Path out,
      java.util.function.Function<FretExample, ObjectNode> map) {
    if (rows == null) {
      throw new IllegalArgumentException("rows must not be null");
    }
    if (out == null) {
      throw new IllegalArgumentException("out must not be null");
    }
    if (!Files.isRegularFile(rows)) {
      throw new IllegalArgumentException("rows must be an existing file, but is: " + rows);
    }
    Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
    long n;
    try {
      Files.deleteIfExists(tmp);
      try (JsonlAppender w = new JsonlAppender(tmp, 100_000)) {
        n = FretRows.forEach(rows, row -> {
          try {
            w.append(MAPPER.writeValueAsString(map.apply(row)));
          } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise row " + row.key(), e);
          }
        });
      }
      Files.move(tmp, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (java.io.IOException e) {
      throw new UncheckedIOException("cannot export to " + out, e);
    }
    return n;
  }
}
