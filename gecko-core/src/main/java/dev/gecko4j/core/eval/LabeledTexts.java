package dev.gecko4j.core.eval;

import dev.gecko4j.core.internal.Args;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads labelled texts from the simple formats a user brings: CSV, TSV (with a header line) or
 * JSON Lines, chosen by the file extension (see {@link #read(Path, String, String)}). Banking77's
 * {@code text,category} CSV, Emotion's {@code {"text","label"}} JSONL and SIB-200's
 * {@code index_id, category, text} TSV read with the default columns. Files are read through
 * {@link DatasetLines}, the one rule of the dataset readers: a byte-order mark is accepted, a byte
 * that is not UTF-8 is reported at its own line, an empty file is an error naming it, and CSV/TSV
 * records follow RFC 4180 ({@link DatasetLines#nextRecord}).
 */
public final class LabeledTexts {

  /** Text columns tried, in order, when none is named. */
  public static final List<String> TEXT_COLUMNS = List.of("text", "sentence", "sentences");
  /** Label columns tried, in order, when none is named. */
  public static final List<String> LABEL_COLUMNS = List.of("label", "category", "labels",
      "label_text");

  private LabeledTexts() {}

  /**
   * Reads the file with the default columns ({@link #TEXT_COLUMNS}, {@link #LABEL_COLUMNS}).
   *
   * @param path a {@code .csv}, {@code .tsv}, {@code .jsonl} or {@code .json} file
   * @return the rows in file order
   * @throws DatasetFormatException naming {@code path:line} for a malformed or empty file, a row
   *     without a text or label column, or a JSON value that is not a string
   * @throws IllegalArgumentException if {@code path} is null, not a file, or has another extension
   */
  public static List<LabeledText> read(Path path) {
    return read(path, null, null);
  }

  /**
   * Reads the file with the named columns.
   *
   * @param path a {@code .csv}, {@code .tsv}, {@code .jsonl} or {@code .json} file
   * @param textColumn the text column, or null for the first of {@link #TEXT_COLUMNS} present
   * @param labelColumn the label column, or null for the first of {@link #LABEL_COLUMNS} present
   * @return the rows in file order
   * @throws DatasetFormatException naming {@code path:line} for a malformed or empty file, a row
   *     without the column, or a JSON value that is not a string (an integer label is accepted)
   * @throws IllegalArgumentException if {@code path} is null, not a file, or has another extension
   */
  public static List<LabeledText> read(Path path, String textColumn, String labelColumn) {
    Args.notNull(path, "path");
    List<TableFile.Row> rows = TableFile.read(path);
    List<LabeledText> out = new ArrayList<>(rows.size());
    for (TableFile.Row row : rows) {
      String t = textColumn != null ? textColumn : row.firstPresent(TEXT_COLUMNS);
      String l = labelColumn != null ? labelColumn : row.firstPresent(LABEL_COLUMNS);
      if (t == null || l == null) {
        throw new DatasetFormatException(path, row.line(), "expected a text column (one of "
            + TEXT_COLUMNS + ") and a label column (one of " + LABEL_COLUMNS
            + "), but the row has " + row.values().keySet());
      }
      out.add(new LabeledText(row.text(t), row.text(l)));
    }
    return out;
  }
}
