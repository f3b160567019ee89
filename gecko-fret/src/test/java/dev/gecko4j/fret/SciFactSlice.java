package dev.gecko4j.fret;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
 */
final class SciFactSlice {

  final Path corpus;
  final Path queries;
  final Path qrels;

  private SciFactSlice(Path corpus, Path queries, Path qrels) {
    this.corpus = corpus;
    this.queries = queries;
    this.qrels = qrels;
  }

  static Path sharedData() {
    return Path.of(System.getProperty("gecko.shared.data", "../shared/data"));
  }

  static Path stories260K() {
    Path dir = sharedData().resolve("models/stories260K");
    assumeTrue(Files.isRegularFile(dir.resolve("model.onnx")),
        "needs " + dir + " (../shared/data beside the repo)");
    return dir;
  }

  /** Writes a slice with the first {@code qrelCount} train qrels and about {@code passages} passages. */
  static SciFactSlice write(Path dir, int qrelCount, int passages) throws IOException {
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
}
