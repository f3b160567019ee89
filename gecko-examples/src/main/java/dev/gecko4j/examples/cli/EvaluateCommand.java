package dev.gecko4j.examples.cli;

import dev.gecko4j.core.Embedder;
import dev.gecko4j.core.ProgressListener;
import dev.gecko4j.core.eval.BeirDataset;
import dev.gecko4j.core.eval.EvaluationResult;
import dev.gecko4j.core.eval.RerankEvaluator;
import dev.gecko4j.core.eval.RetrievalEvaluator;
import dev.gecko4j.core.eval.RetrievalResult;
import dev.gecko4j.core.eval.RetrievalRun;
import dev.gecko4j.core.eval.StsDataset;
import dev.gecko4j.core.eval.StsEvaluator;
import dev.gecko4j.core.index.QuantizedFlatIndex;
import dev.gecko4j.core.index.VectorIndexFactory;
import dev.gecko4j.core.quantization.Precision;
import dev.gecko4j.onnx.OnnxCrossEncoder;
import dev.gecko4j.onnx.OnnxEmbedder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code gecko evaluate}: scores a model on an STS file (cosine Spearman), a BEIR folder
 * (nDCG@10), a classification, clustering, pair-classification or reranking task, or a suite of
 * them, with MTEB's protocols, printing progress on stderr and one JSON object (model, dataset,
 * metric, score, details) as the last stdout line. With {@code --rerank FOLDER} the BEIR top
 * documents are reranked by that cross-encoder: {@code score} is nDCG@10 after reranking and
 * {@code retriever_score} before.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
    description = "Scores a model with MTEB's protocols on an STS TSV (cosine Spearman), a BEIR "
        + "folder (nDCG@10), a classification (accuracy), clustering (V-measure), "
        + "pair-classification (max AP) or reranking (MAP) task, or a --suite of them.")
public final class EvaluateCommand extends GeckoCommand {

  @Mixin ModelOption model;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Dataset dataset;

  /** Exactly one dataset. */
  static final class Dataset {
    @Option(names = "--sts", description = "STS TSV file (score, sentence1, sentence2, subset)")
    Path sts;

    @Option(names = "--beir", description = "BEIR folder (corpus.jsonl, queries.jsonl, qrels/)")
    Path beir;

    @Option(names = "--classification", paramLabel = "DIR_OR_FILE",
        description = "classification folder (train.* and test.*: CSV/TSV with a header or JSONL, "
            + "columns text and label/category) or an evaluation file with train.* beside it "
            + "(MTEB: 10 experiments, logistic regression, accuracy)")
    Path classification;

    @Option(names = "--clustering", paramLabel = "FILE_OR_DIR",
        description = "clustering file: MTEB JSONL ({\"sentences\": [...], \"labels\": [...]} per "
            + "line) or CSV/TSV/JSONL of text,label (V-measure; see --clustering-protocol)")
    Path clustering;

    @Option(names = "--pair-classification", paramLabel = "FILE_OR_DIR",
        description = "pair file: CSV/TSV/JSONL with sentence1, sentence2, label (0/1) (max AP)")
    Path pairClassification;

    @Option(names = "--reranking", paramLabel = "FILE_OR_DIR",
        description = "reranking JSONL: {\"query\", \"positive\": [...], \"negative\": [...]} "
            + "per line (MAP, MRR@10)")
    Path reranking;

    @Option(names = "--suite", paramLabel = "FILE",
        description = "a suite file: one task per line, 'FAMILY PATH [option=value ...]' (FAMILY: "
            + "sts, retrieval, classification, clustering, pair-classification, reranking; paths "
            + "relative to the file); prints a Markdown table on stderr and one JSON object")
    Path suite;
  }

  @Mixin TaskOptions tasks;

  @Option(names = "--dim", defaultValue = "0",
      description = "Matryoshka dimension (truncate and renormalise); 0 = the model's full one")
  int dim;

  @Option(names = "--split", defaultValue = "test", description = "BEIR qrels split; default: ${DEFAULT-VALUE}")
  String split;

  @Option(names = "--threads", defaultValue = "0",
      description = "ONNX Runtime intra-op threads; 0 = one per core")
  int threads;

