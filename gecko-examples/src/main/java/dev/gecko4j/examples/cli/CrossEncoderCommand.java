package dev.gecko4j.examples.cli;

import dev.gecko4j.onnx.ModelSpec;
import dev.gecko4j.onnx.Models;
import dev.gecko4j.onnx.OnnxCrossEncoder;
import dev.gecko4j.onnx.SentenceTransformersFolder;
import dev.gecko4j.train.onnx.CrossEncoderFolders;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code gecko cross-encoder}: writes a cross-encoder folder from a bi-encoder's real weights with
 * a new, untrained classification head ({@link CrossEncoderFolders#initialize}), then loads it
 * with {@link OnnxCrossEncoder} to check it. No package registry ships a cross-encoder; this is
 * the folder to try the reranking plumbing with (Spring AI's DocumentPostProcessor, LangChain4j's
 * ScoringModel, {@code gecko rerank}, {@code gecko bench rerank}). Its scores rank passages
 * arbitrarily until it is trained ({@code gecko train --recipe scifact-reranker}).
 */
@Command(name = "cross-encoder", mixinStandardHelpOptions = true,
    description = "Writes an UNTRAINED cross-encoder folder (a bi-encoder's real weights, a new "
        + "linear head on [CLS] giving logits) for trying rerank plumbing; the last stdout line "
        + "is JSON.")
public final class CrossEncoderCommand extends GeckoCommand {

  @Option(names = "--from", defaultValue = "bge-small-en-v1.5",
      description = "bundled model name (see `gecko models`) or a model folder whose graph has "
          + "last_hidden_state; default: ${DEFAULT-VALUE}")
  String from;

  @Option(names = "--out", required = true, paramLabel = "DIR",
      description = "the folder to write (model.onnx, tokenizer.json, config.json)")
  Path out;

  @Option(names = "--labels", defaultValue = "1",
      description = "logits per pair (1: one relevance score, sigmoid declared); default: "
          + "${DEFAULT-VALUE}")
  int labels;

  @Option(names = "--seed", defaultValue = "42",
      description = "seed of the head's N(0, 0.02^2) weights; default: ${DEFAULT-VALUE}")
  long seed;

  @Override
  public Integer call() throws IOException {
    if (labels < 1 || labels > 16) {
      throw badOption("--labels must be between 1 and 16, but is: %d", labels);
    }
    ModelSpec encoder;
    if (Files.isDirectory(Path.of(from))) {
      encoder = SentenceTransformersFolder.read(Path.of(from));
    } else {
      encoder = Models.byName(from).spec();
    }
    System.err.println("gecko cross-encoder: " + encoder.name() + " -> " + out
        + " (new head: untrained, N(0, 0.02^2), seed " + seed + ")");
    CrossEncoderFolders.initialize(encoder, labels, seed, out);
    Map<String, Object> result = new LinkedHashMap<>();
    try (OnnxCrossEncoder ce = OnnxCrossEncoder.builder().modelFolder(out).intraOpThreads(1)
        .build()) {
      System.err.println("gecko cross-encoder: loads as " + ce);
      result.put("folder", out.toAbsolutePath().toString());
      result.put("encoder", encoder.name());
      result.put("labels", ce.labels());
      result.put("max_length", ce.maxLength());
      result.put("trained", false);
    }
    CliSupport.printJson(System.out, result);
    return 0;
  }
}
