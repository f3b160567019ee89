package dev.gecko4j.onnx;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.gecko4j.core.PromptConvention;
import dev.gecko4j.core.TaskPrompt;
import dev.gecko4j.core.internal.Args;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The one tokenisation path of gecko4j's encoders, shared by {@link OnnxEmbedder} (serving) and
 * {@code TrainableEncoder} (training), so a model is trained on exactly the token ids it is served
 * with: renders each text with its {@link TaskPrompt} in the model's {@link PromptConvention},
 * replaces unpaired UTF-16 surrogates by U+FFFD, tokenises with the model's HuggingFace tokenizer
 * and its special-token template (any number of leading and trailing special tokens, found by
 * probing the tokenizer once), applies the {@link LongInputPolicy} to rows longer than the maximum
 * length (truncation keeps the leading specials, the first content tokens and the trailing
 * specials), and pads rows into a {@link TokenizedBatch} (pad id 0, attention mask 0) on the side
 * its {@link TokenizerLayout} gives (right by default), appending the layout's EOS token to every
 * row when the model's convention needs one (decoder embedders such as e5-mistral).
 *
 * {@snippet lang=java :
 * try (EncoderTokenizer tok = EncoderTokenizer.open(Models.BGE_SMALL_EN_V15.spec())) {
 *   TokenizedBatch b = tok.tokenize(texts, prompts, 128);
 * }
 * }
 *
 * <p>Thread-safe; {@link #close()} frees the native tokenizer after running calls and is
 * idempotent.
 */
public final class EncoderTokenizer implements AutoCloseable {

  /** The id padding positions hold. */
  static final long PAD_ID = 0;

  private final HuggingFaceTokenizer tokenizer;
  private final int maxLength;
  private final PromptConvention convention;
  private final LongInputPolicy policy;
  private final int prefixSpecials;
  private final int suffixSpecials;
  private final TokenizerLayout layout;
  /** The id appended to every row, or -1 (none asked for, or the template already ends with it). */
  private final long appendedEos;
  private final String location;
  private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private boolean closed;

  private EncoderTokenizer(HuggingFaceTokenizer tokenizer, int maxLength,
      PromptConvention convention, LongInputPolicy policy, String location,
      TokenizerLayout layout) {
    this.tokenizer = tokenizer;
    this.layout = layout;
    this.maxLength = maxLength;
    this.convention = convention;
    this.policy = policy;
    this.location = location;
    // Template of special tokens around a single sequence (BERT: [CLS] ... [SEP] = 1 + 1).
    Encoding probe = tokenizer.encode("a");
    long[] mask = probe.getSpecialTokenMask();
    long[] probeIds = probe.getIds();
    int pre = 0;
    while (pre < mask.length && mask[pre] != 0) {
      pre++;
    }
    int suf = 0;
    while (suf < mask.length - pre && mask[mask.length - 1 - suf] != 0) {
      suf++;
    }
    // An EOS the layout asks for is appended unless the template already ends with it.
    boolean append = layout.appendsEos()
        && !(suf > 0 && probeIds[probeIds.length - 1] == layout.eosTokenId());
    this.appendedEos = append ? layout.eosTokenId() : -1;
    if (append) {
      suf++;
    }
    this.prefixSpecials = pre;
    this.suffixSpecials = suf;
    if (maxLength <= pre + suf) {
      tokenizer.close();
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "maxLength must be greater than the %d special tokens the tokenizer adds, but is: %d",
          pre + suf, maxLength));
    }
  }

  /**
   * Opens the tokenizer of {@code spec} with its prompts, its maximum length and {@link
   * LongInputPolicy#TRUNCATE}.
   *
   * @param spec the model; not null
   * @return the tokenizer
   * @throws IllegalArgumentException if {@code spec} is null or its max length does not exceed
   *     the special tokens
   * @throws ModelLoadException if the tokenizer file is missing or unusable
   */
  public static EncoderTokenizer open(ModelSpec spec) {
    Args.notNull(spec, "spec");
    byte[] bytes = spec.readTokenizerBytes();
    return open(bytes, spec.tokenizerLocation(), spec.maxLength(), spec.promptConvention(),
        LongInputPolicy.TRUNCATE, TokenizerLayout.read(spec.folder(), bytes));
  }

  /**
   * Opens a tokenizer from the bytes of a HuggingFace {@code tokenizer.json} with {@link
   * TokenizerLayout#DEFAULT} (right padding, no EOS appended).
   *
   * @param tokenizerJson the file's bytes; not null
   * @param location where they came from, for messages; not null
   * @param maxLength the most tokens per row, special tokens included; more than the specials
   * @param convention how prompts are rendered; not null
   * @param policy what happens to longer texts; not null
   * @return the tokenizer
   * @throws IllegalArgumentException if an argument is null or {@code maxLength} is too small
   * @throws ModelLoadException if the bytes are not a tokenizer the library can load
   */
  public static EncoderTokenizer open(byte[] tokenizerJson, String location, int maxLength,
      PromptConvention convention, LongInputPolicy policy) {
    return open(tokenizerJson, location, maxLength, convention, policy, TokenizerLayout.DEFAULT);
  }

  /**
   * Opens a tokenizer from the bytes of a HuggingFace {@code tokenizer.json}.
   *
   * @param tokenizerJson the file's bytes; not null
   * @param location where they came from, for messages; not null
   * @param maxLength the most tokens per row, special tokens included; more than the specials
   * @param convention how prompts are rendered; not null
   * @param policy what happens to longer texts; not null
   * @param layout the padding side and appended EOS; not null ({@link TokenizerLayout#read} reads
   *     a folder's)
   * @return the tokenizer
   * @throws IllegalArgumentException if an argument is null or {@code maxLength} is too small
   * @throws ModelLoadException if the bytes are not a tokenizer the library can load
   */
  public static EncoderTokenizer open(byte[] tokenizerJson, String location, int maxLength,
      PromptConvention convention, LongInputPolicy policy, TokenizerLayout layout) {
    Args.notNull(layout, "layout");
    Args.notNull(tokenizerJson, "tokenizerJson");
    Args.notNull(location, "location");
    Args.notNull(convention, "convention");
    Args.notNull(policy, "policy");
    OrtRuntime.optOutOfDjlTracking(); // before DJL's tokenizer starts
    Map<String, String> options = new LinkedHashMap<>();
    // We truncate, chunk and pad ourselves (see LongInputPolicy): the tokenizer returns all tokens.
    options.put("addSpecialTokens", "true");
    options.put("truncation", "false");
    options.put("padding", "false");
    options.put("maxLength", Integer.toString(maxLength));
    HuggingFaceTokenizer tok;
    try {
      tok = HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(tokenizerJson), options);
    } catch (IOException | RuntimeException e) {
      throw new ModelLoadException(location, "found a file the HuggingFace tokenizers library "
          + "cannot load (" + SentenceTransformersFolder.firstLine(e.getMessage())
          + "), expected a tokenizer.json", e);
    }
    return new EncoderTokenizer(tok, maxLength, convention, policy, location, layout);
  }

  /** {@return the most tokens per row, special tokens included} */
  public int maxLength() {
    return maxLength;
  }

  /** {@return the long-input policy} */
  public LongInputPolicy longInputPolicy() {
    return policy;
  }

  /** {@return the padding side and the EOS appended to rows} */
  public TokenizerLayout layout() {
    return layout;
  }

  /** {@return the id appended to every row, or -1 when none is (the template may end with it)} */
  public long appendedEosTokenId() {
    return appendedEos;
  }

  /** {@return the number of special tokens the template puts before the text} */
  public int leadingSpecialTokens() {
    return prefixSpecials;
  }

  /** {@return the number of special tokens after the text, an appended EOS included} */
  public int trailingSpecialTokens() {
    return suffixSpecials;
  }

  /**
   * Tokenises texts with their prompts into one padded batch in input order (a text cut
   * into chunks by {@link LongInputPolicy#CHUNK_AND_AVERAGE} owns consecutive rows).
   *
   * @param texts the texts; not empty, no element null
   * @param prompts one prompt per text; no element null ({@link TaskPrompt#none()} for none)
   * @param maxLength the most tokens per row, at most {@link #maxLength()} and more than the
   *     special tokens
   * @return the batch
   * @throws IllegalArgumentException if a list or element is null (naming the index), the sizes
   *     differ, {@code texts} is empty, {@code maxLength} is out of range, or a text is too long
   *     under {@link LongInputPolicy#FAIL}
   * @throws IllegalStateException if the tokenizer is closed
   */
  public TokenizedBatch tokenize(List<String> texts, List<TaskPrompt> prompts, int maxLength) {
    Args.inRange(maxLength, prefixSpecials + suffixSpecials + 1, this.maxLength, "maxLength");
    String[] rendered = render(texts, prompts);
    if (rendered.length == 0) {
      throw new IllegalArgumentException("texts must not be empty");
    }
    List<Row> rows = rows(rendered, maxLength);
    return pad(rows.toArray(new Row[0]), 0, rows.size(), layout.paddingSide());
  }

  /** One row of token ids before padding: a text, or one chunk of a long text. */
  record Row(int owner, long[] ids, long[] typeIds) { }

  /** Checks the inputs and renders every text with its prompt (surrogates replaced). */
  String[] render(List<String> texts, List<TaskPrompt> prompts) {
    Args.notNull(texts, "texts");
    Args.notNull(prompts, "prompts");
    if (texts.size() != prompts.size()) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "texts and prompts must have the same size, but have %d and %d", texts.size(),
          prompts.size()));
    }
    String[] rendered = new String[texts.size()];
    for (int i = 0; i < rendered.length; i++) {
      String t = texts.get(i);
      if (t == null) {
        throw new IllegalArgumentException("texts[" + i + "] must not be null");
      }
      TaskPrompt p = prompts.get(i);
      if (p == null) {
        throw new IllegalArgumentException(
            "prompts[" + i + "] must not be null; use TaskPrompt.none() for none");
      }
      rendered[i] = replaceUnpairedSurrogates(convention.apply(p, t));
    }
    return rendered;
  }

  /** Tokenises rendered texts into rows of at most {@code maxLength} tokens under the policy. */
  List<Row> rows(String[] rendered, int maxLength) {
    Encoding[] encodings;
    lifecycle.readLock().lock();
    try {
      if (closed) {
        throw new IllegalStateException("the tokenizer of " + location + " is closed");
      }
      encodings = tokenizer.batchEncode(rendered);
    } finally {
      lifecycle.readLock().unlock();
    }
    List<Row> rows = new ArrayList<>(rendered.length);
    for (int i = 0; i < encodings.length; i++) {
      split(i, withEos(encodings[i].getIds(), appendedEos), withEos(encodings[i].getTypeIds(), 0), maxLength,
          rows);
    }
    return rows;
  }

  /** Appends the EOS id (to ids) or 0 (to type ids, same length) when the layout asks for it. */
  private long[] withEos(long[] a, long value) {
    if (appendedEos < 0) {
      return a;
    }
    long[] out = Arrays.copyOf(a, a.length + 1);
    out[a.length] = value;
    return out;
  }

  private void split(int owner, long[] ids, long[] typeIds, int maxLength, List<Row> rows) {
    int len = ids.length;
    if (len <= maxLength) {
      rows.add(new Row(owner, ids, typeIds));
      return;
    }
    int content = len - prefixSpecials - suffixSpecials;
    int window = maxLength - prefixSpecials - suffixSpecials;
    switch (policy) {
      case FAIL -> throw new IllegalArgumentException(String.format(Locale.ROOT,
          "texts[%d] has %d tokens, but the model's max length is %d (LongInputPolicy.FAIL); "
              + "shorten it or use TRUNCATE or CHUNK_AND_AVERAGE", owner, len, maxLength));
      case TRUNCATE -> rows.add(new Row(owner, chunk(ids, 0, window, len),
          chunk(typeIds, 0, window, len)));
      case CHUNK_AND_AVERAGE -> {
        for (int start = 0; start < content; start += window) {
          int take = Math.min(window, content - start);
          rows.add(new Row(owner, chunk(ids, start, take, len), chunk(typeIds, start, take, len)));
        }
      }
    }
  }

  /** The leading specials, {@code take} content tokens from {@code start}, the trailing ones. */
  private long[] chunk(long[] a, int start, int take, int len) {
    long[] out = new long[prefixSpecials + take + suffixSpecials];
    System.arraycopy(a, 0, out, 0, prefixSpecials);
    System.arraycopy(a, prefixSpecials + start, out, prefixSpecials, take);
    System.arraycopy(a, len - suffixSpecials, out, prefixSpecials + take, suffixSpecials);
    return out;
  }

  /**
   * Pads {@code rows[from, from + count)} to the longest of them on {@code side}.
   *
   * @return the batch, rows in the order given
   */
  static TokenizedBatch pad(Row[] rows, int from, int count, PaddingSide side) {
    int seq = 1;
    for (int r = 0; r < count; r++) {
      seq = Math.max(seq, rows[from + r].ids().length);
    }
    long[] ids = new long[count * seq];
    long[] mask = new long[count * seq];
    long[] types = new long[count * seq];
    int[] owners = new int[count];
    int[] tokens = new int[count];
    if (PAD_ID != 0) {
      Arrays.fill(ids, PAD_ID);
    }
    for (int r = 0; r < count; r++) {
      Row row = rows[from + r];
      int len = row.ids().length;
      int at = r * seq + (side == PaddingSide.LEFT ? seq - len : 0);
      System.arraycopy(row.ids(), 0, ids, at, len);
      System.arraycopy(row.typeIds(), 0, types, at, len);
      Arrays.fill(mask, at, at + len, 1L);
      owners[r] = row.owner();
      tokens[r] = len;
    }
    return new TokenizedBatch(count, seq, ids, mask, types, owners, tokens);
  }

  /** The probe the embedder runs at load: one encoded {@code "a"} as a batch of one row. */
  TokenizedBatch probe() {
    Encoding e;
    lifecycle.readLock().lock();
    try {
      e = tokenizer.encode("a");
    } finally {
      lifecycle.readLock().unlock();
    }
    return pad(new Row[] {new Row(0, withEos(e.getIds(), appendedEos), withEos(e.getTypeIds(), 0))}, 0, 1,
        layout.paddingSide());
  }

  /**
   * Replaces every unpaired UTF-16 surrogate by U+FFFD; returns {@code s} itself when it has none.
   */
  static String replaceUnpairedSurrogates(String s) {
    StringBuilder sb = null;
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      boolean bad;
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
          if (sb != null) {
            sb.append(c).append(s.charAt(i + 1));
          }
          i++;
          continue;
        }
        bad = true;
      } else {
        bad = Character.isLowSurrogate(c);
      }
      if (bad && sb == null) {
        sb = new StringBuilder(n).append(s, 0, i);
      }
      if (sb != null) {
        sb.append(bad ? '\uFFFD' : c);
      }
    }
    return sb == null ? s : sb.toString();
  }

  /** Frees the native tokenizer after running calls; idempotent. */
  @Override
  public void close() {
    lifecycle.writeLock().lock();
    try {
      if (!closed) {
        closed = true;
        tokenizer.close();
      }
    } finally {
      lifecycle.writeLock().unlock();
    }
  }
}
