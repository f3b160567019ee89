/**
 * The {@link dev.gecko4j.core.lm.LanguageModel} SPI that FRet mining runs on, and how a back-end
 * is named and found: a {@link dev.gecko4j.core.lm.LanguageModelSpec} ({@code kind:target?params},
 * the one parser of the command line's {@code --llm} and gecko-spark's sources) opened by the
 * {@link dev.gecko4j.core.lm.LanguageModelProvider} of its kind, which
 * {@link dev.gecko4j.core.lm.LanguageModels} finds with {@link java.util.ServiceLoader}
 * ({@code onnx} in gecko-onnx, {@code openai} in gecko-fret, or a user's own).
 */
package dev.gecko4j.core.lm;
