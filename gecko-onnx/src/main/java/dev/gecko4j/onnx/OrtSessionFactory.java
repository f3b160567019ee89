package dev.gecko4j.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.gecko4j.core.internal.Args;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The one way gecko4j opens ONNX Runtime sessions: the thread counts, the graph optimisation level
 * and the execution provider (CUDA falling back to the CPU, with a logged reason, when it cannot
 * load), always in the process-wide environment of {@link OrtRuntime#environment()}. The embedder,
 * the causal language model and the benchmarks open their sessions here, so a benchmark's "ONNX
 * Runtime alone" session is configured exactly as the embedder's.
 *
 * <pre>{@code
 * OrtSessionFactory factory = OrtSessionFactory.builder()
 *     .intraOpThreads(4)
 *     .graphOptimization(GraphOptimization.ALL)
 *     .executionProvider(ExecutionProvider.CUDA)
 *     .build();
 * OrtSessionFactory.Opened opened = factory.open(Path.of("model.onnx"));
 * try (OrtSession session = opened.session()) {
 *   // opened.executionProvider() is CPU if CUDA could not load
 * }
 * }</pre>
 *
 * <p>Options left at their defaults are not set, so ONNX Runtime's own defaults apply (intra-op
 * threads: one per physical core; inter-op threads: ONNX Runtime's choice; all graph
 * optimisations; the CPU). Immutable and thread-safe; every {@code open} returns a new session that
 * the caller closes.
 */
public final class OrtSessionFactory {

  private static final System.Logger LOG = System.getLogger(OrtSessionFactory.class.getName());

  /** The most threads of either kind accepted. */
  static final int MAX_THREADS = 1024;

  private final int intraOpThreads;
  private final int interOpThreads;
  private final GraphOptimization optimization;
  private final ExecutionProvider provider;
  private final int cudaDevice;

  private OrtSessionFactory(Builder b) {
    this.intraOpThreads = b.intraOpThreads;
    this.interOpThreads = b.interOpThreads;
    this.optimization = b.optimization;
    this.provider = b.provider;
    this.cudaDevice = b.cudaDevice;
  }

  /**
   * Starts a builder with ONNX Runtime's defaults: its own thread counts, {@link
   * GraphOptimization#ALL}, {@link ExecutionProvider#CPU}, CUDA device 0.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /** {@return the intra-op thread count; 0 means ONNX Runtime's choice} */
  public int intraOpThreads() {
    return intraOpThreads;
  }

  /** {@return the inter-op thread count; 0 means ONNX Runtime's choice} */
  public int interOpThreads() {
    return interOpThreads;
  }

  /** {@return the graph optimisation level} */
  public GraphOptimization graphOptimization() {
    return optimization;
  }

  /** {@return the execution provider asked for (see {@link Opened#executionProvider()})} */
  public ExecutionProvider executionProvider() {
    return provider;
  }

  /** {@return the CUDA device id, used with {@link ExecutionProvider#CUDA}} */
  public int cudaDevice() {
    return cudaDevice;
  }

  /**
   * Opens a session on a model file.
   *
   * @param model an ONNX model file
   * @return the session, which the caller closes, and the execution provider it runs on
   * @throws IllegalArgumentException if {@code model} is null
   * @throws ModelLoadException if {@code model} is not a file, ONNX Runtime cannot load it, or
   *     ONNX Runtime rejects the session options (the message names the file)
   */
  public Opened open(Path model) {
    Args.notNull(model, "model");
    if (!Files.isRegularFile(model)) {
      throw ModelLoadException.of(model, Files.exists(model)
          ? "found a folder, expected an ONNX model file"
          : "found nothing, expected an ONNX model file");
    }
    return open(model.toString(), sizeOf(model), (env, so) -> env.createSession(model.toString(), so));
  }

  /**
   * Opens a session on a model held in memory (for example read from a classpath resource).
   *
   * @param model the bytes of an ONNX model (a serialised {@code ModelProto})
   * @param location where the bytes came from, for messages (e.g. {@code classpath:model.onnx})
   * @return the session, which the caller closes, and the execution provider it runs on
   * @throws IllegalArgumentException if an argument is null or {@code location} is blank
   * @throws ModelLoadException if ONNX Runtime cannot load the bytes or rejects the session
   *     options (the message names {@code location})
   */
  public Opened open(byte[] model, String location) {
    Args.notNull(model, "model");
    Args.notBlank(location, "location");
    return open(location, model.length, (env, so) -> env.createSession(model, so));
  }

  /** Creates the session from prepared options. */
  @FunctionalInterface
  private interface Creator {
    OrtSession create(OrtEnvironment env, OrtSession.SessionOptions so) throws OrtException;
  }

