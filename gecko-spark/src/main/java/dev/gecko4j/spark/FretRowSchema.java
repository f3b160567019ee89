package dev.gecko4j.spark;

import dev.gecko4j.core.fret.CandidateScores;
import dev.gecko4j.core.fret.FretExample;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;

/**
 * The Parquet schema of FRet rows: the fields of the JSONL rows ({@link FretExample}'s JSON
 * names, in its order), with the candidate scores as structs, and the conversions both ways.
 */
final class FretRowSchema {

  /** A {@link CandidateScores} struct, in Spark's DDL. */
  private static final String SCORES = "STRUCT<retrieval_rank: INT NOT NULL, ql_rank: INT NOT NULL,"
      + " rc_rank: INT NOT NULL, ql: DOUBLE NOT NULL, rc: DOUBLE NOT NULL, rrf: DOUBLE NOT NULL>";

  /** A {@link FretExample}. */
  static final StructType ROW = StructType.fromDDL("task STRING NOT NULL, query STRING NOT NULL,"
      + " positive STRING NOT NULL, negative STRING NOT NULL, query_id STRING NOT NULL,"
      + " seed_id STRING NOT NULL, positive_id STRING NOT NULL, negative_id STRING NOT NULL,"
      + " positive_scores " + SCORES + " NOT NULL, negative_scores " + SCORES + " NOT NULL,"
      + " candidates INT NOT NULL, llm_requests INT NOT NULL, model STRING NOT NULL,"
      + " prompt_version STRING NOT NULL");

  private FretRowSchema() {
  }

  static Row toRow(FretExample e) {
    return RowFactory.create(e.task(), e.query(), e.positive(), e.negative(), e.queryId(),
        e.seedId(), e.positiveId(), e.negativeId(), scores(e.positiveScores()),
        scores(e.negativeScores()), e.candidates(), e.llmRequests(), e.model(), e.promptVersion());
  }

  /**
   * Reads a row of {@link #ROW}'s fields, by name (so any column order works).
   *
   * @param r the row
   * @return the example (validated by its constructor)
   */
  static FretExample fromRow(Row r) {
    return new FretExample(r.getAs("task"), r.getAs("query"), r.getAs("positive"),
        r.getAs("negative"), r.getAs("query_id"), r.getAs("seed_id"), r.getAs("positive_id"),
        r.getAs("negative_id"), scores((Row) r.getAs("positive_scores")),
        scores((Row) r.getAs("negative_scores")), r.<Integer>getAs("candidates"),
        r.<Integer>getAs("llm_requests"), r.getAs("model"), r.getAs("prompt_version"));
  }

  private static Row scores(CandidateScores s) {
    return RowFactory.create(s.retrievalRank(), s.qlRank(), s.rcRank(), s.ql(), s.rc(), s.rrf());
  }

  private static CandidateScores scores(Row r) {
    return new CandidateScores(r.<Integer>getAs("retrieval_rank"), r.<Integer>getAs("ql_rank"),
        r.<Integer>getAs("rc_rank"), r.<Double>getAs("ql"), r.<Double>getAs("rc"),
        r.<Double>getAs("rrf"));
  }
}
