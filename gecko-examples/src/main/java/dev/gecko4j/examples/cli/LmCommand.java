package dev.gecko4j.examples.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gecko4j.core.lm.Capabilities;
import dev.gecko4j.core.lm.ContinuationScore;
import dev.gecko4j.core.lm.Generation;
import dev.gecko4j.core.lm.GenerationOptions;
import dev.gecko4j.core.lm.LanguageModel;
import dev.gecko4j.core.lm.ScoreRequest;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code gecko lm generate|score}: runs a {@link LanguageModel} ({@code --llm onnx:<dir>} or {@code
 * openai:<base-url>}) once, printing progress on stderr and one JSON object on the last stdout line.
 */
@Command(
    name = "lm",
    mixinStandardHelpOptions = true,
    description = "Generate with, or score with, a language model (onnx:<dir> or openai:<base-url>).",
    subcommands = {LmCommand.Generate.class, LmCommand.Score.class})
public final class LmCommand implements Runnable {

  private static final ObjectMapper JSON = dev.gecko4j.core.internal.GeckoJson.mapper();

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Creates the command (picocli instantiates it). */
  public LmCommand() {}

  @Override
  public void run() {
    spec.commandLine().usage(System.err);
  }

  /** {@code gecko lm generate}. */
  @Command(name = "generate", mixinStandardHelpOptions = true,
      description = "Generate a completion; ends with {\"ids\": [...], \"text\": ..., \"finish_reason\": ...}.")
  static final class Generate implements Callable<Integer> {
    @Mixin LlmOption llm;

    @Option(names = "--prompt", defaultValue = "", description = "The prompt (default: empty, i.e. just BOS).")
    String prompt;

    @Option(names = "--greedy", description = "Greedy decoding (temperature 0).")
    boolean greedy;

    @Option(names = "--temperature", defaultValue = "1.0", description = "Sampling temperature (default ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--top-p", defaultValue = "1.0", description = "Nucleus mass in (0, 1] (default ${DEFAULT-VALUE}).")
    double topP;

    @Option(names = "--seed", defaultValue = "0", description = "Sampling seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--stop", description = "A stop string (repeatable).")
    List<String> stop = List.of();

    @Option(names = "--max-new-tokens", required = true, description = "Most tokens to generate.")
    int maxNewTokens;

    @Override
    public Integer call() {
      GenerationOptions options =
          new GenerationOptions(maxNewTokens, greedy ? 0 : temperature, topP, stop, seed);
      LlmSpec s = llm.spec();
      try (LanguageModel lm = s.open()) {
        System.err.printf(Locale.ROOT, "gecko lm generate: %s, %s%n", lm.name(), options);
        long t0 = System.nanoTime();
        Generation g = lm.generate(List.of(prompt), options).get(0);
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.err.println(g.text());
        ObjectNode out = JSON.createObjectNode();
        out.put("llm", lm.name());
        ArrayNode ids = out.putArray("ids");
        g.tokenIds().forEach(ids::add);
        out.put("text", g.text());
        out.put("finish_reason", g.finishReason());
        out.put("seconds", Math.round(seconds * 1000) / 1000.0);
        System.out.println(out);
      }
      return 0;
    }
  }

  /** {@code gecko lm score}. */
  @Command(name = "score", mixinStandardHelpOptions = true,
      description = "Score log P(continuation | prompt); ends with {\"log_probability\": ..., ...}.")
  static final class Score implements Callable<Integer> {
    @Option(names = "--llm", required = true, description = "kind:target[?name=value&...]: onnx:<dir> or openai:<base-url>[?model=..&endpoint=..]")
    String llm;

    @Option(names = "--prompt", required = true, description = "The conditioning text.")
    String prompt;

    @Option(names = "--continuation", required = true, description = "The text to score.")
    String continuation;

    @Override
    public Integer call() {
      ScoreRequest request = new ScoreRequest(prompt, continuation);
      LlmSpec s = LlmSpec.parse(llm);
      try (LanguageModel lm = s.open()) {
        Capabilities caps = lm.capabilities();
        System.err.printf(Locale.ROOT, "gecko lm score: %s, %s%n", lm.name(), caps);
        ObjectNode out = JSON.createObjectNode();
        out.put("llm", lm.name());
        if (!caps.canScore()) {
          out.put("error", "cannot score: " + caps.scoreLimitation());
          System.out.println(out);
          return 3;
        }
        ContinuationScore score = lm.score(List.of(request)).get(0);
        out.put("log_probability", score.logProbability());
        out.put("tokens", score.tokenCount());
        ArrayNode per = out.putArray("token_log_probabilities");
        for (double v : score.tokenLogProbabilities()) {
          per.add(v);
        }
        System.out.println(out);
      }
      return 0;
    }
  }
}
