package dev.gecko4j.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gecko4j.core.Embedding;
import dev.gecko4j.core.TaskPrompt;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Dumps the four bundled models' vectors for a fixed set of texts and prompts, byte for byte, so a
 * refactoring of the serving path can be proven not to change them: run it on the commit before
 * and after, and compare the files (or their SHA-256 lines in {@code SHA256SUMS}).
 *
 * <pre>
 * mvn -B -o -q -pl gecko-onnx -am test -Dtest=BundledVectorsDumpTest \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dgecko.dump.dir=/tmp/dump-after
 * diff /tmp/dump-before/SHA256SUMS /tmp/dump-after/SHA256SUMS
 * </pre>
 *
 * Without {@code -Dgecko.dump.dir} the dump goes to {@code target/bundled-vectors}. The files are
 * little-endian float32, one row per (text, prompt) in the order of {@link #TEXTS} times {@link
 * #PROMPTS}.
 */
class BundledVectorsDumpTest {

  static final List<String> TEXTS = List.of(
      "what do geckos eat?",
      "Geckos are small, mostly carnivorous lizards that eat insects and worms.",
      "",
      "A man is playing a flute.",
      "Ünïcödé – naïve café, 東京, emoji 🦎",
      "The quick brown fox jumps over the lazy dog. ".repeat(80),
      "a",
      "Paris is the capital of France.");

  static final List<TaskPrompt> PROMPTS = List.of(TaskPrompt.none(),
      TaskPrompt.query(TaskPrompt.SEARCH_RESULT), TaskPrompt.document("Geckos"),
      TaskPrompt.symmetric(TaskPrompt.SENTENCE_SIMILARITY));

  @Test
  void should_dump_every_bundled_models_vectors_for_the_fixed_texts() throws IOException,
      NoSuchAlgorithmException {
    Path out = Path.of(System.getProperty("gecko.dump.dir", "target/bundled-vectors"));
    Files.createDirectories(out);
    List<String> texts = new ArrayList<>();
    List<TaskPrompt> prompts = new ArrayList<>();
    for (String t : TEXTS) {
      for (TaskPrompt p : PROMPTS) {
        texts.add(t);
        prompts.add(p);
      }
    }
    StringBuilder sums = new StringBuilder();
    for (Models m : Models.values()) {
      try (OnnxEmbedder e = OnnxEmbedder.builder().model(m).build()) {
        List<Embedding> vectors = e.embedAll(texts, prompts);
        ByteBuffer buf = ByteBuffer.allocate(vectors.size() * e.dimension() * 4)
            .order(ByteOrder.LITTLE_ENDIAN);
        for (Embedding v : vectors) {
          for (int d = 0; d < v.dimension(); d++) {
            buf.putFloat(v.get(d));
          }
        }
        assertThat(buf.hasRemaining()).isFalse();
        Files.write(out.resolve(m.modelName() + ".f32"), buf.array());
        sums.append(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
            .digest(buf.array()))).append("  ").append(m.modelName()).append(".f32\n");
      }
    }
    Files.writeString(out.resolve("SHA256SUMS"), sums);
    System.err.println("bundled vectors dumped to " + out.toAbsolutePath() + ":\n" + sums);
    assertThat(sums.toString().lines()).hasSize(Models.values().length);
  }
}
