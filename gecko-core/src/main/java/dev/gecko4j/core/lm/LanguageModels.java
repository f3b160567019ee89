package dev.gecko4j.core.lm;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Finds {@link LanguageModelProvider}s on the class path with {@link ServiceLoader} and opens
 * {@link LanguageModel}s by their {@link LanguageModelSpec}: the one place where a {@code
 * kind:target?params} text becomes a model, for the command line and gecko-spark alike.
 *
 * {@snippet lang=java :
 * LanguageModelSpec spec = LanguageModels.parse("openai:http://localhost:8000/v1?model=qwen");
 * try (LanguageModel lm = LanguageModels.open(spec)) {
 *   lm.generate(List.of("Write a query about cats."), GenerationOptions.greedy(32));
 * }
 * }
 *
 * <p>An unknown kind fails with the kinds found on the class path and, for gecko4j's own kinds,
 * the artifact that brings each one. Providers are looked up through the thread's context class
 * loader and this class's loader (the first provider of a kind wins) on every call, so a jar added
 * at run time (Spark's {@code --jars}) is seen.
 */
public final class LanguageModels {

  /** gecko4j's own kinds and the artifact ({@code groupId:artifactId}) that registers each. */
  private static final Map<String, String> KNOWN_ARTIFACTS = Map.of(
      "onnx", "dev.gecko4j:gecko-onnx",
      "openai", "dev.gecko4j:gecko-fret");

  private LanguageModels() {}

  /**
   * Returns the providers on the class path by kind, in the order found.
   *
   * @return an unmodifiable map from kind to provider
   */
  public static Map<String, LanguageModelProvider> providers() {
    Map<String, LanguageModelProvider> found = new LinkedHashMap<>();
    ClassLoader context = Thread.currentThread().getContextClassLoader();
    ClassLoader own = LanguageModelProvider.class.getClassLoader();
    List<ClassLoader> loaders = new ArrayList<>();
    if (context != null) {
      loaders.add(context);
    }
    if (own != context) {
      loaders.add(own);
    }
    for (ClassLoader loader : loaders) {
      Iterator<LanguageModelProvider> it =
          ServiceLoader.load(LanguageModelProvider.class, loader).iterator();
      while (true) {
        LanguageModelProvider p;
        try {
          if (!it.hasNext()) {
            break;
          }
          p = it.next();
        } catch (ServiceConfigurationError e) {
          System.getLogger(LanguageModels.class.getName()).log(System.Logger.Level.WARNING,
              "a LanguageModelProvider is registered but cannot be loaded; skipping it: "
                  + e.getMessage());
          continue;
        }
        LanguageModelProvider first = found.putIfAbsent(p.kind(), p);
        if (first != null && first.getClass() != p.getClass()) {
          System.getLogger(LanguageModels.class.getName()).log(System.Logger.Level.WARNING,
              "two LanguageModelProviders claim the kind '" + p.kind() + "': using "
                  + first.getClass().getName() + ", ignoring " + p.getClass().getName());
        }
      }
    }
    return Collections.unmodifiableMap(found);
  }

  /**
   * Returns the provider of a kind.
   *
   * @param kind the kind, e.g. {@code onnx}
   * @return the provider
   * @throws IllegalArgumentException if no provider of the kind is on the class path; the message
   *     lists the kinds that are, and the artifact to add when the kind is one of gecko4j's own
   */
  public static LanguageModelProvider provider(String kind) {
    Map<String, LanguageModelProvider> all = providers();
    LanguageModelProvider p = kind == null ? null : all.get(kind);
    if (p != null) {
      return p;
    }
    throw new IllegalArgumentException(unknownKind(kind, null, all));
  }

  /**
   * Parses a spec and checks it against its provider: the kind is on the class path, every
   * parameter is one the provider accepts, and the provider's {@link
   * LanguageModelProvider#validate} passes. Nothing is opened.
   *
   * @param spec the text, e.g. {@code onnx:/models/stories260K}
   * @return the spec
   * @throws IllegalArgumentException naming the text and what is wrong: bad syntax, an unknown
   *     kind (listing the kinds available), an unknown parameter (listing the accepted ones), or
   *     a value the provider rejects
   */
  public static LanguageModelSpec parse(String spec) {
    return check(LanguageModelSpec.parse(spec));
  }

  /**
   * Checks a spec against its provider, as {@link #parse(String)} does.
   *
   * @param spec the spec; not null
   * @return the spec
   * @throws IllegalArgumentException if the spec is null, its kind has no provider, or the
   *     provider rejects it
   */
  public static LanguageModelSpec check(LanguageModelSpec spec) {
    checkedProvider(spec);
    return spec;
  }

  /**
   * Opens the model a spec names, reading settings from {@link System#getenv()}.
   *
   * @param spec the spec; not null
   * @return the model; the caller closes it
   * @throws IllegalArgumentException if the spec is invalid or names nothing that exists
   * @throws LanguageModelException if the back-end fails to start
   */
  public static LanguageModel open(LanguageModelSpec spec) {
    return open(spec, System.getenv());
  }

  /**
   * Opens the model a spec names.
   *
   * @param spec the spec; not null
   * @param environment the environment variables the provider reads (API keys, default URLs);
   *     not null
   * @return the model; the caller closes it
   * @throws IllegalArgumentException if an argument is null, the spec is invalid or names
   *     nothing that exists
   * @throws LanguageModelException if the back-end fails to start
   */
  public static LanguageModel open(LanguageModelSpec spec, Map<String, String> environment) {
    if (environment == null) {
      throw new IllegalArgumentException("environment must not be null");
    }
    return checkedProvider(spec).open(spec, environment);
  }

  /**
   * Returns the forms of the kinds on the class path, e.g. {@code onnx:<dir> | openai:<base-url>},
   * for help texts.
   *
   * @return the forms separated by {@code " | "}, or a note that none is on the class path
   */
  public static String usage() {
    Map<String, LanguageModelProvider> all = providers();
    return all.isEmpty() ? "(no language model provider on the class path)"
        : all.values().stream().map(LanguageModelProvider::usage).collect(Collectors.joining(" | "));
  }

  private static LanguageModelProvider checkedProvider(LanguageModelSpec spec) {
    if (spec == null) {
      throw new IllegalArgumentException("spec must not be null");
    }
    Map<String, LanguageModelProvider> all = providers();
    LanguageModelProvider p = all.get(spec.kind());
    if (p == null) {
      throw new IllegalArgumentException(unknownKind(spec.kind(), spec, all));
    }
    for (String name : spec.parameters().keySet()) {
      if (!p.parameters().contains(name)) {
        throw new IllegalArgumentException(p.kind() + ": " + (p.parameters().isEmpty()
            ? "takes no parameters" : "accepts the parameters " + new TreeSet<>(p.parameters()))
            + ", but got '" + name + "' in: '" + spec + "' (form: " + p.usage() + ")");
      }
    }
    p.validate(spec);
    return p;
  }

  private static String unknownKind(String kind, LanguageModelSpec spec,
      Map<String, LanguageModelProvider> all) {
    StringBuilder m = new StringBuilder();
    String artifact = KNOWN_ARTIFACTS.get(kind);
    if (artifact != null) {
      m.append("language model kind '").append(kind).append("' is provided by ").append(artifact)
          .append(", which is not on the class path: add that dependency");
    } else {
      m.append("unknown language model kind '").append(kind).append('\'');
    }
    if (spec != null) {
      m.append(" (in '").append(spec).append("')");
    }
    m.append("; kinds on the class path: ");
    m.append(all.isEmpty() ? "none" : all.values().stream()
        .map(p -> p.kind() + " (" + p.usage() + ")").collect(Collectors.joining(", ")));
    m.append("; gecko4j's kinds come with: ");
    m.append(new TreeSet<>(KNOWN_ARTIFACTS.keySet()).stream()
        .map(k -> k + " -> " + KNOWN_ARTIFACTS.get(k)).collect(Collectors.joining(", ")));
    return m.toString();
  }
}