  @Option(names = "--rerank", paramLabel = "FOLDER",
      description = "BEIR only: rerank each query's retrieved top documents with this ONNX "
          + "cross-encoder folder; `score` is then nDCG@10 after reranking, `retriever_score` before")
  Path rerank;

  @Option(names = "--rerank-top", defaultValue = "100",
      description = "with --rerank: documents per query to rerank (1-100); default: ${DEFAULT-VALUE}")
  int rerankTop;

  // --- quantized retrieval (issue 26) ---
  @Option(names = "--precision", defaultValue = "float32",
      description = "BEIR only: search the corpus as float32 (exact, MTEB's protocol), int8 or"
          + " binary vectors (sentence-transformers' quantize_embeddings); a quantized run also"
          + " reports the float32 score of the same embeddings as float32_score."
          + " Default: ${DEFAULT-VALUE}")
  String precision;

  @Option(names = "--rescore", defaultValue = "0",
      description = "with --precision int8|binary: rescore the best k x N candidates with the float"
          + " vectors (0 = scores of the quantized vectors alone). Default: ${DEFAULT-VALUE}")
  int rescore;

  @Option(names = "--max-length", defaultValue = "0",
      description = "token limit of the embedder; 0 = the model's own (512 for BGE)")
  int maxLength;

  @Option(names = "--embedding-cache",
      description = "folder that keeps the corpus and query vectors of each batch (keyed by the"
          + " model's fingerprint and the texts), so a second run, e.g. with another --precision,"
          + " reads them back instead of embedding again; default: none")
  Path embeddingCache;

  /** The quantized index of --precision/--rescore, or null for the float scan. */
  private VectorIndexFactory quantizedIndex() {
    Precision p;
    try {
      p = Precision.parse(precision);
    } catch (IllegalArgumentException e) {
      throw badOption("--precision: %s", e.getMessage());
    }
    if (rescore < 0 || rescore > 10_000) {
      throw badOption("--rescore must be in [0, 10000], but is: %d", rescore);
    }
    if (p == Precision.FLOAT32) {
      if (rescore != 0) {
        throw badOption("--rescore %d needs --precision int8 or binary; float32 is exact", rescore);
      }
      return null;
    }
    if (p == Precision.UINT8) {
      throw badOption("--precision uint8 is not searchable; expected float32, int8 or binary");
    }
    if (dataset.beir == null) {
      throw badOption("--precision %s applies to --beir retrieval only", p.value());
    }
    return QuantizedFlatIndex.factory(p, rescore);
  }

