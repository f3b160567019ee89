package dev.gecko4j.examples.cli;

import dev.gecko4j.core.internal.GeckoJson;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParameterException;

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
      RerankCommand.class,
      CrossEncoderCommand.class,
      SoakCommand.class,
      LmCommand.class,
      MineCommand.class,
      SynthCommand.class,
      TrainCommand.class,
      LoraCommand.class,
      BenchCommand.class,
    })
public final class GeckoCli implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Runs the CLI and exits with its status. */
  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Exit status of a bad command line or a bad argument: the message and the usage on stderr. */
  public static final int EXIT_USAGE = 2;

  /** Exit status of a failure while running (I/O, a model that cannot load, ...). */
  public static final int EXIT_FAILURE = 1;

  /**
   * Runs the CLI and returns its exit status (for tests). A bad option (unknown, malformed, or
   * rejected by a command's checks, which throw picocli's {@link ParameterException}) prints the
   * message and the command's usage on stderr and exits {@value #EXIT_USAGE}; a bad argument found
   * later ({@link IllegalArgumentException}, whose message names the value) prints the message and
   * exits {@value #EXIT_USAGE} too; any other failure prints its message (and, with {@code
   * GECKO_DEBUG=1}, its stack trace) and exits {@value #EXIT_FAILURE}. In every case the last
   * stdout line is one JSON object: {@code {"error": "...", "exit_code": n}}.
   */
  public static int execute(String... args) {
    CommandLine cli = new CommandLine(new GeckoCli()).setCaseInsensitiveEnumValuesAllowed(true);
    cli.setParameterExceptionHandler(GeckoCli::badCommandLine);
    cli.setExecutionExceptionHandler(GeckoCli::failed);
    return cli.execute(args);
  }

  private static int badCommandLine(ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    PrintWriter err = cmd.getErr();
    err.println(commandName(cmd) + ": " + e.getMessage());
    if (!CommandLine.UnmatchedArgumentException.printSuggestions(e, err)) {
      cmd.usage(err);
    }
    err.flush();
    return errorLine(cmd, e.getMessage(), EXIT_USAGE);
  }

  private static int failed(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
    PrintWriter err = cmd.getErr();
    String message = e.getMessage() == null ? e.getClass().getName() : e.getMessage();
    boolean badArgument = e instanceof IllegalArgumentException;
    err.println(commandName(cmd) + ": " + (badArgument ? "" : "failed: ") + message);
    if (System.getenv("GECKO_DEBUG") != null) {
      e.printStackTrace(err);
    } else if (!badArgument && !(e instanceof java.io.IOException)
        && !(e instanceof java.io.UncheckedIOException)) {
      err.println("(GECKO_DEBUG=1 prints the stack trace)");
    }
    err.flush();
    return errorLine(cmd, message, badArgument ? EXIT_USAGE : EXIT_FAILURE);
  }

  private static int errorLine(CommandLine cmd, String message, int code) {
    PrintWriter out = cmd.getOut();
    out.println(GeckoJson.mapper().createObjectNode()
        .put("command", commandName(cmd)).put("error", message).put("exit_code", code));
    out.flush();
    return code;
  }

  private static String commandName(CommandLine cmd) {
    return cmd.getCommandSpec().qualifiedName();
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
