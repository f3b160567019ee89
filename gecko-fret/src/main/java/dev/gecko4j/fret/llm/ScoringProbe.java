package dev.gecko4j.fret.llm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gecko4j.core.lm.Capabilities;
import dev.gecko4j.core.lm.LanguageModelException;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Finds out, once, whether an OpenAI-compatible server returns the log-probabilities of
 * <em>prompt</em> tokens (what {@link OpenAiLanguageModel#score} needs): it sends {@value
 * #PROBE_PROMPT} to {@code /completions} with {@code echo: true, logprobs: 1} and checks that the
 * prompt comes back with a log-probability entry and a text offset per token. vLLM does; OpenAI's
 * current models and llama.cpp's server do not.
 *
 * <p>A definite answer is cached (a reply without prompt log-probabilities, or a 4xx rejecting the
 * request). A probe that fails with an I/O error, a 5xx, a refused key (401, 403) or a malformed
 * reply is reported in the returned capabilities but not cached, so the next call probes again.
 * Thread-safe.
 */
final class ScoringProbe {

  static final String PROBE_PROMPT = "The capital of France is";
  private static final System.Logger LOG = System.getLogger(OpenAiLanguageModel.class.getName());

  private final OpenAiTransport transport;
  private final Supplier<String> model;
  private final Boolean forced;
  private volatile Capabilities capabilities;

  /**
   * Creates the probe.
   *
   * @param transport where to send it
   * @param model the model name (may ask the server)
   * @param forced what the builder declared ({@code scoringSupported}), or null to probe
   */
  ScoringProbe(OpenAiTransport transport, Supplier<String> model, Boolean forced) {
    this.transport = transport;
    this.model = model;
    this.forced = forced;
  }

  /** {@return what the server can do, probing on the first call (and after a failed probe)} */
  Capabilities capabilities() {
    Capabilities c = capabilities;
    if (c != null) {
      return c;
    }
    if (forced != null) {
      c = forced
          ? new Capabilities(true, true, "")
          : new Capabilities(true, false, "configured as unable to return prompt log-probabilities; "
              + "use labelLogProbabilities (first-token top_logprobs)");
      capabilities = c;
      return c;
    }
    synchronized (this) {
      if (capabilities != null) {
        return capabilities;
      }
      String what = "POST " + transport.baseUri() + "/completions (scoring probe)";
      try {
        JsonNode r = transport.send("POST", "/completions",
            OpenAiWire.CompletionRequest.scoring(model.get(), List.of(PROBE_PROMPT)));
        // a reply without choices[0].text is malformed, which says nothing about log-probabilities:
        // it fails below as a LanguageModelException (reported, not cached)
        OpenAiWire.Choice choice = OpenAiWire.choices(r, 1, what).get(0);
        if (choice.text() == null) {
          throw new LanguageModelException(what + " returned a choice without text: "
              + OpenAiWire.abbreviate(choice.toString()));
        }
        OpenAiWire.Logprobs lp = choice.logprobsOrEmpty();
        int entries = lp.entries();
        String text = choice.text();
        if (text.startsWith(PROBE_PROMPT) && entries >= 2 && lp.offsets() == entries) {
          capabilities = new Capabilities(true, true, "");
        } else {
          capabilities = new Capabilities(true, false, String.format(Locale.ROOT,
              "server returns no prompt log-probabilities (POST /completions with echo:true,"
                  + " logprobs:1 gave %d logprob entries%s); only first-token top_logprobs"
                  + " (labelLogProbabilities)",
              entries, text.startsWith(PROBE_PROMPT) ? "" : " and did not echo the prompt"));
        }
      } catch (OpenAiTransport.ServerRejected e) {
        if (e.status() == 401 || e.status() == 403) {
          // a bad key says nothing about what the server can do: do not cache
          return new Capabilities(true, false, "scoring probe was refused: " + e.getMessage());
        }
        capabilities = new Capabilities(true, false,
            "server rejected POST /completions with echo:true, logprobs:1 (" + e.getMessage()
                + "); only first-token top_logprobs (labelLogProbabilities)");
      } catch (LanguageModelException e) {
        LOG.log(System.Logger.Level.WARNING, "scoring probe failed, will try again: "
            + e.getMessage());
        return new Capabilities(true, false, "scoring probe failed: " + e.getMessage());
      }
      LOG.log(System.Logger.Level.INFO, "{0}: {1}", transport.baseUri(), capabilities);
      return capabilities;
    }
  }
}
