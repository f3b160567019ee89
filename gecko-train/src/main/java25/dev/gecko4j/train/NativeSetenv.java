package dev.gecko4j.train;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * POSIX {@code setenv} through the Foreign Function and Memory API (Java 22+). Compiled for Java 25
 * into {@code META-INF/versions/25} of gecko-train's multi-release jar and loaded by name by
 * {@link TorchThreads} only on Java 25 and newer; never referenced directly.
 */
final class NativeSetenv implements BiFunction<String, String, String> {

  /** Creates it; public constructor for reflective loading. */
  public NativeSetenv() {}

  /**
   * Sets {@code name=value} in the process environment.
   *
   * @return a short description of what happened, for a DEBUG log line
   */
  @Override
  public String apply(String name, String value) {
    Linker linker = Linker.nativeLinker();
    Optional<MemorySegment> fn = linker.defaultLookup().find("setenv");
    if (fn.isEmpty()) {
      return "no setenv in this C library; " + name + " left unset";
    }
    MethodHandle setenv = linker.downcallHandle(fn.get(), FunctionDescriptor.of(ValueLayout.JAVA_INT,
        ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    try (Arena arena = Arena.ofConfined()) {
      int rc = (int) setenv.invokeExact(arena.allocateFrom(name), arena.allocateFrom(value), 0);
      return "setenv " + name + "=" + value + ": " + rc;
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException("setenv " + name + " failed", t);
    }
  }
}
