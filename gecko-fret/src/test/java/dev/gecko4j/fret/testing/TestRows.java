package dev.gecko4j.fret.testing;

import dev.gecko4j.core.fret.CandidateScores;
import dev.gecko4j.core.fret.FretExample;
import dev.gecko4j.core.fret.FretMiner;
import dev.gecko4j.core.fret.FretOutcome;
import dev.gecko4j.core.fret.FretSeed;
import dev.gecko4j.fret.generate.FretPrompts;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Rows and a rule-based miner for tests of the run logic (the real pipeline is tested in *IT). */
public final class TestRows {

  private TestRows() {}

  /** {@return a valid row of {@code queryId}, {@code seedId} with positive {@code positiveId}} */
  public static FretExample row(String queryId, String seedId, String positiveId) {
    CandidateScores pos = new CandidateScores(1, 1, 1, -3.5, 0.9, 2.0);
    CandidateScores neg = new CandidateScores(20, 20, 19, -40.25, 0.1, 1.0 / 20 + 1.0 / 19);
    return new FretExample("question answering", "query for " + seedId, "text of " + positiveId,
        "text of n" + seedId, queryId, seedId, positiveId, "n" + seedId, pos, neg, 20, 2,
        "stories260K", FretPrompts.VERSION);
  }

  /** {@return {@code n} relabel seeds {@code q<i>} / {@code d<i>}} */
  public static List<FretSeed> seeds(int n) {
    List<FretSeed> seeds = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      seeds.add(FretSeed.forRelabel("q" + i, "query " + i, "d" + i, null, "passage " + i));
    }
    return seeds;
  }

  /**
   * Mines by rule: a seed whose query id is in {@code dropped} is dropped; every third row's
   * positive differs from the seed. Counts calls.
   */
  public static final class RuleMiner implements FretMiner {
    /** The calls of {@link #mine} so far. */
    public final AtomicInteger calls = new AtomicInteger();
    private final List<String> dropped;

    /** A miner that drops the seeds of the query ids {@code dropped}. */
    public RuleMiner(List<String> dropped) {
      this.dropped = dropped;
    }

    @Override
    public FretOutcome mine(FretSeed seed) {
      int n = calls.incrementAndGet();
      if (dropped.contains(seed.queryId())) {
        return new FretOutcome.Dropped("llm_error", "server said 500", 3);
      }
      int i = Integer.parseInt(seed.seedId().substring(1));
      String positive = i % 3 == 0 ? "other" + i : seed.seedId();
      return new FretOutcome.Mined(row(seed.rowQueryId(), seed.seedId(), positive), 2);
    }

    @Override
    public String promptVersion() {
      return FretPrompts.VERSION;
    }
  }
}
