package dev.gecko4j.examples.cli;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.gecko4j.onnx.OrtRuntime;
import dev.gecko4j.onnx.OrtSessionFactory;
import dev.gecko4j.onnx.TokenizedBatch;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * ONNX Runtime alone on gecko4j's exact batches: one session on the same model bytes with the
 * same options, int64 input tensors created before timing and reused, only the output gecko4j
 * reads requested, the result closed without copying it out.
 */
final class ThroughputCeiling implements AutoCloseable {
  private final OrtEnvironment env;
  private final OrtSession session;
  private final Set<String> outputs;
  private final List<Map<String, OnnxTensor>> inputs = new ArrayList<>();
  private final int concurrent;
  private final ExecutorService pool;

  ThroughputCeiling(OrtSessionFactory sessions, byte[] model, String location, String output,
      int concurrent) {
    this.env = OrtRuntime.environment();
    this.concurrent = concurrent;
    this.pool = Executors.newFixedThreadPool(concurrent, r -> {
      Thread t = new Thread(r, "ceiling");
      t.setDaemon(true);
      return t;
    });
    this.session = sessions.open(model, location).session();
    this.outputs = Set.of(output);
  }

  void prepare(List<TokenizedBatch> batches) throws OrtException {
    release();
    boolean types = session.getInputNames().contains("token_type_ids");
    for (TokenizedBatch b : batches) {
      long[] shape = {b.rows(), b.sequenceLength()};
      Map<String, OnnxTensor> m = new HashMap<>(4);
      m.put("input_ids", tensor(b.inputIds(), shape));
      m.put("attention_mask", tensor(b.attentionMask(), shape));
      if (types) {
        m.put("token_type_ids", tensor(b.tokenTypeIds(), shape));
      }
      inputs.add(m);
    }
  }

  private OnnxTensor tensor(long[] values, long[] shape) throws OrtException {
    LongBuffer direct = ByteBuffer.allocateDirect(values.length * Long.BYTES)
        .order(ByteOrder.nativeOrder()).asLongBuffer();
    direct.put(values).flip();
    return OnnxTensor.createTensor(env, direct, shape);
  }

  /** Runs every batch, {@code concurrent} at a time, in the order gecko4j takes them. */
  void runAll() {
    if (concurrent == 1) {
      for (Map<String, OnnxTensor> in : inputs) {
        runOne(in);
      }
      return;
    }
    AtomicInteger next = new AtomicInteger();
    List<Callable<Void>> workers = new ArrayList<>();
    for (int w = 0; w < concurrent; w++) {
      workers.add(() -> {
        int i;
        while ((i = next.getAndIncrement()) < inputs.size()) {
          runOne(inputs.get(i));
        }
        return null;
      });
    }
    try {
      for (var f : pool.invokeAll(workers)) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("ceiling run failed: " + e.getCause(), e.getCause());
    }
  }

  private void runOne(Map<String, OnnxTensor> in) {
    try (OrtSession.Result r = session.run(in, outputs)) {
      if (r.size() != 1) {
        throw new IllegalStateException("expected one output, got " + r.size());
      }
    } catch (OrtException e) {
      throw new IllegalStateException("ceiling run failed: " + e.getMessage(), e);
    }
  }

  void release() {
    for (Map<String, OnnxTensor> m : inputs) {
      m.values().forEach(OnnxTensor::close);
    }
    inputs.clear();
  }

  @Override
  public void close() throws OrtException {
    release();
    pool.shutdown();
    session.close();
  }
}
