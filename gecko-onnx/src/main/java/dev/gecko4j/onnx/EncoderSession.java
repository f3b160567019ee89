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
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs one {@link TokenizedBatch} through the model's ONNX Runtime session and executes the rest of
 * the pipeline: when the graph's output is already pooled ({@code sentence_embedding}) it is
 * returned as is; otherwise the token states are pooled (each mode of the Pooling module,
 * concatenated) and the Dense and Normalize modules that follow run in order, except a final
 * Normalize, which {@link EmbeddingAssembler} applies. Returns {@code [rows, dim]} row-major.
 * Thread-safe (ONNX Runtime sessions are); the caller guards it against {@link #close()}.
 */
final class EncoderSession {

  private final OrtEnvironment env;
  private final OrtSession session;
  private final ModelContract contract;
  private final List<Pooling> poolings;
  private final List<PipelineModule> head;

  /**
   * @param poolings the Pooling module's modes, in concatenation order (unused for a pooled output)
   * @param head the modules after the Pooling one, without a final Normalize
   */
  EncoderSession(OrtSession session, ModelContract contract, List<Pooling> poolings,
      List<PipelineModule> head) {
    this.env = OrtRuntime.environment();
    this.session = session;
    this.contract = contract;
    this.poolings = List.copyOf(poolings);
    this.head = List.copyOf(head);
  }

  /** {@return the pooled vectors of the batch's rows, a new array} */
  float[] forward(TokenizedBatch batch) {
    String outputName = contract.outputName();
    try {
      Output out = run(env, session, batch, contract.hasTokenTypeIds(),
          contract.hasPositionIds(), outputName);
      float[] data = out.data();
      long[] outShape = out.shape();
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
      float[] pooled;
      if (poolings.size() == 1) {
        pooled = poolings.get(0).pool(data, batch.attentionMask(), batch.rows(), seq, hidden);
      } else {
        int width = hidden * poolings.size();
        pooled = new float[batch.rows() * width];
        float[] one = new float[batch.rows() * hidden];
        for (int k = 0; k < poolings.size(); k++) {
          poolings.get(k).pool(data, batch.attentionMask(), batch.rows(), seq, hidden, one, 0);
          for (int r = 0; r < batch.rows(); r++) {
            System.arraycopy(one, r * hidden, pooled, r * width + k * hidden, hidden);
          }
        }
      }
      return applyHead(pooled, batch.rows());
    } catch (OrtException e) {
      throw new IllegalStateException("ONNX Runtime failed on a batch of " + batch.rows()
          + " rows x " + batch.sequenceLength() + " tokens: " + e.getMessage(), e);
    }
  }

  /** A graph output read as floats (float16 and bfloat16 widened), with its shape. */
  record Output(float[] data, long[] shape) {}

  /**
   * Feeds {@code batch} to {@code session} (input ids and attention mask, plus token type ids and
   * position ids when the graph asks for them) and reads {@code outputName}: the one way gecko4j
   * runs a tokenized batch, for the embedder and the cross-encoder alike.
   */
  static Output run(OrtEnvironment env, OrtSession session, TokenizedBatch batch,
      boolean tokenTypeIds, boolean positionIds, String outputName) throws OrtException {
    long[] shape = {batch.rows(), batch.sequenceLength()};
    try (OnnxTensor ids = OnnxTensor.createTensor(env, LongBuffer.wrap(batch.inputIds()), shape);
        OnnxTensor mask =
            OnnxTensor.createTensor(env, LongBuffer.wrap(batch.attentionMask()), shape);
        OnnxTensor types = tokenTypeIds
            ? OnnxTensor.createTensor(env, LongBuffer.wrap(batch.tokenTypeIds()), shape) : null;
        OnnxTensor positions = positionIds ? OnnxTensor.createTensor(env,
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
        FloatBuffer fb = tensor.getFloatBuffer();
        float[] data;
        if (fb.hasArray() && fb.arrayOffset() == 0 && fb.array().length == fb.remaining()) {
          data = fb.array();
        } else {
          data = new float[fb.remaining()];
          fb.get(data);
        }
        return new Output(data, tensor.getInfo().getShape());
      }
    }
  }

  private float[] applyHead(float[] v, int rows) {
    for (PipelineModule m : head) {
      if (m instanceof PipelineModule.Dense d) {
        v = d.apply(v, rows);
      } else if (m instanceof PipelineModule.Normalize) {
        int dim = v.length / rows;
        for (int r = 0; r < rows; r++) {
          dev.gecko4j.core.vector.VectorMath.normalizeInPlace(v, r * dim, dim);
        }
      }
    }
    return v;
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
