package dev.gecko4j.core.testing;

import java.util.Locale;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.opentest4j.TestAbortedException;

/**
 * Turns "skipped: needs ../shared/data" into a failure where the data must be there, so that CI
 * cannot pass without the tests on real data running.
 *
 * <p>Tests that need {@code ../shared/data} skip (a JUnit assumption) with a message naming the
 * path and {@code ../shared/data}. This extension, registered for every module's tests by the
 * parent pom (ServiceLoader auto-detection), rethrows such a skip as an {@link AssertionError}
 * when the system property {@code gecko4j.requireData} is {@code true}, or when it is unset and
 * the environment variable {@code CI} is {@code true} (as on the project's CI).
 * {@code -Dgecko4j.requireData=false} lets a CI-like run skip them on purpose. Other skips (the
 * Panama kernels absent on a JDK) are left alone.
 */
public final class RequireSharedData
    implements TestExecutionExceptionHandler, LifecycleMethodExecutionExceptionHandler {

  /** {@return whether a skip for missing shared data must fail this run} */
  static boolean required() {
    String p = System.getProperty("gecko4j.requireData");
    if (p != null && !p.isBlank()) {
      return Boolean.parseBoolean(p.strip());
    }
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }

  static boolean isMissingData(Throwable t) {
    return t instanceof TestAbortedException && t.getMessage() != null
        && t.getMessage().toLowerCase(Locale.ROOT).contains("shared/data");
  }

  private static void check(Throwable t) throws Throwable {
    if (required() && isMissingData(t)) {
      throw new AssertionError("the shared data must be present (gecko4j.requireData=true or CI=true),"
          + " but a test was skipped: " + t.getMessage(), t);
    }
    throw t;
  }

  @Override
  public void handleTestExecutionException(ExtensionContext context, Throwable t) throws Throwable {
    check(t);
  }

  @Override
  public void handleBeforeAllMethodExecutionException(ExtensionContext context, Throwable t)
      throws Throwable {
    check(t);
  }

  @Override
  public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable t)
      throws Throwable {
    check(t);
  }
}
