package dev.gecko4j.core.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.gecko4j.core.eval.DatasetLines;
import java.util.function.Supplier;

/**
 * The one JSON configuration of gecko4j: every module reads and writes JSON (JSONL rows, model
 * folders, reports, LLM wire messages) with {@link #mapper()}.
 *
 * <ul>
 *   <li>Reading is strict about syntax: a value followed by anything but whitespace fails ({@code
 *       FAIL_ON_TRAILING_TOKENS}), so a torn or concatenated JSONL line is an error, not half a row.
 *   <li>Reading is lenient about content: unknown properties are ignored, so files written by newer
 *       versions or by other tools (sentence-transformers, OpenAI-compatible servers) still read.
 * </ul>
 *
 * <p>The mapper is thread-safe and must not be reconfigured; use {@link ObjectMapper#reader()} /
 * {@link ObjectMapper#writer()} variants for one-off needs. Not API (see the package
 * documentation).
 */
public final class GeckoJson {

  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .build();

  private GeckoJson() {}

  /** {@return the shared, thread-safe mapper; never reconfigure it} */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /**
   * Returns {@code value} as one line of JSON (the mapper writes no line breaks), as a JSONL row.
   *
   * @param value a value the mapper can serialise (a record of strings, numbers and maps)
   * @param what what it is, for the exception ({@code "FretExample q1/d9"}); asked only on failure
   * @return the JSON text
   * @throws IllegalStateException {@code "cannot serialise <what>"} if it cannot be serialised,
   *     which is a bug rather than bad input
   */
  public static String toJsonLine(Object value, Supplier<String> what) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise " + what.get(), e);
    }
  }

  /**
   * Parses one JSONL row written by {@link #toJsonLine} into {@code type}; unknown fields are
   * ignored.
   *
   * @param json one JSON object; not null
   * @param type the row's type (a record whose constructor validates its fields)
   * @param what what a row is, for the messages ({@code "FretExample JSON row"})
   * @param <T> the row's type
   * @return the row
   * @throws IllegalArgumentException {@code "json must not be null"}, {@code "json must be a <what>,
   *     but is: null"}, or {@code "not a valid <what>: <why>"} where {@code why} is the message of
   *     the constructor's {@link IllegalArgumentException} if it threw one, else the parser's
   */
  public static <T> T fromJsonLine(String json, Class<T> type, String what) {
    if (json == null) {
      throw new IllegalArgumentException("json must not be null");
    }
    try {
      T value = MAPPER.readValue(json, type);
      if (value == null) {
        throw new IllegalArgumentException("json must be a " + what + ", but is: null");
      }
      return value;
    } catch (JsonProcessingException e) {
      Throwable c = e.getCause();
      String why = c instanceof IllegalArgumentException ? c.getMessage() : e.getOriginalMessage();
      throw new IllegalArgumentException("not a valid " + what + ": " + why, e);
    }
  }

  /**
   * Reads the next JSON-lines record: skips blank lines, parses the line with {@code mapper} and
   * requires one JSON object.
   *
   * @param lines the file's lines
   * @param mapper the mapper to parse with
   * @return the object, or {@code null} at the end of the file
   * @throws dev.gecko4j.core.eval.DatasetFormatException naming the line when it is not exactly one
   *     JSON object
   */
  public static JsonNode nextObject(DatasetLines lines, ObjectMapper mapper) {
    for (String line; (line = lines.next()) != null; ) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode n;
      try {
        n = mapper.readTree(line);
      } catch (JsonProcessingException e) {
        throw lines.error("expected exactly one JSON object on the line, but: "
            + e.getOriginalMessage());
      }
      if (n == null || !n.isObject()) {
        throw lines.error("expected a JSON object, but found "
            + (n == null ? "nothing" : n.getNodeType()));
      }
      return n;
    }
    return null;
  }
}
