package dev.gecko4j.examples.cli;

import picocli.CommandLine.Option;

/**
 * {@code --llm}, the language model to open, as {@code gecko mine} and {@code gecko lm generate}
 * take it.
 */
final class LlmOption {

  @Option(names = "--llm", required = true, paramLabel = "<llm>",
      description = "kind:target[?name=value&...]: onnx:<dir>[?threads=N] or "
          + "openai:<base-url>[?model=..&endpoint=chat|completions], or the kind of another provider on the class path")
  String value;

  /** {@return the parsed value (see {@link LlmSpec#parse})} */
  LlmSpec spec() {
    return LlmSpec.parse(value);
  }
}
