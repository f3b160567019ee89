package dev.gecko4j.examples.cli;

import dev.gecko4j.core.Embedder;
import dev.gecko4j.core.ProgressListener;
import dev.gecko4j.core.PromptConvention;
import dev.gecko4j.onnx.OnnxEmbedder;
import java.util.Locale;
import dev.gecko4j.core.eval.BeirDataset;
import dev.gecko4j.core.eval.ClassificationDataset;
import dev.gecko4j.core.eval.ClassificationEvaluator;
import dev.gecko4j.core.eval.ClusteringDataset;
import dev.gecko4j.core.eval.ClusteringEvaluator;
import dev.gecko4j.core.eval.DatasetFormatException;
import dev.gecko4j.core.eval.DatasetLines;
import dev.gecko4j.core.eval.EvaluationResult;
import dev.gecko4j.core.eval.PairClassificationDataset;
import dev.gecko4j.core.eval.PairClassificationEvaluator;
import dev.gecko4j.core.eval.RerankingDataset;
import dev.gecko4j.core.eval.RerankingEvaluator;
import dev.gecko4j.core.eval.RetrievalEvaluator;
import dev.gecko4j.core.eval.StsDataset;
import dev.gecko4j.core.eval.StsEvaluator;
import dev.gecko4j.core.internal.GeckoJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The options of {@code gecko evaluate} for the MTEB task families beyond STS and retrieval
 * (classification, clustering, pair classification, reranking), and how each family is run with
 * them; kept apart from {@link EvaluateCommand} so that the families and the command's other
 * options change independently.
 */
final class TaskOptions {

  @Option(names = "--normalize", paramLabel = "true|false", arity = "1",
      description = "override whether the model L2-normalises its embeddings (default: the "
          + "model's own setting; the bge/e5 authors' classification runs used false)")
  Boolean normalize;

  @Option(names = "--prompt-convention", paramLabel = "NAME",
      description = "override the model's prompt convention: GECKO, BGE, E5 (query: on queries "
          + "and symmetric texts, passage: on documents), E5_MISTRAL or NONE (default: the model's; "
          + "the e5 authors' classification runs used E5)")
  String promptConvention;

  @Option(names = "--text-column", paramLabel = "NAME",
      description = "classification/clustering: the text column (default: text, sentence)")
  String textColumn;

  @Option(names = "--label-column", paramLabel = "NAME",
      description = "classification/clustering: the label column (default: label, category)")
  String labelColumn;

  @Option(names = "--dims", split = ",", paramLabel = "D1,D2,...",
      description = "classification/clustering/pair-classification/reranking: score several "
          + "Matryoshka dimensions from one embedding pass (e.g. 384,256,128); the JSON's score "
          + "is the first one's, scores_by_dimension has all")
  List<Integer> dims;

  @Option(names = "--experiments", defaultValue = "10",
      description = "classification: experiments (MTEB's n_experiments); default: ${DEFAULT-VALUE}")
  int experiments;

  @Option(names = "--samples-per-label", defaultValue = "8",
      description = "classification: training texts kept per label per experiment (MTEB: 8, "
          + "Emotion 16); default: ${DEFAULT-VALUE}")
  int samplesPerLabel;

  @Option(names = "--clustering-protocol", paramLabel = "fast|legacy", defaultValue = "fast",
      description = "clustering: MTEB's fast protocol (10 bootstrap rounds of 16384 texts, as "
          + "SIB200ClusteringS2S) or legacy (each set on its own); default: ${DEFAULT-VALUE}")
  String clusteringProtocol;

  @Option(names = "--knn", paramLabel = "K", defaultValue = "0",
      description = "classification: use a k-nearest-neighbour vote (cosine) instead of "
          + "logistic regression; 0 = logistic regression (default)")
  int knn;

  /** Applies {@code --normalize} and {@code --prompt-convention} to the model's builder. */
  OnnxEmbedder.Builder configure(OnnxEmbedder.Builder builder) {
    if (normalize != null) {
      builder = builder.normalize(normalize);
    }
    if (promptConvention != null) {
      String name = promptConvention.toUpperCase(Locale.ROOT);
      PromptConvention c = switch (name) {
        case "GECKO" -> PromptConvention.GECKO;
        case "BGE" -> PromptConvention.BGE;
        case "E5" -> PromptConvention.E5;
        case "E5_MISTRAL" -> PromptConvention.E5_MISTRAL;
        case "NONE" -> PromptConvention.NONE;
        default -> throw new IllegalArgumentException("--prompt-convention must be one of GECKO, "
            + "BGE, E5, E5_MISTRAL, NONE, but is: " + promptConvention);
      };
      builder = builder.promptConvention(c, name);
    }
    return builder;
  }

