package dev.gecko4j.train.data;

import dev.gecko4j.core.internal.GeckoJson;
import dev.gecko4j.core.internal.Args;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gecko4j.core.Embedder;
import dev.gecko4j.core.Embedding;
import dev.gecko4j.core.PromptConvention;
import dev.gecko4j.core.TaskPrompt;
import dev.gecko4j.core.eval.BeirDataset;
import dev.gecko4j.core.eval.BeirDocument;
import dev.gecko4j.core.eval.DatasetFormatException;
import dev.gecko4j.core.eval.DatasetLines;
import dev.gecko4j.core.index.FlatIndex;
import dev.gecko4j.core.index.VectorIndex;
import dev.gecko4j.core.index.VectorIndexFactory;
import dev.gecko4j.core.index.Hit;
import dev.gecko4j.core.vector.Similarity;
import dev.gecko4j.core.train.TrainingExample;
import dev.gecko4j.core.train.TrainingSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Readers that turn datasets into {@link TrainingSource}s with each source's task prompt
 * applied through the model's {@link PromptConvention}: FRet JSONL, BEIR train qrels with hard
 * negatives mined by an {@link Embedder}, sentence pairs (STS / NLI style) and classification rows
 * turned into (x, x+, x-) triplets.
 */
public final class TrainingData {
  private static final System.Logger LOG = System.getLogger(TrainingData.class.getName());
  /** Rejects a line holding more than one value (a lost newline, or trailing garbage). */
  private static final ObjectMapper JSON = dev.gecko4j.core.internal.GeckoJson.mapper();

  private TrainingData() {}

  /**
   * Reads FRet JSONL (one {@code FretExample} per line, read by field name: {@code task},
   * {@code query}, {@code positive}, {@code negative}; other fields are ignored). The query gets
   * the row's task as a query prompt, positive and negative the document prompt.
   *
   * @param file the JSONL file
   * @param convention the model's prompt convention
   * @param weight mixture weight, > 0
   * @return the source, named after the file
   * @throws UncheckedIOException if the file cannot be read
   * @throws IllegalArgumentException if {@code file} is not an existing file
   * @throws DatasetFormatException if the file is empty or has no row, or a line is not UTF-8 or
   *     not one JSON object with non-blank task, query and positive (read by gecko4j's one
   *     dataset rule, {@link DatasetLines}: a byte-order mark is accepted; the message names
   *     {@code path:line})
   */
  public static TrainingSource fretJsonl(Path file, PromptConvention convention, double weight) {
    Args.notNull(convention, "convention");
    List<TrainingExample> rows = new ArrayList<>();
    String expected = "one FRet JSON object {\"task\", \"query\", \"positive\", \"negative\"}"
        + " per line";
    try (DatasetLines lines = DatasetLines.open(file, expected)) {
      for (JsonNode n; (n = GeckoJson.nextObject(lines, JSON)) != null; ) {
        String task = text(n, "task");
        String query = text(n, "query");
        String pos = text(n, "positive");
        String neg = n.hasNonNull("negative") ? n.get("negative").asText() : null;
        if (task == null || query == null || pos == null) {
          throw lines.error("expected non-blank task, query and positive, but "
              + (task == null ? "task" : query == null ? "query" : "positive")
              + " is missing or blank");
        }
        rows.add(new TrainingExample(convention.apply(TaskPrompt.query(task), query),
            convention.apply(TaskPrompt.document(), pos),
            neg == null || neg.isBlank() ? null : convention.apply(TaskPrompt.document(), neg)));
      }
      if (rows.isEmpty()) {
        throw lines.noRecords(expected);
      }
    }
    return new TrainingSource(file.getFileName().toString(), weight, rows);
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() || v.asText().isBlank() ? null : v.asText();
  }

  /** A BEIR dataset: corpus (id -> "title text"), queries (id -> text), qrels (query -> relevant ids). */
  public record Beir(Map<String, String> corpus, Map<String, String> queries,
      Map<String, Set<String>> qrels) {}

