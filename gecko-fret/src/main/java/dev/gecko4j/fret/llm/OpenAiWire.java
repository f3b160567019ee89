package dev.gecko4j.fret.llm;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.gecko4j.core.internal.GeckoJson;
import dev.gecko4j.core.lm.ContinuationScore;
import dev.gecko4j.core.lm.Generation;
import dev.gecko4j.core.lm.GenerationOptions;
import dev.gecko4j.core.lm.LanguageModelException;
import dev.gecko4j.core.lm.ScoreRequest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The OpenAI wire format as Jackson-bound records: the request bodies {@link OpenAiLanguageModel}
 * sends, the replies it reads, and how a reply becomes a {@link Generation}, a {@link
 * ContinuationScore} or label log-probabilities.
 *
 * <p>Replies are read leniently about content (unknown fields are ignored) and strictly about the
 * fields that matter: a {@code text}, {@code content} or {@code finish_reason} that is not a JSON
 * string counts as absent, an {@code index} that is not an integer as absent, a log-probability
 * that is not a number as absent, so a reply that is valid JSON but not a completion fails with a
 * {@link LanguageModelException} naming what is missing.
 */
final class OpenAiWire {

  private OpenAiWire() {}

  // ------------------------------------------------------------------------------- requests

  /**
   * A chat message.
   *
   * @param role {@code user}
   * @param content the prompt
   */
  record Message(@JsonProperty("role") String role,
      @JsonProperty("content") @JsonDeserialize(using = TextOnly.class) String content) {}

  /**
   * The fields both endpoints share, written at the top level of either request.
   *
   * @param model the model
   * @param maxTokens the most tokens to generate
   * @param temperature the sampling temperature
   * @param topP nucleus sampling, or null (scoring)
   * @param seed the sampling seed, or null (scoring)
   * @param stop stop strings, or null for none
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  record Sampling(String model, int maxTokens, double temperature, Double topP, Long seed,
      List<String> stop) {

    static Sampling of(String model, GenerationOptions o) {
      return new Sampling(model, o.maxNewTokens(), o.temperature(), o.topP(), o.seed(),
          o.stop().isEmpty() ? null : o.stop());
    }
  }

  /**
   * {@code POST /chat/completions}: one prompt as one user message.
   *
   * @param sampling the model and sampling fields
   * @param messages the one user message
   * @param logprobs true to get the generated tokens' log-probabilities, or null
   * @param topLogprobs alternatives per generated token, or null
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  record ChatRequest(@JsonUnwrapped Sampling sampling, List<Message> messages, Boolean logprobs,
      Integer topLogprobs) {

    static ChatRequest of(String model, GenerationOptions o, String prompt) {
      return new ChatRequest(Sampling.of(model, o), List.of(new Message("user", prompt)), null,
          null);
    }

    ChatRequest withTopLogprobs(int n) {
      return new ChatRequest(sampling, messages, true, n);
    }
  }

  /**
   * {@code POST /completions}: a list of prompts in one request.
   *
   * @param sampling the model and sampling fields
   * @param prompt the prompts
   * @param echo true to have the prompt echoed with its log-probabilities (scoring), or null
   * @param logprobs alternatives per token (1 for scoring), or null
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record CompletionRequest(@JsonUnwrapped Sampling sampling, List<String> prompt, Boolean echo,
      Integer logprobs) {

    static CompletionRequest sampling(String model, GenerationOptions o, List<String> prompts) {
      return new CompletionRequest(Sampling.of(model, o), prompts, null, null);
    }

    /**
     * The scoring request: {@code echo: true, logprobs: 1, max_tokens: 1} (vLLM rejects {@code
     * max_tokens: 0}; the one generated token is ignored), temperature 0.
     */
    static CompletionRequest scoring(String model, List<String> texts) {
      return new CompletionRequest(new Sampling(model, 1, 0.0, null, null, null), texts, true, 1);
    }

