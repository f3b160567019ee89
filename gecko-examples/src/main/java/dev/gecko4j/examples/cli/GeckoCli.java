package dev.gecko4j.examples.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code gecko} command line: {@code bin/gecko <command> ...}. Every command prints progress for
 * people on stderr and ends with one JSON object on the last stdout line.
 */
@Command(
    name = "gecko",
    mixinStandardHelpOptions = true,
    versionProvider = GeckoCli.Version.class,
    description = "gecko4j: Gecko-style text embeddings, FRet mining and fine-tuning on the JVM.",
    subcommands = {
      CommandLine.HelpCommand.class,
      ModelsCommand.class,
      DiffCommand.class,
      QuickstartCommand.class,
      EvaluateCommand.class,
      SoakCommand.class,
      LmCommand.class,
      MineCommand.class,
      TrainCommand.class,
      BenchCommand.class,
    })
public final class GeckoCli implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Runs the CLI and exits with its status. */
  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs the CLI and returns its exit status (for tests). */
  public static int execute(String... args) {
    return new CommandLine(new GeckoCli()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.err);
  }

  /** Reads the version Maven wrote into the jar manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = GeckoCli.class.getPackage().getImplementationVersion();
      String kernels = dev.gecko4j.core.vector.VectorMath.implementation();
      String why = kernels.equals("panama") ? " (SIMD through jdk.incubator.vector)"
          : dev.gecko4j.core.vector.internal.VectorSupportProvider.panamaUnavailableReason()
              .map(r -> " (" + r + ")").orElse(" (forced by -Dgecko4j.vector.impl)");
      return new String[] {
        "gecko4j " + (v == null ? "(development build)" : v),
        "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ") at "
            + System.getProperty("java.home"),
        "vector kernels: " + kernels + why
      };
    }
  }
}
