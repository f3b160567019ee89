package dev.gecko4j.examples.bench;

import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The JMH settings every kernel benchmark runs with, in one place: one fork that gets the Vector
 * API, 3 warm-up and 5 measured iterations of 1 s, throughput. A benchmark extends it and adds
 * its state scope and time unit; the nearest annotation wins, so it may also lengthen the
 * iterations (JMH reads these annotations through the class hierarchy).
 */
// Every fork gets the Vector API (the flag on the runner's command line only serves the runner).
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx2g"})
// the first iterations are JIT warm-up; measure after C2 has compiled the kernels
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@BenchmarkMode(Mode.Throughput)
public abstract class KernelBenchmark {

  /** For subclasses. */
  protected KernelBenchmark() {}
}
