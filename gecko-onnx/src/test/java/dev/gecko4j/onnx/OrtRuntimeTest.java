package dev.gecko4j.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OrtEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OrtRuntimeTest {

  @TempDir Path cache;

  @Test
  void should_give_one_environment_loaded_from_the_native_cache_with_DJL_opted_out() {
    OrtEnvironment env = OrtRuntime.environment();

    assertThat(OrtRuntime.environment()).isSameAs(env);
    assertThat(System.getProperty("OPT_OUT_TRACKING")).isEqualTo("true");
    Path dir = OrtRuntime.nativeDirectory();
    assertThat(dir).isNotNull();
    assertThat(dir.resolve(System.mapLibraryName("onnxruntime"))).isRegularFile();
    // from the native cache (here the build's DJL_CACHE_DIR), not a per-process temp extraction
    assertThat(dir).startsWith(OrtRuntime.cacheRoot().resolve("onnxruntime"));
  }

  @Test
  void should_extract_the_natives_once_and_replace_a_damaged_copy() throws Exception {
    String before = System.getProperty(OrtRuntime.NATIVE_DIR_PROPERTY);
    System.setProperty(OrtRuntime.NATIVE_DIR_PROPERTY, cache.toString());
    try {
      Path dir = OrtRuntime.extractNatives();
      Path lib = dir.resolve(System.mapLibraryName("onnxruntime"));
      long size = Files.size(lib);
      long modified = Files.getLastModifiedTime(lib).toMillis();
      assertThat(dir).startsWith(cache.resolve("onnxruntime"));
      assertThat(dir.getFileName().toString()).endsWith("-" + OrtRuntime.platform());

      assertThat(OrtRuntime.extractNatives()).isEqualTo(dir);
      assertThat(Files.getLastModifiedTime(lib).toMillis()).as("kept, not rewritten").isEqualTo(modified);

      try (var ch = Files.newByteChannel(lib, StandardOpenOption.WRITE)) {
        ch.truncate(size / 2); // a copy cut short by a crash or a full disk
      }
      OrtRuntime.extractNatives();
      assertThat(Files.size(lib)).isEqualTo(size);
      try (var files = Files.list(dir)) {
        assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".part"));
      }
    } finally {
      if (before == null) {
        System.clearProperty(OrtRuntime.NATIVE_DIR_PROPERTY);
      } else {
        System.setProperty(OrtRuntime.NATIVE_DIR_PROPERTY, before);
      }
    }
  }
}