  /** Evaluates with the quantized index and the float one on the same embeddings. */
  private static EvaluationResult quantizedResult(RetrievalEvaluator evaluator,
      Embedder embedder, BeirDataset beir, VectorIndexFactory quantized, int rescore) {
    List<RetrievalResult> both =
        evaluator.evaluateEach(embedder, beir, List.of(quantized, VectorIndexFactory.flat()));
    RetrievalResult q = both.get(0);
    RetrievalResult f = both.get(1);
    System.err.printf(Locale.ROOT, "gecko evaluate: %s nDCG@10 %.6f, float32 %.6f (%+.6f)%n",
        quantized.name(), q.score(), f.score(), q.score() - f.score());
    return new EvaluationResult() {
      @Override
      public String dataset() {
        return q.dataset();
      }

      @Override
      public String metric() {
        return q.metric();
      }

      @Override
      public double score() {
        return q.score();
      }

      @Override
      public Map<String, Object> details() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("precision", quantized.name().replaceAll("\\+.*", ""));
        m.put("rescore", rescore);
        m.put("float32_score", f.score());
        m.put("float32_recall_at_10", f.recallAt10());
        m.putAll(q.details());
        return m;
      }
    };
  }
  // --- end of quantized retrieval ---

  @Override
  public Integer call() {
    if (dim < 0) {
      throw badOption("--dim must be >= 0, but is: %d", dim);
    }
    if (rerank != null && dataset.beir == null) {
      throw badOption("--rerank needs --beir (a retrieval dataset to rerank); it does not apply"
          + " to the other task kinds");
    }
    if (rerankTop < 1 || rerankTop > RetrievalEvaluator.TOP_K) {
      throw badOption("--rerank-top must be between 1 and %d, but is: %d", RetrievalEvaluator.TOP_K,
          rerankTop);
    }
    VectorIndexFactory quantized = quantizedIndex();
    if (rerank != null && quantized != null) {
      throw badOption("--rerank reranks the exact float32 run; it cannot be combined with"
          + " --precision %s", precision);
    }
    long t0 = System.nanoTime();
    ProgressListener progress = new ProgressListener() {
      private long lastPrint;

      @Override
      public void onProgress(String stage, long done, long total) {
        long now = System.nanoTime();
        if (done == total || now - lastPrint > 2_000_000_000L) {
          lastPrint = now;
          System.err.printf(Locale.ROOT, "gecko evaluate: %s %,d/%,d (%.0f s)%n", stage, done,
              total, (now - t0) / 1e9);
        }
      }
    };
    OnnxEmbedder.Builder builder = model.builder().intraOpThreads(threads);
    builder = tasks.configure(builder);
    if (maxLength < 0) {
      throw badOption("--max-length must be >= 0, but is: %d", maxLength);
    }
    if (maxLength > 0) {
      builder = builder.maxLength(maxLength);
    }
    try (OnnxEmbedder onnx = builder.build()) {
      System.err.println("gecko evaluate: " + onnx);
      CachingEmbedder cached = embeddingCache == null ? null
          : new CachingEmbedder(onnx, embeddingCache);
      Embedder embedder = cached == null ? onnx : cached;
      EvaluationResult result;
      if (dataset.sts != null) {
        StsEvaluator.Builder eb = StsEvaluator.builder().listener(progress);
        if (dim > 0) {
          eb = eb.dimension(dim);
        }
        result = eb.build().evaluate(embedder, StsDataset.read(dataset.sts));
      } else if (dataset.classification != null) {
        result = tasks.classification(embedder, dataset.classification, dim, progress);
      } else if (dataset.clustering != null) {
        result = tasks.clustering(embedder, dataset.clustering, dim, progress);
      } else if (dataset.pairClassification != null) {
        result = tasks.pairClassification(embedder, dataset.pairClassification, dim, progress);
      } else if (dataset.reranking != null) {
        result = tasks.reranking(embedder, dataset.reranking, dim, progress);
      } else if (dataset.suite != null) {
        System.out.println(tasks.suite(embedder, dataset.suite, dim, split, progress));
        System.out.flush();
        return 0;
      } else {
        RetrievalEvaluator.Builder eb = RetrievalEvaluator.builder().split(split).listener(progress);
        if (dim > 0) {
          eb = eb.dimension(dim);
        }
        BeirDataset beir = BeirDataset.open(dataset.beir);
        if (rerank != null) {
          result = reranked(eb.build().retrieve(embedder, beir), beir, progress);
        } else if (quantized != null) {
          result = quantizedResult(eb.build(), embedder, beir, quantized, rescore);
        } else {
          result = eb.build().evaluate(embedder, beir);
        }
      }
      System.err.printf(Locale.ROOT, "gecko evaluate: %s %s = %.4f (%.0f s)%n", result.dataset(),
          result.metric(), result.score(), (System.nanoTime() - t0) / 1e9);
      if (cached != null) {
        System.err.println("gecko evaluate: embedding cache " + embeddingCache + ": "
            + cached.stats());
      }
      System.out.println(result.toJson(onnx.modelName()));
      System.out.flush();
    }
    return 0;
  }

  /** The retrieval run reranked by the {@code --rerank} cross-encoder. */
  private EvaluationResult reranked(RetrievalRun run, BeirDataset beir, ProgressListener progress) {
    System.err.printf(Locale.ROOT, "gecko evaluate: retriever ndcg_at_10 = %.4f; reranking the top "
        + "%d with %s%n", run.scores().ndcgAt10(), rerankTop, rerank);
    try (OnnxCrossEncoder reranker = OnnxCrossEncoder.builder().modelFolder(rerank)
        .intraOpThreads(threads).build()) {
      System.err.println("gecko evaluate: " + reranker);
      return RerankEvaluator.evaluate(beir, split, run, reranker, rerankTop, progress);
    }
  }
}
