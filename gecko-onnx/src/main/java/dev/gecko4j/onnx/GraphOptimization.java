package dev.gecko4j.onnx;

import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;

/** ONNX Runtime's graph optimisation level (fusions and constant folding at load time). */
public enum GraphOptimization {
  /** No optimisation. */
  NONE(OptLevel.NO_OPT),
  /** Redundant node removal and constant folding. */
  BASIC(OptLevel.BASIC_OPT),
  /** Basic plus operator fusions (attention, GELU, layer norm). */
  EXTENDED(OptLevel.EXTENDED_OPT),
  /** Everything, including layout optimisations (the default). */
  ALL(OptLevel.ALL_OPT);

  private final OptLevel level;

  GraphOptimization(OptLevel level) {
    this.level = level;
  }

  OptLevel ortLevel() {
    return level;
  }
}
