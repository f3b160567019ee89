package dev.gecko4j.examples.cli;

import dev.gecko4j.train.onnx.OnnxModel;
import dev.gecko4j.train.onnx.TensorData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code gecko diff A B}: compares the float weights (initializers) of two ONNX models of the same
 * graph, e.g. a resumed training run against an uninterrupted one, or a trained model against its
 * base. Ends with one JSON line: {@code {"max_abs_diff", "identical", "tensors", "differing",
 * "largest": {name: diff, ...}}}.
 */
@Command(name = "diff", mixinStandardHelpOptions = true,
    description = "Compares the float weights of two ONNX models (files or model folders).")
public final class DiffCommand implements Callable<Integer> {

  @Parameters(index = "0", description = "model A: model.onnx or a folder holding one")
  Path a;

  @Parameters(index = "1", description = "model B: model.onnx or a folder holding one")
  Path b;

  @Override
  public Integer call() throws IOException {
    Map<String, TensorData> wa = OnnxModel.read(onnxFile(a)).initializers();
    Map<String, TensorData> wb = OnnxModel.read(onnxFile(b)).initializers();
    if (!wa.keySet().equals(wb.keySet())) {
      List<String> onlyA = new ArrayList<>(wa.keySet());
      onlyA.removeAll(wb.keySet());
      List<String> onlyB = new ArrayList<>(wb.keySet());
      onlyB.removeAll(wa.keySet());
      throw new IllegalArgumentException("the models must have the same weights, but only " + a
          + " has " + head(onlyA) + " and only " + b + " has " + head(onlyB));
    }
    double max = 0;
    int compared = 0;
    int differing = 0;
    Map<String, Double> perTensor = new LinkedHashMap<>();
    for (Map.Entry<String, TensorData> e : wa.entrySet()) {
      TensorData x = e.getValue();
      TensorData y = wb.get(e.getKey());
      if (x.dataType() != TensorData.FLOAT || y.dataType() != TensorData.FLOAT) {
        continue;
      }
      float[] fx = x.floats();
      float[] fy = y.floats();
      if (fx.length != fy.length) {
        throw new IllegalArgumentException(String.format(Locale.ROOT,
            "weight %s must have the same size in both models, but has %d and %d", e.getKey(),
            fx.length, fy.length));
      }
      double d = 0;
      for (int i = 0; i < fx.length; i++) {
        d = Math.max(d, Math.abs((double) fx[i] - fy[i]));
      }
      compared++;
      if (d > 0) {
        differing++;
      }
      perTensor.put(e.getKey(), d);
      max = Math.max(max, d);
    }
    List<Map.Entry<String, Double>> sorted = new ArrayList<>(perTensor.entrySet());
    sorted.sort(Map.Entry.<String, Double>comparingByValue().reversed());
    Map<String, Double> largest = new LinkedHashMap<>();
    for (Map.Entry<String, Double> e : sorted.subList(0, Math.min(5, sorted.size()))) {
      largest.put(e.getKey(), e.getValue());
    }
    System.err.printf(Locale.ROOT, "gecko diff: %d float tensors compared, %d differ, max |a-b| = %.3g%n",
        compared, differing, max);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("a", a.toString());
    out.put("b", b.toString());
    out.put("tensors", compared);
    out.put("differing", differing);
    out.put("max_abs_diff", max);
    out.put("identical", differing == 0);
    out.put("largest", largest);
    CliSupport.printJson(System.out, out);
    return 0;
  }

  private static Path onnxFile(Path p) {
    if (Files.isRegularFile(p)) {
      return p;
    }
    for (Path c : List.of(p.resolve("model.onnx"), p.resolve("onnx/model.onnx"))) {
      if (Files.isRegularFile(c)) {
        return c;
      }
    }
    throw new IllegalArgumentException("model must be an ONNX file or a folder holding model.onnx "
        + "or onnx/model.onnx, but is: " + p);
  }

  private static String head(List<String> names) {
    return names.size() <= 5 ? names.toString() : names.subList(0, 5) + " and " + (names.size() - 5) + " more";
  }
}
