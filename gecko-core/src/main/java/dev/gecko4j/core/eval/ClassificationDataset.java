package dev.gecko4j.core.eval;

import dev.gecko4j.core.internal.Args;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * A classification task: a training split the classifier is fitted on (after MTEB's
 * undersampling) and an evaluation split it is scored on.
 *
 * @param name the dataset name (the folder's name, e.g. {@code banking77})
 * @param train the training rows, in file order (the order MTEB's undersampling walks)
 * @param eval the evaluation rows
 */
public record ClassificationDataset(String name, List<LabeledText> train, List<LabeledText> eval) {

  /** Extensions tried, in order, for a split's file. */
  static final List<String> EXTENSIONS = List.of(".csv", ".tsv", ".jsonl", ".json");

  /** Validates the fields and copies the lists. */
  public ClassificationDataset {
    Args.notBlank(name, "name");
    train = List.copyOf(Args.notNull(train, "train"));
    eval = List.copyOf(Args.notNull(eval, "eval"));
    Args.require(!train.isEmpty(), "train must not be empty");
    Args.require(!eval.isEmpty(), "eval must not be empty");
  }

  /**
   * Reads a task from a folder or an evaluation file. A folder holds {@code train.<ext>} and
   * {@code test.<ext>} ({@code .csv}, {@code .tsv}, {@code .jsonl} or {@code .json}); a file is
   * the evaluation split (e.g. {@code emotion/validation.jsonl}) and its training split is
   * {@code train.<same ext>} beside it. Rows are read by {@link LabeledTexts#read(Path)}.
   *
   * @param path a folder or an evaluation file; not null
   * @return the dataset, named after the folder
   * @throws IllegalArgumentException if a split's file is missing
   * @throws DatasetFormatException if a file is malformed or empty
   */
  public static ClassificationDataset read(Path path) {
    return read(path, null, null);
  }

  /**
   * Like {@link #read(Path)} with named columns (see {@link LabeledTexts#read(Path, String,
   * String)}).
   *
   * @param path a folder or an evaluation file; not null
   * @param textColumn the text column, or null for the defaults
   * @param labelColumn the label column, or null for the defaults
   * @return the dataset, named after the folder
   * @throws IllegalArgumentException if a split's file is missing
   * @throws DatasetFormatException if a file is malformed or empty, or a row lacks a column
   */
  public static ClassificationDataset read(Path path, String textColumn, String labelColumn) {
    Args.notNull(path, "path");
    Path evalFile;
    Path trainFile;
    Path dir;
    if (Files.isDirectory(path)) {
      dir = path;
      evalFile = find(dir, "test");
      trainFile = find(dir, "train");
    } else if (Files.isRegularFile(path)) {
      evalFile = path;
      dir = path.toAbsolutePath().getParent();
      String file = path.getFileName().toString();
      String ext = file.substring(file.lastIndexOf('.') < 0 ? file.length() : file.lastIndexOf('.'));
      trainFile = dir.resolve("train" + ext);
      if (!Files.isRegularFile(trainFile)) {
        throw new IllegalArgumentException("the training split must be beside the evaluation file "
            + path + " as " + trainFile + ", but it is missing");
      }
    } else {
      throw new IllegalArgumentException("path must be a folder with train and test files or an "
          + "evaluation file, but does not exist: " + path);
    }
    String name = dir.toAbsolutePath().normalize().getFileName() == null ? "dataset"
        : dir.toAbsolutePath().normalize().getFileName().toString();
    return new ClassificationDataset(name, LabeledTexts.read(trainFile, textColumn, labelColumn),
        LabeledTexts.read(evalFile, textColumn, labelColumn));
  }

  static Path find(Path dir, String split) {
    for (String ext : EXTENSIONS) {
      Path p = dir.resolve(split + ext);
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    throw new IllegalArgumentException(String.format(Locale.ROOT,
        "folder %s must hold %s.csv, %s.tsv, %s.jsonl or %s.json, but has none of them", dir, split,
        split, split, split, split));
  }
}
