package dev.gecko4j.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Creates the ONNX Runtime session of an {@link OnnxEmbedder}: session options (intra-op threads,
 * graph optimisation level, execution provider with CPU fallback when CUDA cannot load) and the
 * session over the model's file or bytes. The one place the embedder sets up ONNX Runtime (to be
 * replaced by the shared session factory).
 */
final class EmbedderSessions {

  private static final System.Logger LOG = System.getLogger(OnnxEmbedder.class.getName());

  private EmbedderSessions() {}

  /** A session and the execution provider it actually runs on (CPU after a CUDA fallback). */
  record Opened(OrtSession session, ExecutionProvider provider) { }

  /**
   * Opens the session for {@code spec}'s model.
   *
   * @param modelBytes the model's bytes when it is a resource (already read), or null to let ONNX
   *     Runtime read {@code spec.modelFile()}
   * @throws ModelLoadException if the options or the model are rejected
   */
  static Opened open(ModelSpec spec, byte[] modelBytes, int intraOpThreads,
      GraphOptimization optimization, ExecutionProvider provider, int cudaDevice) {
    ExecutionProvider actual = ExecutionProvider.CPU;
    OrtEnvironment env = OrtRuntime.environment();
    try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
      if (intraOpThreads > 0) {
        so.setIntraOpNumThreads(intraOpThreads);
      }
      so.setOptimizationLevel(optimization.ortLevel());
      if (provider == ExecutionProvider.CUDA) {
        try {
          so.addCUDA(cudaDevice);
          actual = ExecutionProvider.CUDA;
        } catch (OrtException | LinkageError e) {
          LOG.log(Level.WARNING, "CUDA execution provider could not load (" + e.getMessage()
              + "); falling back to CPU. CUDA needs the gpu Maven profile "
              + "(onnxruntime_gpu) and CUDA 12 libraries.");
        }
      }
      return new Opened(openSession(env, so, spec, modelBytes), actual);
    } catch (OrtException e) {
      throw new ModelLoadException(spec.modelLocation(), "ONNX Runtime rejected the session "
          + "options (" + e.getMessage() + ")", e);
    }
  }

  private static OrtSession openSession(OrtEnvironment env, OrtSession.SessionOptions so,
      ModelSpec spec, byte[] bytes) {
    try {
      if (bytes == null) {
        Path file = spec.modelFile();
        if (!Files.isRegularFile(file)) {
          throw ModelLoadException.of(file, Files.exists(file)
              ? "found a folder, expected an ONNX model file"
              : "found nothing, expected an ONNX model file");
        }
        return env.createSession(file.toString(), so);
      }
      return env.createSession(bytes, so);
    } catch (OrtException e) {
      long size = bytes != null ? bytes.length : sizeOf(spec.modelFile());
      throw new ModelLoadException(spec.modelLocation(), "found " + size
          + " bytes that ONNX Runtime cannot load ("
          + SentenceTransformersFolder.firstLine(e.getMessage())
          + "), expected an ONNX model (ModelProto)", e);
    }
  }

  private static long sizeOf(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      return -1;
    }
  }

  /** Closes a session on a failure path. */
  static void closeQuietly(OrtSession session) {
    if (session != null) {
      try {
        session.close();
      } catch (OrtException ignored) {
        // already failing
      }
    }
  }
}
