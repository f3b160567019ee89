package dev.gecko4j.onnx.lm;

import dev.gecko4j.core.lm.Generation;
import dev.gecko4j.core.lm.GenerationOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * The per-prompt state of one generation call: tokens so far, random streams, stop rules. Each
 * prompt gets its own random stream derived from the seed and the prompt's index in the caller's
 * list. Not thread-safe: one call's state.
 */
final class Decoding {
  private final GenerationOptions options;
  private final Function<long[], String> decoder;
  private final long eosId;
  private final int maxContext;
  private final List<List<Long>> seqs;
  private final int[] promptLen;
  private final int[] generated;
  private final String[] text;
  private final String[] finish;
  private final SplittableRandom[] rng;

  /**
   * Starts decoding {@code prompts}.
   *
   * @param prompts the prompts' token ids
   * @param streams prompt {@code i}'s index in the caller's list, which picks its random stream
   * @param options the sampling options
   * @param decoder token ids to text, skipping special tokens
   * @param eosId the EOS id that ends a row, or -1
   * @param maxContext the context length that ends a row
   */
  Decoding(List<long[]> prompts, int[] streams, GenerationOptions options,
      Function<long[], String> decoder, long eosId, int maxContext) {
    int n = prompts.size();
    this.options = options;
    this.decoder = decoder;
    this.eosId = eosId;
    this.maxContext = maxContext;
    this.seqs = new ArrayList<>(n);
    this.promptLen = new int[n];
    this.generated = new int[n];
    this.text = new String[n];
    this.finish = new String[n];
    this.rng = new SplittableRandom[n];
    for (int i = 0; i < n; i++) {
      List<Long> s = new ArrayList<>();
      for (long id : prompts.get(i)) {
        s.add(id);
      }
      seqs.add(s);
      promptLen[i] = s.size();
      rng[i] = new SplittableRandom(options.seed() * 0x9E3779B97F4A7C15L + streams[i]);
      text[i] = "";
    }
  }

  /** {@return the rows not finished yet, in order} */
  List<Integer> active() {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < finish.length; i++) {
      if (finish[i] == null) {
        out.add(i);
      }
    }
    return out;
  }

  boolean finished(int i) {
    return finish[i] != null;
  }

  int promptLength(int i) {
    return promptLen[i];
  }

  int length(int i) {
    return seqs.get(i).size();
  }

  long last(int i) {
    return seqs.get(i).get(seqs.get(i).size() - 1);
  }

  long[] tokens(int i) {
    return seqs.get(i).stream().mapToLong(Long::longValue).toArray();
  }

  /** Chooses row {@code i}'s next token from {@code logits[base .. base+vocab)} and applies it. */
  void next(int i, float[] logits, int base, int vocab) {
    long tok = options.isGreedy()
        ? Sampling.argmax(logits, base, vocab)
        : Sampling.sample(logits, base, vocab, options.temperature(), options.topP(), rng[i]);
    if (tok == eosId) {
      finish[i] = "stop";
      return;
    }
    seqs.get(i).add(tok);
    generated[i]++;
    text[i] = decoder.apply(newIds(seqs.get(i), promptLen[i]));
    int cut = firstStop(text[i], options.stop());
    if (cut >= 0) {
      text[i] = text[i].substring(0, cut);
      finish[i] = "stop";
    } else if (generated[i] >= options.maxNewTokens() || seqs.get(i).size() >= maxContext) {
      finish[i] = "length";
    }
  }

  /** {@return each row's generation: the new tokens, their text and the finish reason} */
  List<Generation> results() {
    List<Generation> out = new ArrayList<>(seqs.size());
    for (int i = 0; i < seqs.size(); i++) {
      long[] gen = newIds(seqs.get(i), promptLen[i]);
      List<Integer> ids = new ArrayList<>(gen.length);
      for (long g : gen) {
        ids.add((int) g);
      }
      out.add(new Generation(text[i], ids, finish[i]));
    }
    return out;
  }

  private static long[] newIds(List<Long> seq, int from) {
    long[] out = new long[seq.size() - from];
    for (int j = from; j < seq.size(); j++) {
      out[j - from] = seq.get(j);
    }
    return out;
  }

  /** {@return where the first stop string starts in {@code text}, or -1} */
  static int firstStop(String text, List<String> stops) {
    int best = -1;
    for (String s : stops) {
      int at = text.indexOf(s);
      if (at >= 0 && (best < 0 || at < best)) {
        best = at;
      }
    }
    return best;
  }
}
