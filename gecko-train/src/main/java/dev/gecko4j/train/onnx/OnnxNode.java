package dev.gecko4j.train.onnx;

import java.util.List;
import java.util.Map;

/**
 * One node of an ONNX graph.
 *
 * @param name the node's name (may be empty)
 * @param opType the operator, e.g. {@code MatMul}
 * @param domain the operator set domain ({@code ""} for the default ONNX domain)
 * @param inputs the input value names ({@code ""} for an omitted optional input)
 * @param outputs the output value names
 * @param attributes the attributes by name
 */
public record OnnxNode(String name, String opType, String domain, List<String> inputs,
    List<String> outputs, Map<String, OnnxAttribute> attributes) {

  /**
   * Returns an integer attribute.
   *
   * @param key the attribute name
   * @param fallback the value when the attribute is absent
   * @return the value
   */
  public long intAttr(String key, long fallback) {
    OnnxAttribute a = attributes.get(key);
    return a == null ? fallback : a.i();
  }

  /**
   * Returns an integer list attribute.
   *
   * @param key the attribute name
   * @return the values, or null when absent
   */
  public long[] intsAttr(String key) {
    OnnxAttribute a = attributes.get(key);
    return a == null ? null : a.ints();
  }
}
