package dev.gecko4j.train;

import dev.gecko4j.core.Embedder;
import dev.gecko4j.core.Embedding;
import dev.gecko4j.core.TaskPrompt;
import dev.gecko4j.core.eval.RetrievalEvaluator;
import dev.gecko4j.core.eval.StsDataset;
import dev.gecko4j.core.eval.StsEvaluator;
import dev.gecko4j.train.data.TrainingData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The trainer's quick evaluation (so a training run can report its scores): retrieval nDCG@10
 * over the whole corpus at the full size and at Matryoshka truncations, embedding the corpus once
 * for all of them, and STS Spearman correlation. The scoring is the evaluators' own
 * ({@link RetrievalEvaluator#evaluateVectors}: the same search, trec_eval order and metrics as
 * {@code gecko evaluate --beir}; {@link StsEvaluator}), so there is one scoring code for training
 * and evaluation.
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
    Map<String, float[]> documents = new LinkedHashMap<>();
    for (int i = 0; i < docIds.size(); i++) {
      documents.put(docIds.get(i), docs[i]);
    }
    List<String> qIds = beir.qrels().keySet().stream().filter(beir.queries()::containsKey).toList();
    List<Embedding> qe = embedder.embedAll(qIds.stream().map(beir.queries()::get).toList(), queryPrompt);
    Map<String, float[]> queries = new LinkedHashMap<>();
    Map<String, Map<String, Integer>> qrels = new LinkedHashMap<>();
    for (int i = 0; i < qIds.size(); i++) {
      queries.put(qIds.get(i), qe.get(i).toArray());
      Map<String, Integer> judged = new LinkedHashMap<>();
      beir.qrels().get(qIds.get(i)).forEach(id -> judged.put(id, 1));
      qrels.put(qIds.get(i), judged);
    }
    double[] out = new double[dims.length];
    for (int di = 0; di < dims.length; di++) {
      out[di] = RetrievalEvaluator.builder().dimension(dims[di]).build()
          .evaluateVectors("beir", qrels, queries, documents).ndcgAt10();
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
