package dev.gecko4j.core.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;

/** Shared Jackson mapper for result JSON. */
final class Json {

  private static final ObjectMapper MAPPER = dev.gecko4j.core.internal.GeckoJson.mapper();

  private Json() {}

  static String write(Map<String, Object> fields) {
    try {
      return MAPPER.writeValueAsString(fields);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write result as JSON: " + e.getMessage(), e);
    }
  }
}
