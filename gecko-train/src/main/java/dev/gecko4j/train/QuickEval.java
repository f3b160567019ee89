package dev.gecko4j.train;

import dev.gecko4j.core.Embedder;
import dev.gecko4j.core.Embedding;
import dev.gecko4j.core.TaskPrompt;
import dev.gecko4j.core.eval.RetrievalMetrics;
import dev.gecko4j.core.eval.ScoredDocument;
import dev.gecko4j.core.eval.StsDataset;
import dev.gecko4j.core.eval.StsEvaluator;
import dev.gecko4j.core.index.FlatIndex;
import dev.gecko4j.core.index.Hit;
import dev.gecko4j.core.vector.Similarity;
import dev.gecko4j.train.data.TrainingData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The trainer's own quick evaluation (so a training run can report its scores): retrieval
 * nDCG@10 over the whole corpus at the full size and at Matryoshka truncations, embedding the
 * corpus once for all of them, and STS Spearman correlation. Search, metrics and STS are the
 * library's ({@link FlatIndex}, {@link RetrievalMetrics}, {@link StsEvaluator}), so the scores
 * equal {@code gecko evaluate}'s on the same model.
 */
public final class QuickEval {
  private QuickEval() {}

  /**
   * Computes nDCG@10 of a BEIR split for each truncation size.
   *
   * @param embedder the embedder (for the queries)
   * @param beir the dataset (qrels of the evaluated split)
   * @param docs the corpus vectors ({@link TrainingData#embedCorpus}, same embedder)
   * @param queryPrompt the queries' prompt
   * @param dims truncation sizes (each {@code <=} the embedder's dimension); vectors are re-normalised
   * @return nDCG@10 per entry of {@code dims}
   */
  public static double[] ndcgAt10(Embedder embedder, TrainingData.Beir beir, float[][] docs, TaskPrompt queryPrompt,
      int[] dims) {
    List<String> docIds = new ArrayList<>(beir.corpus().keySet());
    List<String> qIds = beir.qrels().keySet().stream().filter(beir.queries()::containsKey).toList();
    List<Embedding> qe = embedder.embedAll(qIds.stream().map(beir.queries()::get).toList(), queryPrompt);
    double[] out = new double[dims.length];
    for (int di = 0; di < dims.length; di++) {
      int d = dims[di];
      float[][] truncated = Arrays.stream(docs).map(v -> Arrays.copyOf(v, d)).toArray(float[][]::new);
      // cosine: the index and the search renormalise the truncations
      FlatIndex index = TrainingData.corpusIndex(docIds, truncated, Similarity.COSINE);
      List<List<Hit>> hits = index.searchBatch(
          qe.stream().map(e -> Arrays.copyOf(e.toArray(), d)).toList(), Math.min(10, docs.length));
      double sum = 0;
      for (int qi = 0; qi < qIds.size(); qi++) {
        Map<String, Integer> judgments = new HashMap<>();
        for (String id : beir.qrels().get(qIds.get(qi))) {
          judgments.put(id, 1);
        }
        List<ScoredDocument> ranked = hits.get(qi).stream()
            .map(h -> new ScoredDocument(h.id(), h.score())).toList();
        sum += RetrievalMetrics.ndcgAt(judgments, ranked, 10);
      }
      out[di] = sum / qIds.size();
    }
    return out;
  }

  /**
   * STS Spearman correlation ({@link StsEvaluator}) on an STS TSV file.
   *
   * @param embedder the embedder (symmetric prompt, as MTEB runs STS)
   * @param tsv the file ({@code score, sentence1, sentence2, ...} with a header)
   * @return Spearman's rho between cosine and gold
   */
  public static double stsSpearman(Embedder embedder, Path tsv) {
    return StsEvaluator.builder().build().evaluate(embedder, StsDataset.read(tsv)).spearman();
  }
}