  /**
   * Reads a BEIR folder ({@code corpus.jsonl}, {@code queries.jsonl}, {@code qrels/<split>.tsv})
   * with {@link BeirDataset}. Documents become {@link BeirDocument#mtebText()} as MTEB embeds them;
   * qrels with score {@code <= 0} are dropped, and so are positive qrels naming a query or a document the
   * dataset does not hold (counted and logged as one {@code WARNING} on the {@code System.Logger}
   * named after this class).
   *
   * @param dir the dataset folder
   * @param split the qrels split, e.g. {@code train} or {@code test}
   * @return the dataset
   * @throws UncheckedIOException if a file cannot be read or is malformed ({@code
   *     DatasetFormatException})
   * @throws IllegalArgumentException if a file or the split is missing
   */
  public static Beir readBeir(Path dir, String split) {
    BeirDataset dataset = BeirDataset.open(dir);
    Map<String, String> corpus = new LinkedHashMap<>();
    try (Stream<BeirDocument> docs = dataset.documents()) {
      docs.forEach(d -> corpus.put(d.id(), d.mtebText()));
    }
    Map<String, String> queries = dataset.queries();
    Map<String, Set<String>> qrels = new LinkedHashMap<>();
    long[] unknown = new long[2]; // queries, documents
    dataset.qrels(split).forEach((query, judged) -> judged.forEach((doc, relevance) -> {
      if (relevance > 0) {
        if (!queries.containsKey(query)) {
          unknown[0]++;
        } else if (!corpus.containsKey(doc)) {
          unknown[1]++;
        } else {
          qrels.computeIfAbsent(query, k -> new LinkedHashSet<>()).add(doc);
        }
      }
    }));
    if (unknown[0] + unknown[1] > 0) {
      LOG.log(System.Logger.Level.WARNING, String.format(Locale.ROOT,
          "%s: dropped %d positive judgment(s) naming a query missing from queries.jsonl and %d"
              + " naming a document missing from corpus.jsonl", dir.resolve("qrels/" + split + ".tsv"),
          unknown[0], unknown[1]));
    }
    return new Beir(corpus, queries, qrels);
  }

  /**
   * Embeds every document of the corpus (document prompt) in corpus order.
   *
   * @param beir the dataset
   * @param embedder the embedder
   * @param progress progress notes, or null
   * @return one vector per document, in {@code beir.corpus()} order
   */
  public static float[][] embedCorpus(Beir beir, Embedder embedder, Consumer<String> progress) {
    List<String> docTexts = new ArrayList<>(beir.corpus().values());
    float[][] docs = new float[docTexts.size()][];
    int chunk = 256;
    for (int from = 0; from < docTexts.size(); from += chunk) {
      List<Embedding> e = embedder.embedAll(docTexts.subList(from, Math.min(docTexts.size(), from + chunk)),
          TaskPrompt.document());
      for (int i = 0; i < e.size(); i++) {
        docs[from + i] = e.get(i).toArray();
      }
      if (progress != null) {
        progress.accept(String.format(Locale.ROOT, "embedded %d/%d documents",
            Math.min(docTexts.size(), from + chunk), docTexts.size()));
      }
    }
    return docs;
  }

  /**
   * Ranks the whole corpus for each query with {@code embedder} (exact top-k by dot product over
   * the embedder's unit vectors, i.e. cosine, in a {@link FlatIndex}) and returns,
   * per query id, the ranked document ids with the query's positives removed, truncated to
   * {@code k}.
   *
   * @param beir the dataset
   * @param docs the corpus vectors from {@link #embedCorpus} (same embedder)
   * @param embedder the embedder (the model being trained, as served)
   * @param queryPrompt the prompt of the queries
   * @param k how many ranked ids to keep per query, >= 1
   * @return ranked non-positive document ids by query id
   */
  public static Map<String, List<String>> mineRankings(Beir beir, float[][] docs, Embedder embedder,
      TaskPrompt queryPrompt, int k) {
    return mineRankings(beir, docs, embedder, queryPrompt, k, VectorIndexFactory.flat());
  }

