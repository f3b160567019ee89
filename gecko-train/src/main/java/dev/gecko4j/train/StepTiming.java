package dev.gecko4j.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.gecko4j.onnx.TokenizedBatch;
import dev.gecko4j.train.optim.AdamW;
import dev.gecko4j.train.loss.GeckoLoss;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Times one training step of the bundled bge-small encoder, phase by phase, for a fixed config
 * (batch 8, query 32 tokens, passage 128 tokens, one hard negative per row; no padding): forward
 * only, forward + backward (loss included), gradient download, and the optimizer step with the
 * parameter upload. Prints progress on stderr and one JSON object on the last stdout line.
 *
 * <p>Usage: {@code StepTiming [reps] [batch] [queryLen] [passageLen]} (defaults 3 8 32 128).
 *
 * <p>A benchmark program, not API: package-private beside {@link TrainableEncoder}, whose tensor
 * methods it times (the JVM launcher runs a package-private class's {@code main}).
 */
final class StepTiming {
  private StepTiming() {}

  /**
   * Runs the measurement.
   *
   * @param args optional reps, batch, query length, passage length
   * @throws Exception if the model cannot be loaded
   */
  public static void main(String[] args) throws Exception {
    int reps = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    int batch = args.length > 1 ? Integer.parseInt(args[1]) : 8;
    int qLen = args.length > 2 ? Integer.parseInt(args[2]) : 32;
    int pLen = args.length > 3 ? Integer.parseInt(args[3]) : 128;
    if (reps < 1 || batch < 1 || qLen < 2 || pLen < 2 || qLen > 512 || pLen > 512) {
      throw new IllegalArgumentException("usage: StepTiming [reps>=1] [batch>=1] [queryLen 2..512] [passageLen 2..512]");
    }
    try (GeckoTrainer trainer = new GeckoTrainer(TrainableEncoder.bgeSmall(), null, null)) {
      TrainableEncoder enc = trainer.encoder();
      double peak = trainer.measureMatmulPeak();
      System.err.printf(Locale.ROOT, "matmul peak %.1f GFLOP/s%n", peak);
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
      double[] fwd = new double[reps + 1];
      double[] fwdBwd = new double[reps + 1];
      double[] upload = new double[reps + 1];
      double[] fwdGrad = new double[reps + 1];
      double[] download = new double[reps + 1];
      double[] optim = new double[reps + 1];
      for (int r = 0; r <= reps; r++) { // r == 0 is warm-up
        try (NDManager scope = enc.manager().newSubManager()) {
          long t0 = System.nanoTime();
          Map<String, NDArray> pa = enc.upload(scope, false);
          pa.values().iterator().next().getFloat(0, 0);
          long t1 = System.nanoTime();
          NDArray l0 = loss.compute(enc.embed(scope, pa, q), enc.embed(scope, pa, p), enc.embed(scope, pa, n));
          l0.getFloat();
          fwd[r] = (System.nanoTime() - t1) / 1e6;
          upload[r] = (t1 - t0) / 1e6;
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
          fwdGrad[r] = (tg - t1) / 1e6;
          Map<String, float[]> grads = new LinkedHashMap<>();
          for (Map.Entry<String, NDArray> e : pa.entrySet()) {
            grads.put(e.getKey(), e.getValue().getGradient().toFloatArray());
          }
          long t3 = System.nanoTime();
          opt.step(enc.parameters(), grads, decayed, 1e-9);
          long t4 = System.nanoTime();
          fwdBwd[r] = (t2 - t1) / 1e6;
          download[r] = (t3 - t2) / 1e6;
          optim[r] = (t4 - t3) / 1e6 + (t1 - t0) / 1e6;
        }
        System.err.printf(Locale.ROOT, "rep %d: upload %.0f ms, fwd %.0f ms, fwd+bwd %.0f ms (fwd under autograd %.0f ms), grad download %.0f ms,"
            + " upload(grad)+adamw %.0f ms%n", r, upload[r], fwd[r], fwdBwd[r], fwdGrad[r], download[r], optim[r]);
      }
      double mf = median(fwd);
      double mfb = median(fwdBwd);
      double md = median(download);
      double mo = median(optim);
      double step = mfb + md + mo;
      System.out.printf(Locale.ROOT, "{\"batch\":%d,\"queryLen\":%d,\"passageLen\":%d,\"tokens\":%d,\"params\":%d,"
          + "\"fwdMs\":%.1f,\"fwdBwdMs\":%.1f,\"fwdUnderAutogradMs\":%.1f,\"gradDownloadMs\":%.1f,\"uploadPlusAdamwMs\":%.1f,\"stepMs\":%.1f,"
          + "\"fwdGflops\":%.2f,\"fwdBwdGflops\":%.2f,\"stepGflops\":%.2f,\"modelMatmulFwdBwdGflops\":%.2f,"
          + "\"matmulPeakGflops\":%.1f,\"load\":\"%s\"}%n",
          batch, qLen, pLen, tokens, params, mf, mfb, median(fwdGrad), md, mo, step,
          2.0 * params * tokens / mf / 1e6, 6.0 * params * tokens / mfb / 1e6, 6.0 * params * tokens / step / 1e6,
          3 * modelFwd / mfb / 1e6, peak, loadAverage());
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

  private static double median(double[] withWarmup) {
    double[] v = Arrays.copyOfRange(withWarmup, 1, withWarmup.length);
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
