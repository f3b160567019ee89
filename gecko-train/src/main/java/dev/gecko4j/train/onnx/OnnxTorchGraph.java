package dev.gecko4j.train.onnx;
import dev.gecko4j.train.MatmulPrecision;

import dev.gecko4j.core.internal.Args;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Executes an ONNX graph on DJL's PyTorch engine, node by node, so the graph's float initializers
 * can be trained with autograd. Integer shape arithmetic ({@code Shape}, {@code Gather} on shapes,
 * {@code Unsqueeze}, {@code Concat}, {@code Slice} of constants) runs in Java; every float
 * operation runs as a PyTorch op on {@link NDArray}s, so gradients flow from the graph's output
 * back to the parameters.
 *
 * <p>Supported operators (the op set of BERT-style encoders exported by {@code torch.onnx} at
 * opset 11): Constant, Add, Sub, Mul, Div, Pow, Sqrt, Erf, Gather, Unsqueeze, Shape, MatMul,
 * ReduceMean, Concat, Reshape, Transpose, Softmax, Cast, Slice, and for llama-style decoders
 * ConstantOfShape, Trilu, Split, Tile, Sigmoid and Identity. Any other operator is rejected when
 * the graph is built, naming the operator. MatMul runs at the {@link MatmulPrecision} set by
 * {@link #useMatmulPrecision} (fp32 until set); every other operator runs in float32.
 */
public final class OnnxTorchGraph {
  /** The operators this interpreter executes. */
  public static final Set<String> SUPPORTED_OPS = Set.of("Constant", "Add", "Sub", "Mul", "Div",
      "Pow", "Sqrt", "Erf", "Gather", "Unsqueeze", "Shape", "MatMul", "ReduceMean", "Concat",
      "Reshape", "Transpose", "Softmax", "Cast", "Slice", "ConstantOfShape", "Trilu", "Split",
      "Tile", "Sigmoid", "Identity");

  private final OnnxModel model;
  private final List<String> outputs;
  /** Whether node i is needed for {@link #outputs}. */
  private final boolean[] live;
  private final Map<String, Val> constants = new HashMap<>();
  /** Fused subgraphs by the index of their first node (see {@link GraphFusions}). */
  private final Map<Integer, GraphFusions.Fused> fusions;
  /** The precision of MatMul nodes, resolved (never AUTO). */
  private volatile MatmulPrecision matmulPrecision = MatmulPrecision.FP32;
  /** The low-rank adapters run at their MatMuls, or null for none. */
  private final dev.gecko4j.train.onnx.LoraAdapters lora;

  /**
   * A value flowing through the graph: either a PyTorch array, or a small integer tensor held in
   * Java (shape arithmetic).
   */
  private record Val(NDArray nd, long[] ints, long[] shape) {
    static Val of(NDArray nd) {
      return new Val(nd, null, null);
    }

    static Val ints(long[] values, long[] shape) {
      return new Val(null, values, shape);
    }

    boolean isStatic() {
      return nd == null;
    }

    long[] dims() {
      return nd != null ? nd.getShape().getShape() : shape;
    }
  }

  /**
   * Builds an interpreter over {@code model}. Integer initializers and constants are kept in
   * Java; float initializers are supplied to each {@link #forward} call as parameters.
   *
   * @param model the parsed ONNX model
   * @throws IllegalArgumentException if the graph uses an unsupported operator or domain
   */
  public OnnxTorchGraph(OnnxModel model) {
    this(model, model.outputs());
  }

  /**
   * Builds an interpreter that computes only {@code outputs} of {@code model}: nodes no wanted
   * output depends on (a BERT pooler beside {@code last_hidden_state}, say) are neither checked
   * nor run.
   *
   * @param model the parsed ONNX model
   * @param outputs the graph outputs to compute, a non-empty subset of the model's
   * @throws IllegalArgumentException if an output is not the model's, or a needed node uses an
   *     unsupported operator or domain
   */
  public OnnxTorchGraph(OnnxModel model, List<String> outputs) {
    this(model, outputs, null);
  }

  /**
   * Builds an interpreter that computes only {@code outputs} of {@code model}, running the MatMuls
   * that {@code lora} targets with their low-rank adapters (whose arrays each {@link #forward}
   * call takes among its parameters).
   *
   * @param model the parsed ONNX model
   * @param outputs the graph outputs to compute, a non-empty subset of the model's
   * @param lora the adapters (found in this model), or null for none
   * @throws IllegalArgumentException if an output is not the model's, or a needed node uses an
   *     unsupported operator or domain
   */
  public OnnxTorchGraph(OnnxModel model, List<String> outputs,
      dev.gecko4j.train.onnx.LoraAdapters lora) {
    this.lora = lora;
    this.model = dev.gecko4j.core.internal.Args.notNull(model, "model");
    dev.gecko4j.core.internal.Args.notNull(outputs, "outputs");
    if (outputs.isEmpty() || !model.outputs().containsAll(outputs)) {
      throw new IllegalArgumentException("outputs must be a non-empty subset of the model's "
          + model.outputs() + ", but are: " + outputs);
    }
    this.outputs = List.copyOf(outputs);
    List<OnnxNode> all = model.nodes();
    this.live = new boolean[all.size()];
    Set<String> needed = new java.util.HashSet<>(outputs);
    for (int i = all.size() - 1; i >= 0; i--) {
      OnnxNode n = all.get(i);
      if (n.outputs().stream().anyMatch(needed::contains)) {
        live[i] = true;
        needed.addAll(n.inputs());
      }
    }
    for (int i = 0; i < all.size(); i++) {
      OnnxNode n = all.get(i);
      if (!live[i]) {
        continue;
      }
      if (!n.domain().isEmpty() && !n.domain().equals("ai.onnx")) {
        throw new IllegalArgumentException("node " + n.name() + " uses domain '" + n.domain()
            + "', but only the default ONNX domain is supported");
      }
      if (!SUPPORTED_OPS.contains(n.opType())) {
        throw new IllegalArgumentException("operator " + n.opType() + " (node " + n.name()
            + ") is not supported; supported: " + SUPPORTED_OPS);
      }
    }
    for (TensorData t : model.initializers().values()) {
      if (t.dataType() != TensorData.FLOAT) {
        constants.put(t.name(), Val.ints(t.longs(), t.dims()));
      }
    }
    fusions = GraphFusions.find(model);
  }

  /** @return how many GELU and LayerNorm subgraphs run fused (for tests and diagnostics) */
  public int fusedSubgraphs() {
    return fusions.size();
  }

  /**
   * Sets the precision of the graph's MatMul nodes for later {@link #forward} calls ({@link
   * MatmulPrecision#FP32} until set); everything else stays float32.
   *
   * @param precision the precision; {@link MatmulPrecision#AUTO} is resolved for this machine
   * @return the precision now in use, {@code FP32} or {@code BF16}
   * @throws IllegalArgumentException if precision is null
   * @throws IllegalStateException if {@code BF16} is asked for and the engine cannot run it
   */
  public MatmulPrecision useMatmulPrecision(MatmulPrecision precision) {
    matmulPrecision = Args.notNull(precision, "precision").resolve();
    return matmulPrecision;
  }

  /** @return the precision of the graph's MatMul nodes, {@code FP32} or {@code BF16} */
  public MatmulPrecision matmulPrecision() {
    return matmulPrecision;
  }

  /** @return the model this interpreter executes */
  public OnnxModel model() {
    return model;
  }

  /**
   * Runs the graph.
   *
   * @param scope the manager that owns every intermediate and output array
   * @param parameters the float initializers by name (trainable or not)
   * @param inputs the graph inputs by name
   * @return the wanted graph outputs by name, in the order given at construction
   * @throws IllegalArgumentException if an input or parameter is missing
   */
  public Map<String, NDArray> forward(NDManager scope, Map<String, NDArray> parameters,
      Map<String, NDArray> inputs) {
    Args.notNull(scope, "scope");
    Map<String, Val> env = new HashMap<>(constants);
    for (String in : model.inputs()) {
      NDArray a = inputs.get(in);
      if (a == null) {
        throw new IllegalArgumentException("input '" + in + "' is missing; the graph needs " + model.inputs());
      }
      env.put(in, Val.of(a));
    }
    for (TensorData t : model.initializers().values()) {
      if (t.dataType() == TensorData.FLOAT) {
        NDArray p = parameters.get(t.name());
        if (p == null) {
          throw new IllegalArgumentException("parameter '" + t.name() + "' is missing");
        }
        env.put(t.name(), Val.of(p));
      }
    }
    List<OnnxNode> nodes = model.nodes();
    for (int ni = 0; ni < nodes.size(); ni++) {
      if (!live[ni]) {
        continue;
      }
      GraphFusions.Fused f = fusions.get(ni);
      if (f != null) {
        NDArray x = nd(scope, env.get(f.x()));
        NDArray y;
        if (f.gelu()) {
          y = x.getNDArrayInternal().gelu();
        } else {
          NDArray w = env.get(f.weight()).nd();
          NDArray b = env.get(f.bias()).nd();
          long hidden = x.getShape().get(x.getShape().dimension() - 1);
          y = x.getNDArrayInternal().layerNorm(x, new Shape(hidden), w, b, f.eps()).singletonOrThrow();
        }
        if (y.getManager() != scope) {
          y.attach(scope);
        }
        env.put(f.out(), Val.of(y));
        ni = f.last();
        continue;
      }
      OnnxNode n = nodes.get(ni);
      List<Val> args = new ArrayList<>(n.inputs().size());
      for (String in : n.inputs()) {
        if (in.isEmpty()) {
          args.add(null);
          continue;
        }
        Val v = env.get(in);
        if (v == null) {
          throw new IllegalStateException("value '" + in + "' used by node " + n.name() + " is undefined");
        }
        args.add(v);
      }
      if (n.opType().equals("Split")) {
        NDList parts = split(scope, n, args);
        for (int k = 0; k < n.outputs().size(); k++) {
          NDArray part = parts.get(k);
          if (part.getManager() != scope) {
            part.attach(scope);
          }
          env.put(n.outputs().get(k), Val.of(part));
        }
        continue;
      }
      Val out = execute(scope, n, args, parameters);
      if (out.nd != null && out.nd.getManager() != scope) {
        out.nd.attach(scope);
      }
      env.put(n.outputs().get(0), out);
    }
    Map<String, NDArray> result = new LinkedHashMap<>();
    for (String o : outputs) {
      result.put(o, nd(scope, env.get(o)));
    }
    return result;
  }

  private Val execute(NDManager m, OnnxNode n, List<Val> a, Map<String, NDArray> parameters) {
    return switch (n.opType()) {
      case "Constant" -> constant(m, n);
      case "Add" -> Val.of(nd(m, a.get(0)).add(nd(m, a.get(1))));
      case "Sub" -> Val.of(nd(m, a.get(0)).sub(nd(m, a.get(1))));
      case "Mul" -> Val.of(nd(m, a.get(0)).mul(nd(m, a.get(1))));
      case "Div" -> Val.of(nd(m, a.get(0)).div(nd(m, a.get(1))));
      case "Pow" -> Val.of(nd(m, a.get(0)).pow(nd(m, a.get(1))));
      case "Sqrt" -> Val.of(nd(m, a.get(0)).sqrt());
      case "Erf" -> Val.of(nd(m, a.get(0)).erf());
      case "MatMul" -> {
        NDArray x = nd(m, a.get(0));
        yield Val.of(dev.gecko4j.train.onnx.LoraAdapters.addDelta(lora, n, x,
            MatmulKernels.multiply(matmulPrecision, x, nd(m, a.get(1))), parameters));
      }
      case "Shape" -> {
        long[] d = a.get(0).dims();
        yield Val.ints(d.clone(), new long[] {d.length});
      }
      case "Gather" -> gather(m, n, a.get(0), a.get(1));
      case "Unsqueeze" -> unsqueeze(m, n, a);
      case "Concat" -> concat(m, n, a);
      case "Reshape" -> reshape(m, a.get(0), a.get(1));
      case "Transpose" -> {
        NDArray x = nd(m, a.get(0));
        long[] perm = n.intsAttr("perm");
        if (perm == null || perm.length == 0) {
          yield Val.of(x.transpose());
        }
        yield Val.of(x.transpose(Arrays.stream(perm).mapToInt(v -> (int) v).toArray()));
      }
      case "Softmax" -> softmax(m, n, a.get(0));
      case "ReduceMean" -> {
        NDArray x = nd(m, a.get(0));
        long[] axes = n.intsAttr("axes");
        if (axes == null && a.size() > 1 && a.get(1) != null && a.get(1).isStatic()) {
          axes = a.get(1).ints(); // opset 18: axes as an input
        }
        boolean keep = n.intAttr("keepdims", 1) != 0;
        int rank = x.getShape().dimension();
        int[] ax = axes == null || axes.length == 0
            ? java.util.stream.IntStream.range(0, rank).toArray()
            : Arrays.stream(axes).mapToInt(v -> (int) (v < 0 ? v + rank : v)).toArray();
        yield Val.of(x.mean(ax, keep));
      }
      case "Cast" -> cast(m, n, a.get(0));
      case "Slice" -> slice(m, a);
      case "Identity" -> a.get(0);
      case "Sigmoid" -> Val.of(ai.djl.nn.Activation.sigmoid(nd(m, a.get(0))));
      case "Tile" -> {
        if (!a.get(1).isStatic()) {
          throw new IllegalArgumentException("Tile (node " + n.name() + ") needs constant repeats");
        }
        yield Val.of(nd(m, a.get(0)).tile(a.get(1).ints()));
      }
      case "ConstantOfShape" -> constantOfShape(m, n, a.get(0));
      case "Trilu" -> trilu(m, n, a);
      default -> throw new IllegalArgumentException("operator " + n.opType() + " is not supported");
    };
  }

  /** ConstantOfShape: a float tensor of the (static) shape filled with the value attribute. */
  private Val constantOfShape(NDManager m, OnnxNode n, Val shape) {
    if (!shape.isStatic()) {
      throw new IllegalArgumentException("ConstantOfShape (node " + n.name()
          + ") needs a shape computable from static shapes");
    }
    OnnxAttribute v = n.attributes().get("value");
    if (v != null && v.t() != null && v.t().dataType() != TensorData.FLOAT) {
      throw new IllegalArgumentException("ConstantOfShape (node " + n.name()
          + ") is supported with a float value only");
    }
    float value = v == null || v.t() == null ? 0f : v.t().floats()[0];
    return Val.of(m.full(new Shape(shape.ints()), value));
  }

  /**
   * Trilu: keeps the lower ({@code upper = 0}) or upper triangle of the last two dimensions,
   * from diagonal {@code k} (an optional constant input), zeroing the rest.
   */
  private Val trilu(NDManager m, OnnxNode n, List<Val> a) {
    NDArray x = nd(m, a.get(0));
    long k = a.size() > 1 && a.get(1) != null ? a.get(1).ints()[0] : 0;
    boolean upper = n.intAttr("upper", 1) != 0;
    long[] dims = x.getShape().getShape();
    if (dims.length < 2) {
      throw new IllegalArgumentException("Trilu (node " + n.name() + ") needs rank >= 2");
    }
    int rows = (int) dims[dims.length - 2];
    int cols = (int) dims[dims.length - 1];
    float[] keep = new float[rows * cols];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        keep[i * cols + j] = (upper ? j - i >= k : j - i <= k) ? 1f : 0f;
      }
    }
    NDArray mask = m.create(keep, new Shape(rows, cols)).toType(x.getDataType(), false);
    return Val.of(x.mul(mask));
  }

  /** Split along an axis into the sizes of the (constant) split input, or equal parts. */
  private NDList split(NDManager m, OnnxNode n, List<Val> a) {
    NDArray x = nd(m, a.get(0));
    int rank = x.getShape().dimension();
    int ax = axis(n.intAttr("axis", 0), rank);
    long[] sizes = a.size() > 1 && a.get(1) != null ? a.get(1).ints() : n.intsAttr("split");
    if (sizes == null || sizes.length == 0) {
      return x.split(n.outputs().size(), ax);
    }
    long[] cuts = new long[sizes.length - 1];
    long at = 0;
    for (int i = 0; i < cuts.length; i++) {
      at += sizes[i];
      cuts[i] = at;
    }
    return x.split(cuts, ax);
  }

  private Val constant(NDManager m, OnnxNode n) {
    OnnxAttribute v = n.attributes().get("value");
    if (v == null || v.t() == null) {
      throw new IllegalArgumentException("Constant node " + n.name() + " has no tensor 'value' attribute");
    }
    TensorData t = v.t();
    if (t.dataType() == TensorData.FLOAT) {
      float[] f = t.floats();
      NDArray arr = t.dims().length == 0 ? m.create(f[0]) : m.create(f, new Shape(t.dims()));
      return Val.of(arr);
    }
    return Val.ints(t.longs(), t.dims());
  }

  /** Converts a value to an NDArray owned by {@code m} (a static value becomes int64). */
  private static NDArray nd(NDManager m, Val v) {
    if (v.nd != null) {
      return v.nd;
    }
    if (v.shape.length == 0) {
      return m.create(v.ints[0]);
    }
    return m.create(v.ints, new Shape(v.shape));
  }

  private static int axis(long axis, int rank) {
    int ax = (int) (axis < 0 ? axis + rank : axis);
    if (ax < 0 || ax >= rank) {
      throw new IllegalArgumentException("axis " + axis + " is out of range for rank " + rank);
    }
    return ax;
  }

  private Val gather(NDManager m, OnnxNode n, Val data, Val indices) {
    long axisAttr = n.intAttr("axis", 0);
    if (data.isStatic() && indices.isStatic()) {
      if (data.shape.length != 1) {
        throw new IllegalArgumentException("Gather on a static tensor of rank " + data.shape.length
            + " is not supported (node " + n.name() + ")");
      }
      long[] out = new long[indices.ints.length];
      for (int i = 0; i < out.length; i++) {
        long idx = indices.ints[i];
        out[i] = data.ints[(int) (idx < 0 ? idx + data.ints.length : idx)];
      }
      return Val.ints(out, indices.shape.clone());
    }
    NDArray d = nd(m, data);
    if (axis(axisAttr, d.getShape().dimension()) != 0 || d.getShape().dimension() != 2) {
      throw new IllegalArgumentException("Gather is supported on static shapes or as an embedding "
          + "lookup (rank-2 data, axis 0); node " + n.name() + " has data " + d.getShape());
    }
    NDArray idx = nd(m, indices);
    if (idx.getDataType() != DataType.INT64) {
      idx = idx.toType(DataType.INT64, false);
    }
    NDList out = idx.getNDArrayInternal().embedding(idx, d, SparseFormat.DENSE);
    return Val.of(out.singletonOrThrow());
  }

  private Val unsqueeze(NDManager m, OnnxNode n, List<Val> a) {
    Val x = a.get(0);
    // opset < 13: an attribute; from opset 13 on: a second (constant) input
    long[] axes = n.intsAttr("axes");
    if (axes == null && a.size() > 1 && a.get(1) != null && a.get(1).isStatic()) {
      axes = a.get(1).ints();
    }
    if (axes == null) {
      throw new IllegalArgumentException("Unsqueeze (node " + n.name() + ") needs constant axes");
    }
    long[] dims = x.dims();
    int outRank = dims.length + axes.length;
    boolean[] inserted = new boolean[outRank];
    for (long ax : axes) {
      inserted[axis(ax, outRank)] = true;
    }
    long[] out = new long[outRank];
    for (int i = 0, j = 0; i < outRank; i++) {
      out[i] = inserted[i] ? 1 : dims[j++];
    }
    if (x.isStatic()) {
      return Val.ints(x.ints, out);
    }
    return Val.of(x.nd.reshape(new Shape(out)));
  }

  private Val concat(NDManager m, OnnxNode n, List<Val> args) {
    boolean allStatic = args.stream().allMatch(Val::isStatic);
    long axis = n.intAttr("axis", 0);
    if (allStatic && args.stream().allMatch(v -> v.shape.length == 1)) {
      long[] out = args.stream().flatMapToLong(v -> Arrays.stream(v.ints)).toArray();
      return Val.ints(out, new long[] {out.length});
    }
    NDList list = new NDList();
    for (Val v : args) {
      list.add(nd(m, v));
    }
    int rank = list.get(0).getShape().dimension();
    return Val.of(NDArrays.concat(list, axis(axis, rank)));
  }

  private Val reshape(NDManager m, Val x, Val shapeVal) {
    if (!shapeVal.isStatic()) {
      throw new IllegalArgumentException("Reshape needs a shape computable from static shapes");
    }
    long[] target = shapeVal.ints.clone();
    long[] dims = x.dims();
    for (int i = 0; i < target.length; i++) {
      if (target[i] == 0) {
        target[i] = dims[i];
      }
    }
    if (x.isStatic()) {
      long known = 1;
      int unknown = -1;
      for (int i = 0; i < target.length; i++) {
        if (target[i] == -1) {
          unknown = i;
        } else {
          known *= target[i];
        }
      }
      if (unknown >= 0) {
        target[unknown] = x.ints.length / known;
      }
      return Val.ints(x.ints, target);
    }
    return Val.of(x.nd.reshape(new Shape(target)));
  }

  private Val softmax(NDManager m, OnnxNode n, Val v) {
    NDArray x = nd(m, v);
    int rank = x.getShape().dimension();
    int ax = axis(n.intAttr("axis", model.opsetVersion() >= 13 ? -1 : 1), rank);
    if (ax == rank - 1 || model.opsetVersion() >= 13) {
      return Val.of(x.softmax(ax));
    }
    // opset < 13: softmax over the flattened trailing dimensions [axis, rank)
    long[] dims = x.getShape().getShape();
    long outer = 1;
    for (int i = 0; i < ax; i++) {
      outer *= dims[i];
    }
    return Val.of(x.reshape(outer, -1).softmax(1).reshape(new Shape(dims)));
  }

  private Val cast(NDManager m, OnnxNode n, Val v) {
    int to = (int) n.intAttr("to", TensorData.FLOAT);
    DataType type = switch (to) {
      case TensorData.FLOAT -> DataType.FLOAT32;
      case TensorData.INT64 -> DataType.INT64;
      case TensorData.INT32 -> DataType.INT32;
      case TensorData.BOOL -> DataType.BOOLEAN;
      case TensorData.DOUBLE -> DataType.FLOAT64;
      default -> throw new IllegalArgumentException("Cast to ONNX type " + to + " is not supported");
    };
    if (v.isStatic() && (type == DataType.INT64 || type == DataType.INT32)) {
      return v;
    }
    return Val.of(nd(m, v).toType(type, false));
  }

  private Val slice(NDManager m, List<Val> a) {
    Val data = a.get(0);
    long[] starts = a.get(1).ints;
    long[] ends = a.get(2).ints;
    long[] dims = data.dims();
    long[] axes = a.size() > 3 && a.get(3) != null ? a.get(3).ints : null;
    long[] steps = a.size() > 4 && a.get(4) != null ? a.get(4).ints : null;
    if (starts == null || ends == null) {
      throw new IllegalArgumentException("Slice needs static starts and ends");
    }
    long[] lo = new long[dims.length];
    long[] hi = dims.clone();
    for (int i = 0; i < starts.length; i++) {
      int ax = axes == null ? i : axis(axes[i], dims.length);
      if (steps != null && steps[i] != 1) {
        throw new IllegalArgumentException("Slice with step " + steps[i] + " is not supported");
      }
      lo[ax] = clamp(starts[i], dims[ax]);
      hi[ax] = clamp(ends[i], dims[ax]);
    }
    NDIndex index = new NDIndex();
    for (int i = 0; i < dims.length; i++) {
      index.addSliceDim(lo[i], Math.max(lo[i], hi[i]));
    }
    NDArray out = nd(m, data).get(index);
    if (data.isStatic()) {
      long[] vals = out.toLongArray();
      long[] shape = out.getShape().getShape();
      out.close();
      return Val.ints(vals, shape);
    }
    return Val.of(out);
  }

  private static long clamp(long v, long dim) {
    if (v < 0) {
      v += dim;
    }
    return Math.max(0, Math.min(v, dim));
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "OnnxTorchGraph[%s]", model);
  }
}
