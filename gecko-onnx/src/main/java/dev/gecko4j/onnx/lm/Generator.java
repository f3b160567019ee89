package dev.gecko4j.onnx.lm;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.gecko4j.core.lm.Generation;
import dev.gecko4j.core.lm.GenerationOptions;
import dev.gecko4j.core.lm.LanguageModelException;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Generation on a {@link DecoderGraph}: prompts batched by length, then decoded with the KV cache
 * when the graph has one (see {@link OnnxCausalLanguageModel}'s class comment) or by running the
 * whole prefix at every step when it has none. Thread-safe: each call has its own {@link Decoding}.
 */
final class Generator {

  private final String name;
  private final DecoderGraph graph;
  private final Function<long[], String> decoder;
  private final long eosId;
  private final int maxContext;
  private final int maxBatchSize;

  Generator(String name, DecoderGraph graph, Function<long[], String> decoder, long eosId,
      int maxContext, int maxBatchSize) {
    this.name = name;
    this.graph = graph;
    this.decoder = decoder;
    this.eosId = eosId;
    this.maxContext = maxContext;
    this.maxBatchSize = maxBatchSize;
  }

  /**
   * Generates for every prompt; prompts of similar lengths are batched together (less padding),
   * results go back in input order, and prompt {@code i} samples from random stream {@code i}.
   */
  List<Generation> generate(List<long[]> ids, GenerationOptions options) {
    int n = ids.size();
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparingInt(i -> ids.get(i).length));
    Generation[] out = new Generation[n];
    for (int from = 0; from < n; from += maxBatchSize) {
      int to = Math.min(n, from + maxBatchSize);
      int[] streams = new int[to - from];
      List<long[]> rows = new ArrayList<>(to - from);
      for (int j = from; j < to; j++) {
        streams[j - from] = order[j];
        rows.add(ids.get(order[j]));
      }
      List<Generation> g = generateBatch(rows, streams, options);
      for (int j = 0; j < streams.length; j++) {
        out[streams[j]] = g.get(j);
      }
    }
    return List.of(out);
  }

  private Decoding decoding(List<long[]> prompts, int[] streams, GenerationOptions options) {
    return new Decoding(prompts, streams, options, decoder, eosId, maxContext);
  }

  /**
   * Generates for one batch; {@code streams[i]} is prompt {@code i}'s index in the caller's list,
   * which picks its random stream.
   */
  List<Generation> generateBatch(List<long[]> prompts, int[] streams, GenerationOptions options) {
    if (!graph.hasKvCache()) {
      return generateRecomputing(decoding(prompts, streams, options));
    }
    boolean sameLength = prompts.stream().mapToInt(p -> p.length).distinct().count() == 1;
    if (sameLength || graph.canHidePadding()) {
      return generateCached(decoding(prompts, streams, options));
    }
    // Without attention_mask and position_ids, padding inside the cache cannot be hidden: one by one.
    List<Generation> out = new ArrayList<>(prompts.size());
    for (int i = 0; i < prompts.size(); i++) {
      out.addAll(generateCached(decoding(List.of(prompts.get(i)), new int[] {streams[i]}, options)));
    }
    return out;
  }

  /** Generation without a KV cache: every step runs the whole (right-padded) prefix of the active rows. */
  private List<Generation> generateRecomputing(Decoding d) {
    while (true) {
      List<Integer> active = d.active();
      if (active.isEmpty()) {
        return d.results();
      }
      List<long[]> rows = new ArrayList<>(active.size());
      for (int i : active) {
        rows.add(d.tokens(i));
      }
      graph.forward(rows, (row, seq, vocab, logits) -> {
        int i = active.get(row);
        d.next(i, logits, (row * seq + d.length(i) - 1) * vocab, vocab);
      });
    }
  }

  /**
   * Generation with the KV cache. Step 0 runs the right-padded prompts with an empty past; every
   * later step feeds one token per active row, the past being the previous step's {@code present.*}
   * outputs. Cache slot {@code j} of row {@code i} is real (mask 1) if {@code j < promptLength(i)}
   * or {@code j >= promptWidth} (a generated token); the padding slots between stay masked, and
   * {@code position_ids} count the real tokens before each position. Finished rows are dropped from
   * the batch (their cache rows are copied out).
   */
  private List<Generation> generateCached(Decoding d) {
    int[] rows = d.active().stream().mapToInt(Integer::intValue).toArray();
    int width = 0;
    for (int i : rows) {
      width = Math.max(width, d.length(i));
    }
    long pad = graph.padId();
    OrtSession.Result held = null; // owns the present.* tensors that are the current past
    Map<String, OnnxTensor> past = null; // KV input name -> tensor; null at step 0
    List<OnnxTensor> copies = new ArrayList<>(); // compacted past tensors owned here
    try {
      for (int step = 0; rows.length > 0; step++) {
        int batch = rows.length;
        int seq = step == 0 ? width : 1;
        int total = width + step;
        long[] ids = new long[batch * seq];
        long[] pos = new long[batch * seq];
        long[] mask = new long[batch * total];
        for (int r = 0; r < batch; r++) {
          int i = rows[r];
          int len = d.promptLength(i);
          if (step == 0) {
            long[] prompt = d.tokens(i);
            for (int t = 0; t < seq; t++) {
              ids[r * seq + t] = t < len ? prompt[t] : pad;
              pos[r * seq + t] = Math.min(t, len - 1);
            }
          } else {
            ids[r] = d.last(i);
            pos[r] = len + step - 1L;
          }
          for (int j = 0; j < total; j++) {
            mask[r * total + j] = j < len || j >= width ? 1 : 0;
          }
        }
        OrtSession.Result result = graph.runCached(ids, pos, mask, batch, seq, past);
        if (held != null) {
          held.close();
        }
        DecoderGraph.closeAll(copies);
        held = result;
        OnnxTensor logitsTensor = (OnnxTensor) result.get(graph.logitsName()).orElseThrow();
        int vocab = graph.vocab(logitsTensor, batch, seq);
        FloatBuffer logits = logitsTensor.getFloatBuffer();
        float[] row = new float[vocab];
        List<Integer> keep = new ArrayList<>(batch);
        for (int r = 0; r < batch; r++) {
          int i = rows[r];
          int at = step == 0 ? d.promptLength(i) - 1 : 0;
          logits.get((r * seq + at) * vocab, row);
          d.next(i, row, 0, vocab);
          if (!d.finished(i)) {
            keep.add(r);
          }
        }
        past = new HashMap<>();
        for (KvInput kv : graph.kvInputs()) {
          past.put(kv.input(), (OnnxTensor) result.get(kv.output()).orElseThrow());
        }
        if (keep.size() < batch && !keep.isEmpty()) {
          int[] kept = keep.stream().mapToInt(Integer::intValue).toArray();
          for (KvInput kv : graph.kvInputs()) {
            OnnxTensor copy = KvInput.keepRows(graph.env(), past.get(kv.input()), kept);
            copies.add(copy);
            past.put(kv.input(), copy);
          }
          held.close();
          held = null;
        }
        int[] next = new int[keep.size()];
        for (int k = 0; k < next.length; k++) {
          next[k] = rows[keep.get(k)];
        }
        rows = next;
      }
      return d.results();
    } catch (OrtException e) {
      throw new LanguageModelException("ONNX Runtime failed on a cached generation step of " + rows.length
          + " sequences in " + name + ": " + e.getMessage(), e);
    } finally {
      if (held != null) {
        held.close();
      }
      DecoderGraph.closeAll(copies);
    }
  }
}
