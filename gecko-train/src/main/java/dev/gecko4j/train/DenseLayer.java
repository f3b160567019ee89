package dev.gecko4j.train;

import dev.gecko4j.core.internal.Args;
import dev.gecko4j.onnx.PipelineModule.Activation;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A sentence-transformers {@code Dense} module trained on top of the pooled vector: {@code y =
 * activation(W x + b)} with {@code W} {@code [outFeatures, inFeatures]}, applied after pooling
 * and before normalisation, as sentence-transformers' pipeline {@code Transformer -> Pooling ->
 * Dense -> Normalize} runs it. A trained head is exported as {@code 2_Dense/config.json} ({@code
 * in_features}, {@code out_features}, {@code bias}, {@code activation_function}) and {@code
 * 2_Dense/model.safetensors} ({@code linear.weight} {@code [out, in]}, {@code linear.bias}), the
 * layout sentence-transformers writes.
 *
 * @param inFeatures the pooled vector's size (the model's hidden size), {@code >= 1}
 * @param outFeatures the head's output size, {@code >= 1}
 * @param bias whether the layer adds a bias
 * @param activation the activation after the linear map; not null
 */
public record DenseLayer(int inFeatures, int outFeatures, boolean bias, Activation activation) {

  /**
   * Parses an activation by its PyTorch class name ({@code torch.nn.modules.linear.Identity}) or
   * its short name ({@code identity}, {@code tanh}, {@code relu}, {@code sigmoid}, {@code silu}),
   * ignoring case.
   *
   * @param name the name; not null
   * @return the activation
   * @throws IllegalArgumentException naming the valid activations if {@code name} is unknown
   */
  public static Activation activation(String name) {
    if (name != null) {
      for (Activation a : Activation.values()) {
        if (a.className().equalsIgnoreCase(name.trim()) || a.name().equalsIgnoreCase(name.trim())) {
          return a;
        }
      }
    }
    List<String> valid = Arrays.stream(Activation.values())
        .map(a -> a.name().toLowerCase(Locale.ROOT) + " (" + a.className() + ")").toList();
    throw new IllegalArgumentException("activation must be one of " + valid + ", but is: " + name);
  }

  /**
   * Validates the layer.
   *
   * @throws IllegalArgumentException if a size is not positive or {@code activation} is null
   */
  public DenseLayer {
    Args.positive(inFeatures, "inFeatures");
    Args.positive(outFeatures, "outFeatures");
    Args.notNull(activation, "activation");
  }
}
