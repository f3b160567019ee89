package dev.gecko4j.fret.retrieve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gecko4j.core.Embedder;
import dev.gecko4j.core.Embedding;
import dev.gecko4j.core.PromptConvention;
import dev.gecko4j.core.ProgressListener;
import dev.gecko4j.core.TaskPrompt;
import dev.gecko4j.onnx.Models;
import dev.gecko4j.onnx.OnnxEmbedder;
import dev.gecko4j.onnx.SentenceTransformersFolder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Re-mining with a model folder changed in place (as after {@code gecko train --out} over the same
 * folder): the corpus-embeddings cache keys on the real {@link OnnxEmbedder}'s fingerprint, so the
 * second run embeds the corpus again instead of reusing the first model's vectors.
 */
class EmbeddingCacheModelFolderTest {

  @TempDir Path dir;

  @Test
  void should_re_embed_the_corpus_when_the_model_folder_at_the_same_path_was_replaced()
      throws IOException {
    // given a first mining run's cache, made with the model folder as it was
    Path folder = dir.resolve("my-model");
    Files.createDirectories(folder);
    copyResource("bge-small-en-v1.5-q.onnx", folder.resolve("model.onnx"));
    copyResource("bge-small-en-v1.5-q-tokenizer.json", folder.resolve("tokenizer.json"));
    SentenceTransformersFolder.writeConfig(folder, Models.BGE_SMALL_EN_V15_Q.spec(), 384);
    Path corpusFile = dir.resolve("corpus.jsonl");
    Files.writeString(corpusFile, String.join("\n",
        "{\"_id\":\"d1\",\"title\":\"Geckos\",\"text\":\"Geckos eat insects.\"}",
        "{\"_id\":\"d2\",\"title\":\"Paris\",\"text\":\"Paris is the capital of France.\"}",
        "{\"_id\":\"d3\",\"title\":\"Markets\",\"text\":\"The stock market fell on Monday.\"}") + "\n");
    Path cacheDir = dir.resolve("cache");
    try (CorpusStore corpus = CorpusStore.open(corpusFile)) {
      Path first;
      float[] firstVector;
      try (Counting e = new Counting(OnnxEmbedder.builder().modelFolder(folder).build())) {
        first = EmbeddingCache.ensure(corpus, e, cacheDir, 8, ProgressListener.NONE);
        firstVector = e.inner.embed("Geckos eat insects.", TaskPrompt.document("Geckos")).toArray();
        assertThat(e.embedded.get()).isEqualTo(3);
      }
      try (Counting same = new Counting(OnnxEmbedder.builder().modelFolder(folder).build())) {
        EmbeddingCache.ensure(corpus, same, cacheDir, 8, ProgressListener.NONE);
        assertThat(same.embedded.get()).as("the unchanged folder reuses the cache").isZero();
      }

      // when the folder is replaced in place by another model (the fp32 weights, same name and path)
      copyResource("bge-small-en-v1.5.onnx", folder.resolve("model.onnx"));
      try (Counting retrained = new Counting(OnnxEmbedder.builder().modelFolder(folder).build())) {
        Path second = EmbeddingCache.ensure(corpus, retrained, cacheDir, 8, ProgressListener.NONE);

        // then the corpus is embedded again, into the same file, with the new model's vectors
        assertThat(retrained.embedded.get()).isEqualTo(3);
        assertThat(second).isEqualTo(first);
        assertThat(EmbeddingCache.readHeader(second).embedderName()).isEqualTo("my-model");
        float[] secondVector = retrained.inner.embed("Geckos eat insects.",
            TaskPrompt.document("Geckos")).toArray();
        assertThat(secondVector).isNotEqualTo(firstVector);
      }
    }
  }

  private static void copyResource(String name, Path target) throws IOException {
    try (InputStream in = EmbeddingCacheModelFolderTest.class.getClassLoader()
        .getResourceAsStream(name)) {
      assertThat(in).as("classpath resource " + name).isNotNull();
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** The real embedder, counting the texts the cache asks it to embed. */
  private static final class Counting implements Embedder {
    final OnnxEmbedder inner;
    final AtomicInteger embedded = new AtomicInteger();

    Counting(OnnxEmbedder inner) {
      this.inner = inner;
    }

    @Override
    public String name() {
      return inner.name();
    }

    @Override
    public String fingerprint() {
      return inner.fingerprint();
    }

    @Override
    public int dimension() {
      return inner.dimension();
    }

    @Override
    public PromptConvention promptConvention() {
      return inner.promptConvention();
    }

    @Override
    public List<Embedding> embedAll(List<String> texts, List<TaskPrompt> prompts) {
      embedded.addAndGet(texts.size());
      return inner.embedAll(texts, prompts);
    }

    @Override
    public void close() {
      inner.close();
    }
  }
}
