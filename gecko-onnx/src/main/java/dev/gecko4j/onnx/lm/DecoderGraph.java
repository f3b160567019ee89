package dev.gecko4j.onnx.lm;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.gecko4j.core.lm.LanguageModelException;
import dev.gecko4j.onnx.OrtRuntime;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The ONNX decoder graph of an {@link OnnxCausalLanguageModel}: which inputs it declares (checked
 * against the model contract when it is opened), and its two kinds of forward pass, a right-padded
 * pass with an empty past ({@link #forward}) and one step of cached generation ({@link
 * #runCached}). Counts the token positions it is fed. Thread-safe as ONNX Runtime sessions are.
 */
final class DecoderGraph implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(OnnxCausalLanguageModel.class.getName());

  private final String name;
  private final OrtEnvironment env;
  private final OrtSession session;
  private final String logitsName;
  private final boolean hasAttentionMask;
  private final boolean hasPositionIds;
  /** The KV-cache inputs in graph order, each with the output that feeds it at the next step. */
  private final List<KvInput> kvInputs;
  private final boolean hasUseCacheBranch;
  /** Output names requested from a cached generation step: logits and the present.* outputs. */
  private final Set<String> cachedOutputs;
  private final long padId;
  private final AtomicLong tokensComputed = new AtomicLong();

  /**
   * Checks the graph of {@code session} against the model contract; takes ownership of the
   * session only when it returns (the caller closes it on an exception).
   *
   * @param name the model's name, for messages
   * @param session the open session on {@code model.onnx}
   * @param padId the id that pads short rows
   * @param modelFile the model file, for messages
   * @throws IllegalArgumentException if the graph has no {@code input_ids}, an input this class
   *     cannot feed, or a malformed KV-cache input
   * @throws OrtException if ONNX Runtime cannot describe the graph
   */
  DecoderGraph(String name, OrtSession session, long padId, Path modelFile) throws OrtException {
    this.name = name;
    this.env = OrtRuntime.environment();
    this.session = session;
    this.padId = padId;
    Map<String, NodeInfo> inputs = session.getInputInfo();
    if (!inputs.containsKey("input_ids")) {
      throw new IllegalArgumentException(
          "model.onnx must have an input named input_ids, but its inputs are: " + inputs.keySet());
    }
    this.hasAttentionMask = inputs.containsKey("attention_mask");
    this.hasPositionIds = inputs.containsKey("position_ids");
    Set<String> outs = session.getOutputNames();
    this.logitsName = outs.contains("logits") ? "logits" : outs.iterator().next();
    List<KvInput> kv = new ArrayList<>();
    boolean useCacheBranch = false;
    for (Map.Entry<String, NodeInfo> e : inputs.entrySet()) {
      String n = e.getKey();
      if (KvInput.isKvInput(n)) {
        kv.add(KvInput.of(n, e.getValue(), outs));
      } else if (n.equals("use_cache_branch")) {
        useCacheBranch = true;
      } else if (!n.equals("input_ids") && !n.equals("attention_mask") && !n.equals("position_ids")) {
        throw new IllegalArgumentException("model.onnx has an input this class cannot feed: " + n
            + " (supported: input_ids, attention_mask, position_ids, past_key_values.*, use_cache_branch)");
      }
    }
    this.kvInputs = List.copyOf(kv);
    this.hasUseCacheBranch = useCacheBranch;
    Set<String> cached = new LinkedHashSet<>();
    cached.add(logitsName);
    for (KvInput k : kv) {
      cached.add(k.output());
    }
    this.cachedOutputs = Set.copyOf(cached);
    if (!kv.isEmpty() && !canHidePadding()) {
      LOG.log(System.Logger.Level.INFO,
          "{0} has a KV cache but no {1} input: prompts of different lengths are generated one at a time",
          modelFile, hasAttentionMask ? "position_ids" : "attention_mask");
    }
  }

  /** {@return whether the graph has KV-cache inputs} */
  boolean hasKvCache() {
    return !kvInputs.isEmpty();
  }

  /** {@return the KV-cache inputs in graph order} */
  List<KvInput> kvInputs() {
    return kvInputs;
  }

  /**
   * {@return whether padding inside the cache can be hidden: the graph takes both {@code
   * attention_mask} and {@code position_ids}}
   */
  boolean canHidePadding() {
    return hasAttentionMask && hasPositionIds;
  }

  /** {@return the name of the logits output} */
  String logitsName() {
    return logitsName;
  }

  /** {@return the id that pads short rows} */
  long padId() {
    return padId;
  }

  /** {@return the token positions fed so far (batch x sequence of every pass)} */
  long tokensComputed() {
    return tokensComputed.get();
  }

  /** {@return the environment tensors are created in} */
  OrtEnvironment env() {
    return env;
  }

  /** Receives the logits of one row of a forward pass. */
  @FunctionalInterface
  interface RowConsumer {
    void accept(int row, int seq, int vocab, float[] logits);
  }

  /** Runs one right-padded forward pass over {@code rows} and hands each row to {@code consumer}. */
  void forward(List<long[]> rows, RowConsumer consumer) {
    int batch = rows.size();
    int seq = 0;
    for (long[] r : rows) {
      seq = Math.max(seq, r.length);
    }
    long[] ids = new long[batch * seq];
    long[] mask = new long[batch * seq];
    long[] pos = new long[batch * seq];
    for (int b = 0; b < batch; b++) {
      long[] r = rows.get(b);
      for (int t = 0; t < seq; t++) {
        ids[b * seq + t] = t < r.length ? r[t] : padId;
        mask[b * seq + t] = t < r.length ? 1 : 0;
        pos[b * seq + t] = t;
      }
    }
    long[] shape = {batch, seq};
    Map<String, OnnxTensor> inputs = new HashMap<>();
    try {
      inputs.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape));
      if (hasAttentionMask) {
        // With an empty past the mask covers exactly the current tokens.
        inputs.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape));
      }
      if (hasPositionIds) {
        inputs.put("position_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(pos), shape));
      }
      for (KvInput kv : kvInputs) {
        inputs.put(kv.input(), kv.emptyPast(env, batch));
      }
      if (hasUseCacheBranch) {
        inputs.put("use_cache_branch", OnnxTensor.createTensor(env, new boolean[] {false}));
      }
      tokensComputed.addAndGet((long) batch * seq);
      try (OrtSession.Result result = session.run(inputs, Set.of(logitsName))) {
        OnnxTensor t = (OnnxTensor) result.get(0);
        int vocab = vocab(t, batch, seq);
        FloatBuffer fb = t.getFloatBuffer();
        float[] logits = new float[fb.remaining()];
        fb.get(logits);
        for (int b = 0; b < batch; b++) {
          consumer.accept(b, seq, vocab, logits);
        }
      }
    } catch (OrtException e) {
      throw new LanguageModelException("ONNX Runtime failed on a batch of " + batch + " x " + seq
          + " tokens in " + name + ": " + e.getMessage(), e);
    } finally {
      for (OnnxTensor t : inputs.values()) {
        t.close();
      }
    }
  }

  /**
   * Checks that a logits tensor is {@code [batch, seq, vocab]}.
   *
   * @return the vocabulary size
   * @throws LanguageModelException if it has another shape
   */
  int vocab(OnnxTensor logits, int batch, int seq) {
    long[] outShape = logits.getInfo().getShape();
    if (outShape.length != 3 || outShape[0] != batch || outShape[1] != seq) {
      throw new LanguageModelException(String.format(Locale.ROOT,
          "output %s must have shape [%d, %d, vocab], but has %s", logitsName, batch, seq,
          Arrays.toString(outShape)));
    }
    return (int) outShape[2];
  }

  /**
   * Runs one cached step; {@code past} null means an empty past. The caller closes the result,
   * whose {@code present.*} tensors may be the next step's past.
   */
  OrtSession.Result runCached(long[] ids, long[] pos, long[] mask, int batch, int seq,
      Map<String, OnnxTensor> past) throws OrtException {
    Map<String, OnnxTensor> inputs = new HashMap<>();
    List<OnnxTensor> created = new ArrayList<>();
    try {
      created.add(OnnxTensor.createTensor(env, LongBuffer.wrap(ids), new long[] {batch, seq}));
      inputs.put("input_ids", created.get(created.size() - 1));
      if (hasAttentionMask) {
        created.add(OnnxTensor.createTensor(env, LongBuffer.wrap(mask), new long[] {batch, mask.length / batch}));
        inputs.put("attention_mask", created.get(created.size() - 1));
      }
      if (hasPositionIds) {
        created.add(OnnxTensor.createTensor(env, LongBuffer.wrap(pos), new long[] {batch, seq}));
        inputs.put("position_ids", created.get(created.size() - 1));
      }
      for (KvInput kv : kvInputs) {
        if (past == null) {
          created.add(kv.emptyPast(env, batch));
          inputs.put(kv.input(), created.get(created.size() - 1));
        } else {
          inputs.put(kv.input(), past.get(kv.input()));
        }
      }
      if (hasUseCacheBranch) {
        created.add(OnnxTensor.createTensor(env, new boolean[] {past != null}));
        inputs.put("use_cache_branch", created.get(created.size() - 1));
      }
      tokensComputed.addAndGet((long) batch * seq);
      return session.run(inputs, cachedOutputs);
    } finally {
      closeAll(created);
    }
  }

  /** Closes every tensor of {@code tensors} and empties the list. */
  static void closeAll(List<OnnxTensor> tensors) {
    for (OnnxTensor t : tensors) {
      t.close();
    }
    tensors.clear();
  }

  /** Closes the session. */
  @Override
  public void close() throws OrtException {
    session.close();
  }
}
