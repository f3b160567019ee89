package dev.gecko4j.examples.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * What the {@code gecko} commands that check their option values share: picocli's spec of the
 * command, and the exception for a bad value.
 */
abstract class GeckoCommand implements Callable<Integer> {

  /** Injected by picocli. */
  @Spec CommandSpec spec;

  /**
   * Returns the exception a command throws for a bad option value: picocli prints {@code message}
   * and the command's usage, and the CLI exits 2 (see {@link GeckoCli#execute}).
   *
   * @param template the message, naming the option, what was expected and the value given
   * @param values the template's values ({@link String#format}, root locale)
   * @return the exception to throw
   */
  ParameterException badOption(String template, Object... values) {
    return new ParameterException(spec.commandLine(),
        String.format(java.util.Locale.ROOT, template, values));
  }
}
