package dev.gecko4j.core.vector.internal;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.lang.reflect.InvocationTargetException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Chooses the {@link VectorSupport} once per JVM, following Lucene's {@code
 * VectorizationProvider}: the Panama kernels are used when the module {@code jdk.incubator.vector}
 * is in the boot layer (JVM flag {@code --add-modules jdk.incubator.vector}) and the preferred
 * vector is at least 128 bits wide; otherwise the scalar kernels, with a WARNING that says why.
 *
 * <p>The system property {@value #PROPERTY} forces a choice: {@code scalar} or {@code panama}
 * ({@code panama} fails with an {@link IllegalStateException} naming the reason if the Vector API
 * is not usable). Any other value is an {@link IllegalArgumentException} listing the valid ones.
 */
public final class VectorSupportProvider {

  /** System property that forces the implementation: {@code scalar} or {@code panama}. */
  public static final String PROPERTY = "gecko4j.vector.impl";

  /** The valid values of {@link #PROPERTY}. */
  public static final List<String> VALID_VALUES = List.of("scalar", "panama");

  private static final String VECTOR_MODULE = "jdk.incubator.vector";
  private static final String PANAMA_CLASS =
      "dev.gecko4j.core.vector.internal.PanamaVectorSupport";
  private static final Logger LOG = System.getLogger(VectorSupportProvider.class.getName());

  private VectorSupportProvider() {}

  /** This static holder class prevents classloading deadlock and chooses once, on first use. */
  private static final class Holder {
    static final VectorSupport INSTANCE = lookup(System.getProperty(PROPERTY));
  }

  /**
   * Returns the implementation chosen for this JVM.
   *
   * @return the shared, thread-safe kernels
   * @throws IllegalArgumentException if {@value #PROPERTY} has an unknown value
   * @throws IllegalStateException if {@value #PROPERTY} is {@code panama} but the Vector API is not
   *     usable
   */
  public static VectorSupport get() {
    return Holder.INSTANCE;
  }

  /** {@return a new scalar implementation (for tests and benchmarks)} */
  public static VectorSupport scalar() {
    return new ScalarVectorSupport();
  }

  /**
   * Returns a new Panama implementation if the Vector API is usable in this JVM, empty otherwise
   * (for tests and benchmarks, which compare it with {@link #scalar()}).
   */
  public static Optional<VectorSupport> panama() {
    try {
      return Optional.of(loadPanama());
    } catch (UnavailableException e) {
      return Optional.empty();
    }
  }

  /**
   * Returns why the Panama kernels cannot be used in this JVM, or empty if they can.
   */
  public static Optional<String> panamaUnavailableReason() {
    try {
      loadPanama();
      return Optional.empty();
    } catch (UnavailableException e) {
      return Optional.of(e.getMessage());
    }
  }

  // visible for tests
  static VectorSupport lookup(String forced) {
    if (forced != null) {
      String value = forced.trim().toLowerCase(Locale.ROOT);
      switch (value) {
        case "scalar" -> {
          LOG.log(Level.DEBUG, "Using scalar vector kernels (forced by -D{0}=scalar)", PROPERTY);
          return new ScalarVectorSupport();
        }
        case "panama" -> {
          try {
            return loadPanama();
          } catch (UnavailableException e) {
            throw new IllegalStateException(
                "-D" + PROPERTY + "=panama was given, but the Panama vector kernels are not"
                    + " usable: " + e.getMessage(), e);
          }
        }
        default -> throw new IllegalArgumentException(
            "Unknown value of -D" + PROPERTY + ": '" + forced + "'. Valid values are: "
                + VALID_VALUES);
      }
    }
    try {
      VectorSupport panama = loadPanama();
      LOG.log(Level.DEBUG, "Using Panama vector kernels");
      return panama;
    } catch (UnavailableException e) {
      LOG.log(Level.WARNING, "Using scalar vector kernels: " + e.getMessage());
      return new ScalarVectorSupport();
    }
  }

  private static VectorSupport loadPanama() throws UnavailableException {
    Optional<Module> vectorModule = ModuleLayer.boot().findModule(VECTOR_MODULE);
    if (vectorModule.isEmpty()) {
      throw new UnavailableException(
          "Java vector incubator module is not readable. For optimal vector performance, pass '"
              + "--add-modules " + VECTOR_MODULE + "' to enable the Vector API.");
    }
    vectorModule.ifPresent(VectorSupportProvider.class.getModule()::addReads);
    try {
      Class<?> type = Class.forName(PANAMA_CLASS, true, VectorSupportProvider.class.getClassLoader());
      return (VectorSupport) type.getConstructor().newInstance();
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (cause instanceof UnsupportedOperationException) {
        // not supported because the preferred vector size is too small or similar
        throw new UnavailableException(
            "Java vector incubator API was not enabled. " + cause.getMessage());
      }
      throw new UnavailableException("Panama vector kernels failed to start: " + cause);
    } catch (ReflectiveOperationException | LinkageError e) {
      throw new UnavailableException("Panama vector kernels could not be loaded: " + e);
    }
  }

  /** Why the Panama kernels cannot be used. */
  private static final class UnavailableException extends Exception {
    UnavailableException(String message) {
      super(message, null, false, false);
    }
  }
}
