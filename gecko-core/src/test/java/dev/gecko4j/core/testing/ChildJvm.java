package dev.gecko4j.core.testing;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line that runs a main class in a child JVM like this test JVM: the same {@code java},
 * JVM options (less debugger and coverage agents, which would clash over their ports and files)
 * and class path.
 */
public final class ChildJvm {

  private ChildJvm() {}

  /**
   * Returns the command that runs {@code main} with {@code args} in a child JVM.
   *
   * @param main the class whose {@code main} the child runs
   * @param args its arguments
   * @return a mutable command list, for {@link ProcessBuilder}
   */
  public static List<String> command(Class<?> main, List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (!arg.startsWith("-agentlib") && !arg.startsWith("-javaagent")) {
        cmd.add(arg);
      }
    }
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(main.getName());
    cmd.addAll(args);
    return cmd;
  }
}
