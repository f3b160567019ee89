package dev.gecko4j.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.zip.CRC32;

/**
 * The one place gecko4j starts ONNX Runtime: every {@link OrtEnvironment} of the library comes from
 * {@link #environment()}, which prepares the process once so that ONNX Runtime never crashes the
 * host JVM, stays offline and leaves nothing behind.
 *
 * <p>What it does, once per JVM, before ONNX Runtime's native code runs:
 * <ol>
 *   <li><b>Native libraries in a cache, not in {@code /tmp}.</b> ONNX Runtime's Java loader copies
 *       its shared libraries into a fresh {@code /tmp/onnxruntime-java*} folder on every start and
 *       leaves the folder behind. gecko4j extracts them once into
 *       {@code <cache>/onnxruntime/<version>-<platform>/} (checked against the jar by size and CRC on
 *       every start, written through a temporary file and an atomic rename, so concurrent JVMs
 *       agree) and points ONNX Runtime at it with {@code onnxruntime.native.path}. The cache is
 *       {@code -Dgecko4j.native.dir}, else DJL's cache ({@code DJL_CACHE_DIR} system property or
 *       environment variable, else {@code ~/.djl.ai}), where the tokenizers' native library also
 *       lives. A user who sets {@code onnxruntime.native.path} keeps it.</li>
 *   <li><b>A large stack for start-up.</b> The environment is created on a short-lived thread with
 *       a 1 GiB stack (address space only; the thread ends at once). ONNX Runtime 1.29 added Linux
 *       telemetry that runs a recursive {@code std::regex} over {@code /proc/self/cmdline} when the
 *       first environment is created, which overflows an ordinary thread stack when the command line
 *       is over about 4 KB (every {@code java -cp <long classpath>} launch) and kills the JVM with
 *       SIGSEGV. gecko4j pins ONNX Runtime 1.28.0, which has no such telemetry; the large stack
 *       keeps a build that forces 1.29 alive too.</li>
 *   <li><b>Telemetry off.</b> ONNX Runtime's telemetry events are disabled on the environment, and
 *       DJL (tokenizers, PyTorch) is opted out of its call-home
 *       ({@code OPT_OUT_TRACKING=true}, which otherwise asks the EC2 metadata address) unless the
 *       user set {@code OPT_OUT_TRACKING} themselves.</li>
 * </ol>
 *
 * <p>Thread-safe; the first caller does the work, later callers get the same environment.
 */
public final class OrtRuntime {

  private static final System.Logger LOG = System.getLogger(OrtRuntime.class.getName());

  /** Stack of the thread that creates the environment (see the class comment). */
  static final long INIT_STACK_BYTES = 1L << 30;

  /** ONNX Runtime's own system property naming a folder of its native libraries. */
  static final String ORT_NATIVE_PATH = "onnxruntime.native.path";

  /** gecko4j's system property naming the cache folder for native libraries. */
  public static final String NATIVE_DIR_PROPERTY = "gecko4j.native.dir";

  private static final AtomicReference<OrtEnvironment> ENV = new AtomicReference<>();

  private OrtRuntime() {}

  /**
   * Returns the process-wide ONNX Runtime environment, preparing the process on the first call
   * (see the class comment).
   *
   * @return the environment; never closed by gecko4j
   * @throws IllegalStateException if ONNX Runtime's native libraries cannot be loaded (the message
   *     says why and where they were looked for)
   */
  public static OrtEnvironment environment() {
    OrtEnvironment env = ENV.get();
    if (env != null) {
      return env;
    }
    synchronized (OrtRuntime.class) {
      env = ENV.get();
      if (env == null) {
        env = start();
        ENV.set(env);
      }
      return env;
    }
  }

  /**
   * Opts DJL out of its call-home (sets the system property {@code OPT_OUT_TRACKING=true} unless the
   * property or the environment variable is already set). Called before any tokenizer or PyTorch
   * engine is created; idempotent.
   */
  public static void optOutOfDjlTracking() {
    if (System.getProperty("OPT_OUT_TRACKING") == null && System.getenv("OPT_OUT_TRACKING") == null) {
      System.setProperty("OPT_OUT_TRACKING", "true");
    }
  }

  /**
   * {@return the folder ONNX Runtime's native libraries are loaded from, or null when ONNX
   * Runtime's own loader chose (libraries not found as jar resources for this platform)}
   */
  public static Path nativeDirectory() {
    environment();
    String p = System.getProperty(ORT_NATIVE_PATH);
    return p == null ? null : Paths.get(p);
  }

