package dev.gecko4j.train.onnx;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Pattern matching of {@link OnnxTorchGraph}: the decomposed GELU and LayerNorm subgraphs of a
 * torch.onnx export, found once per graph so that each runs as one fused PyTorch op.
 */
final class GraphFusions {

  private GraphFusions() {}

  /**
   * A subgraph run as one PyTorch op: exact-erf GELU or LayerNorm over the last axis. Nodes
   * {@code [first, last]} are replaced; {@code out} is the last node's output.
   */
  record Fused(boolean gelu, int last, String out, String x, String weight, String bias, float eps) {}

  /**
   * Finds the decomposed GELU ({@code x/√2 -> Erf -> +1 -> ·x -> ·0.5}) and LayerNorm
   * ({@code ReduceMean, Sub, Pow 2, ReduceMean, Add eps, Sqrt, Div, Mul weight, Add bias})
   * subgraphs torch.onnx emits at opset 11, so they run as one fused op each (fewer passes over
   * memory and autograd nodes; same maths). A pattern is fused only when its intermediate values
   * are used by nothing outside it.
   */
  static Map<Integer, Fused> find(OnnxModel model) {
    Map<Integer, Fused> fusions = new HashMap<>();
    List<OnnxNode> nodes = model.nodes();
    Map<String, List<Integer>> consumers = new HashMap<>();
    for (int i = 0; i < nodes.size(); i++) {
      for (String in : nodes.get(i).inputs()) {
        consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(i);
      }
    }
    Set<String> graphOutputs = Set.copyOf(model.outputs());
    for (int i = 0; i < nodes.size(); i++) {
      Fused f = matchGelu(nodes, i);
      if (f == null) {
        f = matchLayerNorm(model, nodes, i);
      }
      if (f != null && selfContained(nodes, i, f.last(), consumers, graphOutputs)) {
        fusions.put(i, f);
        i = f.last();
      }
    }
    return fusions;
  }

  private static boolean selfContained(List<OnnxNode> nodes, int first, int last,
      Map<String, List<Integer>> consumers, Set<String> graphOutputs) {
    for (int i = first; i < last; i++) {
      for (String o : nodes.get(i).outputs()) {
        if (graphOutputs.contains(o)) {
          return false;
        }
        for (int c : consumers.getOrDefault(o, List.of())) {
          if (c < first || c > last) {
            return false;
          }
        }
      }
    }
    return true;
  }

  /** Indices of the next {@code count} non-Constant nodes from {@code i}, or null. */
  private static int[] chain(List<OnnxNode> nodes, int i, int count) {
    int[] out = new int[count];
    int k = 0;
    for (int j = i; j < nodes.size() && k < count; j++) {
      if (!nodes.get(j).opType().equals("Constant")) {
        out[k++] = j;
      }
    }
    return k == count ? out : null;
  }

  private static boolean ops(List<OnnxNode> nodes, int[] idx, String... types) {
    for (int k = 0; k < types.length; k++) {
      if (!nodes.get(idx[k]).opType().equals(types[k])) {
        return false;
      }
    }
    return true;
  }

  /** The value of a scalar float produced by a Constant node in {@code [from, to]}, or NaN. */
  private static float scalarConstant(List<OnnxNode> nodes, int from, int to, String name) {
    for (int j = from; j <= to; j++) {
      OnnxNode n = nodes.get(j);
      if (n.opType().equals("Constant") && n.outputs().get(0).equals(name)) {
        OnnxAttribute v = n.attributes().get("value");
        if (v != null && v.t() != null && v.t().dataType() == TensorData.FLOAT && v.t().size() == 1) {
          return v.t().floats()[0];
        }
      }
    }
    return Float.NaN;
  }

  private static String out(List<OnnxNode> nodes, int i) {
    return nodes.get(i).outputs().get(0);
  }

  private static List<String> in(List<OnnxNode> nodes, int i) {
    return nodes.get(i).inputs();
  }

