package dev.gecko4j.core.eval;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An STS (semantic textual similarity) dataset read from a UTF-8 TSV file in MTEB's layout: a
 * header line {@code score<TAB>sentence1<TAB>sentence2<TAB>subset}, then one pair per line with a
 * gold score in {@code [0, 5]}.
 *
 * <p>The format is plain TSV: fields are split on every tab and nothing is quoted or escaped
 * (the files hold literal {@code "} characters inside sentences). A trailing carriage return is
 * dropped; blank lines are not allowed. The file is read by gecko4j's one dataset rule
 * ({@link DatasetLines}): a UTF-8 byte-order mark is accepted, scores are strict decimals
 * ({@code 3d}, {@code 0x1p1}, {@code NaN} are rejected), an empty file or one without a pair is an
 * error, and every problem names {@code path:line}.
 *
 * @param name the dataset name: the file name without {@code .test.tsv} / {@code .tsv}
 * @param path the file the pairs were read from
 * @param pairs the pairs, in file order; unmodifiable, at least one, no null element
 */
public record StsDataset(String name, Path path, List<StsPair> pairs) {

  /** The header MTEB's STS files carry. */
  public static final String HEADER = "score\tsentence1\tsentence2\tsubset";

  /** Validates and copies the pair list. */
  public StsDataset {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("name must not be blank");
    }
    if (path == null) {
      throw new IllegalArgumentException("path must not be null");
    }
    if (pairs == null || pairs.isEmpty()) {
      throw new IllegalArgumentException("pairs must hold at least one pair");
    }
    for (int i = 0; i < pairs.size(); i++) {
      if (pairs.get(i) == null) {
        throw new IllegalArgumentException("pairs[" + i + "] must not be null");
      }
    }
    pairs = List.copyOf(pairs);
  }

  /**
   * Reads an STS TSV file.
   *
   * @param file the file; must exist
   * @return the dataset
   * @throws IllegalArgumentException if {@code file} is null or is not a regular file
   * @throws DatasetFormatException if the file is empty or holds no pair, or the header, a column
   *     count, a score or a sentence is bad, or a line is not UTF-8 (the message names
   *     {@code path:line} and what was expected)
   * @throws UncheckedIOException if the file cannot be read
   */
  public static StsDataset read(Path file) {
    if (file == null) {
      throw new IllegalArgumentException("file must not be null");
    }
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("STS file does not exist or is not a file: " + file);
    }
    List<StsPair> pairs = new ArrayList<>();
    String expected = "the header '" + HEADER.replace("\t", "\\t") + "', then one pair per line";
    try (DatasetLines lines = DatasetLines.open(file, expected)) {
      String line = lines.next();
      if (!line.equals(HEADER)) {
        throw lines.error("expected the header '" + HEADER.replace("\t", "\\t") + "', but is: '"
            + line.replace("\t", "\\t") + "'");
      }
      while ((line = lines.next()) != null) {
        pairs.add(parse(lines, line));
      }
      if (pairs.isEmpty()) {
        throw lines.noRecords("at least one pair after the header");
      }
    }
    return new StsDataset(nameOf(file), file, pairs);
  }

  /** {@return the number of pairs} */
  public int size() {
    return pairs.size();
  }

  private static StsPair parse(DatasetLines lines, String line) {
    String[] f = line.split("\t", -1);
    if (f.length != 4) {
      throw lines.error(String.format(Locale.ROOT,
          "expected 4 tab-separated columns (score, sentence1, sentence2, subset), but found %d",
          f.length));
    }
    double score = DatasetLines.isDecimal(f[0].strip())
        ? Double.parseDouble(f[0].strip()) : Double.NaN;
    if (!(score >= 0 && score <= 5)) {
      throw lines.error("score must be a decimal number between 0 and 5, but is: '"
          + DatasetLines.shown(f[0]) + "'");
    }
    if (f[1].isEmpty() || f[2].isEmpty()) {
      throw lines.error(
          "sentence" + (f[1].isEmpty() ? 1 : 2) + " is empty; expected a non-empty sentence");
    }
    return new StsPair(score, f[1], f[2], f[3]);
  }

  private static String nameOf(Path file) {
    String n = file.getFileName().toString();
    for (String suffix : new String[] {".test.tsv", ".tsv"}) {
      if (n.endsWith(suffix) && n.length() > suffix.length()) {
        return n.substring(0, n.length() - suffix.length());
      }
    }
    return n;
  }
}
