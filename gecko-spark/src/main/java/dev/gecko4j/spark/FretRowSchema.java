package dev.gecko4j.spark;

import dev.gecko4j.core.fret.CandidateScores;
import dev.gecko4j.core.fret.FretExample;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The Parquet schema of FRet rows: the fields of the JSONL rows ({@link FretExample}'s JSON
 * names, in its order), with the candidate scores as structs, and the conversions both ways.
 */
final class FretRowSchema {

  /** A {@link CandidateScores} struct. */
  static final StructType SCORES = new StructType()
      .add("retrieval_rank", DataTypes.IntegerType, false)
      .add("ql_rank", DataTypes.IntegerType, false)
      .add("rc_rank", DataTypes.IntegerType, false)
      .add("ql", DataTypes.DoubleType, false)
      .add("rc", DataTypes.DoubleType, false)
      .add("rrf", DataTypes.DoubleType, false);

  /** A {@link FretExample}. */
  static final StructType ROW = new StructType()
      .add("task", DataTypes.StringType, false)
      .add("query", DataTypes.StringType, false)
      .add("positive", DataTypes.StringType, false)
      .add("negative", DataTypes.StringType, false)
      .add("query_id", DataTypes.StringType, false)
      .add("seed_id", DataTypes.StringType, false)
      .add("positive_id", DataTypes.StringType, false)
      .add("negative_id", DataTypes.StringType, false)
      .add("positive_scores", SCORES, false)
      .add("negative_scores", SCORES, false)
      .add("candidates", DataTypes.IntegerType, false)
      .add("llm_requests", DataTypes.IntegerType, false)
      .add("model", DataTypes.StringType, false)
      .add("prompt_version", DataTypes.StringType, false);

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
