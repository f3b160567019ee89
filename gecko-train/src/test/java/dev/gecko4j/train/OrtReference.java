package dev.gecko4j.train;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.gecko4j.onnx.OrtRuntime;
import java.nio.LongBuffer;
import java.util.Map;

/** Runs a model file with ONNX Runtime on a token batch: the reference the trainer must match. */
final class OrtReference {
  private OrtReference() {}

  static float[] lastHiddenState(byte[] modelBytes, dev.gecko4j.onnx.TokenizedBatch b) throws Exception {
    OrtEnvironment env = OrtRuntime.environment();
    try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
      o.setIntraOpNumThreads(2);
      try (OrtSession s = env.createSession(modelBytes, o)) {
        return run(env, s, b);
      }
    }
  }

  static float[] run(OrtEnvironment env, OrtSession s, dev.gecko4j.onnx.TokenizedBatch b) throws Exception {
    long[] shape = {b.rows(), b.sequenceLength()};
    try (OnnxTensor ids = OnnxTensor.createTensor(env, LongBuffer.wrap(b.inputIds()), shape);
        OnnxTensor mask = OnnxTensor.createTensor(env, LongBuffer.wrap(b.attentionMask()), shape);
        OnnxTensor types = OnnxTensor.createTensor(env, LongBuffer.wrap(b.tokenTypeIds()), shape);
        OrtSession.Result r = s.run(Map.of("input_ids", ids, "attention_mask", mask,
            "token_type_ids", types), java.util.Set.of("last_hidden_state"))) {
      OnnxTensor out = (OnnxTensor) r.get(0);
      java.nio.FloatBuffer fb = out.getFloatBuffer();
      float[] f = new float[fb.remaining()];
      fb.get(f);
      return f;
    }
  }

  static float maxAbsDiff(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new AssertionError("lengths differ: " + a.length + " vs " + b.length);
    }
    float m = 0;
    for (int i = 0; i < a.length; i++) {
      m = Math.max(m, Math.abs(a[i] - b[i]));
    }
    return m;
  }
}
