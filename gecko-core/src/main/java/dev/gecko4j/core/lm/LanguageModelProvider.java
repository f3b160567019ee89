package dev.gecko4j.core.lm;

import java.util.Map;
import java.util.Set;

/**
 * Opens the {@link LanguageModel}s of one {@linkplain #kind() kind}: the back-end behind the
 * {@code kind:} of a {@link LanguageModelSpec}. Providers are found with {@link
 * java.util.ServiceLoader} by {@link LanguageModels}: a jar registers its provider in {@code
 * META-INF/services/dev.gecko4j.core.lm.LanguageModelProvider} (and, on the module path, with
 * {@code provides dev.gecko4j.core.lm.LanguageModelProvider with ...}). gecko4j registers
 * {@code onnx} (in gecko-onnx) and {@code openai} (in gecko-fret); a user adds a back-end (a
 * company gateway, another runtime) the same way, and every place that takes a spec (the command
 * line's {@code --llm}, gecko-spark) then accepts its kind.
 *
 * <p>An implementation needs a public no-argument constructor, is stateless and thread-safe, and
 * does no I/O before {@link #open}.
 */
public interface LanguageModelProvider {

  /**
   * Returns the kind this provider opens: the text before the {@code :} of a spec, matched
   * exactly.
   *
   * @return the kind, e.g. {@code openai}
   */
  String kind();

  /**
   * Returns the spec's form for messages and help, e.g. {@code
   * openai:<base-url>[?model=NAME&endpoint=chat|completions]}.
   *
   * @return the form
   */
  String usage();

  /**
   * Returns the names of the parameters this kind accepts; {@link LanguageModels} rejects any
   * other name before {@link #validate} and {@link #open} see the spec.
   *
   * @return the names; empty when the kind takes none
   */
  default Set<String> parameters() {
    return Set.of();
  }

  /**
   * Checks a spec of this kind without opening anything (no I/O), so that a bad spec fails where
   * it is written (the command line's parsing, a Spark driver) rather than where it is opened.
   *
   * @param spec a spec of this kind whose parameter names are among {@link #parameters()}
   * @throws IllegalArgumentException naming the bad part and what is expected
   */
  default void validate(LanguageModelSpec spec) {}

  /**
   * Opens the language model a spec names.
   *
   * @param spec a spec of this kind, already {@linkplain #validate validated}
   * @param environment the environment variables to read settings from (API keys, default URLs);
   *     {@link System#getenv()} unless a caller (a test, an executor) passes its own
   * @return the model; the caller closes it
   * @throws IllegalArgumentException if what the spec names does not exist or is invalid
   * @throws LanguageModelException if the back-end fails to start
   */
  LanguageModel open(LanguageModelSpec spec, Map<String, String> environment);
}
