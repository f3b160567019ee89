package dev.gecko4j.core.lm;

/**
 * What a {@link LanguageModel} supports.
 *
 * @param canGenerate whether {@link LanguageModel#generate} works
 * @param canScore whether {@link LanguageModel#score} returns exact continuation log-probabilities
 * @param scoreLimitation when {@code canScore} is false or approximate, a sentence saying why (e.g.
 *     "server returns no prompt logprobs; only first-token top_logprobs"); empty otherwise
 */
public record Capabilities(boolean canGenerate, boolean canScore, String scoreLimitation) {
  /** Validates the fields. */
  public Capabilities {
    if (scoreLimitation == null) {
      throw new IllegalArgumentException("scoreLimitation must not be null (use \"\")");
    }
  }
}
