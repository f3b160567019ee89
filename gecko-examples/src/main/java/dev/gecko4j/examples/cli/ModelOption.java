package dev.gecko4j.examples.cli;

import dev.gecko4j.onnx.OnnxEmbedder;
import picocli.CommandLine.Option;

/** {@code --model}, a bundled model name or a model folder, as the embedding commands take it. */
final class ModelOption {

  @Option(names = "--model", defaultValue = "bge-small-en-v1.5",
      description = "bundled model name (see `gecko models`) or a sentence-transformers folder; "
          + "default: ${DEFAULT-VALUE}")
  String name;

  /** {@return a builder for the model (see {@link CliSupport#builderFor})} */
  OnnxEmbedder.Builder builder() {
    return CliSupport.builderFor(name);
  }
}
