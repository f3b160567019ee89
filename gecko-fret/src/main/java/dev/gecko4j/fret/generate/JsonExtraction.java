package dev.gecko4j.fret.generate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gecko4j.core.internal.GeckoJson;
import java.util.Optional;

/**
 * Finds the JSON object in an LLM's output: the first balanced {@code {...}} that parses as a JSON
 * object. Text before and after it (prose, code fences such as {@code ```json}, trailing
 * explanations) is ignored; braces inside JSON strings are respected.
 */
final class JsonExtraction {

  private static final ObjectMapper MAPPER = GeckoJson.mapper();

  private JsonExtraction() {}

  /**
   * Returns the first balanced JSON object in {@code text} that parses.
   *
   * @param text the LLM output; not null
   * @return the object, or empty when there is none
   * @throws IllegalArgumentException if {@code text} is null
   */
  public static Optional<ObjectNode> firstObject(String text) {
    if (text == null) {
      throw new IllegalArgumentException("text must not be null");
    }
    int from = text.indexOf('{');
    while (from >= 0) {
      int end = balancedEnd(text, from);
      if (end > 0) {
        try {
          JsonNode node = MAPPER.readTree(text.substring(from, end + 1));
          if (node instanceof ObjectNode o) {
            return Optional.of(o);
          }
        } catch (JsonProcessingException e) {
          // not JSON after all: try the next opening brace
        }
      }
      from = text.indexOf('{', from + 1);
    }
    return Optional.empty();
  }

  /**
   * Returns the first balanced JSON array in {@code text} that parses.
   *
   * @param text the LLM output; not null
   * @return the array, or empty when there is none
   * @throws IllegalArgumentException if {@code text} is null
   */
  public static Optional<com.fasterxml.jackson.databind.node.ArrayNode> firstArray(String text) {
    if (text == null) {
      throw new IllegalArgumentException("text must not be null");
    }
    int from = text.indexOf('[');
    while (from >= 0) {
      int end = balancedEnd(text, from, '[', ']');
      if (end > 0) {
        try {
          JsonNode node = MAPPER.readTree(text.substring(from, end + 1));
          if (node instanceof com.fasterxml.jackson.databind.node.ArrayNode a) {
            return Optional.of(a);
          }
        } catch (JsonProcessingException e) {
          // not JSON: try the next bracket
        }
      }
      from = text.indexOf('[', from + 1);
    }
    return Optional.empty();
  }

  private static int balancedEnd(String s, int start) {
    return balancedEnd(s, start, '{', '}');
  }

  /** Returns the index of the bracket closing the one at {@code start}, or -1 if unbalanced. */
  private static int balancedEnd(String s, int start, char open, char close) {
    int depth = 0;
    boolean inString = false;
    boolean escaped = false;
    for (int i = start; i < s.length(); i++) {
      char c = s.charAt(i);
      if (inString) {
        if (escaped) {
          escaped = false;
        } else if (c == '\\') {
          escaped = true;
        } else if (c == '"') {
          inString = false;
        }
      } else if (c == '"') {
        inString = true;
      } else if (c == open) {
        depth++;
      } else if (c == close) {
        depth--;
        if (depth == 0) {
          return i;
        }
      }
    }
    return -1;
  }
}