  /** Runs the classification task at {@code dim} (0 = the model's). */
  EvaluationResult classification(Embedder embedder, Path path, int dim, ProgressListener progress) {
    ClassificationEvaluator.Builder b = ClassificationEvaluator.builder()
        .experiments(experiments).samplesPerLabel(samplesPerLabel).listener(progress)
        .dimension(dim);
    if (knn > 0) {
      b.method(ClassificationEvaluator.Method.KNN).k(knn);
    }
    ClassificationDataset d = ClassificationDataset.read(path, textColumn, labelColumn);
    return dims == null ? b.build().evaluate(embedder, d)
        : byDimension(b.build().evaluateDimensions(embedder, d, dims));
  }

  /** Runs the clustering task at {@code dim} (0 = the model's). */
  EvaluationResult clustering(Embedder embedder, Path path, int dim, ProgressListener progress) {
    ClusteringEvaluator e = clusteringEvaluator(clusteringProtocol, dim, progress);
    ClusteringDataset d = ClusteringDataset.read(path, textColumn, labelColumn);
    return dims == null ? e.evaluate(embedder, d) : byDimension(e.evaluateDimensions(embedder, d, dims));
  }

  private static ClusteringEvaluator clusteringEvaluator(String protocol, int dim,
      ProgressListener progress) {
    ClusteringEvaluator.Protocol p = switch (protocol.toLowerCase(Locale.ROOT)) {
      case "fast" -> ClusteringEvaluator.Protocol.FAST;
      case "legacy" -> ClusteringEvaluator.Protocol.LEGACY;
      default -> throw new IllegalArgumentException(
          "the clustering protocol must be fast or legacy, but is: " + protocol);
    };
    return ClusteringEvaluator.builder().protocol(p).dimension(dim).listener(progress).build();
  }

