package dev.gecko4j.fret.run;

import dev.gecko4j.core.eval.DatasetFormatException;
import dev.gecko4j.core.eval.DatasetLines;
import dev.gecko4j.core.fret.FretSeed;
import dev.gecko4j.core.internal.Args;
import dev.gecko4j.core.internal.LookaheadIterator;
import dev.gecko4j.fret.retrieve.CorpusStore;
import dev.gecko4j.fret.retrieve.Passage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;

/**
 * Seeds from BEIR-format data.
 * <ul>
 *   <li>{@link #relabel}: FRet's relabel mode: every positive qrel (query-id, corpus-id, score &gt; 0)
 *       becomes a seed whose query is the BEIR query and whose seed passage is the qrel's passage.
 *   <li>{@link #generation}: every corpus passage, in corpus order, as a generation seed.
 * </ul>
 */
public final class BeirSeeds {

  private BeirSeeds() {}

  /**
   * Returns the relabel seeds of a qrels TSV ({@code query-id TAB corpus-id TAB score}, with or
   * without a header), streamed in file order, read by gecko4j's one dataset rule
   * ({@link DatasetLines}: a UTF-8 byte-order mark accepted, strict numbers, problems named
   * {@code path:line}). Qrels with score &lt;= 0, an unknown query or a
   * passage missing from the corpus (or blank in it) are skipped and counted in {@code skipped}
   * (its keys: {@code non_positive}, {@code unknown_query}, {@code unknown_passage},
   * {@code empty_passage}).
   *
   * @param queries query id to text (from {@link dev.gecko4j.core.eval.BeirDataset#readQueries}); not null
   * @param qrels the qrels file; must exist
   * @param corpus the corpus the passages are read from; not null
   * @param skipped receives skip counts per reason; not null (mutable)
   * @return the seeds, lazily; the iterator reads the file and closes it at its end
   * @throws IllegalArgumentException if an argument is null or the file is missing
   * @throws DatasetFormatException if the file is empty; the iterator throws it (naming
   *     {@code path:line}) for a line without 3 tab-separated columns, a score that is not a strict
   *     decimal number, a byte that is not UTF-8, or a file without any judgment
   */
  public static Iterator<FretSeed> relabel(Map<String, String> queries, Path qrels,
      CorpusStore corpus, Map<String, Long> skipped) {
    Args.notNull(queries, "queries");
    Args.notNull(corpus, "corpus");
    Args.notNull(skipped, "skipped");
    if (qrels == null || !Files.isRegularFile(qrels)) {
      throw new IllegalArgumentException("qrels must be an existing file, but is: " + qrels);
    }
    DatasetLines lines = DatasetLines.open(qrels,
        "one judgment 'query-id<TAB>corpus-id<TAB>score' per line");
    return new LookaheadIterator<>("no more qrels in " + qrels) {
      private long judgments;

      @Override
      protected FretSeed computeNext() {
        try {
          return advance();
        } catch (RuntimeException e) {
          lines.close();
          throw e;
        }
      }

      private FretSeed advance() {
        while (true) {
          String line = lines.next();
          if (line == null) {
            lines.close();
            if (judgments == 0) {
              throw lines.noRecords("one judgment 'query-id<TAB>corpus-id<TAB>score' per line");
            }
            return null;
          }
          if (line.isBlank()) {
            continue;
          }
          String[] f = line.split("\t", -1);
          if (f.length != 3) {
            throw lines.error("expected 3 tab-separated columns (query-id, corpus-id, score), but"
                + " found " + f.length + ": '" + line + "'");
          }
          if (lines.lineNumber() == 1 && !DatasetLines.isDecimal(f[2].strip())) {
            continue; // header
          }
          double score = lines.decimal("score", f[2]);
          judgments++;
          if (score <= 0) {
            skipped.merge("non_positive", 1L, Long::sum);
            continue;
          }
          String query = queries.get(f[0].strip());
          if (query == null) {
            skipped.merge("unknown_query", 1L, Long::sum);
            continue;
          }
          int ord = corpus.ordinal(f[1].strip());
          if (ord < 0) {
            skipped.merge("unknown_passage", 1L, Long::sum);
            continue;
          }
          FretSeed seed = relabelSeed(f[0].strip(), query, corpus.passage(ord));
          if (seed != null) {
            return seed;
          }
          skipped.merge("empty_passage", 1L, Long::sum);
        }
      }
    };
  }

  /**
   * Returns one generation seed per corpus passage with a non-blank text, in corpus order.
   *
   * @param corpus the corpus; not null
   * @return the seeds, lazily
   * @throws IllegalArgumentException if {@code corpus} is null
   */
  public static Iterator<FretSeed> generation(CorpusStore corpus) {
    if (corpus == null) {
      throw new IllegalArgumentException("corpus must not be null");
    }
    return new LookaheadIterator<>("no more passages") {
      private int i;

      @Override
      protected FretSeed computeNext() {
        while (i < corpus.size()) {
          FretSeed s = generationSeed(corpus.passage(i++));
          if (s != null) {
            return s;
          }
        }
        return null;
      }
    };
  }

  /**
   * The relabel seed of an existing query and the passage it was labelled relevant to: the
   * passage's text (its title and text when the text is blank), its title or {@code null}.
   *
   * @param queryId the query id; not blank
   * @param query the query text; not blank
   * @param passage the labelled passage; not null
   * @return the seed, or {@code null} when the passage has neither text nor title
   * @throws IllegalArgumentException if an argument is null or blank
   */
  public static FretSeed relabelSeed(String queryId, String query, Passage passage) {
    if (passage == null) {
      throw new IllegalArgumentException("passage must not be null");
    }
    String text = passage.text().isBlank() ? passage.fullText() : passage.text();
    if (text.isBlank()) {
      return null;
    }
    return FretSeed.forRelabel(queryId, query, passage.id(),
        passage.title().isEmpty() ? null : passage.title(), text);
  }

  /**
   * The generation seed of a passage.
   *
   * @param passage the passage; not null
   * @return the seed, or {@code null} when the passage's text is blank
   * @throws IllegalArgumentException if {@code passage} is null
   */
  public static FretSeed generationSeed(Passage passage) {
    if (passage == null) {
      throw new IllegalArgumentException("passage must not be null");
    }
    if (passage.text().isBlank()) {
      return null;
    }
    return FretSeed.forGeneration(passage.id(), passage.title().isEmpty() ? null : passage.title(),
        passage.text());
  }
}
