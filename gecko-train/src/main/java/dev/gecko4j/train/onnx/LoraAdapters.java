package dev.gecko4j.train.onnx;

import dev.gecko4j.train.lora.LoraConfig;
import dev.gecko4j.train.internal.Scalars;

import ai.djl.ndarray.NDArray;
import dev.gecko4j.core.internal.Args;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The low-rank adapters of one ONNX graph: the MatMul nodes a {@link LoraConfig} targets, found by
 * the PEFT-style module name of each node, and the names and shapes of their {@code A} and {@code
 * B} matrices. {@link dev.gecko4j.train.onnx.OnnxTorchGraph} calls {@link #matMul} for every
 * MatMul; a targeted one computes {@code x W + (alpha / r) dropout(x) A^T B^T}.
 *
 * <p>Module names: ONNX exports often name MatMul weights anonymously ({@code onnx::MatMul_123}),
 * so the name comes from the node's path when it has one ({@code
 * /encoder/layer.0/attention/self/query/MatMul} is {@code encoder.layer.0.attention.self.query}),
 * else from the weight's name, with GGUF llama names mapped onto HuggingFace's ({@code
 * blk.0.attn_q} is {@code model.layers.0.self_attn.q_proj}). Only MatMuls whose second input is a
 * float {@code [in, out]} initializer are candidates. Parameter names are PEFT's: {@code
 * base_model.model.<module>.lora_A.weight} {@code [r, in]} and {@code ...lora_B.weight} {@code
 * [out, r]}.
 *
 * <p>Immutable; the adapter values live with the caller (the trainer's parameter map).
 */
public final class LoraAdapters {
  /** The prefix PEFT gives adapter weights in {@code adapter_model.safetensors}. */
  public static final String PEFT_PREFIX = "base_model.model.";

  /**
   * One adapted projection.
   *
   * @param module the PEFT-style module name
   * @param weight the name of the base weight initializer {@code [in, out]}
   * @param in the input width
   * @param out the output width
   */
  public record Target(String module, String weight, int in, int out) {
    /** @return the name of {@code A} {@code [r, in]} */
    public String loraA() {
      return PEFT_PREFIX + module + ".lora_A.weight";
    }

    /** @return the name of {@code B} {@code [out, r]} */
    public String loraB() {
      return PEFT_PREFIX + module + ".lora_B.weight";
    }
  }

  private final LoraConfig config;
  private final Map<String, Target> byWeight;
  private final List<Target> targets;
  private final float scaling;

  private LoraAdapters(LoraConfig config, List<Target> targets) {
    this.config = config;
    this.targets = List.copyOf(targets);
    Map<String, Target> m = new LinkedHashMap<>();
    for (Target t : targets) {
      m.put(t.weight(), t);
    }
    this.byWeight = Collections.unmodifiableMap(m);
    this.scaling = (float) config.scaling();
  }

  /**
   * Finds the projections of {@code model} that {@code config} targets.
   *
   * @param model the graph; not null
   * @param config the adapters' configuration; not null
   * @return the adapters
   * @throws IllegalArgumentException if no MatMul of the graph is targeted (the message lists the
   *     module names there are)
   */
  public static LoraAdapters find(OnnxModel model, LoraConfig config) {
    Args.notNull(model, "model");
    Args.notNull(config, "config");
    List<Target> found = new ArrayList<>();
    TreeSet<String> candidates = new TreeSet<>();
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (OnnxNode n : model.nodes()) {
      if (!n.opType().equals("MatMul") || n.inputs().size() != 2) {
        continue;
      }
      TensorData w = model.initializers().get(n.inputs().get(1));
      if (w == null || w.dataType() != TensorData.FLOAT || w.dims().length != 2) {
        continue;
      }
      String module = moduleName(n, w.name());
      candidates.add(module);
      if (config.targets(module) && seen.add(w.name())) {
        found.add(new Target(module, w.name(), (int) w.dims()[0], (int) w.dims()[1]));
      }
    }
    if (found.isEmpty()) {
      throw new IllegalArgumentException("no projection of the graph matches the LoRA targets "
          + config.targets() + "; its MatMul modules are " + abbreviate(candidates));
    }
    return new LoraAdapters(config, found);
  }

  private static String abbreviate(TreeSet<String> names) {
    List<String> l = new ArrayList<>(names);
    return l.size() <= 24 ? l.toString() : l.subList(0, 24) + " and " + (l.size() - 24) + " more";
  }

  private static final Pattern GGUF = Pattern.compile("blk\\.(\\d+)\\.(attn_q|attn_k|attn_v|attn_output|ffn_gate|ffn_up|ffn_down)");

  /**
   * The PEFT-style module name of a MatMul: from the node's path, else its weight's name.
   *
   * @param node the MatMul node
   * @param weight the name of its weight initializer
   * @return the module name
   */
  public static String moduleName(OnnxNode node, String weight) {
    String name = node.name();
    if (name != null && name.startsWith("/") && name.lastIndexOf('/') > 0) {
      return name.substring(1, name.lastIndexOf('/')).replace('/', '.');
    }
    String w = weight;
    for (String suffix : List.of(".weight", ".T")) {
      if (w.endsWith(suffix)) {
        w = w.substring(0, w.length() - suffix.length());
      }
    }
    Matcher m = GGUF.matcher(w);
    if (m.matches()) {
      String part = switch (m.group(2)) {
        case "attn_q" -> "self_attn.q_proj";
        case "attn_k" -> "self_attn.k_proj";
        case "attn_v" -> "self_attn.v_proj";
        case "attn_output" -> "self_attn.o_proj";
        case "ffn_gate" -> "mlp.gate_proj";
        case "ffn_up" -> "mlp.up_proj";
        default -> "mlp.down_proj";
      };
      return "model.layers." + m.group(1) + "." + part;
    }
    return w;
  }

  /** @return the configuration */
  public LoraConfig config() {
    return config;
  }

  /** @return the adapted projections, in graph order */
  public List<Target> targets() {
    return targets;
  }

  /** @return the number of adapter values (all {@code A} and {@code B}) */
  public long parameterCount() {
    long n = 0;
    for (Target t : targets) {
      n += (long) config.rank() * (t.in() + t.out());
    }
    return n;
  }

  /**
   * The shapes of the adapter parameters by name: {@code A} {@code [r, in]}, {@code B} {@code
   * [out, r]}.
   *
   * @return the shapes, in target order
   */
  public Map<String, long[]> shapes() {
    Map<String, long[]> s = new LinkedHashMap<>();
    for (Target t : targets) {
      s.put(t.loraA(), new long[] {config.rank(), t.in()});
      s.put(t.loraB(), new long[] {t.out(), config.rank()});
    }
    return s;
  }

  /**
   * Initial adapter values as PEFT makes them: {@code A} uniform in {@code +-1/sqrt(in)} (Kaiming
   * uniform with {@code a = sqrt(5)}) from the config's seed, {@code B} zero, so the adapted graph
   * starts as the base graph.
   *
   * @return fresh arrays by parameter name
   */
  public Map<String, float[]> initialValues() {
    Random rnd = new Random(config.seed());
    Map<String, float[]> v = new LinkedHashMap<>();
    for (Target t : targets) {
      float bound = (float) (1 / Math.sqrt(t.in()));
      float[] a = new float[config.rank() * t.in()];
      for (int i = 0; i < a.length; i++) {
        a[i] = (rnd.nextFloat() * 2 - 1) * bound;
      }
      v.put(t.loraA(), a);
      v.put(t.loraB(), new float[t.out() * config.rank()]);
    }
    return v;
  }

  /**
   * Runs a MatMul node, adapted when {@code lora} targets it: {@code x W + s dropout(x) A^T B^T},
   * {@code s = alpha / r}; dropout only when {@code A} records gradients.
   *
   * @param lora the adapters, or null for a plain product
   * @param node the MatMul node
   * @param x its first input
   * @param w its second input
   * @param parameters the forward pass's parameters (holding {@code A} and {@code B})
   * @return the product
   * @throws IllegalArgumentException if a targeted node's adapters are missing from {@code
   *     parameters}
   */
  public static NDArray matMul(LoraAdapters lora, OnnxNode node, NDArray x, NDArray w,
      Map<String, NDArray> parameters) {
    return addDelta(lora, node, x, x.matMul(w), parameters);
  }

  /**
   * Adds the adapter's low-rank product to a MatMul's product computed elsewhere (at the graph's
   * matmul precision): {@code base + scaling · dropout(x) · Aᵀ · Bᵀ} when {@code node}'s weight is
   * a target, else {@code base}.
   *
   * @param lora the adapters, or null for none
   * @param node the MatMul node
   * @param x its input activations
   * @param base {@code x · w}
   * @param parameters the current parameter arrays (holding the adapters' A and B)
   * @return the product with the adapter's contribution
   */
  public static NDArray addDelta(LoraAdapters lora, OnnxNode node, NDArray x, NDArray base,
      Map<String, NDArray> parameters) {
    if (lora == null || node.inputs().size() != 2) {
      return base;
    }
    Target t = lora.byWeight.get(node.inputs().get(1));
    if (t == null) {
      return base;
    }
    NDArray a = parameters.get(t.loraA());
    NDArray b = parameters.get(t.loraB());
    if (a == null || b == null) {
      throw new IllegalArgumentException("the LoRA parameters of " + t.module() + " ("
          + t.loraA() + ", " + t.loraB() + ") are missing");
    }
    NDArray in = x;
    double p = lora.config.dropout();
    if (p > 0 && a.hasGradient()) {
      NDArray keep = x.getManager().randomUniform(0f, 1f, x.getShape()).gte((float) p)
          .toType(x.getDataType(), false);
      in = x.mul(keep).div(Scalars.of(x, 1 - p));
    }
    NDArray delta = in.matMul(a.transpose()).matMul(b.transpose());
    delta = delta.mul(Scalars.of(delta, lora.scaling));
    return base.add(delta);
  }

  /**
   * Merges adapter values into base weights: each targeted {@code W [in, out]} becomes {@code W +
   * s A^T B^T}. The other weights are passed through (not copied).
   *
   * @param base the base graph's float initializers by name
   * @param adapters the adapter values by parameter name
   * @return the merged initializers, a new map
   * @throws IllegalArgumentException if a weight or adapter is missing or has the wrong size
   */
  public Map<String, float[]> merge(Map<String, float[]> base, Map<String, float[]> adapters) {
    Args.notNull(base, "base");
    Args.notNull(adapters, "adapters");
    Map<String, float[]> out = new LinkedHashMap<>(base);
    int r = config.rank();
    for (Target t : targets) {
      float[] w = base.get(t.weight());
      float[] a = adapters.get(t.loraA());
      float[] b = adapters.get(t.loraB());
      if (w == null || w.length != t.in() * t.out()) {
        throw new IllegalArgumentException("base weight " + t.weight() + " of " + t.module()
            + " is missing or not " + t.in() + "x" + t.out());
      }
      if (a == null || a.length != r * t.in() || b == null || b.length != t.out() * r) {
        throw new IllegalArgumentException(String.format(Locale.ROOT,
            "the adapters of %s must be A [%d, %d] and B [%d, %d]", t.module(), r, t.in(), t.out(), r));
      }
      float[] merged = w.clone();
      double s = config.scaling();
      for (int i = 0; i < t.in(); i++) {
        for (int o = 0; o < t.out(); o++) {
          double d = 0;
          for (int k = 0; k < r; k++) {
            d += (double) a[k * t.in() + i] * b[o * r + k];
          }
          merged[i * t.out() + o] += (float) (s * d);
        }
      }
      out.put(t.weight(), merged);
    }
    return out;
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "LoraAdapters[%s, %d projections, %d values]", config,
        targets.size(), parameterCount());
  }
}