  /**
   * As {@link #mineRankings(Beir, float[][], Embedder, TaskPrompt, int)}, but ranks with an index
   * made by {@code indexes}: {@link VectorIndexFactory#flat()} for the exact ranking, or an
   * approximate (graph) index for large corpora, e.g. {@code new
   * dev.gecko4j.jvector.GraphIndexFactory()} from {@code gecko-jvector}.
   *
   * @param beir the dataset
   * @param docs the corpus vectors from {@link #embedCorpus} (same embedder)
   * @param embedder the embedder (the model being trained, as served)
   * @param queryPrompt the prompt of the queries
   * @param k how many ranked ids to keep per query, >= 1
   * @param indexes makes the index the corpus is ranked with; not null
   * @return ranked non-positive document ids by query id
   * @throws IllegalArgumentException if an argument is invalid
   */
  public static Map<String, List<String>> mineRankings(Beir beir, float[][] docs, Embedder embedder,
      TaskPrompt queryPrompt, int k, VectorIndexFactory indexes) {
    if (indexes == null) {
      throw new IllegalArgumentException("indexes must not be null");
    }
    if (k < 1) {
      throw new IllegalArgumentException("k must be >= 1, but is: " + k);
    }
    List<String> docIds = new ArrayList<>(beir.corpus().keySet());
    if (docs.length != docIds.size()) {
      throw new IllegalArgumentException("docs must have one vector per corpus document (" + docIds.size()
          + "), but has " + docs.length);
    }
    List<String> qIds = beir.qrels().keySet().stream().filter(beir.queries()::containsKey).toList();
    List<String> qTexts = qIds.stream().map(beir.queries()::get).toList();
    List<Embedding> qe = embedder.embedAll(qTexts, queryPrompt);
    VectorIndex index = corpusIndex(docIds, docs, Similarity.DOT_PRODUCT, indexes);
    // enough hits that k remain once a query's positives are removed
    int maxPositives = qIds.stream().mapToInt(q -> beir.qrels().get(q).size()).max().orElse(0);
    int fetch = Math.min(docs.length, k + maxPositives);
    List<List<Hit>> hits = index.searchBatch(qe.stream().map(Embedding::toArray).toList(), fetch);
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (int qi = 0; qi < qIds.size(); qi++) {
      Set<String> positives = beir.qrels().get(qIds.get(qi));
      List<String> ranked = new ArrayList<>(k);
      for (Hit h : hits.get(qi)) {
        if (!positives.contains(h.id()) && ranked.size() < k) {
          ranked.add(h.id());
        }
      }
      out.put(qIds.get(qi), ranked);
    }
    return out;
  }

  /**
   * An exact index over corpus vectors ({@link #embedCorpus}), ids in corpus order.
   *
   * @param docIds the corpus ids, one per vector
   * @param docs the vectors
   * @param similarity how they are scored
   * @return the index
   * @throws IllegalArgumentException if there are no vectors or not one per id
   */
  public static FlatIndex corpusIndex(List<String> docIds, float[][] docs, Similarity similarity) {
    if (docs.length == 0 || docIds.size() != docs.length) {
      throw new IllegalArgumentException("docs must hold one vector per id (" + docIds.size()
          + " ids), at least one, but has " + docs.length);
    }
    FlatIndex index = new FlatIndex(docs[0].length, similarity);
    for (int d = 0; d < docs.length; d++) {
      index.add(docIds.get(d), docs[d]);
    }
    return index;
  }

  /**
   * An index made by {@code indexes} over corpus vectors ({@link #embedCorpus}), ids in corpus
   * order, inserted with {@link VectorIndex#addAll} (on all cores for a graph index).
   *
   * @param docIds the corpus ids, one per vector
   * @param docs the vectors
   * @param similarity how they are scored
   * @param indexes makes the index; not null
   * @return the index
   * @throws IllegalArgumentException if there are no vectors or not one per id, or {@code
   *     indexes} is null
   */
  public static VectorIndex corpusIndex(List<String> docIds, float[][] docs, Similarity similarity,
      VectorIndexFactory indexes) {
    if (indexes == null) {
      throw new IllegalArgumentException("indexes must not be null");
    }
    if (docs.length == 0 || docIds.size() != docs.length) {
      throw new IllegalArgumentException("docs must hold one vector per id (" + docIds.size()
          + " ids), at least one, but has " + docs.length);
    }
    VectorIndex index = indexes.create(docs[0].length, similarity, docs.length);
    index.addAll(docIds, java.util.Arrays.asList(docs));
    return index;
  }

