package dev.gecko4j.core.eval;

/**
 * Receives progress reports from an evaluator, e.g. to print them on stderr. Called on the
 * evaluating thread after each embedded batch; implementations should return quickly.
 */
@FunctionalInterface
public interface ProgressListener {

  /** A listener that ignores every report. */
  ProgressListener NONE = (stage, done, total) -> { };

  /**
   * Reports that {@code done} of {@code total} items of {@code stage} are finished.
   *
   * @param stage what is being processed: {@code "sentences"}, {@code "queries"} or
   *     {@code "documents"}
   * @param done how many items are finished so far
   * @param total how many items there are in all
   */
  void onProgress(String stage, long done, long total);
}
