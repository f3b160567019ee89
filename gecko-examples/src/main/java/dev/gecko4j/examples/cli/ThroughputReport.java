package dev.gecko4j.examples.cli;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The figures of {@code gecko bench throughput}: wall-clock and process CPU time of a run, each
 * system's medians, the ratios between systems, the targets and the summary table on stderr.
 */
final class ThroughputReport {

  private ThroughputReport() {}

  static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
          .getOperatingSystemMXBean();

  /** Runs {@code r}; returns {wall seconds, process CPU seconds (all threads, native included)}. */
  static double[] time(Runnable r) {
    System.gc();
    long c0 = OS.getProcessCpuTime();
    long t0 = System.nanoTime();
    r.run();
    long t1 = System.nanoTime();
    long c1 = OS.getProcessCpuTime();
    return new double[] {(t1 - t0) / 1e9, (c1 - c0) / 1e9};
  }

  /**
   * Adds each system's figures ({@code texts_per_s}, {@code tokens_per_s}, medians and runs) and
   * the ratios between the systems measured to {@code r}.
   *
   * @param r the workload's result, filled in
   * @param seconds each system's wall-clock seconds per timed run, in the order systems were added
   * @param cpuSeconds each system's process CPU seconds per timed run
   * @param texts the texts of the workload
   * @param tokens the tokens of the workload
   */
  static void addFigures(Map<String, Object> r, Map<String, double[]> seconds,
      Map<String, double[]> cpuSeconds, int texts, long tokens) {
    Map<String, Double> median = new HashMap<>();
    Map<String, Double> cpuMedian = new HashMap<>();
    for (Map.Entry<String, double[]> e : seconds.entrySet()) {
      double m = median(e.getValue());
      double c = median(cpuSeconds.get(e.getKey()));
      median.put(e.getKey(), m);
      cpuMedian.put(e.getKey(), c);
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("texts_per_s", round(texts / m, 1));
      s.put("tokens_per_s", round(tokens / m, 0));
      s.put("median_s", round(m, 4));
      s.put("runs_s", rounded(e.getValue()));
      s.put("median_cpu_s", round(c, 4));
      s.put("runs_cpu_s", rounded(cpuSeconds.get(e.getKey())));
      r.put(e.getKey(), s);
    }
    // Wall-clock ratios (the claim), and the same ratios in process CPU time (all threads, ONNX
    // Runtime's native ones included): less sensitive to other load on a shared machine. A ratio
    // is there when both its systems were measured. batching_bound: what batching can gain at most
    // over one text per run on this machine and session (an embedder at the ceiling beats a
    // per-text one at the batch-1 ceiling by this much).
    ratio(r, "vs_peer", median, "peer", "gecko");
    ratio(r, "vs_ceiling", median, "ceiling", "gecko");
    ratio(r, "batching_bound", median, "ceiling_b1", "ceiling");
    ratio(r, "peer_vs_ceiling_b1", median, "ceiling_b1", "peer");
    ratio(r, "int8_vs_fp32", median, "gecko", "int8");
    ratio(r, "adapter_vs_gecko", median, "gecko", "lc4j_adapter");
    ratio(r, "adapter_vs_peer", median, "peer", "lc4j_adapter");
    Map<String, Object> cpu = new LinkedHashMap<>();
    ratio(cpu, "vs_peer", cpuMedian, "peer", "gecko");
    ratio(cpu, "vs_ceiling", cpuMedian, "ceiling", "gecko");
    ratio(cpu, "batching_bound", cpuMedian, "ceiling_b1", "ceiling");
    ratio(cpu, "int8_vs_fp32", cpuMedian, "gecko", "int8");
    r.put("cpu_time_ratios", cpu);
  }

  /** Puts {@code m[num] / m[den]} (3 digits) as {@code key} when both systems were measured. */
  private static void ratio(Map<String, Object> out, String key, Map<String, Double> m, String num,
      String den) {
    if (m.containsKey(num) && m.containsKey(den)) {
      out.put(key, round(m.get(num) / m.get(den), 3));
    }
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> targets(Map<String, Object> result) {
    Map<String, Object> t = new LinkedHashMap<>();
    if (result.get("short") instanceof Map<?, ?> s) {
      put(t, "short_vs_peer_ge_3", ((Map<String, Object>) s).get("vs_peer"), 3.0);
      put(t, "short_vs_ceiling_ge_0.85", ((Map<String, Object>) s).get("vs_ceiling"), 0.85);
      put(t, "short_adapter_vs_gecko_ge_0.97", ((Map<String, Object>) s).get("adapter_vs_gecko"),
          0.97);
      put(t, "short_adapter_vs_peer_ge_1.7", ((Map<String, Object>) s).get("adapter_vs_peer"),
          1.7);
    }
    if (result.get("long") instanceof Map<?, ?> l) {
      put(t, "long_vs_peer_ge_1.5", ((Map<String, Object>) l).get("vs_peer"), 1.5);
      put(t, "long_vs_ceiling_ge_0.85", ((Map<String, Object>) l).get("vs_ceiling"), 0.85);
    }
    put(t, "int8_vs_fp32_ge_1.8", result.get("int8_vs_fp32"), 1.8);
    if (result.get("sts") instanceof Map<?, ?> sts && sts.get("int8_minus_fp32") instanceof Double d) {
      t.put("int8_sts_within_0.01", Math.abs(d) <= 0.01);
    }
    return t;
  }

  static void put(Map<String, Object> t, String name, Object value, double min) {
    if (value instanceof Double d) {
      t.put(name, d >= min);
    }
  }

  @SuppressWarnings("unchecked")
  static void printSummary(PrintStream err, Map<String, Object> result) {
    err.println();
    err.println("| workload | system | texts/s | tokens/s | median s |");
    err.println("|---|---|---:|---:|---:|");
    for (String w : ThroughputCommand.WORKLOADS) {
      if (!(result.get(w) instanceof Map<?, ?> r)) {
        continue;
      }
      for (String s : List.of("gecko", "peer", "ceiling", "ceiling_b1", "int8", "lc4j_adapter")) {
        if (r.get(s) instanceof Map<?, ?> m) {
          err.printf(Locale.ROOT, "| %s | %s | %s | %s | %s |%n", w, s, m.get("texts_per_s"),
              m.get("tokens_per_s"), m.get("median_s"));
        }
      }
      err.printf(Locale.ROOT, "%s: gecko/peer %s, gecko/ceiling %s, int8/fp32 %s (wall clock); "
          + "batching bound (ceiling / batch-1 ceiling) %s; in process CPU time: %s%n", w,
          r.get("vs_peer"), r.get("vs_ceiling"), r.get("int8_vs_fp32"), r.get("batching_bound"),
          r.get("cpu_time_ratios"));
      if (r.get("adapter_vs_gecko") != null) {
        err.printf(Locale.ROOT, "%s: LangChain4j adapter/gecko %s, adapter/peer %s (wall clock)%n",
            w, r.get("adapter_vs_gecko"), r.get("adapter_vs_peer"));
      }
    }
    err.println("targets: " + result.get("targets"));
  }

  static double[] rounded(double[] v) {
    double[] out = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = round(v[i], 4);
    }
    return out;
  }

  static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }

  static double round(double v, int digits) {
    double f = Math.pow(10, digits);
    return Math.round(v * f) / f;
  }
}
