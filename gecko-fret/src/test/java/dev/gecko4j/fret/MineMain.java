package dev.gecko4j.fret;

import dev.gecko4j.core.ProgressListener;
import dev.gecko4j.core.fret.FretOptions;
import dev.gecko4j.fret.run.MiningListener;
import dev.gecko4j.fret.run.StopSignal;
import dev.gecko4j.onnx.Models;
import dev.gecko4j.onnx.OnnxEmbedder;
import dev.gecko4j.onnx.lm.OnnxCausalLanguageModel;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The miner as a separate program, for {@link MineKillResumeTest}: {@code corpus queries qrels cache
 * out limit neighbours model-dir}. Prints the statistics as the last stdout line; stops politely on
 * SIGTERM (exit status 143) as {@code gecko mine} does.
 */
public final class MineMain {

  private MineMain() {}

  /** Runs the mining with the real bge-small embedder and the real ONNX LM. */
  public static void main(String[] args) {
    FretMine mine = new FretMine(Path.of(args[0]), Path.of(args[1]), Path.of(args[2]),
        Path.of(args[3]), Path.of(args[4]),
        Long.parseLong(args[5]), Long.MAX_VALUE, FretOptions.defaults().withNeighbours(Integer.parseInt(args[6]))
            .withMaxPassageChars(200));
    boolean stopped;
    try (StopSignal stop = StopSignal.install(
        Duration.ofSeconds(Long.getLong("gecko.stopGrace", 5)), System.err);
        OnnxEmbedder embedder = OnnxEmbedder.builder().model(Models.BGE_SMALL_EN_V15).build();
        OnnxCausalLanguageModel llm = OnnxCausalLanguageModel.builder(Path.of(args[7])).build()) {
      FretMine.Result r = mine.run(embedder, llm, ProgressListener.NONE,
          MiningListener.printing(System.err, 1),
          stop);
      stopped = r.stopped();
      System.err.println("mine: " + (stopped ? "stopped by signal" : "done"));
      System.out.println(r.stats().toJson());
    }
    System.exit(stopped ? StopSignal.EXIT_STATUS : 0);
  }
}
