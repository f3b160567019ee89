package dev.gecko4j.spark;

import dev.gecko4j.core.fret.FretOutcome;
import dev.gecko4j.core.fret.FretSeed;
import dev.gecko4j.fret.FretPipeline;
import dev.gecko4j.fret.generate.QueryGenerator;
import dev.gecko4j.fret.retrieve.CorpusStore;
import dev.gecko4j.fret.run.BeirSeeds;
import java.io.Serializable;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;

/**
 * The partition function of {@link GeckoFret}: mines each seed of the partition with the
 * executor's shared {@link FretPipeline} and emits one outcome per seed, mined or dropped.
 *
 * <p>Input rows: {@code (query_id, query, positive_id, task)} in relabel mode, {@code (id)} in
 * generation mode (the passage is read from the executor's corpus snapshot).
 */
final class MinePartition implements MapPartitionsFunction<Row, Row> {

  private static final long serialVersionUID = 1L;

  /** The outcome of one seed; {@code row} is set when mined. */
  static final StructType OUTCOME = StructType.fromDDL("query_id STRING, seed_id STRING NOT NULL,"
      + " status STRING NOT NULL, reason STRING, detail STRING, llm_requests INT NOT NULL,"
      + " query_key STRING")
      .add("row", FretRowSchema.ROW, true);

  /**
   * A forced failure, to drill fault tolerance: the first attempt of task {@code partition} throws
   * after emitting {@code afterSeeds} outcomes; its retry runs normally.
   *
   * @param partition the partition index
   * @param afterSeeds outcomes emitted before the throw
   */
  record FailureDrill(int partition, int afterSeeds) implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  private final ExecutorMining.Job job;
  private final boolean relabel;
  private final FailureDrill drill;

  MinePartition(ExecutorMining.Job job, boolean relabel, FailureDrill drill) {
    this.job = job;
    this.relabel = relabel;
    this.drill = drill;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> seeds) {
    TaskContext task = TaskContext.get();
    boolean failHere = drill != null && task != null && task.partitionId() == drill.partition()
        && task.attemptNumber() == 0;
    return new Iterator<>() {
      private FretPipeline pipeline;
      private CorpusStore corpus;
      private int emitted;

      @Override
      public boolean hasNext() {
        return seeds.hasNext();
      }

      @Override
      public Row next() {
        if (!seeds.hasNext()) {
          throw new NoSuchElementException("no more seeds in this partition");
        }
        if (failHere && emitted == drill.afterSeeds()) {
          throw new IllegalStateException("gecko-spark fret: forced failure of task "
              + task.partitionId() + " attempt 0 after " + emitted + " seeds (failure drill)");
        }
        if (pipeline == null) {
          ExecutorMining.Context c = ExecutorMining.context(job);
          pipeline = c.pipeline();
          corpus = c.corpus();
        }
        emitted++;
        return mine(seeds.next());
      }

      private Row mine(Row in) {
        String seedId = in.getString(relabel ? 2 : 0);
        String queryId = relabel ? in.getString(0) : FretSeed.generatedQueryId(seedId);
        int ordinal = corpus.ordinal(seedId);
        if (ordinal < 0) {
          return dropped(queryId, seedId, "unknown_passage", seedId, 0);
        }
        FretSeed seed = relabel
            ? BeirSeeds.relabelSeed(queryId, in.getString(1), corpus.passage(ordinal))
            : BeirSeeds.generationSeed(corpus.passage(ordinal));
        if (seed == null) {
          return dropped(queryId, seedId, "empty_passage", seedId, 0);
        }
        if (relabel && !in.isNullAt(3)) {
          seed = new FretSeed(seed.seedId(), seed.title(), seed.text(), seed.queryId(),
              seed.query(), in.getString(3));
        }
        FretOutcome outcome = pipeline.mine(seed);
        if (outcome instanceof FretOutcome.Mined m) {
          return RowFactory.create(queryId, seedId, "mined", null, null, m.llmRequests(),
              QueryGenerator.normalise(m.example().query()), FretRowSchema.toRow(m.example()));
        }
        FretOutcome.Dropped d = (FretOutcome.Dropped) outcome;
        return dropped(queryId, seedId, d.reason(), d.detail(), d.llmRequests());
      }
    };
  }

  private static Row dropped(String queryId, String seedId, String reason, String detail,
      int requests) {
    return RowFactory.create(queryId, seedId, "dropped", reason, detail, requests, null, null);
  }
}
