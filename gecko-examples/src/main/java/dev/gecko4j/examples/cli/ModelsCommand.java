package dev.gecko4j.examples.cli;

import dev.gecko4j.onnx.Models;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * {@code gecko models}: lists the bundled models with their dimension, pooling, maximum length,
 * prompt convention, size and precision.
 */
@Command(name = "models", mixinStandardHelpOptions = true,
    description = "Lists the bundled embedding models (no download needed).")
public final class ModelsCommand implements Callable<Integer> {

  @Override
  public Integer call() {
    String header = String.format(Locale.ROOT, "%-20s %4s %-8s %6s %-8s %8s %-9s %s", "name", "dim",
        "pooling", "maxLen", "prompts", "size", "precision", "normalised");
    System.out.println(header);
    List<Map<String, Object>> rows = new ArrayList<>();
    for (Models m : Models.values()) {
      long size = m.sizeBytes();
      String sizeText = size < 0 ? "missing" : String.format(Locale.ROOT, "%.1f MB", size / 1e6);
      System.out.println(String.format(Locale.ROOT, "%-20s %4d %-8s %6d %-8s %8s %-9s %s",
          m.modelName(), m.dimension(), m.pooling(), m.maxLength(), m.conventionName(), sizeText,
          m.precision().name().toLowerCase(Locale.ROOT), m.normalize()));
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("name", m.modelName());
      row.put("dimension", m.dimension());
      row.put("pooling", m.pooling().name());
      row.put("max_length", m.maxLength());
      row.put("prompt_convention", m.conventionName());
      row.put("size_bytes", size);
      row.put("precision", m.precision().name().toLowerCase(Locale.ROOT));
      row.put("normalized", m.normalize());
      row.put("default", m == Models.BGE_SMALL_EN_V15);
      rows.add(row);
    }
    System.out.println("default: " + Models.BGE_SMALL_EN_V15.modelName()
        + "; any sentence-transformers folder also works: --model /path/to/folder");
    CliSupport.printJson(System.out, Map.of("models", rows));
    return 0;
  }
}
