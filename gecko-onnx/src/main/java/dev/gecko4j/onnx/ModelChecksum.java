package dev.gecko4j.onnx;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.CRC32C;

/** CRC32C checksums of model files for {@link OnnxEmbedder#fingerprint()}: cheap, streamed. */
final class ModelChecksum {

  private ModelChecksum() {}

  /** {@return {@code crc32c:<hex>/<length>} of {@code bytes}} */
  static String of(byte[] bytes) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, bytes.length);
    return format(crc.getValue(), bytes.length);
  }

  /**
   * {@return {@code crc32c:<hex>/<length>} of the file's bytes, read in 1 MiB blocks}
   *
   * @throws ModelLoadException if the file cannot be read
   */
  static String of(Path file) {
    CRC32C crc = new CRC32C();
    long length = 0;
    byte[] buffer = new byte[1 << 20];
    try (InputStream in = Files.newInputStream(file)) {
      int n;
      while ((n = in.read(buffer)) > 0) {
        crc.update(buffer, 0, n);
        length += n;
      }
    } catch (IOException e) {
      throw new ModelLoadException(file.toString(), "cannot read it for its checksum (" + e + ")",
          e);
    }
    return format(crc.getValue(), length);
  }

  private static String format(long crc, long length) {
    return String.format(Locale.ROOT, "crc32c:%08x/%d", crc, length);
  }
}
