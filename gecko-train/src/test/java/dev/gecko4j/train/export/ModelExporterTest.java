package dev.gecko4j.train.export;

import dev.gecko4j.train.checkpoint.FileSink;
import dev.gecko4j.train.checkpoint.Checkpoints;
import dev.gecko4j.train.checkpoint.FailingSink;
import dev.gecko4j.train.checkpoint.CheckpointsTest;
import dev.gecko4j.train.BgeSmallEncoder;
import dev.gecko4j.train.TrainableEncoder;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The exported model folder is complete or absent, and an earlier export survives a failed one. */
class ModelExporterTest {
  @RegisterExtension static final BgeSmallEncoder BGE_SMALL = new BgeSmallEncoder();

  @TempDir
  Path dir;

  Path export(Path target, String prompt, FileSink sink) {
    return ModelExporter.export(BGE_SMALL.encoder(), target, null, 512, prompt, sink);
  }

  @Test
  void should_keep_the_earlier_export_byte_for_byte_when_the_disk_fills_up_while_writing_model_onnx()
      throws IOException {
    // given an earlier export
    Path model = export(dir.resolve("model"), "query: ", FileSink.DISK);
    Map<String, String> before = checksums(model);

    // when the disk fills up 1 MB into the new model.onnx
    assertThatThrownBy(() -> export(model, null, FailingSink.diskFullIn("model.onnx", 1 << 20)))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining(dir.resolve("model.export-tmp/model.onnx").toString())
        .hasMessageContaining(FailingSink.DISK_FULL)
        .hasMessageContaining("the earlier export there is kept");

    // then the earlier export is there unchanged, and nothing else
    assertThat(checksums(model)).isEqualTo(before);
    assertThat(CheckpointsTest.children(dir)).containsExactly("model");
  }

  @Test
  void should_leave_no_folder_when_the_first_export_fails_its_fsync() throws IOException {
    // when
    assertThatThrownBy(() -> export(dir.resolve("model"), null, FailingSink.fsyncFailsOn("tokenizer.json")))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("tokenizer.json")
        .hasMessageContaining(FailingSink.FSYNC_FAILED)
        .hasMessageNotContaining("earlier export");

    // then
    assertThat(CheckpointsTest.children(dir)).isEmpty();
  }

  @Test
  void should_replace_an_earlier_export_as_a_whole() throws IOException {
    // given an export with a query prompt
    Path model = export(dir.resolve("model"), "query: ", FileSink.DISK);
    assertThat(model.resolve("config_sentence_transformers.json")).isRegularFile();

    // when exporting again without one
    Path again = export(model, null, FileSink.DISK);

    // then the folder holds only what the new export wrote
    assertThat(again).isEqualTo(model);
    assertThat(CheckpointsTest.children(model)).containsExactly("1_Pooling", "config.json", "model.onnx",
        "modules.json", "sentence_bert_config.json", "tokenizer.json");
    assertThat(CheckpointsTest.children(dir)).containsExactly("model");
  }

  @Test
  void should_refuse_to_replace_a_folder_that_holds_files_an_export_does_not_write() throws IOException {
    // given
    Path model = Files.createDirectories(dir.resolve("model"));
    Files.writeString(model.resolve("notes.txt"), "mine");
    Files.writeString(model.resolve("model.onnx"), "old");

    // when / then
    assertThatThrownBy(() -> export(model, null, FileSink.DISK)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("holds files an export does not write [notes.txt]");
    assertThat(model.resolve("notes.txt")).hasContent("mine");
    assertThat(model.resolve("model.onnx")).hasContent("old");
  }

  @Test
  void should_refuse_a_file_as_the_model_folder() throws IOException {
    Path file = Files.writeString(dir.resolve("model"), "x");

    assertThatThrownBy(() -> export(file, null, FileSink.DISK)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be a folder or absent, but is a file");
  }

  static Map<String, String> checksums(Path folder) throws IOException {
    Map<String, String> m = new TreeMap<>();
    try (Stream<Path> s = Files.walk(folder)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        m.put(folder.relativize(p).toString(), Checkpoints.crc32c(p) + "/" + Files.size(p));
      }
    }
    return m;
  }
}
