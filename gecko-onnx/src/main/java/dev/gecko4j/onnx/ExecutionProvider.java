package dev.gecko4j.onnx;

/** Where ONNX Runtime runs the model. */
public enum ExecutionProvider {
  /** The CPU (default); always available. */
  CPU,
  /**
   * An NVIDIA GPU through CUDA. Needs the GPU build of ONNX Runtime (Maven profile {@code gpu}) and
   * CUDA 12 libraries; when they cannot load, the embedder falls back to the CPU and logs why.
   */
  CUDA
}
