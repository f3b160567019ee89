package dev.gecko4j.examples.cli;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.gecko4j.core.eval.BeirDataset;
import dev.gecko4j.core.eval.BeirDocument;
import dev.gecko4j.core.eval.StsDataset;
import dev.gecko4j.core.eval.StsPair;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The texts of {@code gecko bench throughput}'s workloads: short (STSBenchmark test sentences) and
 * long (SciFact documents within the model's maximum length), and the bundled model files.
 */
final class ThroughputWorkloads {

  private ThroughputWorkloads() {}

  /** The first {@code n} distinct STSBenchmark test sentences, in file order. */
  static List<String> shortTexts(Path sts, int n) {
    Set<String> out = new LinkedHashSet<>();
    for (StsPair p : StsDataset.read(sts).pairs()) {
      out.add(p.sentence1());
      out.add(p.sentence2());
    }
    if (out.size() < n) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "--short-texts must be at most the %d distinct sentences of %s, but is: %d", out.size(),
          sts, n));
    }
    return new ArrayList<>(out).subList(0, n);
  }

  /**
   * The first {@code n} SciFact documents (MTEB's {@code title + " " + text}) that fit the model's
   * maximum length, so that gecko4j (which truncates) and the peer (which chunks) do the same work.
   */
  static List<String> longTexts(Path scifact, int n, byte[] tokenizerBytes, int maxLength)
      throws IOException {
    List<String> out = new ArrayList<>(n);
    int skipped = 0;
    Map<String, String> options = Map.of("addSpecialTokens", "true", "truncation", "false",
        "padding", "false", "maxLength", Integer.toString(maxLength));
    try (HuggingFaceTokenizer tok =
            HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(tokenizerBytes), options);
        var docs = BeirDataset.open(scifact).documents()) {
      for (BeirDocument d : (Iterable<BeirDocument>) docs::iterator) {
        if (out.size() == n) {
          break;
        }
        String text = d.mtebText();
        if (tok.encode(text).getIds().length <= maxLength) {
          out.add(text);
        } else {
          skipped++;
        }
      }
    }
    if (out.size() < n) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "--long-texts must be at most the %d SciFact documents within %d tokens, but is: %d",
          out.size(), maxLength, n));
    }
    System.err.printf(Locale.ROOT, "bench: long: skipped %d SciFact documents over %d tokens%n",
        skipped, maxLength);
    return out;
  }

  static byte[] readResource(String name) throws IOException {
    try (InputStream in = ThroughputWorkloads.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("classpath resource " + name + " is missing");
      }
      return in.readAllBytes();
    }
  }
}