    CompletionRequest withLogprobs(int n) {
      return new CompletionRequest(sampling, prompt, echo, n);
    }
  }

  // -------------------------------------------------------------------------------- replies

  /**
   * A reply of {@code /completions} or {@code /chat/completions}.
   *
   * @param choices the choices, or null when absent
   */
  record Completion(@JsonProperty("choices") List<Choice> choices) {}

  /**
   * One choice.
   *
   * @param index which prompt it answers, or null (then its position counts)
   * @param text the text ({@code /completions}), or null
   * @param message the message ({@code /chat/completions}), or null
   * @param finishReason why generation ended, or null
   * @param logprobs the log-probabilities, or null
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Choice(
      @JsonProperty("index") @JsonDeserialize(using = IntOnly.class) Integer index,
      @JsonProperty("text") @JsonDeserialize(using = TextOnly.class) String text,
      @JsonProperty("message") Message message,
      @JsonProperty("finish_reason") @JsonDeserialize(using = TextOnly.class) String finishReason,
      @JsonProperty("logprobs") Logprobs logprobs) {

    /** {@return the logprobs, never null (empty when absent)} */
    Logprobs logprobsOrEmpty() {
      return logprobs != null ? logprobs : new Logprobs(null, null, null, null);
    }

    @Override
    public String toString() {
      return json(this);
    }
  }

  /**
   * The log-probabilities of a choice: {@code /completions}' lists per token, or {@code
   * /chat/completions}' {@code content}.
   *
   * @param tokenLogprobs per token ({@code /completions}); an element is null where absent
   * @param textOffset per token, where it starts in the echoed text ({@code /completions})
   * @param topLogprobs per position, alternative to log-probability ({@code /completions})
   * @param content per generated token ({@code /chat/completions})
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Logprobs(
      @JsonProperty("token_logprobs") @JsonDeserialize(contentUsing = NumberOnly.class)
          List<Double> tokenLogprobs,
      @JsonProperty("text_offset") List<Integer> textOffset,
      @JsonProperty("top_logprobs") List<Map<String, Double>> topLogprobs,
      @JsonProperty("content") List<ChatToken> content) {

    int entries() {
      return tokenLogprobs == null ? 0 : tokenLogprobs.size();
    }

    int offsets() {
      return textOffset == null ? 0 : textOffset.size();
    }
  }

  /**
   * A generated token of a chat reply with its alternatives.
   *
   * @param token the token's text
   * @param logprob its log-probability
   * @param topLogprobs the alternatives, or null
   */
  record ChatToken(
      @JsonProperty("token") @JsonDeserialize(using = TextOnly.class) String token,
      @JsonProperty("logprob") double logprob,
      @JsonProperty("top_logprobs") List<ChatToken> topLogprobs) {}

  /**
   * The reply of {@code GET /models}.
   *
   * @param data the models, or null
   */
  record ModelList(@JsonProperty("data") List<ModelEntry> data) {}

  /**
   * One model of {@code GET /models}.
   *
   * @param id its name, or null
   */
  record ModelEntry(@JsonProperty("id") @JsonDeserialize(using = TextOnly.class) String id) {}

  /**
   * An error reply: OpenAI's {@code {"error": {"message": ..., "type": ...}}}, a plain {@code
   * {"error": "..."}}, or vLLM's older {@code {"message": ...}}.
   *
   * @param error the error object or string, or null
   * @param message the top-level message, or null
   */
  record ErrorReply(@JsonProperty("error") JsonNode error,
      @JsonProperty("message") @JsonDeserialize(using = TextOnly.class) String message) {}

  /**
   * The error object of an {@link ErrorReply}.
   *
   * @param message what went wrong, or null
   * @param type its kind, or null
   */
  record ErrorDetail(@JsonProperty("message") @JsonDeserialize(using = TextOnly.class) String message,
      @JsonProperty("type") @JsonDeserialize(using = TextOnly.class) String type) {}

  // ------------------------------------------------------------------------ reading replies

  /**
   * Binds a reply to {@code type}.
   *
   * @throws LanguageModelException naming {@code what} if the reply does not have the shape
   */
  static <T> T bind(JsonNode reply, Class<T> type, String what) {
    try {
      return GeckoJson.mapper().treeToValue(reply, type);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new LanguageModelException(what + " returned a reply that is not a "
          + type.getSimpleName() + " (" + e.getMessage().lines().findFirst().orElse("") + "): "
          + abbreviate(reply.toString()), e);
    }
  }

  /**
   * Returns the choices of {@code r} in prompt order ({@code index}, else position), exactly
   * {@code expected} of them.
   *
   * @throws LanguageModelException if there are none, one is missing or an index is out of range
   */
  static List<Choice> choices(JsonNode reply, int expected, String path) {
    List<Choice> cs = bind(reply, Completion.class, path).choices();
    if (cs == null || cs.isEmpty()) {
      throw new LanguageModelException(path + " returned no choices (expected " + expected + "): "
          + abbreviate(reply.toString()));
    }
    Choice[] byIndex = new Choice[expected];
    int pos = 0;
    for (Choice c : cs) {
      int idx = c == null || c.index() == null ? pos : c.index();
      pos++;
      if (idx < 0 || idx >= expected) {
        throw new LanguageModelException(String.format(Locale.ROOT,
            "%s returned a choice with index %d, expected 0 to %d", path, idx, expected - 1));
      }
      byIndex[idx] = c;
    }
    for (int i = 0; i < expected; i++) {
      if (byIndex[i] == null) {
        throw new LanguageModelException(String.format(Locale.ROOT,
            "%s returned %d choices, but %d prompts were sent (choice %d is missing)", path,
            cs.size(), expected, i));
      }
    }
    return List.of(byIndex);
  }

  /** The generation of a choice whose text is {@code text} (null when absent). */
  static Generation generation(String text, Choice choice, String path, GenerationOptions o) {
    if (text == null) {
      throw new LanguageModelException(path + " returned a choice without text: "
          + abbreviate(choice.toString()));
    }
    String t = text;
    String finish = choice.finishReason() != null ? choice.finishReason() : "stop";
    // Servers stop at stop strings and leave them out; cut again in case one leaves one in.
    for (String s : o.stop()) {
      int at = t.indexOf(s);
      if (at >= 0) {
        t = t.substring(0, at);
        finish = "stop";
      }
    }
    return new Generation(t, List.of(), finish);
  }

  /** The text of a chat choice's message, or null. */
  static String chatText(Choice c) {
    return c.message() == null ? null : c.message().content();
  }

  /**
   * Sums the token log-probabilities of the continuation, found by text offsets in code points.
   *
   * <p>The last entry is the one generated token ({@code max_tokens: 1}); its offset is where the
   * server's echoed text ends. Servers differ in what they count (older vLLM counts raw pieces,
   * including a BOS {@code "<s>"}), so offsets are taken relative to that end: the prompt ends at
   * {@code lastOffset - (codePoints(prompt + continuation) - codePoints(prompt))}.
   */
  static ContinuationScore continuationScore(ScoreRequest req, Choice choice) {
    Logprobs lp = choice.logprobsOrEmpty();
    List<Double> values = lp.tokenLogprobs();
    List<Integer> offsets = lp.textOffset();
    if (values == null || offsets == null || values.size() != offsets.size() || values.size() < 2
        || offsets.contains(null)) {
      throw new LanguageModelException("/completions returned no usable logprobs (token_logprobs and "
          + "text_offset of equal length, prompt tokens included) for scoring: "
          + abbreviate(choice.toString()));
    }
    String full = req.prompt() + req.continuation();
    int continuationLen = full.codePointCount(0, full.length())
        - req.prompt().codePointCount(0, req.prompt().length());
    int n = values.size() - 1; // entries before the generated token
    int end = offsets.get(n);
    int boundary = end - continuationLen;
    List<Double> picked = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int tokenEnd = offsets.get(i + 1);
      if (tokenEnd <= boundary || tokenEnd == offsets.get(i)) {
        continue; // a prompt token, or an empty special token
      }
      Double v = values.get(i);
      if (v == null) {
        throw new LanguageModelException(String.format(Locale.ROOT,
            "/completions returned no log-probability for continuation token %d (offset %d); the"
                + " first token of a text cannot be scored: give a non-empty prompt", i,
            offsets.get(i)));
      }
      picked.add(Math.min(0.0, v));
    }
    if (picked.isEmpty()) {
      throw new LanguageModelException("/completions returned no token for the continuation '"
          + abbreviate(req.continuation()) + "' (text_offset does not reach past the prompt)");
    }
    return ContinuationScore.ofTokens(picked.stream().mapToDouble(Double::doubleValue).toArray());
  }

  /** The first generated token's alternatives of a {@code /completions} choice. */
  static Map<String, Double> completionAlternatives(Choice c) {
    List<Map<String, Double>> top = c.logprobsOrEmpty().topLogprobs();
    if (top == null || top.isEmpty() || top.get(0) == null) {
      throw new LanguageModelException("/completions returned no logprobs.top_logprobs[0] for "
          + "label scoring; the server does not support logprobs");
    }
    return top.get(0);
  }

  /** The first generated token's alternatives of a {@code /chat/completions} choice, merged. */
  static Map<String, Double> chatAlternatives(Choice c) {
    List<ChatToken> content = c.logprobsOrEmpty().content();
    List<ChatToken> top = content == null || content.isEmpty() || content.get(0) == null ? null
        : content.get(0).topLogprobs();
    if (top == null || top.isEmpty()) {
      throw new LanguageModelException("/chat/completions returned no logprobs.content[0]"
          + ".top_logprobs for label scoring; the server does not support logprobs");
    }
    Map<String, Double> alts = new LinkedHashMap<>();
    for (ChatToken t : top) {
      alts.merge(t.token() == null ? "" : t.token(), t.logprob(), OpenAiWire::logAdd);
    }
    return alts;
  }

  /**
   * The log-probability of each label: the alternatives equal to it after trimming white space,
   * added up (log-sum-exp); {@link Double#NEGATIVE_INFINITY} where none is.
   */
  static Map<String, Double> matchLabels(Map<String, Double> alternatives, List<String> labels) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (String label : labels) {
      out.put(label, Double.NEGATIVE_INFINITY);
    }
    for (Map.Entry<String, Double> a : alternatives.entrySet()) {
      String token = a.getKey().strip();
      double v = a.getValue() == null ? 0.0 : a.getValue();
      for (String label : labels) {
        if (label.strip().equals(token)) {
          out.put(label, logAdd(out.get(label), v));
        }
      }
    }
    return out;
  }

  static double logAdd(double a, double b) {
    if (a == Double.NEGATIVE_INFINITY) {
      return b;
    }
    if (b == Double.NEGATIVE_INFINITY) {
      return a;
    }
    double max = Math.max(a, b);
    return max + Math.log(Math.exp(a - max) + Math.exp(b - max));
  }

  /** The error message of an error reply's body, or the body itself when it has none. */
  static String errorMessage(String body) {
    try {
      JsonNode n = GeckoJson.mapper().readTree(body);
      if (n != null && n.isObject()) {
        ErrorReply r = GeckoJson.mapper().treeToValue(n, ErrorReply.class);
        if (r.error() != null && r.error().isObject()) {
          ErrorDetail d = GeckoJson.mapper().treeToValue(r.error(), ErrorDetail.class);
          if (d.message() != null) {
            return d.message() + (d.type() != null ? " (" + d.type() + ")" : "");
          }
        }
        if (r.error() != null && r.error().isTextual()) {
          return r.error().asText();
        }
        if (r.message() != null) {
          return r.message();
        }
      }
    } catch (JsonProcessingException | IllegalArgumentException ignored) {
      // not JSON, or not an error object: report the body itself
    }
    return abbreviate(body == null ? "" : body);
  }

  static String abbreviate(String s) {
    return s.length() <= 300 ? s : s.substring(0, 300) + "...";
  }

  private static String json(Object o) {
    try {
      return GeckoJson.mapper().writeValueAsString(o);
    } catch (JsonProcessingException e) {
      return String.valueOf(o.getClass().getSimpleName());
    }
  }

  // ---------------------------------------------------------------- strict scalar readers

  /**
   * Reads a scalar of one JSON kind; any other value, object or array counts as absent (null), so a
   * server that sends the wrong type is reported as a missing field, never as a crash.
   */
  abstract static class Strict<T> extends JsonDeserializer<T> {
    private final ScalarReader<Boolean> accepts;
    private final ScalarReader<T> read;

    Strict(ScalarReader<Boolean> accepts, ScalarReader<T> read) {
      this.accepts = accepts;
      this.read = read;
    }

    @Override
    public final T deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
      if (accepts.read(p)) {
        return read.read(p);
      }
      p.skipChildren();
      return null;
    }
  }

  /** Reads something of the current token. */
  @FunctionalInterface
  interface ScalarReader<T> {
    T read(JsonParser p) throws IOException;
  }

  /** Reads a JSON string. */
  static final class TextOnly extends Strict<String> {
    TextOnly() {
      super(p -> p.currentToken() == JsonToken.VALUE_STRING, JsonParser::getText);
    }
  }

  /** Reads a JSON integer that fits an int. */
  static final class IntOnly extends Strict<Integer> {
    IntOnly() {
      super(p -> p.currentToken() == JsonToken.VALUE_NUMBER_INT
          && p.getNumberType() == JsonParser.NumberType.INT, JsonParser::getIntValue);
    }
  }

  /** Reads a JSON number. */
  static final class NumberOnly extends Strict<Double> {
    NumberOnly() {
      super(p -> p.currentToken().isNumeric(), JsonParser::getDoubleValue);
    }
  }
}