  private static OrtEnvironment start() {
    optOutOfDjlTracking();
    if (System.getProperty(ORT_NATIVE_PATH) == null) {
      try {
        Path dir = extractNatives();
        if (dir != null) {
          System.setProperty(ORT_NATIVE_PATH, dir.toString());
        }
      } catch (IOException | UncheckedIOException | SecurityException e) {
        LOG.log(Level.WARNING, "could not cache ONNX Runtime's native libraries (" + e
            + "); ONNX Runtime extracts them to java.io.tmpdir itself");
      }
    }
    AtomicReference<Object> result = new AtomicReference<>();
    Runnable init = () -> {
      try {
        result.set(OrtEnvironment.getEnvironment());
      } catch (Throwable t) {
        result.set(t);
      }
    };
    try {
      Thread t = new Thread(null, init, "gecko4j-onnxruntime-init", INIT_STACK_BYTES);
      t.setDaemon(true);
      t.start();
      t.join();
    } catch (OutOfMemoryError e) {
      LOG.log(Level.WARNING, "no thread with a large stack could be started (" + e.getMessage()
          + "); creating the ONNX Runtime environment on the calling thread");
      init.run();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting ONNX Runtime", e);
    }
    Object r = result.get();
    if (r instanceof Throwable) {
      Throwable t = (Throwable) r;
      throw new IllegalStateException("ONNX Runtime could not start (" + t
          + "); native libraries from " + System.getProperty(ORT_NATIVE_PATH, "the onnxruntime jar")
          + ". gecko4j supports Linux x86-64 and aarch64, macOS and Windows as ONNX Runtime's jar"
          + " does.", t);
    }
    OrtEnvironment env = (OrtEnvironment) r;
    try {
      env.setTelemetry(false);
    } catch (OrtException | RuntimeException e) {
      LOG.log(Level.DEBUG, "ONNX Runtime telemetry could not be switched off: " + e.getMessage());
    }
    return env;
  }

  /** ONNX Runtime's name for this platform's folder of native libraries in its jar. */
  static String platform() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    String o = os.contains("mac") || os.contains("darwin") ? "osx"
        : os.contains("win") ? "win" : os.contains("nux") ? "linux" : null;
    String a = arch.startsWith("amd64") || arch.startsWith("x86_64") ? "x64"
        : arch.startsWith("aarch64") ? "aarch64" : null;
    return o == null || a == null ? null : o + "-" + a;
  }

  /** The cache folder for native libraries (see the class comment). */
  static Path cacheRoot() {
    String own = System.getProperty(NATIVE_DIR_PROPERTY);
    if (own != null && !own.isBlank()) {
      return Paths.get(own);
    }
    String djl = System.getProperty("DJL_CACHE_DIR");
    if (djl == null || djl.isBlank()) {
      djl = System.getenv("DJL_CACHE_DIR");
    }
    if (djl != null && !djl.isBlank()) {
      return Paths.get(djl);
    }
    return Paths.get(System.getProperty("user.home"), ".djl.ai");
  }

  /**
   * Copies this platform's ONNX Runtime libraries out of the jar into the cache, unless an identical
   * copy is there already; returns the folder, or null when the jar has none for this platform.
   */
  static Path extractNatives() throws IOException {
    String platform = platform();
    if (platform == null) {
      return null;
    }
    String prefix = "ai/onnxruntime/native/" + platform + "/";
    URL probe = OrtEnvironment.class.getClassLoader().getResource(prefix + System.mapLibraryName("onnxruntime"));
    if (probe == null) {
      return null;
    }
    String version = OrtEnvironment.class.getPackage().getImplementationVersion();
    Path dir = cacheRoot().resolve("onnxruntime")
        .resolve((version == null ? "unknown" : version) + "-" + platform);
    if ("jar".equals(probe.getProtocol())) {
      JarURLConnection conn = (JarURLConnection) probe.openConnection();
      conn.setUseCaches(false);
      try (JarFile jar = conn.getJarFile()) {
        List<JarEntry> libs = new ArrayList<>();
        for (Enumeration<JarEntry> en = jar.entries(); en.hasMoreElements(); ) {
          JarEntry e = en.nextElement();
          String rest = e.getName().startsWith(prefix) ? e.getName().substring(prefix.length()) : "";
          if (!e.isDirectory() && !rest.isEmpty() && !rest.contains("/")) {
            libs.add(e);
          }
        }
        Files.createDirectories(dir);
        for (JarEntry e : libs) {
          Path target = dir.resolve(e.getName().substring(prefix.length()));
          if (!sameContent(target, e.getSize(), e.getCrc())) {
            try (InputStream in = jar.getInputStream(e)) {
              install(in, target);
            }
          }
        }
      }
      return dir;
    }
    if ("file".equals(probe.getProtocol())) {
      try {
        return Paths.get(probe.toURI()).getParent();
      } catch (URISyntaxException e) {
        return null;
      }
    }
    return null;
  }

  private static boolean sameContent(Path file, long size, long crc) throws IOException {
    if (!Files.isRegularFile(file) || size < 0 || Files.size(file) != size) {
      return false;
    }
    if (crc < 0) {
      return true;
    }
    CRC32 c = new CRC32();
    byte[] buf = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      int n;
      while ((n = in.read(buf)) > 0) {
        c.update(buf, 0, n);
      }
    }
    return c.getValue() == crc;
  }

  /** Writes {@code in} to a temporary file beside {@code target}, then renames it atomically. */
  private static void install(InputStream in, Path target) throws IOException {
    Path tmp = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".part");
    try {
      Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
