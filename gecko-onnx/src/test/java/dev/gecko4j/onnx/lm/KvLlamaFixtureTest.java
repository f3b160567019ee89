package dev.gecko4j.onnx.lm;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.gecko4j.core.testing.SharedData;
import dev.gecko4j.onnx.OrtRuntime;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks the test fixture {@link KvLlamaFixture} itself: the KV-cache graph it builds from
 * stories260K computes what the plain graph computes, with an empty past and token by token.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KvLlamaFixtureTest {

  private static final int LAYERS = 5;
  private static final int KV_HEADS = 4;
  private static final int HEAD_SIZE = 8;
  private static final int VOCAB = 512;

  private final OrtEnvironment env = OrtRuntime.environment();
  private OrtSession plain;
  private OrtSession kv;

  @BeforeAll
  void build(@TempDir Path tmp) throws Exception {
    Path src = SharedData.require("models", "stories260K");
    KvLlamaFixture.write(src, tmp.resolve("kv"));
    plain = env.createSession(src.resolve("model.onnx").toString());
    kv = env.createSession(tmp.resolve("kv/model.onnx").toString());
  }

  @AfterAll
  void close() throws OrtException {
    if (plain != null) {
      plain.close();
    }
    if (kv != null) {
      kv.close();
    }
  }

  @Test
  void should_declare_the_optimum_llama_inputs_and_outputs() throws OrtException {
    // then
    assertThat(kv.getInputNames()).contains("input_ids", "attention_mask", "position_ids",
        "past_key_values.0.key", "past_key_values.4.value").hasSize(3 + 2 * LAYERS);
    assertThat(kv.getOutputNames()).contains("logits", "present.0.key", "present.4.value").hasSize(1 + 2 * LAYERS);
  }

  @Test
  void should_reproduce_the_plain_model_logits_with_an_empty_past() throws OrtException {
    for (long[] prompt : List.of(new long[] {1}, new long[] {1, 403, 407, 261, 378, 293},
        new long[] {1, 72, 271, 400, 289, 266, 350, 281, 402, 268, 300, 345, 275, 289, 265, 284})) {
      // when
      float[] expected = plainLogits(prompt);
      float[] got = kvStep(prompt, 0, ones(prompt.length), emptyPast()).logits;

      // then
      assertThat(maxAbsDiff(expected, got)).isLessThanOrEqualTo(1e-4f);
    }
  }

  @Test
  void should_compute_the_full_forward_one_token_at_a_time_with_the_cache() throws OrtException {
    // given
    long[] prompt = {1, 72, 271, 400, 289, 266, 350, 281, 402, 268, 300, 345};
    float[] full = plainLogits(prompt);

    // when: each token fed alone, the past being the previous step's present
    float[] stepwise = new float[prompt.length * VOCAB];
    Map<String, float[]> past = emptyPast();
    for (int t = 0; t < prompt.length; t++) {
      Step s = kvStep(new long[] {prompt[t]}, t, ones(t + 1), past);
      System.arraycopy(s.logits, 0, stepwise, t * VOCAB, VOCAB);
      past = s.present;
      assertThat(past.get("past_key_values.0.key")).hasSize(KV_HEADS * (t + 1) * HEAD_SIZE);
    }

    // then
    assertThat(maxAbsDiff(full, stepwise)).isLessThanOrEqualTo(1e-4f);
  }

  @Test
  void should_ignore_masked_cache_positions() throws OrtException {
    // given: a prompt followed by three junk positions that the mask hides
    long[] prompt = {1, 403, 407, 261, 378};
    long[] padded = {1, 403, 407, 261, 378, 2, 2, 2};
    long[] mask = {1, 1, 1, 1, 1, 0, 0, 0};
    Step first = kvStep(padded, 0, mask, emptyPast());

    // when: the next token is fed after the junk, at position 5 (its count of real tokens)
    long[] nextMask = {1, 1, 1, 1, 1, 0, 0, 0, 1};
    float[] got = kvStepAt(new long[] {293}, new long[] {5}, nextMask, first.present).logits;

    // then
    float[] expected = plainLogits(new long[] {1, 403, 407, 261, 378, 293});
    float[] last = java.util.Arrays.copyOfRange(expected, prompt.length * VOCAB, (prompt.length + 1) * VOCAB);
    assertThat(maxAbsDiff(last, got)).isLessThanOrEqualTo(1e-4f);
  }

  // ---------------------------------------------------------------------------------------------

  private record Step(float[] logits, Map<String, float[]> present) {}

  private float[] plainLogits(long[] ids) throws OrtException {
    try (OnnxTensor in = OnnxTensor.createTensor(env, LongBuffer.wrap(ids), new long[] {1, ids.length});
        OrtSession.Result r = plain.run(Map.of("input_ids", in))) {
      return floats((OnnxTensor) r.get("logits").orElseThrow());
    }
  }

  private Step kvStep(long[] ids, int firstPosition, long[] mask, Map<String, float[]> past) throws OrtException {
    long[] pos = new long[ids.length];
    for (int t = 0; t < ids.length; t++) {
      pos[t] = firstPosition + t;
    }
    return kvStepAt(ids, pos, mask, past);
  }

  private Step kvStepAt(long[] ids, long[] pos, long[] mask, Map<String, float[]> past) throws OrtException {
    Map<String, OnnxTensor> in = new HashMap<>();
    try {
      in.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(ids), new long[] {1, ids.length}));
      in.put("position_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(pos), new long[] {1, pos.length}));
      in.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(mask), new long[] {1, mask.length}));
      for (Map.Entry<String, float[]> e : past.entrySet()) {
        long len = e.getValue().length / (KV_HEADS * HEAD_SIZE);
        in.put(e.getKey(), OnnxTensor.createTensor(env, FloatBuffer.wrap(e.getValue()),
            new long[] {1, KV_HEADS, len, HEAD_SIZE}));
      }
      try (OrtSession.Result r = kv.run(in)) {
        Map<String, float[]> present = new HashMap<>();
        for (String name : past.keySet()) {
          present.put(name, floats((OnnxTensor) r.get(name.replace("past_key_values", "present")).orElseThrow()));
        }
        return new Step(floats((OnnxTensor) r.get("logits").orElseThrow()), present);
      }
    } finally {
      in.values().forEach(OnnxTensor::close);
    }
  }

  private static Map<String, float[]> emptyPast() {
    Map<String, float[]> past = new HashMap<>();
    for (int l = 0; l < LAYERS; l++) {
      past.put("past_key_values." + l + ".key", new float[0]);
      past.put("past_key_values." + l + ".value", new float[0]);
    }
    return past;
  }

  private static long[] ones(int n) {
    long[] m = new long[n];
    java.util.Arrays.fill(m, 1);
    return m;
  }

  private static float[] floats(OnnxTensor t) {
    FloatBuffer fb = t.getFloatBuffer();
    float[] out = new float[fb.remaining()];
    fb.get(out);
    return out;
  }

  private static float maxAbsDiff(float[] a, float[] b) {
    assertThat(b).hasSameSizeAs(a);
    float max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }
}
