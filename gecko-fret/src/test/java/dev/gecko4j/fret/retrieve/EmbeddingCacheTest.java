package dev.gecko4j.fret.retrieve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gecko4j.core.ProgressListener;
import dev.gecko4j.core.TaskPrompt;
import dev.gecko4j.fret.testing.DiskFullChannel;
import dev.gecko4j.fret.testing.LogCapture;
import dev.gecko4j.fret.testing.TrigramEmbedder;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The corpus embeddings cache on real files: keyed on the embedder's fingerprint (a changed model
 * or setting re-embeds the corpus and replaces the stale file, the same one is reused), and never
 * read back when a full disk, a failing fsync or damage left it partial.
 */
class EmbeddingCacheTest {

  @TempDir Path dir;

  @RegisterExtension final LogCapture logs = new LogCapture();

  private Path corpus(int n) throws Exception {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sb.append("{\"_id\":\"doc-").append(i).append("\",\"title\":\"Title ").append(i)
          .append("\",\"text\":\"passage number ").append(i).append(" about topic ")
          .append(i % 7).append("\"}\n");
    }
    Path f = dir.resolve("corpus.jsonl");
    Files.writeString(f, sb.toString());
    return f;
  }

  private List<Path> filesIn(Path folder) throws Exception {
    if (!Files.exists(folder)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(folder)) {
      return s.toList();
    }
  }

  @Test
  void should_re_embed_the_corpus_and_replace_the_stale_cache_when_the_fingerprint_changed()
      throws Exception {
    // given a cache built by an embedder, as by a first "gecko mine"
    Path cacheDir = dir.resolve("cache");
    try (CorpusStore corpus = CorpusStore.open(corpus(12))) {
      TrigramEmbedder before = new TrigramEmbedder("trigram|sha256=aaaa|pooling=MEAN|max=512");
      Path file = EmbeddingCache.ensure(corpus, before, cacheDir, 8, ProgressListener.NONE);
      EmbeddingCache.Header old = EmbeddingCache.readHeader(file);
      // when the model folder at the same path was retrained: same name, another fingerprint
      TrigramEmbedder retrained = new TrigramEmbedder("trigram|sha256=bbbb|pooling=MEAN|max=512");
      Path again = EmbeddingCache.ensure(corpus, retrained, cacheDir, 8, ProgressListener.NONE);
      // then the whole corpus is embedded again, into the same file, which replaces the stale one
      assertThat(retrained.embeddedTexts()).isEqualTo(corpus.size());
      assertThat(again).isEqualTo(file);
      assertThat(filesIn(cacheDir)).containsExactly(file);
      EmbeddingCache.Header now = EmbeddingCache.readHeader(file);
      assertThat(now.fingerprintSha256()).isNotEqualTo(old.fingerprintSha256()).hasSize(64);
      assertThat(now.embedderName()).isEqualTo("trigram");
      // and the reason was logged, naming the file and the change
      assertThat(logs.lines()).anyMatch(l -> l.contains("recomputing corpus embeddings " + file)
          && l.contains("stale") && l.contains("fingerprint"));
      // and the embedder of the old fingerprint is not served the new vectors' header either
      int embeddedBefore = before.embeddedTexts();
      EmbeddingCache.ensure(corpus, before, cacheDir, 8, ProgressListener.NONE);
      assertThat(before.embeddedTexts() - embeddedBefore).isEqualTo(corpus.size());
    }
  }

  @Test
  void should_reuse_the_cache_without_embedding_when_the_fingerprint_is_the_same()
      throws Exception {
    // given a cache built by one embedder
    Path cacheDir = dir.resolve("cache");
    try (CorpusStore corpus = CorpusStore.open(corpus(12))) {
      String fingerprint = "trigram|sha256=aaaa|pooling=MEAN|max=512";
      Path file = EmbeddingCache.ensure(corpus, new TrigramEmbedder(fingerprint), cacheDir, 8,
          ProgressListener.NONE);
      long modified = Files.getLastModifiedTime(file).toMillis();
      // when another embedder instance of the same fingerprint asks (a rerun)
      TrigramEmbedder same = new TrigramEmbedder(fingerprint);
      Path again = EmbeddingCache.ensure(corpus, same, cacheDir, 8, (stage, done, total) -> {
        throw new AssertionError("must not embed again");
      });
      // then the file is reused as it is
      assertThat(again).isEqualTo(file);
      assertThat(same.embeddedTexts()).isZero();
      assertThat(Files.getLastModifiedTime(file).toMillis()).isEqualTo(modified);
      assertThat(logs.lines()).anyMatch(l -> l.contains("reusing corpus embeddings " + file));
    }
  }

  @Test
  void should_report_the_passages_embedded_so_far_while_building() throws Exception {
    try (CorpusStore corpus = CorpusStore.open(corpus(20))) {
      StringBuilder seen = new StringBuilder();
      EmbeddingCache.ensure(corpus, new TrigramEmbedder(), dir.resolve("cache"), 8,
          (stage, done, total) -> seen.append(stage).append(' ').append(done).append('/')
              .append(total).append(';'));
      assertThat(seen).hasToString("passages 8/20;passages 16/20;passages 20/20;");
    }
  }

  @Test
  void should_leave_no_cache_file_when_the_disk_fills_while_the_cache_is_written() throws Exception {
    // given
    Path cacheDir = dir.resolve("cache");
    try (CorpusStore corpus = CorpusStore.open(corpus(40))) {
      TrigramEmbedder embedder = new TrigramEmbedder();
      // when the disk fills part-way through the vectors
      assertThatThrownBy(() -> EmbeddingCache.ensure(corpus, embedder, cacheDir, 8,
          ProgressListener.NONE, DiskFullChannel.withFreeBytes(2_000)))
          .isInstanceOf(UncheckedIOException.class)
          .hasMessageContaining("cannot write embeddings cache " + cacheDir.resolve(
              EmbeddingCache.fileName("trigram", corpus)))
          .hasMessageContaining("No space left on device");
      // then neither a cache file nor its temporary file is left
      assertThat(filesIn(cacheDir)).isEmpty();
      // when fsync fails instead
      assertThatThrownBy(() -> EmbeddingCache.ensure(corpus, embedder, cacheDir, 8,
          ProgressListener.NONE, DiskFullChannel.failingForce()))
          .isInstanceOf(UncheckedIOException.class)
          .hasMessageContaining("Input/output error");
      assertThat(filesIn(cacheDir)).isEmpty();
      // and with room again, the cache is built whole and searchable
      Path file = EmbeddingCache.ensure(corpus, embedder, cacheDir, 8, ProgressListener.NONE);
      assertThat(filesIn(cacheDir)).containsExactly(file);
      try (MappedVectors v = MappedVectors.open(file)) {
        float[] q = embedder.embed("passage number 5 about topic 5", TaskPrompt.document("Title 5"))
            .toArray();
        assertThat(v.search(q, 1).get(0).ordinal()).isEqualTo(5);
      }
    }
  }

  @Test
  void should_detect_report_and_rebuild_a_corrupt_truncated_overlong_or_old_cache()
      throws Exception {
    Path cacheDir = dir.resolve("cache");
    try (CorpusStore corpus = CorpusStore.open(corpus(40))) {
      TrigramEmbedder embedder = new TrigramEmbedder();
      Path file = EmbeddingCache.ensure(corpus, embedder, cacheDir, 8, ProgressListener.NONE);
      byte[] good = Files.readAllBytes(file);
      EmbeddingCache.Header h = EmbeddingCache.readHeader(file);
      assertThat(h.payloadBytes()).isEqualTo(good.length - h.dataOffset());
      // a valid cache is reused without embedding
      int before = embedder.embeddedTexts();
      EmbeddingCache.ensure(corpus, embedder, cacheDir, 8, ProgressListener.NONE);
      assertThat(embedder.embeddedTexts()).isEqualTo(before);

      // one flipped bit in a vector
      byte[] bad = good.clone();
      bad[(int) h.dataOffset() + 100] ^= 0x10;
      assertRebuilt(corpus, embedder, file, good, bad,
          "checksum is CRC32 ");
      // a cut tail
      assertRebuilt(corpus, embedder, file, good, Arrays.copyOf(good, good.length - 3),
          ": the file is truncated");
      // bytes appended after a whole file
      assertRebuilt(corpus, embedder, file, good, Arrays.copyOf(good, good.length + 5),
          file + ": length is " + (good.length + 5) + " bytes; expected " + good.length);
      // the previous layouts (keyed by a name the caller gave)
      for (String layout : List.of("GKEMB001", "GKEMB002", "GKEMB003")) {
        byte[] old = good.clone();
        System.arraycopy(layout.getBytes(StandardCharsets.US_ASCII), 0, old, 0, 8);
        assertRebuilt(corpus, embedder, file, good, old, file + ": magic is '" + layout
            + "'; expected 'GKEMB004' (an older layout of the embeddings cache)");
      }
    }
  }

  private void assertRebuilt(CorpusStore corpus, TrigramEmbedder embedder, Path file, byte[] good,
      byte[] damaged, String reason) throws Exception {
    Files.write(file, damaged);
    logs.clear();
    int before = embedder.embeddedTexts();
    Path again = EmbeddingCache.ensure(corpus, embedder, file.getParent(), 8,
        ProgressListener.NONE);
    assertThat(again).isEqualTo(file);
    assertThat(embedder.embeddedTexts() - before).as(reason).isEqualTo(corpus.size());
    assertThat(logs.lines()).as(reason)
        .anyMatch(l -> l.contains("recomputing corpus embeddings " + file) && l.contains(reason));
    assertThat(Files.readAllBytes(file)).isEqualTo(good);
  }

  @Test
  void should_name_the_file_after_the_embedder_and_keep_other_embedders_apart() throws Exception {
    Path cacheDir = dir.resolve("cache");
    try (CorpusStore corpus = CorpusStore.open(corpus(5))) {
      TrigramEmbedder trigram = new TrigramEmbedder();
      Path a = EmbeddingCache.ensure(corpus, trigram, cacheDir, 8, ProgressListener.NONE);
      Path b = EmbeddingCache.ensure(corpus, new TrigramEmbedder("model/with spaces@512", null),
          cacheDir, 8, ProgressListener.NONE);
      assertThat(a).isNotEqualTo(b);
      assertThat(filesIn(cacheDir)).containsExactlyInAnyOrder(a, b);
      assertThat(b.getFileName().toString()).startsWith("embeddings-model_with_spaces_512-")
          .hasSizeLessThan(100);
      assertThat(EmbeddingCache.readHeader(a).embedderName()).isEqualTo("trigram");
      // a header whose fingerprint differs from the embedder's is a miss, never loaded
      Files.copy(b, a, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      assertThat(EmbeddingCache.mismatch(a, EmbeddingCache.Identity.of(trigram), 32, corpus))
          .contains("stale").contains("'model/with spaces@512'").contains("'trigram'");
    }
  }

  @Test
  void should_reject_an_embedder_without_a_fingerprint_naming_it() throws Exception {
    try (CorpusStore corpus = CorpusStore.open(corpus(3))) {
      TrigramEmbedder blank = new TrigramEmbedder("trigram", " ");
      assertThatThrownBy(() -> EmbeddingCache.ensure(corpus, blank, dir, 8, ProgressListener.NONE))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("embedder.fingerprint() must not be blank");
    }
  }
}
