package dev.gecko4j.examples.cli;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.util.PairList;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.gecko4j.onnx.OrtRuntime;
import dev.gecko4j.onnx.OrtSessionFactory;
import dev.gecko4j.onnx.TokenizedBatch;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The peer of {@code gecko bench rerank}: a line-by-line re-implementation of LangChain4j's
 * {@code OnnxScoringModel.scoreAll} ({@code langchain4j-onnx-scoring}, class {@code
 * OnnxScoringBertCrossEncoder}), because that artifact is not served by the Maven repository this
 * machine reaches. What it does per call, as LangChain4j's source does: the tokenizer opened with
 * {@code padding=true} (to the longest pair of the call), {@code truncation=LONGEST_FIRST} and
 * {@code modelMaxLength = 510 - 2} (its defaults); the token count of the query and of each
 * document tokenised alone (its {@code TokenUsage}); all pairs of the call {@code batchEncode}d and
 * run as one batch ({@code long[][]} tensors, every output requested); the first logit of each row,
 * raw (its default {@code normalize=false}). Its session is opened by the bench, as LangChain4j's
 * public constructor taking {@code SessionOptions} allows, on the same model bytes with the same
 * options as gecko4j's and the whole thread budget as intra-op threads (LangChain4j runs one call
 * at a time on one session).
 */
final class RerankPeer implements AutoCloseable {

  /** LangChain4j's {@code DEFAULT_MODEL_MAX_LENGTH} (512 minus the two special tokens). */
  static final int MODEL_MAX_LENGTH = 510;

  private final OrtEnvironment env = OrtRuntime.environment();
  private final OrtSession session;
  private final Set<String> expectedInputs;
  private final HuggingFaceTokenizer tokenizer;

  RerankPeer(OrtSessionFactory sessions, byte[] model, String location, byte[] tokenizerBytes)
      throws IOException {
    this.session = sessions.open(model, location).session();
    this.expectedInputs = session.getInputNames();
    Map<String, String> options = new HashMap<>();
    options.put("padding", "true");
    options.put("truncation", "LONGEST_FIRST");
    options.put("modelMaxLength", String.valueOf(MODEL_MAX_LENGTH - 2));
    this.tokenizer = HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(tokenizerBytes),
        options);
  }

  /** LangChain4j's {@code scoreAll(query, documents)}: the raw first logit per document. */
  List<Double> scoreAll(String query, List<String> documents) {
    int tokenCount = 0;
    int queryTokenCount = tokenizer.tokenize(query).size() - 2;
    PairList<String, String> pairs = new PairList<>();
    for (String document : documents) {
      pairs.add(query, document);
      tokenCount += queryTokenCount + tokenizer.tokenize(document).size() - 2;
    }
    if (tokenCount < 0) {
      throw new IllegalStateException("negative token count");
    }
    try (OrtSession.Result result = encode(pairs)) {
      float[][] output = (float[][]) result.get(0).getValue();
      List<Double> scores = new ArrayList<>(output.length);
      for (float[] row : output) {
        scores.add((double) row[0]);
      }
      return scores;
    } catch (OrtException e) {
      throw new IllegalStateException("peer run failed: " + e.getMessage(), e);
    }
  }

  private OrtSession.Result encode(PairList<String, String> pairs) throws OrtException {
    Encoding[] encodings = tokenizer.batchEncode(pairs);
    long[][] inputIds = new long[encodings.length][];
    long[][] attentionMask = new long[encodings.length][];
    long[][] tokenTypeIds = new long[encodings.length][];
    for (int i = 0; i < encodings.length; i++) {
      inputIds[i] = encodings[i].getIds();
      attentionMask[i] = encodings[i].getAttentionMask();
      tokenTypeIds[i] = encodings[i].getTypeIds();
    }
    try (OnnxTensor ids = OnnxTensor.createTensor(env, inputIds);
        OnnxTensor mask = OnnxTensor.createTensor(env, attentionMask);
        OnnxTensor types = OnnxTensor.createTensor(env, tokenTypeIds)) {
      Map<String, OnnxTensor> inputs = new HashMap<>();
      inputs.put("input_ids", ids);
      inputs.put("attention_mask", mask);
      if (expectedInputs.contains("token_type_ids")) {
        inputs.put("token_type_ids", types);
      }
      return session.run(inputs);
    }
  }

  /**
   * The batch this peer runs for one call (all pairs padded to the longest), as a {@link
   * TokenizedBatch} for the ceiling on the peer's batches.
   */
  TokenizedBatch batch(String query, List<String> documents) {
    PairList<String, String> pairs = new PairList<>();
    for (String d : documents) {
      pairs.add(query, d);
    }
    Encoding[] enc = tokenizer.batchEncode(pairs);
    int rows = enc.length;
    int len = enc[0].getIds().length;
    long[] ids = new long[rows * len];
    long[] mask = new long[rows * len];
    long[] types = new long[rows * len];
    int[] owners = new int[rows];
    int[] tokens = new int[rows];
    for (int r = 0; r < rows; r++) {
      if (enc[r].getIds().length != len) {
        throw new IllegalStateException("the peer's tokenizer did not pad row " + r);
      }
      System.arraycopy(enc[r].getIds(), 0, ids, r * len, len);
      System.arraycopy(enc[r].getAttentionMask(), 0, mask, r * len, len);
      System.arraycopy(enc[r].getTypeIds(), 0, types, r * len, len);
      owners[r] = r;
      long real = 0;
      for (long m : enc[r].getAttentionMask()) {
        real += m;
      }
      tokens[r] = (int) real;
    }
    return new TokenizedBatch(rows, len, ids, mask, types, owners, tokens);
  }

  @Override
  public void close() throws OrtException {
    session.close();
    tokenizer.close();
  }
}
