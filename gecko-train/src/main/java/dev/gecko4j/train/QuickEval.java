package dev.gecko4j.train;

import dev.gecko4j.core.Embedder;
import dev.gecko4j.core.Embedding;
import dev.gecko4j.core.TaskPrompt;
import dev.gecko4j.train.data.TrainingData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The trainer's own quick evaluation (so a training run can report its scores): retrieval
 * nDCG@10 (binary gains, trec_eval style, exact search over the whole corpus) at the full size
 * and at Matryoshka truncations, and STS Spearman correlation between cosine and gold scores.
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
   * @param dims truncation sizes (each <= the embedder's dimension); vectors are re-normalised
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
      float[][] dd = truncate(docs, d);
      double sum = 0;
      for (int qi = 0; qi < qIds.size(); qi++) {
        float[] q = truncate(new float[][] {qe.get(qi).toArray()}, d)[0];
        double[] scores = new double[dd.length];
        for (int k = 0; k < dd.length; k++) {
          double s = 0;
          for (int j = 0; j < d; j++) {
            s += q[j] * dd[k][j];
          }
          scores[k] = s;
        }
        Integer[] idx = new Integer[dd.length];
        for (int k = 0; k < idx.length; k++) {
          idx[k] = k;
        }
        Arrays.sort(idx, (a, b) -> Double.compare(scores[b], scores[a]));
        Set<String> rel = beir.qrels().get(qIds.get(qi));
        double dcg = 0;
        for (int r = 0; r < 10 && r < idx.length; r++) {
          if (rel.contains(docIds.get(idx[r]))) {
            dcg += 1 / (Math.log(r + 2) / Math.log(2));
          }
        }
        double idcg = 0;
        for (int r = 0; r < Math.min(10, rel.size()); r++) {
          idcg += 1 / (Math.log(r + 2) / Math.log(2));
        }
        sum += dcg / idcg;
      }
      out[di] = sum / qIds.size();
    }
    return out;
  }

  private static float[][] truncate(float[][] v, int d) {
    float[][] out = new float[v.length][];
    for (int i = 0; i < v.length; i++) {
      float[] x = Arrays.copyOf(v[i], d);
      double n = 0;
      for (float f : x) {
        n += f * f;
      }
      float inv = (float) (1 / Math.max(1e-12, Math.sqrt(n)));
      for (int j = 0; j < d; j++) {
        x[j] *= inv;
      }
      out[i] = x;
    }
    return out;
  }

  /**
   * STS Spearman correlation on a TSV with header {@code score, sentence1, sentence2, ...}.
   *
   * @param embedder the embedder (no prompt, as MTEB runs STS for BGE)
   * @param tsv the file
   * @return Spearman's rho between cosine and gold
   */
  public static double stsSpearman(Embedder embedder, Path tsv) {
    List<String> a = new ArrayList<>();
    List<String> b = new ArrayList<>();
    List<Double> gold = new ArrayList<>();
    try {
      List<String> lines = Files.readAllLines(tsv, StandardCharsets.UTF_8);
      for (String line : lines.subList(1, lines.size())) {
        String[] f = line.split("\t");
        if (f.length >= 3) {
          gold.add(Double.parseDouble(f[0]));
          a.add(f[1]);
          b.add(f[2]);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + tsv, e);
    }
    List<Embedding> ea = embedder.embedAll(a, TaskPrompt.none());
    List<Embedding> eb = embedder.embedAll(b, TaskPrompt.none());
    double[] cos = new double[a.size()];
    double[] g = new double[a.size()];
    for (int i = 0; i < cos.length; i++) {
      cos[i] = ea.get(i).cosine(eb.get(i));
      g[i] = gold.get(i);
    }
    return pearson(ranks(cos), ranks(g));
  }

  static double[] ranks(double[] x) {
    Integer[] idx = new Integer[x.length];
    for (int i = 0; i < idx.length; i++) {
      idx[i] = i;
    }
    Arrays.sort(idx, (p, q) -> Double.compare(x[p], x[q]));
    double[] r = new double[x.length];
    for (int i = 0; i < idx.length; ) {
      int j = i;
      while (j + 1 < idx.length && x[idx[j + 1]] == x[idx[i]]) {
        j++;
      }
      double avg = (i + j) / 2.0 + 1;
      for (int k = i; k <= j; k++) {
        r[idx[k]] = avg;
      }
      i = j + 1;
    }
    return r;
  }

  static double pearson(double[] x, double[] y) {
    double mx = Arrays.stream(x).average().orElse(0);
    double my = Arrays.stream(y).average().orElse(0);
    double sxy = 0;
    double sxx = 0;
    double syy = 0;
    for (int i = 0; i < x.length; i++) {
      sxy += (x[i] - mx) * (y[i] - my);
      sxx += (x[i] - mx) * (x[i] - mx);
      syy += (y[i] - my) * (y[i] - my);
    }
    return sxy / Math.sqrt(sxx * syy);
  }
}
