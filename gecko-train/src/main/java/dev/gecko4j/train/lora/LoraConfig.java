package dev.gecko4j.train.lora;

import dev.gecko4j.core.internal.Args;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * What low-rank adapters to train (LoRA, Hu et al., 2021, as PEFT's {@code LoraConfig} describes
 * them): each targeted projection {@code y = x W} becomes {@code y = x W + (alpha / rank)
 * dropout(x) A^T B^T} with {@code A} {@code [rank, in]} initialised as PEFT does (Kaiming-uniform,
 * bound {@code 1 / sqrt(in)}) and {@code B} {@code [out, rank]} zero, so training starts from the
 * base model's own output. Only {@code A} and {@code B} (and a Dense head, if any) train.
 *
 * <p>Targets are patterns over the PEFT-style module name of each MatMul (e.g. {@code
 * encoder.layer.0.attention.self.query} for a BERT export, {@code
 * model.layers.0.self_attn.q_proj} for a llama): {@link #ATTENTION} (query, key, value and the
 * attention output projection of BERT- and llama-style graphs, the default), {@link #MLP} (the
 * feed-forward projections), or a regular expression that must match the end of the module name
 * after a dot (PEFT's suffix rule: {@code query|value} targets {@code ...attention.self.query} and
 * {@code ...attention.self.value}).
 *
 * <p>Defaults: rank 16, alpha twice the rank (E5-mistral's r = 16, alpha = 32), dropout 0,
 * attention projections, seed 42. Dropout is applied in passes that record gradients; under
 * GradCache (a micro-batch smaller than the batch) the cached pass and the gradient pass draw
 * different masks, so keep it 0 there.
 *
 * {@snippet lang=java :
 * LoraConfig lora = LoraConfig.builder().rank(16).alpha(32).targets(List.of("attention")).build();
 * }
 *
 * @param rank the adapters' rank r, {@code >= 1}
 * @param alpha the scaling numerator: the update is scaled by {@code alpha / rank}; {@code > 0}
 * @param dropout the dropout on the adapter branch's input, in {@code [0, 1)}
 * @param targets the target patterns: {@link #ATTENTION}, {@link #MLP} or regular expressions;
 *     non-empty
 * @param seed the seed of {@code A}'s initial values
 */
public record LoraConfig(int rank, double alpha, double dropout, List<String> targets, long seed) {

  /** The attention projections: query, key, value and output (BERT and llama names). */
  public static final String ATTENTION = "attention";
  /** The feed-forward projections (BERT intermediate / output, llama gate / up / down). */
  public static final String MLP = "mlp";

  /** Module-name suffixes of {@link #ATTENTION}. */
  static final String ATTENTION_REGEX = "attention\\.self\\.(query|key|value)|attention\\.output\\.dense"
      + "|self_attn\\.(q_proj|k_proj|v_proj|o_proj)";
  /** Module-name suffixes of {@link #MLP}. */
  static final String MLP_REGEX = "intermediate\\.dense|layer\\.\\d+\\.output\\.dense"
      + "|mlp\\.(gate_proj|up_proj|down_proj)";

  /**
   * Validates the configuration.
   *
   * @throws IllegalArgumentException naming the value if one is out of range or a target is not
   *     a valid regular expression
   */
  public LoraConfig {
    Args.positive(rank, "rank");
    if (!(alpha > 0) || !Double.isFinite(alpha)) {
      throw new IllegalArgumentException("alpha must be a finite number > 0, but is: " + alpha);
    }
    if (!(dropout >= 0 && dropout < 1)) {
      throw new IllegalArgumentException("dropout must be in [0, 1), but is: " + dropout);
    }
    targets = Args.copyNoNulls(targets, "targets");
    if (targets.isEmpty()) {
      throw new IllegalArgumentException("targets must name at least one pattern ("
          + ATTENTION + ", " + MLP + " or a regular expression), but is empty");
    }
    for (String t : targets) {
      if (t.isBlank()) {
        throw new IllegalArgumentException("targets must not contain a blank pattern, but are: " + targets);
      }
      try {
        Pattern.compile(regexOf(t));
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException("target '" + t + "' is not a valid regular expression: "
            + e.getDescription(), e);
      }
    }
  }

  /** @return a builder with the defaults (rank 16, alpha 32, dropout 0, attention, seed 42) */
  public static Builder builder() {
    return new Builder();
  }

  /** @return {@code alpha / rank}, the factor of the adapters' update */
  public double scaling() {
    return alpha / rank;
  }

  /**
   * Parses the {@code --lora-targets} form: comma-separated patterns ({@code attention}, {@code
   * mlp}, {@code all} for both, or regular expressions).
   *
   * @param spec the comma-separated patterns; not blank
   * @return the patterns
   * @throws IllegalArgumentException if {@code spec} is blank
   */
  public static List<String> parseTargets(String spec) {
    Args.notBlank(spec, "targets");
    List<String> out = new java.util.ArrayList<>();
    for (String s : spec.split(",")) {
      String t = s.trim();
      if (t.equalsIgnoreCase("all")) {
        out.add(ATTENTION);
        out.add(MLP);
      } else if (!t.isEmpty()) {
        out.add(t.equalsIgnoreCase(ATTENTION) || t.equalsIgnoreCase(MLP) ? t.toLowerCase(Locale.ROOT) : t);
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("targets must name at least one pattern, but is: '" + spec + "'");
    }
    return List.copyOf(out);
  }

  /** The regular expression of a target over the end of a module name. */
  static String regexOf(String target) {
    String suffix = switch (target) {
      case ATTENTION -> ATTENTION_REGEX;
      case MLP -> MLP_REGEX;
      default -> target;
    };
    return "(?:.*\\.)?(?:" + suffix + ")";
  }

  /**
   * Whether a module is targeted.
   *
   * @param module the PEFT-style module name
   * @return true if a target pattern matches it
   */
  public boolean targets(String module) {
    Args.notNull(module, "module");
    for (String t : targets) {
      if (Pattern.matches(regexOf(t), module)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "LoRA[r=%d, alpha=%s, dropout=%s, targets=%s]", rank,
        alpha, dropout, targets);
  }

  /** Builds a {@link LoraConfig}; every setter validates when {@link #build()} runs. */
  public static final class Builder {
    private int rank = 16;
    private Double alpha;
    private double dropout;
    private List<String> targets = List.of(ATTENTION);
    private long seed = 42;

    private Builder() {}

    /** @param rank the rank, {@code >= 1} @return this */
    public Builder rank(int rank) {
      this.rank = rank;
      return this;
    }

    /** @param alpha the scaling numerator, {@code > 0} (default: twice the rank) @return this */
    public Builder alpha(double alpha) {
      this.alpha = alpha;
      return this;
    }

    /** @param dropout the adapter input dropout, in {@code [0, 1)} @return this */
    public Builder dropout(double dropout) {
      this.dropout = dropout;
      return this;
    }

    /** @param targets the target patterns, non-empty @return this */
    public Builder targets(List<String> targets) {
      this.targets = targets;
      return this;
    }

    /** @param seed the seed of the adapters' initial values @return this */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * @return the configuration
     * @throws IllegalArgumentException if a value is out of range
     */
    public LoraConfig build() {
      return new LoraConfig(rank, alpha == null ? 2.0 * rank : alpha, dropout, targets, seed);
    }
  }
}
