package dev.gecko4j.core.lm;

import java.io.Serializable;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Names a {@link LanguageModel} to open, in the form {@code kind:target[?name=value&...]}: the
 * {@code kind} picks the {@link LanguageModelProvider} (found by {@link LanguageModels}), the
 * {@code target} is what that provider opens (a folder, a base URL, ...) and the parameters tune it.
 * The command line's {@code --llm} and gecko-spark's {@code LanguageModelSource} both read this form
 * through {@link #parse(String)}, the one parser of it.
 *
 * <ul>
 *   <li>{@code onnx:../shared/data/models/stories260K} (gecko-onnx: an in-process ONNX causal LM);
 *   <li>{@code openai:http://localhost:8000/v1?model=Qwen%2FQwen2.5-7B&endpoint=completions}
 *       (gecko-fret: an OpenAI-compatible server); {@code openai:} alone reads the URL from the
 *       environment.
 * </ul>
 *
 * <p>The kind is a letter followed by letters, digits, {@code + . _ -}; it ends at the first
 * {@code :}. The target is everything up to the first {@code ?}, kept verbatim (not decoded). The
 * parameters follow the {@code ?}: {@code &}-separated {@code name=value} pairs whose values are
 * URL-decoded ({@code %2F} is {@code /}, {@code +} a space); a name without {@code =} has the empty
 * value; a name may appear once. A target that itself contains {@code ?} cannot be written.
 * Which parameters a kind accepts is its provider's business ({@link
 * LanguageModels#parse(String)} checks them); this record checks the syntax only.
 *
 * <p>Immutable and {@link Serializable} (Spark ships it to executors); {@link #toString()} writes the
 * form back so that {@code parse(s.toString()).equals(s)}.
 *
 * @param kind the provider's kind, e.g. {@code onnx} or {@code openai}
 * @param target what the provider opens; may be empty
 * @param parameters the parameters in the order given; unmodifiable
 */
public record LanguageModelSpec(String kind, String target, Map<String, String> parameters)
    implements Serializable {

  private static final long serialVersionUID = 1L;
  private static final Pattern KIND = Pattern.compile("[A-Za-z][A-Za-z0-9+._-]*");

  /**
   * Validates the parts and copies the parameters.
   *
   * @throws IllegalArgumentException if the kind is not a valid kind, the target is null, or a
   *     parameter name is empty or a name or value is null
   */
  public LanguageModelSpec {
    if (kind == null || !KIND.matcher(kind).matches()) {
      throw new IllegalArgumentException("kind must be a letter followed by letters, digits or"
          + " + . _ - (e.g. onnx, openai), but is: " + (kind == null ? "null" : "'" + kind + "'"));
    }
    if (target == null) {
      throw new IllegalArgumentException("target must not be null (use \"\" for none)");
    }
    Map<String, String> copy = new LinkedHashMap<>();
    if (parameters != null) {
      for (Map.Entry<String, String> e : parameters.entrySet()) {
        if (e.getKey() == null || e.getKey().isEmpty() || e.getValue() == null) {
          throw new IllegalArgumentException("parameters must have non-empty names and non-null"
              + " values, but contain: " + e.getKey() + "=" + e.getValue());
        }
        copy.put(e.getKey(), e.getValue());
      }
    }
    parameters = Collections.unmodifiableMap(copy);
  }

  /**
   * Creates a spec without parameters.
   *
   * @param kind the provider's kind
   * @param target what the provider opens; may be empty
   * @return the spec
   * @throws IllegalArgumentException if the kind is invalid or the target null
   */
  public static LanguageModelSpec of(String kind, String target) {
    return new LanguageModelSpec(kind, target, Map.of());
  }

  /**
   * Parses {@code kind:target[?name=value&...]}. Only the syntax is checked here; {@link
   * LanguageModels#parse(String)} also checks that a provider of the kind is on the class path and
   * that it accepts the parameters.
   *
   * @param spec the text, e.g. {@code onnx:/models/stories260K}
   * @return the parsed spec
   * @throws IllegalArgumentException naming the text and the expected form if it has no {@code
   *     kind:}, the kind is invalid, a parameter has no name or a name repeats
   */
  public static LanguageModelSpec parse(String spec) {
    int colon = spec == null ? -1 : spec.indexOf(':');
    if (colon < 1) {
      throw new IllegalArgumentException("a language model spec must be kind:target[?name=value&...]"
          + " (e.g. onnx:<dir> or openai:<base-url>), but is: " + (spec == null ? "null" : "'" + spec + "'"));
    }
    String kind = spec.substring(0, colon);
    if (!KIND.matcher(kind).matches()) {
      throw new IllegalArgumentException("the kind of a language model spec must be a letter followed"
          + " by letters, digits or + . _ -, but is '" + kind + "' in: '" + spec + "'");
    }
    String rest = spec.substring(colon + 1);
    int q = rest.indexOf('?');
    Map<String, String> params = new LinkedHashMap<>();
    if (q >= 0) {
      for (String kv : rest.substring(q + 1).split("&", -1)) {
        int eq = kv.indexOf('=');
        String name = eq < 0 ? kv : kv.substring(0, eq);
        if (name.isEmpty()) {
          throw new IllegalArgumentException("a parameter of a language model spec needs a name"
              + " (name=value, separated by &), but got '" + kv + "' in: '" + spec + "'");
        }
        String value;
        try {
          value = eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("the value of parameter '" + name + "' is not valid"
              + " URL encoding (" + e.getMessage() + ") in: '" + spec + "'", e);
        }
        if (params.putIfAbsent(name, value) != null) {
          throw new IllegalArgumentException("parameter '" + name + "' is given twice in: '" + spec + "'");
        }
      }
      rest = rest.substring(0, q);
    }
    return new LanguageModelSpec(kind, rest, params);
  }

  /**
   * Returns a parameter's value.
   *
   * @param name the parameter's name
   * @return the value, or empty when the spec does not set it
   */
  public Optional<String> parameter(String name) {
    return Optional.ofNullable(parameters.get(name));
  }

  /**
   * Returns this spec with a parameter set (replacing a value it had). This spec is not changed.
   *
   * @param name the name; non-empty
   * @param value the value; not null
   * @return the new spec
   * @throws IllegalArgumentException if the name is empty or null, or the value null
   */
  public LanguageModelSpec withParameter(String name, String value) {
    if (name == null || name.isEmpty() || value == null) {
      throw new IllegalArgumentException("name must be non-empty and value non-null, but are: "
          + name + ", " + value);
    }
    Map<String, String> p = new LinkedHashMap<>(parameters);
    p.put(name, value);
    return new LanguageModelSpec(kind, target, p);
  }

  /**
   * Writes the spec in the form {@link #parse(String)} reads (values URL-encoded).
   *
   * @return {@code kind:target[?name=value&...]}
   */
  @Override
  public String toString() {
    StringBuilder s = new StringBuilder(kind).append(':').append(target);
    char sep = '?';
    for (Map.Entry<String, String> e : parameters.entrySet()) {
      s.append(sep).append(e.getKey()).append('=')
          .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
      sep = '&';
    }
    return s.toString();
  }
}
