package dev.gecko4j.core.testing;

/** Closing what a test class opened in its {@code @BeforeAll}, which may have failed half-way. */
public final class Resources {

  private Resources() {}

  /**
   * Closes each resource that was opened, in order; a null (never opened) is skipped.
   *
   * @param resources the resources, some possibly null
   * @throws Exception what a {@code close()} throws (the later resources then stay open)
   */
  public static void closeAll(AutoCloseable... resources) throws Exception {
    for (AutoCloseable r : resources) {
      if (r != null) {
        r.close();
      }
    }
  }
}
