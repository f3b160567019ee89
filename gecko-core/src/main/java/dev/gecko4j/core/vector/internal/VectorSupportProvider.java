package dev.gecko4j.core.vector.internal;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.lang.reflect.InvocationTargetException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Chooses the {@link VectorSupport} once per JVM, following Lucene's {@code
 * VectorizationProvider}: the Panama kernels are used when the JVM is at least {@value
 * #PANAMA_MIN_FEATURE} (the incubator API they are compiled against), the module {@code
 * jdk.incubator.vector} is in the boot layer (JVM flag {@code --add-modules jdk.incubator.vector})
 * and the preferred vector is at least 128 bits wide; otherwise the scalar kernels, with a WARNING
 * (logged once) that says why.
 *
 * <p>The Panama class is compiled with {@code --release 25} into {@code META-INF/versions/25} of
 * gecko-core's multi-release jar, so a JDK 17 or 21 never sees it; it is loaded by name only after
 * the version check, and it runs every kernel once on a small input before it is used, so that a
 * later JDK whose incubator API changed shows a {@link LinkageError} here (and gets the scalar
 * kernels) instead of in a user's call.
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

  /** The oldest JDK feature release whose {@code jdk.incubator.vector} the Panama kernels use. */
  public static final int PANAMA_MIN_FEATURE = 25;

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
      // On a JDK older than the kernels nothing can be done but upgrading: INFO. On a JDK that could
      // run them (the module flag is missing, or they failed): WARNING.
      LOG.log(Runtime.version().feature() < PANAMA_MIN_FEATURE ? Level.INFO : Level.WARNING,
          "Using scalar vector kernels: " + e.getMessage());
      return new ScalarVectorSupport();
    }
  }

  private static VectorSupport loadPanama() throws UnavailableException {
    int feature = Runtime.version().feature();
    if (feature < PANAMA_MIN_FEATURE) {
      throw new UnavailableException("this JVM is Java " + feature + "; the Panama vector kernels"
          + " need Java " + PANAMA_MIN_FEATURE + " or newer (they are compiled against its"
          + " jdk.incubator.vector).");
    }
    Optional<Module> vectorModule = ModuleLayer.boot().findModule(VECTOR_MODULE);
    if (vectorModule.isEmpty()) {
      throw new UnavailableException(
          "Java vector incubator module is not readable. For optimal vector performance, pass '"
              + "--add-modules " + VECTOR_MODULE + "' to enable the Vector API.");
    }
    vectorModule.ifPresent(VectorSupportProvider.class.getModule()::addReads);
    try {
      Class<?> type = Class.forName(PANAMA_CLASS, true, VectorSupportProvider.class.getClassLoader());
      VectorSupport panama = (VectorSupport) type.getConstructor().newInstance();
      selfTest(panama);
      return panama;
    } catch (ClassNotFoundException e) {
      throw new UnavailableException("the Panama vector kernels are not on the class path (they"
          + " are in META-INF/versions/" + PANAMA_MIN_FEATURE + " of gecko-core's multi-release"
          + " jar; a repackaged jar may have dropped them or its Multi-Release manifest entry).");
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (cause instanceof UnsupportedOperationException) {
        // not supported because the preferred vector size is too small or similar
        throw new UnavailableException(
            "Java vector incubator API was not enabled. " + cause.getMessage());
      }
      throw new UnavailableException("Panama vector kernels failed to start: " + cause);
    } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
      throw new UnavailableException("Panama vector kernels could not be loaded: " + e);
    }
  }

  /**
   * Runs every kernel once against the scalar reference, so that each Vector API method they call
   * is linked now: a JDK whose incubator API changed fails here with a {@link LinkageError}, not in
   * a user's call.
   */
  private static void selfTest(VectorSupport panama) throws UnavailableException {
    ScalarVectorSupport scalar = new ScalarVectorSupport();
    int dim = 259; // several full vectors of any width, plus a tail
    int rows = 5;
    float[] a = new float[dim];
    float[] m = new float[rows * dim];
    for (int i = 0; i < m.length; i++) {
      m[i] = (float) Math.sin(i * 0.37) + 0.01f;
    }
    System.arraycopy(m, dim, a, 0, dim);
    float[] out = new float[rows];
    float[] expected = new float[rows];
    float[] block = new float[4 * rows];
    float[] expectedBlock = new float[4 * rows];
    float[] copy = a.clone();
    float[] copyScalar = a.clone();
    float[] b = java.util.Arrays.copyOf(m, dim);
    check("dot", panama.dot(a, 0, m, 0, dim), scalar.dot(a, 0, m, 0, dim));
    check("cosine", panama.cosine(a, b), scalar.cosine(a, b));
    check("cosine", panama.cosine(a, 1, m, 2, dim - 2), scalar.cosine(a, 1, m, 2, dim - 2));
    check("squaredL2", panama.squaredL2(a, b), scalar.squaredL2(a, b));
    check("squaredNorm", panama.squaredNorm(a, 0, dim), scalar.squaredNorm(a, 0, dim));
    check("sum", panama.sum(a, 0, dim), scalar.sum(a, 0, dim));
    panama.scale(copy, 0, dim, 0.5f);
    scalar.scale(copyScalar, 0, dim, 0.5f);
    check("scale", copy[dim - 1], copyScalar[dim - 1]);
    panama.dotMatrix(a, 0, m, 0, rows, dim, out, 0);
    scalar.dotMatrix(a, 0, m, 0, rows, dim, expected, 0);
    check("dotMatrix", out[rows - 1], expected[rows - 1]);
    panama.cosineMatrix(a, 0, m, 0, rows, dim, out, 0);
    scalar.cosineMatrix(a, 0, m, 0, rows, dim, expected, 0);
    check("cosineMatrix", out[rows - 1], expected[rows - 1]);
    float[] qs = java.util.Arrays.copyOf(m, 4 * dim);
    panama.dotBlock(qs, 0, 4, m, 0, rows, dim, block, 0, rows);
    scalar.dotBlock(qs, 0, 4, m, 0, rows, dim, expectedBlock, 0, rows);
    check("dotBlock", block[4 * rows - 1], expectedBlock[4 * rows - 1]);
    byte[] bytes = new byte[2 * dim];
    long[] words = new long[2 * dim];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) (i * 37 + 11);
      words[i] = i * 0x9E3779B97F4A7C15L;
    }
    check("dotInt8", panama.dotInt8(bytes, 1, bytes, dim, dim - 1),
        scalar.dotInt8(bytes, 1, bytes, dim, dim - 1));
    check("hamming", panama.hamming(words, 1, words, dim, dim - 1),
        scalar.hamming(words, 1, words, dim, dim - 1));
    int[] ints = new int[rows];
    int[] expectedInts = new int[rows];
    panama.dotInt8Matrix(bytes, 0, bytes, 3, rows, 48, ints, 0);
    scalar.dotInt8Matrix(bytes, 0, bytes, 3, rows, 48, expectedInts, 0);
    check("dotInt8Matrix", ints[rows - 1], expectedInts[rows - 1]);
    for (int w : new int[] {6, 40}) {
      panama.hammingMatrix(words, 0, words, 5, rows, w, ints, 0);
      scalar.hammingMatrix(words, 0, words, 5, rows, w, expectedInts, 0);
      check("hammingMatrix", ints[rows - 1], expectedInts[rows - 1]);
    }
  }

  private static void check(String kernel, float actual, float expected)
      throws UnavailableException {
    if (!(Math.abs(actual - expected) <= 1e-3f * Math.max(1f, Math.abs(expected)))) {
      throw new UnavailableException("Panama vector kernels failed their self-test: " + kernel
          + " gave " + actual + ", the scalar kernel " + expected);
    }
  }

  /** Why the Panama kernels cannot be used. */
  private static final class UnavailableException extends Exception {
    UnavailableException(String message) {
      super(message, null, false, false);
    }
  }
}
