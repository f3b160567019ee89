package dev.gecko4j.examples.cli;

import dev.gecko4j.core.Embedder;
import dev.gecko4j.core.ProgressListener;
import dev.gecko4j.core.PromptConvention;
import dev.gecko4j.onnx.OnnxEmbedder;
import java.util.Locale;
import dev.gecko4j.core.eval.ClassificationDataset;
import dev.gecko4j.core.eval.ClassificationEvaluator;
import dev.gecko4j.core.eval.EvaluationResult;
import java.nio.file.Path;
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

  @Option(names = "--experiments", defaultValue = "10",
      description = "classification: experiments (MTEB's n_experiments); default: ${DEFAULT-VALUE}")
  int experiments;

  @Option(names = "--samples-per-label", defaultValue = "8",
      description = "classification: training texts kept per label per experiment (MTEB: 8, "
          + "Emotion 16); default: ${DEFAULT-VALUE}")
  int samplesPerLabel;

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
    return b.build().evaluate(embedder, ClassificationDataset.read(path));
  }
}
