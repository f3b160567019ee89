package dev.gecko4j.core.eval;

import dev.gecko4j.core.internal.Args;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A clustering task: one or more sets of labelled texts, each clustered on its own (MTEB's legacy
 * protocol) or, flattened, bootstrapped (its fast protocol).
 *
 * @param name the dataset name
 * @param sets the sets, each with at least one text
 */
public record ClusteringDataset(String name, List<List<LabeledText>> sets) {

  /** Validates the fields and copies the lists. */
  public ClusteringDataset {
    Args.notBlank(name, "name");
    Args.notNull(sets, "sets");
    Args.require(!sets.isEmpty(), "sets must not be empty");
    List<List<LabeledText>> copy = new ArrayList<>();
    for (List<LabeledText> s : sets) {
      Args.notNull(s, "set");
      Args.require(!s.isEmpty(), "each set must hold at least one text");
      copy.add(List.copyOf(s));
    }
    sets = List.copyOf(copy);
  }

  /** {@return all texts of all sets, in order (MTEB's fast protocol flattens the sets)} */
  public List<LabeledText> flattened() {
    List<LabeledText> out = new ArrayList<>();
    sets.forEach(out::addAll);
    return out;
  }

  /**
   * Reads a clustering task. A JSONL file whose lines hold {@code "sentences"} and
   * {@code "labels"} arrays (MTEB's format, e.g. SIB-200's {@code mteb_test.jsonl}) gives one set
   * per line; any other CSV/TSV/JSONL file of labelled texts ({@link LabeledTexts#read(Path)})
   * gives one set. A folder is read through its {@code test.*} file.
   *
   * @param path a file or a folder; not null
   * @return the dataset, named after the file's folder
   * @throws IllegalArgumentException if the path is missing or has an unknown extension
   * @throws DatasetFormatException naming {@code path:line} if a line is malformed, the arrays of a
   *     line differ in length, or the file is empty
   */
  public static ClusteringDataset read(Path path) {
    return read(path, null, null);
  }

  /**
   * Like {@link #read(Path)} with named columns for a file of labelled texts (see
   * {@link LabeledTexts#read(Path, String, String)}); MTEB's {@code sentences}/{@code labels}
   * JSONL ignores them.
   *
   * @param path a file or a folder; not null
   * @param textColumn the text column, or null for the defaults
   * @param labelColumn the label column, or null for the defaults
   * @return the dataset, named after the file's folder
   * @throws IllegalArgumentException if the path is missing or has an unknown extension
   * @throws DatasetFormatException naming {@code path:line} if a line is malformed or lacks a
   *     column, the arrays of a line differ in length, or the file is empty
   */
  public static ClusteringDataset read(Path path, String textColumn, String labelColumn) {
    Args.notNull(path, "path");
    Path file = Files.isDirectory(path) ? ClassificationDataset.find(path, "test") : path;
    Path dir = file.toAbsolutePath().normalize().getParent();
    String name = dir == null || dir.getFileName() == null ? "dataset" : dir.getFileName().toString();
    String lower = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
    if (lower.endsWith(".jsonl") || lower.endsWith(".json")) {
      List<TableFile.Row> rows = TableFile.read(file);
      if (rows.get(0).has("sentences") && rows.get(0).has("labels")) {
        List<List<LabeledText>> sets = new ArrayList<>();
        for (TableFile.Row row : rows) {
          List<String> s = row.texts("sentences");
          List<String> l = row.texts("labels");
          if (s.size() != l.size()) {
            throw new DatasetFormatException(file, row.line(), "'sentences' has " + s.size()
                + " entries but 'labels' has " + l.size() + "; expected one label per sentence");
          }
          if (s.isEmpty()) {
            throw new DatasetFormatException(file, row.line(), "'sentences' is empty");
          }
          List<LabeledText> set = new ArrayList<>(s.size());
          for (int i = 0; i < s.size(); i++) {
            set.add(new LabeledText(s.get(i), l.get(i)));
          }
          sets.add(set);
        }
        return new ClusteringDataset(name, sets);
      }
    }
    return new ClusteringDataset(name, List.of(LabeledTexts.read(file, textColumn, labelColumn)));
  }
}
