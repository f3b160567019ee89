package dev.gecko4j.core.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Where tests find the real evaluation data and models ({@code ../shared/data} beside the repo, or
 * the system property {@code gecko.shared.data}), and the one way they skip when it is absent: a
 * JUnit assumption whose message names the path and {@code ../shared/data}, which {@link
 * RequireSharedData} turns into a failure where the data must be there.
 */
public final class SharedData {

  private SharedData() {}

  /** {@return the shared data folder, whether or not it exists} */
  public static Path root() {
    return Path.of(System.getProperty("gecko.shared.data", "../shared/data"));
  }

  /**
   * Returns a file or folder under the shared data folder, skipping the calling test if it is
   * absent.
   *
   * @param first the first name under the shared data folder ({@code "beir/scifact"} works too)
   * @param more further names
   * @return the path, which exists
   * @throws org.opentest4j.TestAbortedException if it does not exist
   */
  public static Path require(String first, String... more) {
    Path p = root().resolve(Path.of(first, more));
    Assumptions.assumeTrue(Files.exists(p), "needs " + p + " (../shared/data beside the repo)");
    return p;
  }
}