  private Opened open(String location, long size, Creator creator) {
    OrtEnvironment env = OrtRuntime.environment(); // natives cached, telemetry off, DJL opted out
    ExecutionProvider actual = ExecutionProvider.CPU;
    try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
      if (intraOpThreads > 0) {
        so.setIntraOpNumThreads(intraOpThreads);
      }
      if (interOpThreads > 0) {
        so.setInterOpNumThreads(interOpThreads);
      }
      so.setOptimizationLevel(optimization.ortLevel());
      if (provider == ExecutionProvider.CUDA) {
        actual = addCuda(so);
      }
      OrtSession session;
      try {
        session = creator.create(env, so);
      } catch (OrtException e) {
        throw new ModelLoadException(location, "found " + size
            + " bytes that ONNX Runtime cannot load (" + SentenceTransformersFolder.firstLine(e.getMessage())
            + "), expected an ONNX model (ModelProto)", e);
      }
      return new Opened(session, actual);
    } catch (OrtException e) {
      throw new ModelLoadException(location, "ONNX Runtime rejected the session options ("
          + e.getMessage() + ")", e);
    }
  }

  /** Adds the CUDA provider; {@link ExecutionProvider#CPU} with a logged reason if it cannot load. */
  private ExecutionProvider addCuda(OrtSession.SessionOptions so) {
    try {
      so.addCUDA(cudaDevice);
      return ExecutionProvider.CUDA;
    } catch (OrtException | LinkageError e) {
      LOG.log(System.Logger.Level.WARNING, "CUDA execution provider could not load ("
          + e.getMessage() + "); falling back to CPU. CUDA needs the gpu Maven profile "
          + "(onnxruntime_gpu) and CUDA 12 libraries.");
      return ExecutionProvider.CPU;
    }
  }

  private static long sizeOf(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      return -1;
    }
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT,
        "OrtSessionFactory[intraOpThreads=%d, interOpThreads=%d, optimization=%s, provider=%s%s]",
        intraOpThreads, interOpThreads, optimization, provider,
        provider == ExecutionProvider.CUDA ? ", cudaDevice=" + cudaDevice : "");
  }

  /**
   * An open session and the execution provider it actually runs on ({@link ExecutionProvider#CPU}
   * after a CUDA fallback).
   *
   * @param session the session; the caller closes it
   * @param executionProvider the provider in use
   */
  public record Opened(OrtSession session, ExecutionProvider executionProvider) {

    /**
     * Creates the pair.
     *
     * @throws IllegalArgumentException if an argument is null
     */
    public Opened {
      Args.notNull(session, "session");
      Args.notNull(executionProvider, "executionProvider");
    }
  }

  /**
   * Builder for {@link OrtSessionFactory}: every setter returns this builder; {@link #build()}
   * checks the settings together and returns an immutable factory.
   */
  public static final class Builder {
    private int intraOpThreads;
    private int interOpThreads;
    private GraphOptimization optimization = GraphOptimization.ALL;
    private ExecutionProvider provider = ExecutionProvider.CPU;
    private int cudaDevice;

    private Builder() {}

    /**
     * Sets ONNX Runtime's intra-op thread count (threads that parallelise one operator); 0
     * (default) lets ONNX Runtime choose (one per physical core).
     *
     * @param threads between 0 and 1024
     * @return this builder
     */
    public Builder intraOpThreads(int threads) {
      this.intraOpThreads = threads;
      return this;
    }

    /**
     * Sets ONNX Runtime's inter-op thread count (threads that run independent operators at once
     * in its parallel execution mode); 0 (default) lets ONNX Runtime choose.
     *
     * @param threads between 0 and 1024
     * @return this builder
     */
    public Builder interOpThreads(int threads) {
      this.interOpThreads = threads;
      return this;
    }

    /**
     * Sets the graph optimisation level (default {@link GraphOptimization#ALL}).
     *
     * @param level the level; not null
     * @return this builder
     */
    public Builder graphOptimization(GraphOptimization level) {
      this.optimization = level;
      return this;
    }

    /**
     * Sets the execution provider (default {@link ExecutionProvider#CPU}). CUDA falls back to the
     * CPU, with a logged reason, when it cannot load; {@link Opened#executionProvider()} tells
     * which one a session got.
     *
     * @param provider the provider; not null
     * @return this builder
     */
    public Builder executionProvider(ExecutionProvider provider) {
      this.provider = provider;
      return this;
    }

    /**
     * Sets the CUDA device id (default 0), used with {@link ExecutionProvider#CUDA}.
     *
     * @param device {@code >= 0}
     * @return this builder
     */
    public Builder cudaDevice(int device) {
      this.cudaDevice = device;
      return this;
    }

    /**
     * Checks the settings and returns the factory.
     *
     * @return an immutable factory
     * @throws IllegalArgumentException naming the first setting out of range or null
     */
    public OrtSessionFactory build() {
      Args.inRange(intraOpThreads, 0, MAX_THREADS, "intraOpThreads");
      Args.inRange(interOpThreads, 0, MAX_THREADS, "interOpThreads");
      Args.require(optimization != null, "graphOptimization must be one of %s, but is: null",
          List.of(GraphOptimization.values()));
      Args.require(provider != null, "executionProvider must be one of %s, but is: null",
          List.of(ExecutionProvider.values()));
      Args.atLeast(cudaDevice, 0, "cudaDevice");
      return new OrtSessionFactory(this);
    }
  }
}
