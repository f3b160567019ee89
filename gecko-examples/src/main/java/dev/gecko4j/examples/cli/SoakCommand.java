package dev.gecko4j.examples.cli;

import dev.gecko4j.core.TaskPrompt;
import dev.gecko4j.onnx.OnnxEmbedder;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code gecko soak}: embeds many short synthetic texts in chunks and samples the process's
 * resident memory (VmRSS from /proc/self/status) and the Java heap after each chunk, to show
 * whether memory grows after warm-up (native leaks such as unclosed tensors show up in RSS).
 */
@Command(name = "soak", mixinStandardHelpOptions = true,
    description = "Embeds many short texts and samples resident memory to check for leaks.")
public final class SoakCommand extends GeckoCommand {

  @Option(names = "--model", defaultValue = "bge-small-en-v1.5",
      description = "bundled model name or sentence-transformers folder; default: ${DEFAULT-VALUE}")
  String model;

  @Option(names = "--texts", defaultValue = "100000",
      description = "number of texts to embed; default: ${DEFAULT-VALUE}")
  int texts;

  @Option(names = "--chunk", defaultValue = "1000",
      description = "texts per embedAll call (one RSS sample each); default: ${DEFAULT-VALUE}")
  int chunk;

  @Option(names = "--warmup", defaultValue = "10000",
      description = "texts before the baseline sample; default: ${DEFAULT-VALUE}")
  int warmup;

  private static final String[] WORDS = {"gecko", "lizard", "insect", "wall", "night", "warm",
      "tail", "climb", "glass", "forest", "desert", "pet", "cricket", "moth", "egg", "skin"};

  @Override
  public Integer call() {
    if (texts < 1 || chunk < 1 || warmup < 0 || warmup >= texts) {
      throw badOption(
          "need --texts >= 1, --chunk >= 1 and 0 <= --warmup < --texts, but got texts=%d chunk=%d "
              + "warmup=%d", texts, chunk, warmup);
    }
    long t0 = System.nanoTime();
    List<Map<String, Object>> samples = new ArrayList<>();
    double baseline = -1;
    double maxAfter = 0;
    try (OnnxEmbedder embedder = CliSupport.builderFor(model).build()) {
      System.err.println("gecko soak: " + embedder + ", " + texts + " texts in chunks of " + chunk);
      int done = 0;
      while (done < texts) {
        int n = Math.min(chunk, texts - done);
        List<String> batch = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          batch.add(text(done + i));
        }
        embedder.embedAll(batch, TaskPrompt.none());
        done += n;
        double rss = rssMb();
        double heap = heapUsedMb();
        if (baseline < 0 && done >= warmup) {
          baseline = rss;
        } else if (baseline >= 0) {
          maxAfter = Math.max(maxAfter, rss);
        }
        if (done % Math.max(chunk, texts / 20 / chunk * chunk) == 0 || done == texts) {
          Map<String, Object> s = new LinkedHashMap<>();
          s.put("texts", done);
          s.put("rss_mb", Math.round(rss * 10) / 10.0);
          s.put("heap_used_mb", Math.round(heap * 10) / 10.0);
          s.put("seconds", Math.round((System.nanoTime() - t0) / 1e8) / 10.0);
          samples.add(s);
          System.err.printf(Locale.ROOT, "gecko soak: %,d texts  rss %.1f MB  heap used %.1f MB%n",
              done, rss, heap);
        }
      }
    }
    double end = ((Number) samples.get(samples.size() - 1).get("rss_mb")).doubleValue();
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("model", model);
    result.put("texts", texts);
    result.put("warmup_texts", warmup);
    result.put("rss_after_warmup_mb", Math.round(baseline * 10) / 10.0);
    result.put("rss_max_after_warmup_mb", Math.round(Math.max(maxAfter, baseline) * 10) / 10.0);
    result.put("rss_end_mb", end);
    result.put("rss_growth_after_warmup_mb", Math.round((end - baseline) * 10) / 10.0);
    result.put("samples", samples);
    result.put("seconds", Math.round((System.nanoTime() - t0) / 1e8) / 10.0);
    CliSupport.printJson(System.out, result);
    return 0;
  }

  /** A short deterministic synthetic text (4 to 11 words after its number). */
  static String text(int i) {
    StringBuilder sb = new StringBuilder("text ").append(i);
    long x = i * 0x9E3779B97F4A7C15L + 1;
    int words = 4 + (int) Long.remainderUnsigned(x, 8);
    for (int w = 0; w < words; w++) {
      x ^= x << 13;
      x ^= x >>> 7;
      x ^= x << 17;
      sb.append(' ').append(WORDS[(int) Long.remainderUnsigned(x, WORDS.length)]);
    }
    return sb.toString();
  }

  /** Resident set size in MB from /proc/self/status, or -1 where it does not exist. */
  static double rssMb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  private static double heapUsedMb() {
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1048576.0;
  }
}
