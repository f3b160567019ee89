package dev.gecko4j.onnx.lm;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.TensorInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;

/**
 * The KV-cache layout of one cache input: a KV-cache input ({@code [batch, heads, past_sequence,
 * head_dim]}) and the output ({@code present.*}) whose value it takes at the next step.
 *
 * @param input the input name ({@code past_key_values.*} or {@code past.*})
 * @param output the output that feeds it at the next step ({@code present.*})
 * @param heads the fixed number of heads
 * @param headDim the fixed head dimension
 * @param type float32 or float16
 */
record KvInput(String input, String output, long heads, long headDim, OnnxJavaType type) {

  /** {@return whether the graph input {@code name} is a KV-cache input} */
  static boolean isKvInput(String name) {
    return name.startsWith("past_key_values") || name.startsWith("past.");
  }

  /** Validates a KV-cache input's shape and type and finds its present.* output. */
  static KvInput of(String name, NodeInfo node, Set<String> outputs) {
    String expected = "float32 or float16 [batch, heads, past_sequence, head_dim] with batch and "
        + "past_sequence dynamic and heads and head_dim fixed";
    if (!(node.getInfo() instanceof TensorInfo info)) {
      throw new IllegalArgumentException(
          "KV-cache input " + name + " must be a tensor (" + expected + "), but is: " + node.getInfo());
    }
    long[] shape = info.getShape();
    if ((info.type != OnnxJavaType.FLOAT && info.type != OnnxJavaType.FLOAT16) || shape.length != 4
        || shape[0] >= 0 || shape[2] >= 0 || shape[1] <= 0 || shape[3] <= 0) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "KV-cache input %s must be %s, but is %s %s (-1: dynamic)", name, expected, info.type,
          Arrays.toString(shape)));
    }
    String suffix = name.startsWith("past_key_values") ? name.substring("past_key_values".length())
        : name.substring("past".length());
    String output = "present" + suffix;
    if (!outputs.contains(output)) {
      throw new IllegalArgumentException("model.onnx has the KV-cache input " + name
          + " but no output " + output + " to take its next value from; outputs: " + outputs);
    }
    return new KvInput(name, output, shape[1], shape[3], info.type);
  }

  /** An empty past tensor ({@code [batch, heads, 0, head_dim]}) for this input. */
  OnnxTensor emptyPast(OrtEnvironment env, int batch) throws OrtException {
    long[] shape = {batch, heads, 0, headDim};
    if (type == OnnxJavaType.FLOAT16) {
      return OnnxTensor.createTensor(env, ShortBuffer.allocate(0), shape, OnnxJavaType.FLOAT16);
    }
    return OnnxTensor.createTensor(env, FloatBuffer.allocate(0), shape);
  }

  /** A copy of {@code t} ({@code [batch, ...]}) holding only the batch rows {@code keep}, in order. */
  static OnnxTensor keepRows(OrtEnvironment env, OnnxTensor t, int[] keep) throws OrtException {
    long[] shape = t.getInfo().getShape();
    ByteBuffer all = t.getByteBuffer();
    int rowBytes = all.capacity() / (int) shape[0];
    ByteBuffer kept = ByteBuffer.allocateDirect(rowBytes * keep.length).order(ByteOrder.nativeOrder());
    for (int r : keep) {
      kept.put(all.slice(r * rowBytes, rowBytes));
    }
    kept.rewind();
    shape[0] = keep.length;
    return OnnxTensor.createTensor(env, kept, shape, t.getInfo().type);
  }
}
