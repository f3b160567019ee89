package dev.gecko4j.core.eval;

import dev.gecko4j.core.internal.Args;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A pair-classification task: sentence pairs labelled 1 (positive) or 0.
 *
 * @param name the dataset name
 * @param pairs the pairs, at least 2
 */
public record PairClassificationDataset(String name, List<SentencePair> pairs) {

  /** Validates the fields and copies the list. */
  public PairClassificationDataset {
    Args.notBlank(name, "name");
    pairs = List.copyOf(Args.notNull(pairs, "pairs"));
    Args.require(pairs.size() >= 2, "pairs must hold at least 2 pairs, but holds: %s",
        pairs.size());
  }

  /**
   * Reads pairs from a CSV/TSV file with a header or a JSONL file, with columns
   * {@code sentence1}, {@code sentence2} and {@code label} ({@code sent1}/{@code sent2} and
   * {@code labels} too); a JSONL line whose three values are arrays (MTEB's layout, one line per
   * split) gives one pair per entry. A label must be {@code 0} or {@code 1}: a JSON integer, or
   * text that is an integer by {@link DatasetLines}' strict rule ({@code 1.0}, {@code 1d},
   * {@code 0x1}, {@code NaN}, {@code true} are rejected). Files are read through
   * {@link DatasetLines} (byte-order mark, strict UTF-8, empty files). A folder is read through its {@code test.*} file.
   *
   * @param path a file or folder; not null
   * @return the dataset, named after the file's folder
   * @throws IllegalArgumentException if the path is missing or has an unknown extension
   * @throws DatasetFormatException naming {@code path:line} for a malformed line, a missing
   *     column, a label other than 0 or 1, arrays of different lengths, or an empty file
   */
  public static PairClassificationDataset read(Path path) {
    Args.notNull(path, "path");
    Path file = Files.isDirectory(path) ? ClassificationDataset.find(path, "test") : path;
    Path dir = file.toAbsolutePath().normalize().getParent();
    String name = dir == null || dir.getFileName() == null ? "dataset" : dir.getFileName().toString();
    List<SentencePair> pairs = new ArrayList<>();
    for (TableFile.Row row : TableFile.read(file)) {
      String c1 = row.firstPresent(List.of("sentence1", "sent1"));
      String c2 = row.firstPresent(List.of("sentence2", "sent2"));
      String cl = row.firstPresent(List.of("label", "labels"));
      if (c1 == null || c2 == null || cl == null) {
        throw new DatasetFormatException(file, row.line(), "expected columns sentence1, sentence2 "
            + "and label, but the row has " + row.values().keySet());
      }
      Object v1 = row.values().get(c1);
      if (v1 instanceof com.fasterxml.jackson.databind.JsonNode n && n.isArray()) {
        List<String> s1 = row.texts(c1);
        List<String> s2 = row.texts(c2);
        List<String> l = row.texts(cl);
        if (s1.size() != s2.size() || s1.size() != l.size()) {
          throw new DatasetFormatException(file, row.line(), "the arrays must have the same length,"
              + " but " + c1 + " has " + s1.size() + ", " + c2 + " " + s2.size() + ", " + cl + " "
              + l.size());
        }
        for (int i = 0; i < s1.size(); i++) {
          pairs.add(new SentencePair(s1.get(i), s2.get(i), label(file, row.line(), l.get(i))));
        }
      } else {
        pairs.add(new SentencePair(row.text(c1), row.text(c2),
            label(file, row.line(), row.text(cl))));
      }
    }
    if (pairs.size() < 2) {
      throw new DatasetFormatException(file, 0, "expected at least 2 pairs, but found "
          + pairs.size());
    }
    return new PairClassificationDataset(name, pairs);
  }

  /**
   * A label by the strict integer rule of {@link DatasetLines#isInteger} (surrounding white space
   * allowed, as {@link DatasetLines#integer}); then it must be 0 or 1.
   */
  private static boolean label(Path file, long line, String s) {
    String t = s.strip();
    if (!DatasetLines.isInteger(t)) {
      throw new DatasetFormatException(file, line, "label must be 0 or 1, but is: '"
          + DatasetLines.shown(s) + "' (not an integer)");
    }
    String value = t.replaceFirst("^\\+", "").replaceFirst("^(-?)0+(?=[0-9])", "$1");
    if (value.equals("1")) {
      return true;
    }
    if (value.equals("0") || value.equals("-0")) {
      return false;
    }
    throw new DatasetFormatException(file, line, "label must be 0 or 1, but is: '"
        + DatasetLines.shown(t) + "'");
  }
}