  private static Fused matchGelu(List<OnnxNode> nodes, int i) {
    if (!nodes.get(i).opType().equals("Div")) {
      return null;
    }
    int[] c = chain(nodes, i, 5);
    if (c == null || !ops(nodes, c, "Div", "Erf", "Add", "Mul", "Mul")) {
      return null;
    }
    String x = in(nodes, c[0]).get(0);
    int last = c[4];
    if (Math.abs(scalarConstant(nodes, i, last, in(nodes, c[0]).get(1)) - (float) Math.sqrt(2)) > 1e-5
        || !in(nodes, c[1]).equals(List.of(out(nodes, c[0])))
        || !in(nodes, c[2]).contains(out(nodes, c[1]))
        || scalarConstant(nodes, i, last, other(in(nodes, c[2]), out(nodes, c[1]))) != 1f
        || !in(nodes, c[3]).contains(out(nodes, c[2])) || !other(in(nodes, c[3]), out(nodes, c[2])).equals(x)
        || !in(nodes, c[4]).contains(out(nodes, c[3]))
        || scalarConstant(nodes, i, last, other(in(nodes, c[4]), out(nodes, c[3]))) != 0.5f) {
      return null;
    }
    return new Fused(true, last, out(nodes, last), x, null, null, 0f);
  }

  private static Fused matchLayerNorm(OnnxModel model, List<OnnxNode> nodes, int i) {
    if (!nodes.get(i).opType().equals("ReduceMean")) {
      return null;
    }
    int[] c = chain(nodes, i, 9);
    if (c == null || !ops(nodes, c, "ReduceMean", "Sub", "Pow", "ReduceMean", "Add", "Sqrt", "Div", "Mul", "Add")) {
      return null;
    }
    int last = c[8];
    String x = in(nodes, c[0]).get(0);
    for (int r : new int[] {c[0], c[3]}) {
      long[] axes = nodes.get(r).intsAttr("axes");
      if (axes == null || axes.length != 1 || axes[0] != -1 || nodes.get(r).intAttr("keepdims", 1) == 0) {
        return null;
      }
    }
    String sub = out(nodes, c[1]);
    if (!in(nodes, c[1]).equals(List.of(x, out(nodes, c[0])))
        || !in(nodes, c[2]).get(0).equals(sub)
        || scalarConstant(nodes, i, last, in(nodes, c[2]).get(1)) != 2f
        || !in(nodes, c[3]).equals(List.of(out(nodes, c[2])))
        || !in(nodes, c[4]).contains(out(nodes, c[3]))
        || !in(nodes, c[5]).equals(List.of(out(nodes, c[4])))
        || !in(nodes, c[6]).equals(List.of(sub, out(nodes, c[5])))
        || !in(nodes, c[7]).contains(out(nodes, c[6]))
        || !in(nodes, c[8]).contains(out(nodes, c[7]))) {
      return null;
    }
    float eps = scalarConstant(nodes, i, last, other(in(nodes, c[4]), out(nodes, c[3])));
    String weight = other(in(nodes, c[7]), out(nodes, c[6]));
    String bias = other(in(nodes, c[8]), out(nodes, c[7]));
    TensorData w = model.initializers().get(weight);
    TensorData b = model.initializers().get(bias);
    if (!(eps >= 0) || w == null || b == null || w.dataType() != TensorData.FLOAT
        || b.dataType() != TensorData.FLOAT || w.dims().length != 1 || b.dims().length != 1) {
      return null;
    }
    return new Fused(false, last, out(nodes, last), x, weight, bias, eps);
  }

  /** The input of a two-input node that is not {@code known} (or "" when both are). */
  private static String other(List<String> inputs, String known) {
    if (inputs.size() != 2) {
      return "";
    }
    return inputs.get(0).equals(known) ? inputs.get(1) : inputs.get(1).equals(known) ? inputs.get(0) : "";
  }
}