  /**
   * Builds (query, positive, hard negative) rows from BEIR qrels and mined rankings: one row per
   * relevant (query, document) pair, its negative drawn from ranks {@code [fromRank, toRank)} of
   * the query's ranking (positives already removed).
   *
   * @param beir the dataset
   * @param rankings ranked non-positive ids per query (from {@link #mineRankings})
   * @param negatives the rank range and seed
   * @param convention the model's prompt convention
   * @param task the task of the query prompt (e.g. {@link TaskPrompt#FACT_CHECKING})
   * @param name the source name
   * @param weight mixture weight
   * @return the source
   * @throws IllegalArgumentException if no query has a ranking deep enough
   */
  public static TrainingSource beirWithNegatives(Beir beir, Map<String, List<String>> rankings,
      HardNegatives negatives, PromptConvention convention, String task, String name, double weight) {
    Random r = new Random(negatives.seed());
    List<TrainingExample> rows = new ArrayList<>();
    for (Map.Entry<String, Set<String>> e : beir.qrels().entrySet()) {
      String q = beir.queries().get(e.getKey());
      List<String> ranked = rankings.get(e.getKey());
      if (q == null || ranked == null || ranked.size() <= negatives.fromRank()) {
        continue;
      }
      int hi = Math.min(ranked.size(), negatives.toRank());
      for (String pos : e.getValue()) {
        String posText = beir.corpus().get(pos);
        if (posText == null || posText.isBlank()) {
          continue;
        }
        String neg = beir.corpus().get(ranked.get(negatives.fromRank() + r.nextInt(hi - negatives.fromRank())));
        rows.add(new TrainingExample(convention.apply(TaskPrompt.query(task), q),
            convention.apply(TaskPrompt.document(), posText), convention.apply(TaskPrompt.document(), neg)));
      }
    }
    if (rows.isEmpty()) {
      throw new IllegalArgumentException("no query of '" + name + "' has a ranking deeper than fromRank "
          + negatives.fromRank());
    }
    return new TrainingSource(name, weight, rows);
  }

  /**
   * Sentence pairs (STS / NLI style): each pair becomes a row with symmetric prompts on both
   * sides; a third column, when present, is the hard negative (NLI contradiction).
   *
   * @param pairs rows of 2 or 3 texts
   * @param convention the model's prompt convention
   * @param task the symmetric task (e.g. {@link TaskPrompt#SENTENCE_SIMILARITY})
   * @param name the source name
   * @param weight mixture weight
   * @return the source
   * @throws IllegalArgumentException if a row does not have 2 or 3 texts
   */
  public static TrainingSource pairs(List<List<String>> pairs, PromptConvention convention, String task,
      String name, double weight) {
    TaskPrompt p = TaskPrompt.symmetric(task);
    List<TrainingExample> rows = new ArrayList<>();
    for (List<String> row : pairs) {
      if (row == null || row.size() < 2 || row.size() > 3) {
        throw new IllegalArgumentException("each pair must have 2 or 3 texts, but one has: " + row);
      }
      rows.add(new TrainingExample(convention.apply(p, row.get(0)), convention.apply(p, row.get(1)),
          row.size() == 3 ? convention.apply(p, row.get(2)) : null));
    }
    return new TrainingSource(name, weight, rows);
  }

  /**
   * Classification rows turned into Gecko's (x, x+, x-) triplets: x+ is another text of the same
   * label, x- a text of another label, and each text gets a unique id appended (" [id N]") so
   * in-batch rows of the same label do not collide as identical strings.
   *
   * @param texts the texts
   * @param labels one label per text
   * @param convention the model's prompt convention
   * @param name the source name
   * @param weight mixture weight
   * @param seed picks x+ and x-
   * @return the source
   * @throws IllegalArgumentException if the lists differ in length or there are fewer than two
   *     labels
   */
  public static TrainingSource classification(List<String> texts, List<String> labels, PromptConvention convention,
      String name, double weight, long seed) {
    if (texts == null || labels == null || texts.size() != labels.size()) {
      throw new IllegalArgumentException("texts and labels must have the same length");
    }
    Map<String, List<Integer>> byLabel = new HashMap<>();
    for (int i = 0; i < labels.size(); i++) {
      byLabel.computeIfAbsent(labels.get(i), k -> new ArrayList<>()).add(i);
    }
    if (byLabel.size() < 2) {
      throw new IllegalArgumentException("classification data needs at least two labels, but has: " + byLabel.keySet());
    }
    TaskPrompt p = TaskPrompt.symmetric(TaskPrompt.CLASSIFICATION);
    Random r = new Random(seed);
    List<TrainingExample> rows = new ArrayList<>();
    int id = 0;
    for (int i = 0; i < texts.size(); i++) {
      List<Integer> same = byLabel.get(labels.get(i));
      if (same.size() < 2) {
        continue;
      }
      int pos;
      do {
        pos = same.get(r.nextInt(same.size()));
      } while (pos == i);
      int neg;
      do {
        neg = r.nextInt(texts.size());
      } while (labels.get(neg).equals(labels.get(i)));
      rows.add(new TrainingExample(convention.apply(p, texts.get(i) + " [id " + (id++) + "]"),
          convention.apply(p, texts.get(pos) + " [id " + (id++) + "]"),
          convention.apply(p, texts.get(neg) + " [id " + (id++) + "]")));
    }
    return new TrainingSource(name, weight, rows);
  }
}
