package dev.gecko4j.examples.cli;

import dev.gecko4j.core.rerank.RankedPassage;
import dev.gecko4j.core.rerank.RelevanceScores;
import dev.gecko4j.core.rerank.ScoreScale;
import dev.gecko4j.onnx.OnnxCrossEncoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code gecko rerank}: scores passages against a query with an ONNX cross-encoder folder; prints
 * the model on stderr and one JSON object on the last stdout line: per passage in input order its
 * logit and probability, and the top passages best first.
 */
@Command(name = "rerank", mixinStandardHelpOptions = true,
    description = "Scores passages against a query with an ONNX cross-encoder folder and ranks "
        + "them; the last stdout line is JSON (logits and probabilities in input order, top-n).")
public final class RerankCommand extends GeckoCommand {

  @Option(names = "--model", required = true, paramLabel = "FOLDER",
      description = "cross-encoder folder (model.onnx or onnx/model.onnx with a logits output, "
          + "tokenizer.json, config.json)")
  Path model;

  @Option(names = "--query", required = true, description = "the query")
  String query;

  @Option(names = "--passage", description = "a passage (repeatable)")
  List<String> passages = new ArrayList<>();

  @Option(names = "--passages-file", paramLabel = "FILE",
      description = "a UTF-8 file with one passage per line (added after --passage ones)")
  Path passagesFile;

  @Option(names = "--top", defaultValue = "10", description = "passages to rank; default: ${DEFAULT-VALUE}")
  int top;

  @Option(names = "--scale", defaultValue = "PROBABILITY",
      description = "scale of the ranked scores: ${COMPLETION-CANDIDATES}; default: ${DEFAULT-VALUE}")
  ScoreScale scale;

  @Option(names = "--threads", defaultValue = "0",
      description = "ONNX Runtime intra-op threads; 0 = one per core")
  int threads;

  @Override
  public Integer call() throws IOException {
    List<String> all = new ArrayList<>(passages);
    if (passagesFile != null) {
      if (!Files.isRegularFile(passagesFile)) {
        throw badOption("--passages-file must be a file, but is: %s", passagesFile);
      }
      all.addAll(Files.readAllLines(passagesFile, StandardCharsets.UTF_8));
    }
    if (all.isEmpty()) {
      throw badOption("give at least one --passage or a --passages-file");
    }
    if (top < 1) {
      throw badOption("--top must be >= 1, but is: %d", top);
    }
    try (OnnxCrossEncoder ce = OnnxCrossEncoder.builder().modelFolder(model)
        .intraOpThreads(threads).build()) {
      System.err.println("gecko rerank: " + ce);
      RelevanceScores s = ce.score(query, all);
      List<Map<String, Object>> scores = new ArrayList<>();
      for (int i = 0; i < s.size(); i++) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("index", i);
        m.put("logit", s.logit(i));
        m.put("probability", s.probability(i));
        if (s.labels().size() > 1) {
          m.put("logits", s.logits(i));
        }
        scores.add(m);
      }
      List<Map<String, Object>> ranked = new ArrayList<>();
      for (RankedPassage p : s.top(all, top, scale)) {
        ranked.add(Map.of("index", p.index(), "score", p.score()));
      }
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("model", ce.name());
      out.put("labels", s.labels());
      out.put("relevance_label", s.labels().get(s.relevanceLabel()));
      out.put("declared_scale", ce.declaredScale().name().toLowerCase(java.util.Locale.ROOT));
      out.put("scale", scale.name().toLowerCase(java.util.Locale.ROOT));
      out.put("scores", scores);
      out.put("ranked", ranked);
      CliSupport.printJson(System.out, out);
    }
    return 0;
  }
}
