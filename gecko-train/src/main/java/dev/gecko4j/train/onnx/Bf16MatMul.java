package dev.gecko4j.train.onnx;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * bf16 matrix products on DJL's PyTorch engine. DJL 0.35's JNI maps only eight data types to
 * PyTorch's ({@code NDArray.toType(DataType.BFLOAT16)} ends the process in {@code std::terminate}),
 * so the casts run inside PyTorch: a four-line TorchScript module, written here as a TorchScript
 * archive (its source, a pickled module object, no weights) and loaded once per process, takes
 * two float32 arrays, casts them to bfloat16, multiplies with {@code torch.matmul} (oneDNN's
 * AVX-512 BF16 / AMX kernels where the CPU has them) and returns the product as float32. Called
 * in training mode, PyTorch's autograd records the casts and the product, so gradients flow back
 * to the float32 inputs as with autocast.
 *
 * <p>The module lives for the rest of the process (a few kilobytes of native memory).
 */
final class Bf16MatMul {
  /** The TorchScript source of the module (dtype 15 is torch.bfloat16, 6 is torch.float32). */
  static final String SOURCE = """
      class Bf16MatMul(Module):
        __parameters__ = []
        __buffers__ = []
        training : bool
        def forward(self: __torch__.Bf16MatMul,
          a: Tensor,
          b: Tensor) -> Tensor:
          _0 = torch.matmul(torch.to(a, 15), torch.to(b, 15))
          return torch.to(_0, 6)
      """;

  private static Bf16MatMul instance;
  private static IllegalStateException failure;

  private final PtSymbolBlock block;
  private final ParameterStore store;

  private Bf16MatMul(PtSymbolBlock block, NDManager manager) {
    this.block = block;
    this.store = new ParameterStore(manager, false);
  }

  /**
   * Returns the process's module, loading it on first use.
   *
   * @return the module
   * @throws IllegalStateException if the engine is not PyTorch or cannot load it (remembered)
   */
  static synchronized Bf16MatMul get() {
    if (instance != null) {
      return instance;
    }
    if (failure != null) {
      throw failure;
    }
    try {
      NDManager manager = NDManager.newBaseManager("PyTorch");
      if (!(manager instanceof PtNDManager pt)) {
        throw new IllegalStateException("bf16 products need DJL's PyTorch engine, but got " + manager.getEngine().getEngineName());
      }
      // the simple executor: no profiling or re-specialisation as sequence lengths change
      JniUtils.setGraphExecutorOptimize(false);
      PtSymbolBlock block;
      try {
        block = JniUtils.loadModule(pt, new ByteArrayInputStream(archive()), true, false);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      Bf16MatMul m = new Bf16MatMul(block, manager);
      try (NDManager probe = manager.newSubManager()) {
        NDArray x = probe.ones(new ai.djl.ndarray.types.Shape(2, 2));
        float v = m.multiply(x, x).getFloat(0, 0);
        if (v != 2f) {
          throw new IllegalStateException("the bf16 module computed " + v + " for [[1,1],[1,1]]^2 instead of 2");
        }
      }
      instance = m;
      return m;
    } catch (RuntimeException | LinkageError e) {
      failure = e instanceof IllegalStateException ise ? ise
          : new IllegalStateException("cannot load the bf16 matmul module: " + e, e);
      throw failure;
    }
  }

  /**
   * Multiplies in bf16 with a float32 result; autograd records it when gradients are collected.
   *
   * @param a float32 left operand
   * @param b float32 right operand
   * @return the float32 product, owned by {@code a}'s manager
   */
  NDArray multiply(NDArray a, NDArray b) {
    return block.forward(store, new NDList(a, b), true).singletonOrThrow();
  }

  /** The TorchScript archive: a zip of the source, the pickled module object and the version. */
  static byte[] archive() {
    // pickle protocol 2: GLOBAL __torch__.Bf16MatMul, (), NEWOBJ, {'training': True}, BUILD, STOP
    byte[] data = concat(bytes("\u0080\u0002c__torch__\nBf16MatMul\nq\u0000)\u0081}q\u0001X"),
        new byte[] {8, 0, 0, 0}, bytes("trainingq\u0002\u0088sb."));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(out)) {
      stored(zip, "bf16mm/data.pkl", data);
      stored(zip, "bf16mm/code/__torch__.py", SOURCE.getBytes(StandardCharsets.UTF_8));
      stored(zip, "bf16mm/constants.pkl", bytes("\u0080\u0002)."));
      stored(zip, "bf16mm/version", bytes("3\n"));
      stored(zip, "bf16mm/byteorder", bytes("little"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static void stored(ZipOutputStream zip, String name, byte[] content) throws IOException {
    ZipEntry e = new ZipEntry(name);
    e.setMethod(ZipEntry.STORED);
    e.setSize(content.length);
    e.setCompressedSize(content.length);
    CRC32 crc = new CRC32();
    crc.update(content);
    e.setCrc(crc.getValue());
    zip.putNextEntry(e);
    zip.write(content);
    zip.closeEntry();
  }

  /** Latin-1 bytes: each char is one byte (pickle opcodes above 0x7f included). */
  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
