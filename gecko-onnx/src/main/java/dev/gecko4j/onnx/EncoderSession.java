package dev.gecko4j.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.gecko4j.core.Pooling;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Runs one {@link TokenizedBatch} through the model's ONNX Runtime session and pools the token
 * states: {@code [rows, hidden]} row-major, before normalisation. Thread-safe (ONNX Runtime
 * sessions are); the caller guards it against {@link #close()}.
 */
final class EncoderSession {

  private final OrtEnvironment env;
  private final OrtSession session;
  private final ModelContract contract;
  private final Pooling pooling;

  EncoderSession(OrtSession session, ModelContract contract, Pooling pooling) {
    this.env = OrtRuntime.environment();
    this.session = session;
    this.contract = contract;
    this.pooling = pooling;
  }

  /** {@return the pooled vectors of the batch's rows, a new array} */
  float[] forward(TokenizedBatch batch) {
    long[] shape = {batch.rows(), batch.sequenceLength()};
    String outputName = contract.outputName();
    try (OnnxTensor ids = OnnxTensor.createTensor(env, LongBuffer.wrap(batch.inputIds()), shape);
        OnnxTensor mask =
            OnnxTensor.createTensor(env, LongBuffer.wrap(batch.attentionMask()), shape);
        OnnxTensor types = contract.hasTokenTypeIds()
            ? OnnxTensor.createTensor(env, LongBuffer.wrap(batch.tokenTypeIds()), shape) : null;
        OnnxTensor positions = contract.hasPositionIds() ? OnnxTensor.createTensor(env,
            LongBuffer.wrap(batch.positionIds()), shape) : null) {
      Map<String, OnnxTensor> inputs = new HashMap<>(4);
      inputs.put(ModelContract.INPUT_IDS, ids);
      inputs.put(ModelContract.ATTENTION_MASK, mask);
      if (types != null) {
        inputs.put(ModelContract.TOKEN_TYPE_IDS, types);
      }
      if (positions != null) {
        inputs.put(ModelContract.POSITION_IDS, positions);
      }
      try (OrtSession.Result result = session.run(inputs, Set.of(outputName))) {
        OnnxValue value = result.get(outputName)
            .orElseThrow(() -> new IllegalStateException("model returned no " + outputName));
        if (!(value instanceof OnnxTensor tensor)) {
          throw new IllegalStateException(outputName + " is not a tensor: " + value.getType());
        }
        long[] outShape = tensor.getInfo().getShape();
        FloatBuffer fb = tensor.getFloatBuffer();
        float[] data;
        if (fb.hasArray() && fb.arrayOffset() == 0 && fb.array().length == fb.remaining()) {
          data = fb.array();
        } else {
          data = new float[fb.remaining()];
          fb.get(data);
        }
        if (contract.outputIsPooled()) {
          return data;
        }
        int seq = (int) outShape[1];
        int hidden = (int) outShape[2];
        if (outShape[0] != batch.rows() || seq != batch.sequenceLength()) {
          throw new IllegalStateException("model output " + outputName + " has shape "
              + Arrays.toString(outShape) + ", expected [" + batch.rows() + ", "
              + batch.sequenceLength() + ", hidden]");
        }
        return pooling.pool(data, batch.attentionMask(), batch.rows(), seq, hidden);
      }
    } catch (OrtException e) {
      throw new IllegalStateException("ONNX Runtime failed on a batch of " + batch.rows()
          + " rows x " + batch.sequenceLength() + " tokens: " + e.getMessage(), e);
    }
  }

  /** Closes the session; failures are returned, not thrown. */
  OrtException close() {
    try {
      session.close();
      return null;
    } catch (OrtException e) {
      return e;
    }
  }
}
