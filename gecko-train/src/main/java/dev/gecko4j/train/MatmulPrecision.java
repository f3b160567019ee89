package dev.gecko4j.train;

import dev.gecko4j.train.onnx.MatmulKernels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The precision of the matrix products ({@code MatMul}) of a graph that gecko4j trains ({@link
 * TrainableEncoder#useMatmulPrecision}). {@link #BF16} works like PyTorch's CPU autocast: both inputs of every MatMul are
 * cast to bfloat16, multiplied (oneDNN's AVX-512 BF16 / AMX kernels where the CPU has them) and
 * the product cast back to float32, so the master weights, the optimizer state, layer norms,
 * softmax, GELU and the loss stay float32, and the gradients that reach the weights are float32.
 * {@link #FP32} multiplies in float32, as ONNX Runtime does (the exported ONNX model is float32
 * either way). {@link #AUTO} is resolved at run time ({@link #resolve()}): bf16 where the CPU
 * reports {@code avx512_bf16} or {@code amx_bf16}, fp32 elsewhere.
 *
 * <p>A bf16 product keeps about 8 significant bits of each input: relative error of a product
 * about 3e-3, embeddings of bge-small within cosine 0.999 of the fp32 forward.
 */
public enum MatmulPrecision {
  /** bf16 where the CPU has AVX-512 BF16 or AMX-BF16 instructions, fp32 elsewhere. */
  AUTO,
  /** float32 products (exact to ONNX Runtime's forward pass within float rounding). */
  FP32,
  /** bfloat16 inputs, float32 result (autocast style); fp32 master weights. */
  BF16;

  private static final System.Logger LOG = System.getLogger(MatmulPrecision.class.getName());

  /**
   * Parses a name as the command line writes it: {@code auto}, {@code fp32} or {@code bf16}
   * (case-insensitive).
   *
   * @param name the name
   * @return the precision
   * @throws IllegalArgumentException if name is null or not one of the three
   */
  public static MatmulPrecision parse(String name) {
    if (name != null) {
      for (MatmulPrecision p : values()) {
        if (p.name().equalsIgnoreCase(name.strip())) {
          return p;
        }
      }
    }
    throw new IllegalArgumentException("matmul precision must be one of auto, fp32, bf16, but is: " + name);
  }

  /**
   * Resolves {@link #AUTO} for this machine: {@link #BF16} when the CPU has bf16 matrix
   * instructions ({@link #cpuBf16Features()} non-empty) and the PyTorch engine runs bf16
   * products, else {@link #FP32}; the choice and its reason are logged at INFO. {@link #FP32} and
   * {@link #BF16} resolve to themselves ({@code BF16} on a CPU without bf16 instructions still
   * runs, emulated and slower, with a warning).
   *
   * @return {@link #FP32} or {@link #BF16}
   * @throws IllegalStateException if {@code BF16} is asked for and the engine cannot run it
   */
  public MatmulPrecision resolve() {
    List<String> features = cpuBf16Features();
    switch (this) {
      case FP32 -> {
        LOG.log(System.Logger.Level.INFO, "matmul precision fp32 (asked for)");
        return FP32;
      }
      case BF16 -> {
        MatmulKernels.requireBf16(); // throws if the engine cannot
        if (features.isEmpty()) {
          LOG.log(System.Logger.Level.WARNING, "matmul precision bf16 asked for, but this CPU reports"
              + " neither avx512_bf16 nor amx_bf16: products are emulated and slower than fp32");
        } else {
          LOG.log(System.Logger.Level.INFO, "matmul precision bf16 (asked for; CPU has " + features + ")");
        }
        return BF16;
      }
      default -> {
        if (features.isEmpty()) {
          LOG.log(System.Logger.Level.INFO, "matmul precision auto -> fp32: the CPU reports neither"
              + " avx512_bf16 nor amx_bf16");
          return FP32;
        }
        try {
          MatmulKernels.requireBf16();
        } catch (IllegalStateException e) {
          LOG.log(System.Logger.Level.WARNING, "matmul precision auto -> fp32: the CPU has " + features
              + " but the engine cannot run bf16 products: " + e.getMessage());
          return FP32;
        }
        LOG.log(System.Logger.Level.INFO, "matmul precision auto -> bf16 (CPU has " + features + ")");
        return BF16;
      }
    }
  }

  /**
   * Returns the bf16 matrix instructions this CPU reports (Linux {@code /proc/cpuinfo} flags
   * {@code avx512_bf16}, {@code amx_bf16}); empty on other systems or CPUs.
   *
   * @return the features found, in that order
   */
  public static List<String> cpuBf16Features() {
    List<String> found = new ArrayList<>();
    Path cpuinfo = Path.of("/proc/cpuinfo");
    if (!Files.isReadable(cpuinfo)) {
      return found;
    }
    try (var lines = Files.lines(cpuinfo)) {
      String flags = lines.filter(l -> l.startsWith("flags")).findFirst().orElse("");
      List<String> words = List.of(flags.substring(flags.indexOf(':') + 1).trim().split("\\s+"));
      for (String f : List.of("avx512_bf16", "amx_bf16")) {
        if (words.contains(f)) {
          found.add(f);
        }
      }
    } catch (IOException | java.io.UncheckedIOException e) {
      LOG.log(System.Logger.Level.DEBUG, "cannot read " + cpuinfo, e);
    }
    return found;
  }

  /** @return the command-line name: {@code auto}, {@code fp32} or {@code bf16} */
  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
