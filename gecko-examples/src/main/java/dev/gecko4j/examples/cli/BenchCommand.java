package dev.gecko4j.examples.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code gecko bench ...}: end-to-end benchmark programs (the JMH kernel benchmarks live in the
 * shaded {@code benchmarks.jar}). Each subcommand prints progress on stderr and one JSON object on
 * the last stdout line.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "End-to-end benchmarks (ratios measured side by side in one JVM).",
    subcommands = {ThroughputCommand.class, AnnBenchCommand.class, RerankBenchCommand.class})
public final class BenchCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.err);
  }
}
