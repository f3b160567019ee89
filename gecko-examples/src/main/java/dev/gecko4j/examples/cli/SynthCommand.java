package dev.gecko4j.examples.cli;

import dev.gecko4j.core.lm.LanguageModel;
import dev.gecko4j.fret.generate.E5TaskKind;
import dev.gecko4j.fret.run.MiningRun;
import dev.gecko4j.fret.run.StopSignal;
import dev.gecko4j.fret.run.SynthRun;
import dev.gecko4j.fret.run.SynthStats;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code gecko synth}: E5-mistral's synthetic (query, positive, hard negative) triplets written by
 * an LLM ({@link SynthRun}): brainstorm tasks per task kind, one JSON example per task and
 * placeholder draw, validated, deduplicated, every drop logged with its reason, appended to a
 * resumable JSONL file that {@code gecko train --fret} reads. Rerunning the same command resumes
 * (each row once). {@code SIGTERM} or Ctrl-C stops it after the batch in flight with every row
 * kept and exit status 143. Progress on stderr; the last stdout line is one JSON object.
 */
@Command(name = "synth", mixinStandardHelpOptions = true,
    description = "E5-style synthetic triplets from an LLM (brainstorm tasks, one JSON example per"
        + " task); resumable JSONL for gecko train --fret.")
public final class SynthCommand extends GeckoCommand {

  @Mixin LlmOption llm;

  @Option(names = "--out", required = true, description = "output JSONL (appended to; resumable);"
      + " drops go to <out>.drops.jsonl, brainstormed tasks to <out>.tasks.jsonl")
  Path out;

  @Option(names = "--tasks-per-kind", required = true,
      description = "tasks brainstormed per kind that get examples (STS and bitext have one fixed"
          + " task and get tasks-per-kind x examples-per-task examples)")
  int tasksPerKind;

  @Option(names = "--examples-per-task", defaultValue = "1",
      description = "examples per task, each with its own placeholders; default: ${DEFAULT-VALUE}")
  int examplesPerTask;

  @Option(names = "--kinds", split = ",", description = "task kinds, comma-separated, from"
      + " short-long, long-short, short-short, long-long, sts, classification, bitext (default: all)")
  List<String> kinds = new ArrayList<>();

  @Option(names = "--language", split = ",", description = "languages the language placeholder is"
      + " drawn from (default: English)")
  List<String> languages = new ArrayList<>();

  @Option(names = "--seed", defaultValue = "42",
      description = "seed of the placeholders and the LLM's sampling; default: ${DEFAULT-VALUE}")
  long seed;

  @Option(names = "--max-new-tokens", defaultValue = "2048",
      description = "generation budget per call; default: ${DEFAULT-VALUE}")
  int maxNewTokens;

  @Option(names = "--temperature", defaultValue = "1.0", description = "default: ${DEFAULT-VALUE}")
  double temperature;

  @Option(names = "--top-p", defaultValue = "1.0", description = "default: ${DEFAULT-VALUE}")
  double topP;

  @Option(names = "--max-chars", defaultValue = "20000",
      description = "longest text accepted in a reply field; default: ${DEFAULT-VALUE}")
  int maxChars;

  @Option(names = "--batch-size", defaultValue = "8",
      description = "prompts sent together (concurrently to an OpenAI-compatible server);"
          + " default: ${DEFAULT-VALUE}")
  int batchSize;

  @Option(names = "--stop-grace", defaultValue = "5",
      description = "on SIGTERM/Ctrl-C, seconds to finish the batch in flight before exiting"
          + " anyway; default: ${DEFAULT-VALUE}")
  int stopGrace;

  @Override
  public Integer call() throws Exception {
    if (stopGrace < 1 || stopGrace > 600) {
      throw badOption("--stop-grace must be between 1 and 600 seconds, but is: %d", stopGrace);
    }
    List<E5TaskKind> chosen = new ArrayList<>();
    for (String k : kinds) {
      try {
        E5TaskKind kind = E5TaskKind.parse(k);
        if (chosen.contains(kind)) {
          throw badOption("--kinds names %s twice", kind.id());
        }
        chosen.add(kind);
      } catch (IllegalArgumentException e) {
        throw badOption("--kinds: %s", e.getMessage());
      }
    }
    SynthRun.Builder b = SynthRun.builder().output(out);
    try {
      b.tasksPerKind(tasksPerKind).examplesPerTask(examplesPerTask).seed(seed)
          .maxNewTokens(maxNewTokens).sampling(temperature, topP).maxChars(maxChars)
          .batchSize(batchSize);
      if (!chosen.isEmpty()) {
        b.kinds(chosen);
      }
      if (!languages.isEmpty()) {
        b.languages(languages);
      }
    } catch (IllegalArgumentException e) {
      throw badOption("%s", e.getMessage());
    }
    LlmSpec spec = llm.spec();
    long t0 = System.nanoTime();
    System.err.println("gecko synth: LLM " + llm.value + ", kinds "
        + (chosen.isEmpty() ? E5TaskKind.names() : chosen.stream().map(E5TaskKind::id).toList())
        + ", " + tasksPerKind + " tasks x " + examplesPerTask + " examples, prompts "
        + E5TaskKind.VERSION);
    try (StopSignal stop = StopSignal.install(java.time.Duration.ofSeconds(stopGrace), System.err);
        LanguageModel lm = spec.open()) {
      SynthStats stats = b.llm(lm).stopWhen(stop)
          .listener(SynthRun.Listener.printing(System.err, 10)).build().run();
      Map<String, Object> json = new LinkedHashMap<>(stats.sorted());
      json.put("llm", lm.name());
      json.put("prompt_version", E5TaskKind.VERSION);
      json.put("out", out.toString());
      json.put("drop_log", MiningRun.dropLogOf(out).toString());
      json.put("task_log", SynthRun.taskLogOf(out).toString());
      json.put("wall_s", Math.round((System.nanoTime() - t0) / 1e7) / 100.0);
      if (stats.stopped()) {
        System.err.println("gecko synth: stopped by signal with " + stats.rows() + " rows in " + out
            + "; rerun the same command to resume");
      }
      CliSupport.printJson(System.out, json);
      return stats.stopped() ? StopSignal.EXIT_STATUS : 0;
    }
  }
}
