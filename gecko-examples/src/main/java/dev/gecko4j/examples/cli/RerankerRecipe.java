package dev.gecko4j.examples.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gecko4j.core.Embedder;
import dev.gecko4j.core.TaskPrompt;
import dev.gecko4j.core.rerank.RelevanceScores;
import dev.gecko4j.core.train.TrainingListener;
import dev.gecko4j.core.train.TrainingProgress;
import dev.gecko4j.core.train.TrainingResult;
import dev.gecko4j.onnx.Models;
import dev.gecko4j.onnx.OnnxCrossEncoder;
import dev.gecko4j.onnx.OnnxEmbedder;
import dev.gecko4j.train.data.HardNegatives;
import dev.gecko4j.train.data.TrainingData;
import dev.gecko4j.train.rerank.CrossEncoderConfig;
import dev.gecko4j.train.rerank.CrossEncoderTrainer;
import dev.gecko4j.train.rerank.RerankData;
import dev.gecko4j.train.rerank.RerankExample;
import dev.gecko4j.train.rerank.RerankLoss;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The cross-encoder side of {@code gecko train} ({@code --recipe scifact-reranker}, or {@code
 * --cross-encoder} with {@code --beir} / {@code --fret} data): training groups from the BEIR
 * train qrels with hard negatives mined by bundled bge-small-en-v1.5 (the embedding recipe's
 * mining and its {@code mined-rankings.tsv} cache) and from FRet rows, a {@link
 * CrossEncoderTrainer} run, the export, and a check that {@code OnnxCrossEncoder} serving the
 * exported folder gives the trainer's logits on real pairs. Progress on stderr, one JSON line on
 * stdout.
 */
final class RerankerRecipe {

  /** The largest logit difference the export check accepts between served and trained scores. */
  static final double EXPORT_CHECK_TOLERANCE = 1e-4;

  private RerankerRecipe() {}

  /** What the recipe reads from {@code gecko train}'s options. */
  record Settings(String model, Path out, Path beir, List<Path> fret, CrossEncoderConfig config,
      int negatives, HardNegatives range, int mineMaxLength, boolean resume) {}

  static int run(Settings s) throws Exception {
    long started = System.nanoTime();
    ObjectMapper json = dev.gecko4j.core.internal.GeckoJson.mapper();
    Files.createDirectories(s.out());
    List<RerankExample> groups = new ArrayList<>();
    Map<String, Integer> sources = new LinkedHashMap<>();
    if (s.beir() != null) {
      TrainingData.Beir train = TrainingData.readBeir(s.beir(), "train");
      Path cache = s.out().resolve("mined-rankings.tsv");
      Map<String, List<String>> rankings;
      if (s.resume() && Files.isRegularFile(cache)) {
        rankings = TrainCommand.readRankings(cache);
        System.err.println("train: reusing mined negatives from " + cache);
      } else {
        long t0 = System.nanoTime();
        try (Embedder miner = OnnxEmbedder.builder().model(Models.BGE_SMALL_EN_V15)
            .maxLength(s.mineMaxLength()).intraOpThreads(2).build()) {
          float[][] docs = TrainingData.embedCorpus(train, miner,
              m -> System.err.println("train: mining: " + m));
          rankings = TrainingData.mineRankings(train, docs, miner,
              TaskPrompt.query(TaskPrompt.FACT_CHECKING), s.range().toRank());
        }
        TrainCommand.writeRankings(cache, rankings);
        System.err.printf(Locale.ROOT, "train: mined negatives for %d queries with bundled "
            + "bge-small-en-v1.5 in %.0f s (passages cut at %d tokens)%n", rankings.size(),
            (System.nanoTime() - t0) / 1e9, s.mineMaxLength());
      }
      List<RerankExample> g = RerankData.fromBeir(train, rankings, s.negatives(), s.range());
      sources.put(s.beir().getFileName().toString() + "-train", g.size());
      groups.addAll(g);
    }
    for (Path f : s.fret()) {
      List<RerankExample> g = RerankData.fromFret(f);
      sources.put(f.getFileName().toString(), g.size());
      groups.addAll(g);
    }
    System.err.println("train: cross-encoder groups " + sources + "; " + s.config());
    ObjectNode result = json.createObjectNode();
    try (CrossEncoderTrainer t = CrossEncoderTrainer.open(s.model(), s.config().maxLength(),
        s.config().seed())) {
      long t0 = System.nanoTime();
      TrainingResult r = t.train(s.config(), groups, new TrainingListener() {
        @Override
        public void onStep(TrainingProgress p) {
          System.err.printf(Locale.ROOT, "train: step %d/%d loss %.4f lr %.2e |g| %.3f  %.2f "
              + "pairs/s  ETA %.0f s%n", p.step(), p.totalSteps(), p.loss(), p.learningRate(),
              p.gradNorm(), p.examplesPerSecond(), p.etaSeconds());
        }

        @Override
        public void onCheckpoint(int step, Path directory) {
          System.err.println("train: checkpoint " + directory);
        }

        @Override
        public void onMessage(String message) {
          System.err.println("train: " + message);
        }
      });
      double trainSeconds = (System.nanoTime() - t0) / 1e9;
      result.put("kind", "cross-encoder");
      result.put("base_model", s.model());
      result.put("steps", r.steps());
      result.put("groups_per_step", s.config().groupsPerStep());
      result.put("negatives", s.negatives());
      result.put("max_length", s.config().maxLength());
      result.put("loss", s.config().loss().name());
      result.set("groups", json.valueToTree(sources));
      result.put("final_loss", r.finalLoss());
      result.put("pairs_per_s", r.examplesPerSecond());
      result.put("train_seconds", trainSeconds);
      result.put("out", r.modelDirectory().toString());
      result.set("export_check", json.valueToTree(exportCheck(r.modelDirectory(), t, groups)));
    }
    result.put("wall_seconds", (System.nanoTime() - started) / 1e9);
    System.out.println(json.writeValueAsString(result));
    return 0;
  }

  /**
   * Serves the exported folder with {@link OnnxCrossEncoder} and compares its logits with the
   * trainer's own forward pass on the first training groups' real pairs.
   */
  static Map<String, Object> exportCheck(Path folder, CrossEncoderTrainer t,
      List<RerankExample> groups) {
    double max = 0;
    int pairs = 0;
    try (OnnxCrossEncoder ce = OnnxCrossEncoder.builder().modelFolder(folder).build()) {
      for (RerankExample g : groups.subList(0, Math.min(3, groups.size()))) {
        double[] trained = t.score(g.query(), g.passages(), 8);
        RelevanceScores served = ce.score(g.query(), g.passages());
        for (int i = 0; i < trained.length; i++) {
          max = Math.max(max, Math.abs(trained[i] - served.logit(i)));
          pairs++;
        }
      }
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("pairs", pairs);
    m.put("max_abs_logit_diff", max);
    m.put("matches", max <= EXPORT_CHECK_TOLERANCE);
    System.err.println("train: export check (OnnxCrossEncoder serving the folder vs the "
        + "trainer's forward) " + m);
    return m;
  }
}
