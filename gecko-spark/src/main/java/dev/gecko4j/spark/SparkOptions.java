package dev.gecko4j.spark;

import dev.gecko4j.core.internal.GeckoJson;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code --name VALUE} options of the gecko-spark programs ({@code gecko bench spark}, {@code
 * gecko spark fret}), which run on Spark's class path rather than the CLI's, and their error
 * convention: a bad option prints its message on stderr and a JSON line {@code {"command",
 * "error", "exit_code": 2}} on stdout, and exits 2, as the CLI does.
 */
final class SparkOptions {

  private final Map<String, String> values;

  private SparkOptions(Map<String, String> values) {
    this.values = values;
  }

  /** A program body. */
  @FunctionalInterface
  interface Program {
    void run(SparkOptions options) throws Exception;
  }

  /**
   * Parses {@code args} and runs {@code program}; exits 2 on a bad option.
   *
   * @param command the command's name, for the error line
   * @param args the arguments
   * @param known the option names (without {@code --})
   * @param flags the names among them that take no value
   * @param program the body
   * @throws Exception what the body throws, but {@link IllegalArgumentException}
   */
  static void run(String command, String[] args, List<String> known, Set<String> flags,
      Program program) throws Exception {
    try {
      program.run(parse(args, known, flags));
    } catch (IllegalArgumentException e) {
      System.err.println("gecko " + command + ": " + e.getMessage());
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("command", command);
      json.put("error", e.getMessage());
      json.put("exit_code", 2);
      System.out.println(GeckoJson.mapper().writeValueAsString(json));
      System.out.flush();
      System.exit(2);
    }
  }

  static SparkOptions parse(String[] args, List<String> known, Set<String> flags) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      String key = a.startsWith("--") ? a.substring(2) : null;
      if (key != null && key.contains("=")) {
        m.put(key.substring(0, key.indexOf('=')), key.substring(key.indexOf('=') + 1));
        key = key.substring(0, key.indexOf('='));
      } else if (key != null && flags.contains(key)) {
        m.put(key, "true");
      } else if (key != null && i + 1 < args.length) {
        m.put(key, args[++i]);
      } else {
        key = null;
      }
      if (key == null || !known.contains(key)) {
        throw new IllegalArgumentException("unknown or incomplete option '" + a + "'; options are "
            + known.stream().map(k -> "--" + k + (flags.contains(k) ? "" : " VALUE")).toList());
      }
    }
    return new SparkOptions(m);
  }

  /** {@return the value of {@code --key}, or {@code dflt}} */
  String get(String key, String dflt) {
    return values.getOrDefault(key, dflt);
  }

  /** {@return the value of {@code --key}; throws naming it when absent} */
  String required(String key) {
    String v = values.get(key);
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException("--" + key + " is required");
    }
    return v;
  }

  /** {@return whether flag {@code --key} was given} */
  boolean flag(String key) {
    return Boolean.parseBoolean(values.getOrDefault(key, "false"));
  }

  /** {@return the integer value of {@code --key} in {@code [min, max]}, or {@code dflt}} */
  int integer(String key, int dflt, int min, int max) {
    String v = values.get(key);
    if (v == null) {
      return dflt;
    }
    int x;
    try {
      x = Integer.parseInt(v.trim().replace("_", "").replace(",", ""));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + key + " must be an integer, but is: '" + v + "'");
    }
    if (x < min || x > max) {
      throw new IllegalArgumentException(
          "--" + key + " must be between " + min + " and " + max + ", but is: " + x);
    }
    return x;
  }
}
