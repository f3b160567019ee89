package dev.gecko4j.core.lm;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A user's own back-end, registered by this test source set's {@code
 * META-INF/services/dev.gecko4j.core.lm.LanguageModelProvider}: {@code bytes:<name>[?alphabet=N]}
 * opens a real (if trivial) language model that gives every UTF-8 byte of a continuation the
 * probability {@code 1/alphabet} and generates nothing.
 */
public final class UniformBytesProvider implements LanguageModelProvider {

  @Override
  public String kind() {
    return "bytes";
  }

  @Override
  public String usage() {
    return "bytes:<name>[?alphabet=N]";
  }

  @Override
  public Set<String> parameters() {
    return Set.of("alphabet");
  }

  @Override
  public void validate(LanguageModelSpec spec) {
    alphabet(spec);
  }

  private static int alphabet(LanguageModelSpec spec) {
    String a = spec.parameter("alphabet").orElse("256");
    if (!a.matches("[1-9][0-9]{0,5}")) {
      throw new IllegalArgumentException("bytes: alphabet must be an integer >= 1, but is: '" + a + "'");
    }
    return Integer.parseInt(a);
  }

  @Override
  public LanguageModel open(LanguageModelSpec spec, Map<String, String> environment) {
    double logP = -Math.log(alphabet(spec));
    String name = "bytes:" + spec.target() + environment.getOrDefault("BYTES_SUFFIX", "");
    return new LanguageModel() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Capabilities capabilities() {
        return new Capabilities(false, true, "");
      }

      @Override
      public List<Generation> generate(List<String> prompts, GenerationOptions options) {
        throw new UnsupportedOperationException("bytes: cannot generate");
      }

      @Override
      public List<ContinuationScore> score(List<ScoreRequest> requests) {
        return requests.stream().map(r -> {
          double[] t = new double[r.continuation().getBytes(StandardCharsets.UTF_8).length];
          Arrays.fill(t, logP);
          return ContinuationScore.ofTokens(t);
        }).toList();
      }

      @Override
      public void close() {}
    };
  }
}
