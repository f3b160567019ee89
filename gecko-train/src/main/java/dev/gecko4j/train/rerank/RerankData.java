package dev.gecko4j.train.rerank;

import dev.gecko4j.core.internal.GeckoJson;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gecko4j.core.eval.DatasetFormatException;
import dev.gecko4j.core.eval.DatasetLines;
import dev.gecko4j.core.internal.Args;
import dev.gecko4j.train.data.HardNegatives;
import dev.gecko4j.train.data.TrainingData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Training groups for a cross-encoder: from BEIR qrels with hard negatives mined by an embedder
 * (the rankings {@code TrainingData.mineRankings} makes, and {@code gecko train} caches), and from
 * FRet JSONL rows (the LLM re-ranker's positive and hard negative, graded by its fused scores:
 * distillation). Queries and passages are plain text, no prompts: a cross-encoder reads the pair.
 */
public final class RerankData {
  private static final ObjectMapper JSON = dev.gecko4j.core.internal.GeckoJson.mapper();

  private RerankData() {}

  /**
   * One group per relevant (query, document) pair of the qrels: the document, then {@code
   * negatives} documents drawn without replacement from the query's mined ranks {@code
   * [fromRank, toRank)} (positives already removed from the ranking; skipping the top ranks
   * limits unlabelled positives).
   *
   * @param beir the dataset (the split's qrels: train only for a recipe evaluated on test)
   * @param rankings ranked non-positive document ids per query
   * @param negatives how many negatives per group, {@code >= 1}
   * @param range the rank range and the seed of the draw
   * @return the groups, in qrels order
   * @throws IllegalArgumentException if an argument is invalid or no query has enough ranks
   */
  public static List<RerankExample> fromBeir(TrainingData.Beir beir,
      Map<String, List<String>> rankings, int negatives, HardNegatives range) {
    Args.notNull(beir, "beir");
    Args.notNull(rankings, "rankings");
    Args.positive(negatives, "negatives");
    Args.notNull(range, "range");
    if (range.toRank() - range.fromRank() < negatives) {
      throw new IllegalArgumentException("the rank range [" + range.fromRank() + ", "
          + range.toRank() + ") must hold at least negatives=" + negatives + " documents");
    }
    Random r = new Random(range.seed());
    List<RerankExample> out = new ArrayList<>();
    for (Map.Entry<String, Set<String>> e : beir.qrels().entrySet()) {
      String q = beir.queries().get(e.getKey());
      List<String> ranked = rankings.get(e.getKey());
      if (q == null || ranked == null) {
        continue;
      }
      int hi = Math.min(ranked.size(), range.toRank());
      if (hi - range.fromRank() < negatives) {
        continue;
      }
      for (String pos : e.getValue()) {
        String posText = beir.corpus().get(pos);
        if (posText == null || posText.isBlank()) {
          continue;
        }
        List<String> pool = new ArrayList<>(ranked.subList(range.fromRank(), hi));
        List<String> negs = new ArrayList<>(negatives);
        for (int k = 0; k < negatives; k++) {
          negs.add(beir.corpus().get(pool.remove(r.nextInt(pool.size()))));
        }
        out.add(RerankExample.of(q, posText, negs));
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("no query has a mined ranking with " + negatives
          + " documents in ranks [" + range.fromRank() + ", " + range.toRank() + ")");
    }
    return out;
  }

  /**
   * Reads FRet JSONL rows ({@code query}, {@code positive}, {@code negative}, and when present
   * {@code positive_scores.rrf} / {@code negative_scores.rrf}, the LLM re-ranker's fused score
   * {@code 1/qlRank + 1/rcRank} in (0, 2]). Each row with a negative becomes a group (positive,
   * negative) graded {@code rrf / 2} (soft targets: the listwise loss then distils the LLM's
   * preference, binary cross-entropy its grades), or 1 and 0 when the row has no scores. Rows
   * without a negative are skipped.
   *
   * @param file the JSONL file
   * @return the groups
   * @throws DatasetFormatException naming {@code path:line} for a line that is not a JSON object
   *     with non-blank query and positive, or for a file without usable rows
   */
  public static List<RerankExample> fromFret(Path file) {
    String expected = "one FRet JSON object {\"query\", \"positive\", \"negative\", "
        + "\"positive_scores\", \"negative_scores\"} per line";
    List<RerankExample> out = new ArrayList<>();
    try (DatasetLines lines = DatasetLines.open(file, expected)) {
      for (JsonNode n; (n = GeckoJson.nextObject(lines, JSON)) != null; ) {
        String query = n.path("query").asText("");
        String pos = n.path("positive").asText("");
        String neg = n.path("negative").asText("");
        if (query.isBlank() || pos.isBlank()) {
          throw lines.error("expected non-blank query and positive");
        }
        if (neg.isBlank()) {
          continue;
        }
        double pr = n.path("positive_scores").path("rrf").asDouble(Double.NaN);
        double nr = n.path("negative_scores").path("rrf").asDouble(Double.NaN);
        double[] grades = Double.isFinite(pr) && Double.isFinite(nr) && pr > 0
            ? new double[] {clamp(pr / 2), clamp(nr / 2)} : new double[] {1, 0};
        out.add(new RerankExample(query, List.of(pos, neg), grades));
      }
      if (out.isEmpty()) {
        throw lines.noRecords(expected + " with a negative");
      }
    }
    return out;
  }

  private static double clamp(double v) {
    return Math.max(0, Math.min(1, v));
  }
}