  /**
   * The lines of a suite file, read through {@link DatasetLines}; a file problem (empty, not
   * UTF-8) is a bad {@code --suite} argument naming {@code path:line}.
   */
  static List<String> suiteLines(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("--suite must be a readable file, but is: " + file);
    }
    List<String> lines = new ArrayList<>();
    try (DatasetLines in = DatasetLines.open(file, "lines 'FAMILY PATH [key=value ...]'")) {
      for (String l; (l = in.next()) != null; ) {
        lines.add(l);
      }
    } catch (DatasetFormatException e) {
      throw new IllegalArgumentException("--suite " + e.getMessage(), e);
    }
    return lines;
  }

  /** Runs the pair-classification task at {@code dim} (0 = the model's). */
  EvaluationResult pairClassification(Embedder embedder, Path path, int dim,
      ProgressListener progress) {
    PairClassificationEvaluator e =
        PairClassificationEvaluator.builder().dimension(dim).listener(progress).build();
    PairClassificationDataset d = PairClassificationDataset.read(path);
    return dims == null ? e.evaluate(embedder, d) : byDimension(e.evaluateDimensions(embedder, d, dims));
  }

  /** Runs the reranking task at {@code dim} (0 = the model's). */
  EvaluationResult reranking(Embedder embedder, Path path, int dim, ProgressListener progress) {
    RerankingEvaluator e = RerankingEvaluator.builder().dimension(dim).listener(progress).build();
    RerankingDataset d = RerankingDataset.read(path);
    return dims == null ? e.evaluate(embedder, d) : byDimension(e.evaluateDimensions(embedder, d, dims));
  }

  /**
   * Runs every task of a suite file and returns the JSON line; prints a Markdown table of the
   * results on stderr. A line is {@code FAMILY PATH [key=value ...]}; blank lines and lines
   * starting with {@code #} are skipped; a relative path is resolved against the file's folder.
   * Keys: {@code name} (the row's name), {@code samples-per-label}, {@code experiments},
   * {@code knn} (classification), {@code protocol} (clustering), {@code text-column},
   * {@code label-column} (both), {@code split} (retrieval). The file is read by the datasets'
   * rule ({@link DatasetLines}: byte-order mark, strict UTF-8 at its line, an empty file named).
   */
  String suite(Embedder embedder, Path file, int dim, String defaultSplit,
      ProgressListener progress) {
    List<String> lines = suiteLines(file);
    Path base = file.toAbsolutePath().getParent();
    List<String[]> table = new ArrayList<>();
    List<Map<String, Object>> results = new ArrayList<>();
    double sum = 0;
    for (int ln = 0; ln < lines.size(); ln++) {
      String line = lines.get(ln).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] parts = line.split("\\s+");
      if (parts.length < 2) {
        throw new IllegalArgumentException(file + ":" + (ln + 1)
            + ": expected 'FAMILY PATH [key=value ...]', but is: " + line);
      }
      Map<String, String> opts = new LinkedHashMap<>();
      for (int i = 2; i < parts.length; i++) {
        int eq = parts[i].indexOf('=');
        if (eq <= 0) {
          throw new IllegalArgumentException(file + ":" + (ln + 1)
              + ": options must be key=value, but one is: " + parts[i]);
        }
        opts.put(parts[i].substring(0, eq), parts[i].substring(eq + 1));
      }
      Path path = base.resolve(parts[1]);
      String family = parts[0].toLowerCase(Locale.ROOT);
      System.err.println("gecko evaluate: suite task " + family + " " + path);
      EvaluationResult r;
      try {
        r = switch (family) {
          case "sts" -> StsEvaluator.builder().dimension(dim).listener(progress).build()
              .evaluate(embedder, StsDataset.read(path));
          case "retrieval" -> RetrievalEvaluator.builder().dimension(dim).listener(progress)
              .split(opts.getOrDefault("split", defaultSplit)).build()
              .evaluate(embedder, BeirDataset.open(path));
          case "classification" -> {
            ClassificationEvaluator.Builder b = ClassificationEvaluator.builder().dimension(dim)
                .listener(progress)
                .experiments(intOption(opts, "experiments", experiments, file, ln))
                .samplesPerLabel(intOption(opts, "samples-per-label", samplesPerLabel, file, ln));
            int k = intOption(opts, "knn", knn, file, ln);
            if (k > 0) {
              b.method(ClassificationEvaluator.Method.KNN).k(k);
            }
            yield b.build().evaluate(embedder, ClassificationDataset.read(path,
                opts.getOrDefault("text-column", textColumn),
                opts.getOrDefault("label-column", labelColumn)));
          }
          case "clustering" -> clusteringEvaluator(
              opts.getOrDefault("protocol", clusteringProtocol), dim, progress)
              .evaluate(embedder, ClusteringDataset.read(path,
                  opts.getOrDefault("text-column", textColumn),
                  opts.getOrDefault("label-column", labelColumn)));
          case "pair-classification" -> pairClassification(embedder, path, dim, progress);
          case "reranking" -> reranking(embedder, path, dim, progress);
          default -> throw new IllegalArgumentException(file + ":" + (ln + 1)
              + ": the family must be one of sts, retrieval, classification, clustering, "
              + "pair-classification, reranking, but is: " + parts[0]);
        };
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(file + ":" + (ln + 1) + ": " + e.getMessage(), e);
      }
      String name = opts.getOrDefault("name", r.dataset());
      table.add(new String[] {name, family, r.metric(), String.format(Locale.ROOT, "%.4f",
          r.score())});
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("task", name);
      m.put("family", family);
      m.put("dataset", r.dataset());
      m.put("metric", r.metric());
      m.put("score", r.score());
      results.add(m);
      sum += r.score();
    }
    if (results.isEmpty()) {
      throw new IllegalArgumentException("--suite " + file + " names no task; expected lines "
          + "'FAMILY PATH [key=value ...]'");
    }
    StringBuilder md = new StringBuilder("| task | family | metric | score |\n|---|---|---|---|\n");
    for (String[] row : table) {
      md.append("| ").append(String.join(" | ", row)).append(" |\n");
    }
    md.append(String.format(Locale.ROOT, "| **mean** | | | %.4f |%n", sum / results.size()));
    System.err.print(md);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("model", embedder instanceof OnnxEmbedder o ? o.modelName() : embedder.toString());
    out.put("suite", file.toString());
    out.put("metric", "mean");
    out.put("score", sum / results.size());
    out.put("tasks", results);
    try {
      return GeckoJson.mapper().writeValueAsString(out);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot write the suite's JSON: " + e.getMessage(), e);
    }
  }

  private static int intOption(Map<String, String> opts, String key, int fallback, Path file,
      int ln) {
    String v = opts.get(key);
    if (v == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(file + ":" + (ln + 1) + ": " + key
          + " must be an integer, but is: " + v, e);
    }
  }

  /** The first dimension's result, with every dimension's main score added to its details. */
  private static EvaluationResult byDimension(Map<Integer, ? extends EvaluationResult> results) {
    EvaluationResult first = results.values().iterator().next();
    Map<String, Object> scores = new LinkedHashMap<>();
    results.forEach((d, r) -> scores.put(String.valueOf(d), r.score()));
    return new EvaluationResult() {
      @Override
      public String dataset() {
        return first.dataset();
      }

      @Override
      public String metric() {
        return first.metric();
      }

      @Override
      public double score() {
        return first.score();
      }

      @Override
      public Map<String, Object> details() {
        Map<String, Object> m = new LinkedHashMap<>(first.details());
        m.put("scores_by_dimension", scores);
        return m;
      }
    };
  }
}
