package dev.gecko4j.core.eval;

import dev.gecko4j.core.internal.Args;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A reranking task: queries, each with relevant and irrelevant candidates to order.
 *
 * @param name the dataset name
 * @param samples the queries, at least one
 */
public record RerankingDataset(String name, List<RerankingSample> samples) {

  /** Validates the fields and copies the list. */
  public RerankingDataset {
    Args.notBlank(name, "name");
    samples = List.copyOf(Args.notNull(samples, "samples"));
    Args.require(!samples.isEmpty(), "samples must not be empty");
  }

  /**
   * Reads a JSONL file of {@code {"query": "...", "positive": [...], "negative": [...]}} lines
   * (MTEB's layout). A folder is read through its {@code test.jsonl} or {@code test.json}.
   *
   * @param path a file or folder; not null
   * @return the dataset, named after the file's folder
   * @throws IllegalArgumentException if the path is missing or not JSONL
   * @throws DatasetFormatException naming {@code path:line} for a malformed line, a missing or
   *     mistyped field, or an empty file
   */
  public static RerankingDataset read(Path path) {
    Args.notNull(path, "path");
    Path file = Files.isDirectory(path) ? ClassificationDataset.find(path, "test") : path;
    String lower = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
    Args.require(lower.endsWith(".jsonl") || lower.endsWith(".json"),
        "a reranking file must be JSONL (.jsonl or .json), but is: %s", file);
    Path dir = file.toAbsolutePath().normalize().getParent();
    String name = dir == null || dir.getFileName() == null ? "dataset" : dir.getFileName().toString();
    List<RerankingSample> samples = new ArrayList<>();
    for (TableFile.Row row : TableFile.read(file)) {
      samples.add(new RerankingSample(row.text("query"), row.texts("positive"),
          row.texts("negative")));
    }
    return new RerankingDataset(name, samples);
  }
}
