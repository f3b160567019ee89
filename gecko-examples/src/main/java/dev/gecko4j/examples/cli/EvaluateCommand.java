package dev.gecko4j.examples.cli;

import dev.gecko4j.core.ProgressListener;
import dev.gecko4j.core.eval.BeirDataset;
import dev.gecko4j.core.eval.EvaluationResult;
import dev.gecko4j.core.eval.RetrievalEvaluator;
import dev.gecko4j.core.eval.StsDataset;
import dev.gecko4j.core.eval.StsEvaluator;
import dev.gecko4j.onnx.OnnxEmbedder;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code gecko evaluate}: scores a model on an STS file (cosine Spearman) or a BEIR folder
 * (nDCG@10) with MTEB's protocol, printing progress on stderr and one JSON object (model, dataset,
 * metric, score, details) as the last stdout line.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
    description = "Scores a model on an STS TSV (cosine Spearman) or a BEIR folder (nDCG@10) "
        + "with MTEB's protocol.")
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

  @Override
  public Integer call() {
    if (dim < 0) {
      throw badOption("--dim must be >= 0, but is: %d", dim);
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
    try (OnnxEmbedder embedder = builder.build()) {
      System.err.println("gecko evaluate: " + embedder);
      EvaluationResult result;
      if (dataset.sts != null) {
        StsEvaluator.Builder eb = StsEvaluator.builder().listener(progress);
        if (dim > 0) {
          eb = eb.dimension(dim);
        }
        result = eb.build().evaluate(embedder, StsDataset.read(dataset.sts));
      } else if (dataset.classification != null) {
        result = tasks.classification(embedder, dataset.classification, dim, progress);
      } else {
        RetrievalEvaluator.Builder eb = RetrievalEvaluator.builder().split(split).listener(progress);
        if (dim > 0) {
          eb = eb.dimension(dim);
        }
        result = eb.build().evaluate(embedder, BeirDataset.open(dataset.beir));
      }
      System.err.printf(Locale.ROOT, "gecko evaluate: %s %s = %.4f (%.0f s)%n", result.dataset(),
          result.metric(), result.score(), (System.nanoTime() - t0) / 1e9);
      System.out.println(result.toJson(embedder.modelName()));
      System.out.flush();
    }
    return 0;
  }
}
