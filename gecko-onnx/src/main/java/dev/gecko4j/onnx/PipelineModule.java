package dev.gecko4j.onnx;

import dev.gecko4j.core.Pooling;
import dev.gecko4j.core.internal.Args;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * One module of a sentence-transformers pipeline, as {@code modules.json} lists them: a {@link
 * Transformer} (the ONNX graph), a {@link Pool Pooling}, {@link Dense} layers and a {@link
 * Normalize}. A {@link ModelSpec} holds them in order; {@link SentenceTransformersFolder} reads
 * and writes them, {@link OnnxEmbedder} runs them. A module type gecko4j cannot run is refused
 * when the folder is read, naming its type and path, never skipped.
 */
public sealed interface PipelineModule permits PipelineModule.Transformer, PipelineModule.Pool,
    PipelineModule.Dense, PipelineModule.Normalize {

  /** {@return the module's folder, relative to the model folder ({@code ""} for the folder itself)} */
  String path();

  /** {@return the module's class as {@code modules.json} names it} */
  String type();

  /**
   * The transformer: the ONNX graph that turns token ids into token states (or, when it exports
   * {@code sentence_embedding}, into the whole pipeline's output).
   *
   * @param path the module's folder relative to the model folder; not null
   */
  record Transformer(String path) implements PipelineModule {
    /** The type {@code modules.json} gives this module. */
    public static final String TYPE = "sentence_transformers.models.Transformer";

    /**
     * Validates the module.
     *
     * @throws IllegalArgumentException if {@code path} is null
     */
    public Transformer {
      Args.notNull(path, "path");
    }

    @Override
    public String type() {
      return TYPE;
    }
  }

  /**
   * Pooling: token states to one vector. With several modes, their vectors are concatenated in
   * sentence-transformers' order (cls, max, mean, mean_sqrt_len, weightedmean, lasttoken).
   *
   * @param path the module's folder; not null
   * @param modes the modes, at least one, no duplicate; sorted into sentence-transformers' order
   * @param includePrompt whether the prompt's tokens are pooled ({@code include_prompt}); {@code
   *     false} is served only for models without prompts
   * @param dimension the token-state size ({@code word_embedding_dimension}), or 0 when unknown
   */
  record Pool(String path, List<Pooling> modes, boolean includePrompt, int dimension)
      implements PipelineModule {
    /** The type {@code modules.json} gives this module. */
    public static final String TYPE = "sentence_transformers.models.Pooling";
    /** sentence-transformers' concatenation order. */
    static final List<Pooling> ORDER = List.of(Pooling.CLS, Pooling.MAX, Pooling.MEAN,
        Pooling.MEAN_SQRT_LEN, Pooling.WEIGHTED_MEAN, Pooling.LAST_TOKEN);

    /**
     * Validates the module and sorts the modes.
     *
     * @throws IllegalArgumentException if a value is null, no mode or a repeated mode is given,
     *     or the dimension is negative
     */
    public Pool {
      Args.notNull(path, "path");
      Args.copyNoNulls(modes, "modes");
      if (modes.isEmpty() || modes.stream().distinct().count() != modes.size()) {
        throw new IllegalArgumentException("modes must name at least one pooling mode, each once, "
            + "but are: " + modes);
      }
      modes = ORDER.stream().filter(modes::contains).toList();
      Args.atLeast(dimension, 0, "dimension");
    }

    /**
     * One mode, prompt included.
     *
     * @param path the module's folder; not null
     * @param mode the mode; not null
     * @param dimension the token-state size, or 0
     * @return the module
     */
    public static Pool of(String path, Pooling mode, int dimension) {
      Args.notNull(mode, "mode");
      return new Pool(path, List.of(mode), true, dimension);
    }

    @Override
    public String type() {
      return TYPE;
    }
  }

  /**
   * A dense layer: {@code y = activation(W x + b)} with {@code W} {@code [out, in]} row-major, as
   * sentence-transformers' {@code Dense} ({@code linear.weight}, {@code linear.bias}).
   *
   * @param path the module's folder; not null
   * @param inFeatures the input size, {@code >= 1}
   * @param outFeatures the output size, {@code >= 1}
   * @param activation the activation; not null
   * @param weight {@code outFeatures * inFeatures} values, row-major; not null (not copied)
   * @param bias {@code outFeatures} values, or null for a layer without bias (not copied)
   */
  record Dense(String path, int inFeatures, int outFeatures, Activation activation, float[] weight,
      float[] bias) implements PipelineModule {
    /** The type {@code modules.json} gives this module. */
    public static final String TYPE = "sentence_transformers.models.Dense";

    /**
     * Validates the layer.
     *
     * @throws IllegalArgumentException if a value is null or a size does not match
     */
    public Dense {
      Args.notNull(path, "path");
      Args.positive(inFeatures, "inFeatures");
      Args.positive(outFeatures, "outFeatures");
      Args.notNull(activation, "activation");
      Args.notNull(weight, "weight");
      if (weight.length != (long) inFeatures * outFeatures) {
        throw new IllegalArgumentException(String.format(Locale.ROOT,
            "weight must hold out_features x in_features = %d x %d values, but holds %d",
            outFeatures, inFeatures, weight.length));
      }
      if (bias != null && bias.length != outFeatures) {
        throw new IllegalArgumentException(String.format(Locale.ROOT,
            "bias must hold out_features = %d values, but holds %d", outFeatures, bias.length));
      }
    }

    @Override
    public String type() {
      return TYPE;
    }

    /**
     * Applies the layer to {@code rows} vectors of {@code inFeatures} values.
     *
     * @param in {@code rows * inFeatures} values, row-major; not null
     * @param rows the number of vectors, {@code >= 1}
     * @return {@code rows * outFeatures} values, a new array
     * @throws IllegalArgumentException if the input does not hold {@code rows * inFeatures} values
     */
    public float[] apply(float[] in, int rows) {
      Args.notNull(in, "in");
      if (rows < 1 || in.length != (long) rows * inFeatures) {
        throw new IllegalArgumentException(String.format(Locale.ROOT,
            "%s: Dense expects vectors of in_features = %d values, but got %d values for %d rows",
            path, inFeatures, in.length, rows));
      }
      float[] out = new float[rows * outFeatures];
      for (int r = 0; r < rows; r++) {
        int x = r * inFeatures;
        for (int o = 0; o < outFeatures; o++) {
          int w = o * inFeatures;
          double acc = bias == null ? 0 : bias[o];
          for (int i = 0; i < inFeatures; i++) {
            acc += (double) weight[w + i] * in[x + i];
          }
          out[r * outFeatures + o] = activation.apply((float) acc);
        }
      }
      return out;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Dense d && path.equals(d.path) && inFeatures == d.inFeatures
          && outFeatures == d.outFeatures && activation == d.activation
          && Arrays.equals(weight, d.weight) && Arrays.equals(bias, d.bias);
    }

    @Override
    public int hashCode() {
      return ((path.hashCode() * 31 + inFeatures) * 31 + outFeatures) * 31
          + Arrays.hashCode(weight);
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "Dense[%s, %d->%d, %s, bias=%s]", path, inFeatures,
          outFeatures, activation, bias != null);
    }
  }

  /**
   * L2 normalisation.
   *
   * @param path the module's folder; not null
   */
  record Normalize(String path) implements PipelineModule {
    /** The type {@code modules.json} gives this module. */
    public static final String TYPE = "sentence_transformers.models.Normalize";

    /**
     * Validates the module.
     *
     * @throws IllegalArgumentException if {@code path} is null
     */
    public Normalize {
      Args.notNull(path, "path");
    }

    @Override
    public String type() {
      return TYPE;
    }
  }

  /** A {@link Dense} layer's activation, by the class name sentence-transformers records. */
  enum Activation {
    /** {@code torch.nn.modules.linear.Identity}. */
    IDENTITY("torch.nn.modules.linear.Identity"),
    /** {@code torch.nn.modules.activation.Tanh}, the default of sentence-transformers' Dense. */
    TANH("torch.nn.modules.activation.Tanh"),
    /** {@code torch.nn.modules.activation.ReLU}. */
    RELU("torch.nn.modules.activation.ReLU"),
    /** {@code torch.nn.modules.activation.Sigmoid}. */
    SIGMOID("torch.nn.modules.activation.Sigmoid"),
    /** {@code torch.nn.modules.activation.SiLU}. */
    SILU("torch.nn.modules.activation.SiLU");

    private final String className;

    Activation(String className) {
      this.className = className;
    }

    /** {@return the PyTorch class name} */
    public String className() {
      return className;
    }

    /**
     * Finds the activation of a PyTorch class name.
     *
     * @param className the name as {@code N_Dense/config.json} gives it; not null
     * @return the activation
     * @throws IllegalArgumentException naming the supported names if it is unknown
     */
    public static Activation of(String className) {
      for (Activation a : values()) {
        if (a.className.equals(className)) {
          return a;
        }
      }
      throw new IllegalArgumentException("activation_function '" + className
          + "' is not supported; expected one of "
          + Arrays.stream(values()).map(Activation::className).toList());
    }

    float apply(float x) {
      return switch (this) {
        case IDENTITY -> x;
        case TANH -> (float) Math.tanh(x);
        case RELU -> Math.max(x, 0f);
        case SIGMOID -> (float) (1 / (1 + Math.exp(-x)));
        case SILU -> (float) (x / (1 + Math.exp(-x)));
      };
    }
  }
}
