package dev.gecko4j.core.fret;

/** How a FRet miner picks the hard negative among the re-ranked neighbours. */
public enum NegativeStrategy {
  /** The lowest-ranked neighbour by RRF score (p_N, the paper's preferred ablation choice). */
  LOWEST,
  /** A uniformly random neighbour among all but the positive (seeded, reproducible). */
  RANDOM_REST
}
