package dev.gecko4j.fret.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gecko4j.core.ProgressListener;
import dev.gecko4j.fret.retrieve.CorpusStore;
import dev.gecko4j.fret.retrieve.EmbeddingCache;
import dev.gecko4j.fret.retrieve.MappedVectors;
import dev.gecko4j.onnx.Models;
import dev.gecko4j.onnx.OnnxEmbedder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A small slice of BEIR SciFact for end-to-end tests, written to a temporary folder: the qrel
 * passages of the first train qrels plus the first corpus passages, the queries file as is.
 *
 * @param corpus the slice's {@code corpus.jsonl}
 * @param queries SciFact's {@code queries.jsonl}
 * @param qrels the slice's qrels TSV (with header)
 */
public record SciFactSlice(Path corpus, Path queries, Path qrels) {

  /** {@return the shared data folder ({@code gecko.shared.data}, default {@code ../shared/data})} */
  public static Path sharedData() {
    return Path.of(System.getProperty("gecko.shared.data", "../shared/data"));
  }

  /** {@return the stories260K ONNX LM folder; skips the test when it is absent} */
  public static Path stories260K() {
    Path dir = sharedData().resolve("models/stories260K");
    assumeTrue(Files.isRegularFile(dir.resolve("model.onnx")),
        "needs " + dir + " (../shared/data beside the repo)");
    return dir;
  }

  /** Writes a slice with the first {@code qrelCount} train qrels and about {@code passages} passages. */
  public static SciFactSlice write(Path dir, int qrelCount, int passages) throws IOException {
    Path scifact = sharedData().resolve("beir/scifact");
    assumeTrue(Files.isDirectory(scifact), "needs " + scifact + " (../shared/data beside the repo)");
    List<String> qrelLines = Files.readAllLines(scifact.resolve("qrels/train.tsv"));
    List<String> keptQrels = new ArrayList<>(qrelLines.subList(0, qrelCount + 1)); // with header
    Set<String> wanted = new LinkedHashSet<>();
    for (String l : keptQrels.subList(1, keptQrels.size())) {
      wanted.add(l.split("\t")[1]);
    }
    List<String> out = new ArrayList<>();
    int extra = 0;
    try (var lines = Files.lines(scifact.resolve("corpus.jsonl"))) {
      for (String l : (Iterable<String>) lines::iterator) {
        int s = l.indexOf("\"_id\": \"") + 8;
        String id = l.substring(s, l.indexOf('"', s));
        if (wanted.contains(id)) {
          out.add(l);
        } else if (extra < passages) {
          out.add(l);
          extra++;
        }
      }
    }
    Path corpus = dir.resolve("corpus.jsonl");
    Path qrels = dir.resolve("train.tsv");
    Files.write(corpus, out);
    Files.write(qrels, keptQrels);
    return new SciFactSlice(corpus, scifact.resolve("queries.jsonl"), qrels);
  }

  /**
   * Opens the real embedder {@code model}, the slice's corpus, and its embeddings cache in
   * {@code cacheDir} (built when absent).
   *
   * @param model the bundled embedding model
   * @param cacheDir the cache folder
   * @return the opened parts; close them
   */
  public Embedded embed(Models model, Path cacheDir) {
    OnnxEmbedder embedder = OnnxEmbedder.builder().model(model).build();
    CorpusStore store = null;
    try {
      store = CorpusStore.open(corpus);
      Path file = EmbeddingCache.ensure(store, embedder, cacheDir, 32, ProgressListener.NONE);
      return new Embedded(embedder, store, file, MappedVectors.open(file));
    } catch (IOException | RuntimeException e) {
      if (store != null) {
        store.close();
      }
      embedder.close();
      throw e instanceof IOException io ? new java.io.UncheckedIOException(io)
          : (RuntimeException) e;
    }
  }

  /**
   * A slice with its real embedder, corpus store, cache file and mapped vectors, closed together.
   *
   * @param embedder the embedder
   * @param corpus the slice's corpus
   * @param cacheFile the embeddings cache file
   * @param vectors the cache's vectors
   */
  public record Embedded(OnnxEmbedder embedder, CorpusStore corpus, Path cacheFile,
      MappedVectors vectors) implements AutoCloseable {
    @Override
    public void close() {
      vectors.close();
      corpus.close();
      embedder.close();
    }
  }
}
