package dev.gecko4j.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.gecko4j.onnx.TokenizedBatch;
import dev.gecko4j.train.optim.AdamW;
import dev.gecko4j.train.loss.GeckoLoss;
import dev.gecko4j.train.onnx.MatmulKernels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Times one training step of the bundled bge-small encoder, phase by phase, for a fixed config
 * (batch 8, query 32 tokens, passage 128 tokens, one hard negative per row; no padding): forward
 * only, forward + backward (loss included), gradient download, and the optimizer step with the
 * parameter upload, at fp32 and bf16 matrix products ({@link MatmulPrecision}) interleaved rep by
 * rep on the same batches (the order alternates), so the bf16/fp32 ratio holds on a shared
 * machine. The step is reported against both the fp32 and the bf16 1024x1024 matmul peak measured
 * in the same run (before and after the steps; the higher of each). Prints progress on stderr and
 * one JSON object on the last stdout line.
 *
 * <p>Usage: {@code StepTiming [reps] [batch] [queryLen] [passageLen] [fp32|bf16|both]} (defaults
 * 3 8 32 128 both; bf16 is left out where the engine cannot run it).
 *
 * <p>A benchmark program, not API: package-private beside {@link TrainableEncoder}, whose tensor
 * methods it times (the JVM launcher runs a package-private class's {@code main}).
 */
final class StepTiming {
  private StepTiming() {}

  /** Phase times of one rep, in milliseconds. */
  private record Phases(double fwd, double fwdBwd, double fwdGrad, double download, double optim) {
    double step() {
      return fwdBwd + download + optim;
    }
  }

  /**
   * Runs the measurement.
   *
   * @param args optional reps, batch, query length, passage length, precisions
   * @throws Exception if the model cannot be loaded
   */
  public static void main(String[] args) throws Exception {
    int reps = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    int batch = args.length > 1 ? Integer.parseInt(args[1]) : 8;
    int qLen = args.length > 2 ? Integer.parseInt(args[2]) : 32;
    int pLen = args.length > 3 ? Integer.parseInt(args[3]) : 128;
    String which = args.length > 4 ? args[4].toLowerCase(Locale.ROOT) : "both";
    if (reps < 1 || batch < 1 || qLen < 2 || pLen < 2 || qLen > 512 || pLen > 512
        || !List.of("fp32", "bf16", "both").contains(which)) {
      throw new IllegalArgumentException("usage: StepTiming [reps>=1] [batch>=1] [queryLen 2..512] [passageLen 2..512]"
          + " [fp32|bf16|both]");
    }
    try (GeckoTrainer trainer = new GeckoTrainer(TrainableEncoder.bgeSmall(), null, null)) {
      TrainableEncoder enc = trainer.encoder();
      List<MatmulPrecision> precisions = new ArrayList<>();
      if (!which.equals("bf16")) {
        precisions.add(MatmulPrecision.FP32);
      }
      if (!which.equals("fp32")) {
        try {
          enc.useMatmulPrecision(MatmulPrecision.BF16);
          precisions.add(MatmulPrecision.BF16);
        } catch (IllegalStateException e) {
          System.err.println("bf16 left out: " + e.getMessage());
        }
      }
      if (precisions.isEmpty()) {
        throw new IllegalStateException("no precision to time");
      }
      Map<MatmulPrecision, Double> peaks = new EnumMap<>(MatmulPrecision.class);
      for (MatmulPrecision p : precisions) {
        peaks.put(p, MatmulKernels.measurePeakGflops(p, enc.manager()));
        System.err.printf(Locale.ROOT, "%s matmul peak %.1f GFLOP/s%n", p, peaks.get(p));
      }
      Random rnd = new Random(7);
      TokenizedBatch q = batch(rnd, batch, qLen);
      TokenizedBatch p = batch(rnd, batch, pLen);
      TokenizedBatch n = batch(rnd, batch, pLen);
      long tokens = (long) batch * (qLen + 2L * pLen);
      long params = enc.parameterCount();
      double modelFwd = batch * (trainer.forwardFlops(qLen) + 2 * trainer.forwardFlops(pLen));
      GeckoLoss loss = new GeckoLoss(0.05);
      AdamW opt = new AdamW(0.01);
      Map<String, Boolean> decayed = new LinkedHashMap<>();
      for (String name : enc.parameters().keySet()) {
        decayed.put(name, enc.shape(name).length >= 2);
      }
      Map<MatmulPrecision, List<Phases>> runs = new EnumMap<>(MatmulPrecision.class);
      for (int r = 0; r <= reps; r++) { // r == 0 is warm-up
        List<MatmulPrecision> order = new ArrayList<>(precisions);
        if (r % 2 == 1) {
          java.util.Collections.reverse(order);
        }
        for (MatmulPrecision mp : order) {
          enc.useMatmulPrecision(mp);
          Phases ph = rep(enc, loss, opt, decayed, q, p, n);
          System.err.printf(Locale.ROOT, "rep %d %s: fwd %.0f ms, fwd+bwd %.0f ms (fwd under autograd %.0f ms), grad download %.0f ms,"
              + " upload+adamw %.0f ms, step %.0f ms%n", r, mp, ph.fwd, ph.fwdBwd, ph.fwdGrad, ph.download, ph.optim, ph.step());
          if (r > 0) {
            runs.computeIfAbsent(mp, k -> new ArrayList<>()).add(ph);
          }
        }
      }
      for (MatmulPrecision mp : precisions) {
        peaks.merge(mp, MatmulKernels.measurePeakGflops(mp, enc.manager()), Math::max);
      }
      StringBuilder json = new StringBuilder();
      json.append(String.format(Locale.ROOT, "{\"batch\":%d,\"queryLen\":%d,\"passageLen\":%d,\"tokens\":%d,\"params\":%d,\"reps\":%d",
          batch, qLen, pLen, tokens, params, reps));
      json.append(String.format(Locale.ROOT, ",\"cpuBf16Features\":\"%s\"", String.join(" ", MatmulPrecision.cpuBf16Features())));
      for (MatmulPrecision mp : precisions) {
        json.append(String.format(Locale.ROOT, ",\"%sMatmulPeakGflops\":%.1f", mp, peaks.get(mp)));
      }
      for (MatmulPrecision mp : precisions) {
        List<Phases> ph = runs.get(mp);
        double mf = median(ph.stream().mapToDouble(Phases::fwd).toArray());
        double mfb = median(ph.stream().mapToDouble(Phases::fwdBwd).toArray());
        double step = median(ph.stream().mapToDouble(Phases::step).toArray());
        double stepGflops = 6.0 * params * tokens / step / 1e6;
        json.append(String.format(Locale.ROOT, ",\"%s\":{\"fwdMs\":%.1f,\"fwdBwdMs\":%.1f,\"fwdUnderAutogradMs\":%.1f,"
            + "\"gradDownloadMs\":%.1f,\"uploadPlusAdamwMs\":%.1f,\"stepMs\":%.1f,\"fwdGflops\":%.2f,\"fwdBwdGflops\":%.2f,"
            + "\"stepGflops\":%.2f,\"modelMatmulFwdBwdGflops\":%.2f",
            mp, mf, mfb, median(ph.stream().mapToDouble(Phases::fwdGrad).toArray()),
            median(ph.stream().mapToDouble(Phases::download).toArray()),
            median(ph.stream().mapToDouble(Phases::optim).toArray()), step,
            2.0 * params * tokens / mf / 1e6, 6.0 * params * tokens / mfb / 1e6, stepGflops, 3 * modelFwd / mfb / 1e6));
        for (MatmulPrecision peak : precisions) {
          json.append(String.format(Locale.ROOT, ",\"stepVs%sPeak\":%.3f", peak.toString().toUpperCase(Locale.ROOT),
              stepGflops / peaks.get(peak)));
        }
        json.append('}');
      }
      if (runs.size() == 2) {
        List<Phases> a = runs.get(MatmulPrecision.FP32);
        List<Phases> b = runs.get(MatmulPrecision.BF16);
        double[] ratios = new double[a.size()];
        for (int i = 0; i < ratios.length; i++) {
          ratios[i] = b.get(i).step() / a.get(i).step();
        }
        json.append(String.format(Locale.ROOT, ",\"bf16OverFp32Step\":%.3f,\"bf16OverFp32StepPerRep\":%s",
            median(ratios), Arrays.toString(Arrays.stream(ratios).map(x -> Math.round(x * 1000) / 1000.0).toArray())));
      }
      json.append(String.format(Locale.ROOT, ",\"load\":\"%s\"}", loadAverage()));
      System.out.println(json);
    }
  }

  private static Phases rep(TrainableEncoder enc, GeckoLoss loss, AdamW opt, Map<String, Boolean> decayed,
      TokenizedBatch q, TokenizedBatch p, TokenizedBatch n) {
    double fwd;
    try (NDManager scope = enc.manager().newSubManager()) {
      Map<String, NDArray> pa = enc.upload(scope, false);
      pa.values().iterator().next().getFloat(0, 0);
      long t1 = System.nanoTime();
      NDArray l0 = loss.compute(enc.embed(scope, pa, q), enc.embed(scope, pa, p), enc.embed(scope, pa, n));
      l0.getFloat();
      fwd = (System.nanoTime() - t1) / 1e6;
    }
    try (NDManager scope = enc.manager().newSubManager()) {
      long t0 = System.nanoTime();
      Map<String, NDArray> pa = enc.upload(scope, true);
      long t1 = System.nanoTime();
      long tg;
      try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
        NDArray l = loss.compute(enc.embed(scope, pa, q), enc.embed(scope, pa, p), enc.embed(scope, pa, n));
        l.getFloat();
        tg = System.nanoTime();
        gc.backward(l);
        pa.values().iterator().next().getGradient().getFloat(0, 0);
      }
      long t2 = System.nanoTime();
      Map<String, float[]> grads = new LinkedHashMap<>();
      for (Map.Entry<String, NDArray> e : pa.entrySet()) {
        grads.put(e.getKey(), e.getValue().getGradient().toFloatArray());
      }
      long t3 = System.nanoTime();
      opt.step(enc.parameters(), grads, decayed, 1e-9);
      long t4 = System.nanoTime();
      return new Phases(fwd, (t2 - t1) / 1e6, (tg - t1) / 1e6, (t3 - t2) / 1e6, (t4 - t3) / 1e6 + (t1 - t0) / 1e6);
    }
  }

  private static TokenizedBatch batch(Random rnd, int b, int seq) {
    long[] ids = new long[b * seq];
    long[] mask = new long[b * seq];
    long[] types = new long[b * seq];
    Arrays.fill(mask, 1L);
    for (int r = 0; r < b; r++) {
      ids[r * seq] = 101;
      for (int i = 1; i < seq - 1; i++) {
        ids[r * seq + i] = 1000 + rnd.nextInt(28000);
      }
      ids[r * seq + seq - 1] = 102;
    }
    int[] owners = new int[b];
    int[] rowTokens = new int[b];
    for (int r = 0; r < b; r++) {
      owners[r] = r;
      rowTokens[r] = seq;
    }
    return new TokenizedBatch(b, seq, ids, mask, types, owners, rowTokens);
  }

  private static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    return v[v.length / 2];
  }

  private static String loadAverage() {
    try {
      return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim();
    } catch (java.io.IOException e) {
      return "n/a";
    }
  }
}
