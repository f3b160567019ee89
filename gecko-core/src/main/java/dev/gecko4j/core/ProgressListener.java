package dev.gecko4j.core;

/**
 * Receives progress reports of long work that embeds many texts (an evaluator, the corpus
 * embeddings of FRet mining), e.g. to print them on stderr. Called on the working thread after each
 * embedded batch; implementations should return quickly.
 */
@FunctionalInterface
public interface ProgressListener {

  /** A listener that ignores every report. */
  ProgressListener NONE = (stage, done, total) -> { };

  /**
   * Reports that {@code done} of {@code total} items of {@code stage} are finished.
   *
   * @param stage what is being processed: {@code "sentences"}, {@code "queries"} or
   *     {@code "documents"} (evaluators), {@code "passages"} (FRet's corpus embeddings)
   * @param done how many items are finished so far
   * @param total how many items there are in all
   */
  void onProgress(String stage, long done, long total);
}
