package demo;

import dev.gecko4j.core.Embedding;
import dev.gecko4j.core.TaskPrompt;
import dev.gecko4j.onnx.Models;
import dev.gecko4j.onnx.OnnxEmbedder;

/**
 * Embeds a query and two documents with the one bundled model on the class path (arg: its name,
 * e.g. bge-small-en-v1.5-q) and prints which document is nearer. Last stdout line: one JSON object.
 */
public class Embed {
  public static void main(String[] args) {
    Models model = Models.byName(args.length > 0 ? args[0] : "bge-small-en-v1.5-q");
    try (OnnxEmbedder embedder = OnnxEmbedder.builder().model(model).build()) {
      Embedding q = embedder.embed("what do geckos eat?", TaskPrompt.query(TaskPrompt.SEARCH_RESULT));
      Embedding insects = embedder.embed("Geckos eat insects such as crickets and moths.",
          TaskPrompt.document());
      Embedding stocks = embedder.embed("The stock market fell sharply on Monday.",
          TaskPrompt.document());
      float[] a = q.toArray();
      double near = dot(a, insects.toArray());
      double far = dot(a, stocks.toArray());
      System.out.println("{\"model\":\"" + model.modelName() + "\",\"dimension\":" + a.length
          + ",\"insects\":" + near + ",\"stocks\":" + far + ",\"ok\":" + (near > far) + "}");
    }
  }

  private static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }
}
