package dev.gecko4j.examples.cli;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.gecko4j.onnx.Models;
import dev.gecko4j.onnx.OrtRuntime;
import dev.gecko4j.onnx.OrtSessionFactory;
import dev.langchain4j.model.embedding.onnx.AbstractInProcessEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.OnnxBertBiEncoder;
import dev.langchain4j.model.embedding.onnx.PoolingMode;
import java.io.ByteArrayInputStream;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The peer: LangChain4j's {@link OnnxBertBiEncoder} (one ONNX Runtime run per text, CLS pooling,
 * normalised) behind its {@link AbstractInProcessEmbeddingModel#embedAll}, which embeds the texts
 * in parallel on the given executor. Its session is opened here (LangChain4j's public
 * constructor takes one) on the same model bytes, with the same graph optimisation level, and
 * {@code --peer-intra-op} intra-op threads; its executor has {@code --threads} threads.
 */
final class ThroughputPeer implements AutoCloseable {
  private final OrtSession session;
  private final ExecutorService executor;
  /** The peer's embedding model: {@code model.embedAll(segments)} embeds a workload. */
  final AbstractInProcessEmbeddingModel model;

  ThroughputPeer(OrtSessionFactory sessions, byte[] modelBytes, String location,
      byte[] tokenizerBytes, Models m, int threads) {
    this.session = sessions.open(modelBytes, location).session();
    AtomicInteger n = new AtomicInteger();
    this.executor = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "peer-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    PoolingMode mode = switch (m.pooling()) {
      case CLS -> PoolingMode.CLS;
      case MEAN -> PoolingMode.MEAN;
      default -> throw new IllegalArgumentException(
          "the peer supports CLS and MEAN pooling, but " + m.modelName() + " uses " + m.pooling());
    };
    OnnxBertBiEncoder encoder =
        new OnnxBertBiEncoder(OrtRuntime.environment(), session,
            new ByteArrayInputStream(tokenizerBytes), mode);
    this.model = new PeerModel(encoder, executor);
  }

  @Override
  public void close() throws OrtException, InterruptedException {
    executor.shutdown();
    executor.awaitTermination(10, TimeUnit.SECONDS);
    session.close();
  }

  /** LangChain4j's in-process model over a given encoder and executor. */
  private static final class PeerModel extends AbstractInProcessEmbeddingModel {
    private final OnnxBertBiEncoder encoder;

    PeerModel(OnnxBertBiEncoder encoder, java.util.concurrent.Executor executor) {
      super(executor);
      this.encoder = encoder;
    }

    @Override
    protected OnnxBertBiEncoder model() {
      return encoder;
    }
  }
}
