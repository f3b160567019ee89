package dev.gecko4j.examples.cli;

import dev.gecko4j.core.Embedding;
import dev.gecko4j.core.TaskPrompt;
import dev.gecko4j.core.index.FlatIndex;
import dev.gecko4j.core.index.Hit;
import dev.gecko4j.core.vector.Similarity;
import dev.gecko4j.onnx.OnnxEmbedder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code gecko quickstart}: embeds a small built-in corpus with the bundled default model and
 * answers a few task-prompted searches, printing the best passages for each.
 */
@Command(name = "quickstart", mixinStandardHelpOptions = true,
    description = "Embeds a small built-in corpus with the default model (no download) and answers "
        + "a few task-prompted searches.")
public final class QuickstartCommand extends GeckoCommand {

  @Mixin ModelOption model;

  @Option(names = "--top", defaultValue = "3", description = "hits per query; default: ${DEFAULT-VALUE}")
  int top;

  /** A passage of the built-in corpus. */
  record Doc(String title, String text) { }

  /** A search of the demo: the query and the task it is for. */
  record Search(String task, String query) { }

  static final List<Doc> CORPUS = List.of(
      new Doc("Gecko diet", "Most geckos are insectivores: they hunt crickets, moths, flies and "
          + "mealworms, and some species also lick nectar and ripe fruit."),
      new Doc("Gecko feet", "Geckos climb smooth glass because their toe pads carry millions of "
          + "microscopic hairs called setae, which stick by van der Waals forces."),
      new Doc("Gecko tails", "Many geckos can drop their tail to escape a predator; the tail keeps "
          + "wriggling as a distraction and a new one regrows within weeks."),
      new Doc("Leopard gecko care", "Leopard geckos kept as pets need a warm side of about 32 C, a "
          + "cool side, a hide box, and calcium-dusted live insects."),
      new Doc("Great Wall of China", "Contrary to popular belief, the Great Wall of China cannot "
          + "be seen from low Earth orbit with the naked eye; astronauts have confirmed this."),
      new Doc("Photosynthesis", "Plants turn light, water and carbon dioxide into glucose and "
          + "oxygen in their chloroplasts."),
      new Doc("Java virtual machine", "The JVM runs Java bytecode, compiling hot methods to native "
          + "code just in time and managing memory with a garbage collector."),
      new Doc("ONNX Runtime", "ONNX Runtime is a cross-platform engine that runs machine learning "
          + "models exported in the ONNX format on CPUs and GPUs."),
      new Doc("Espresso", "An espresso is brewed by forcing hot water through finely ground coffee "
          + "at about nine bars of pressure for roughly 25 seconds."),
      new Doc("Mount Everest", "Mount Everest, at 8,849 metres, is the highest mountain above sea "
          + "level, on the border between Nepal and China."),
      new Doc("Vaccines", "Vaccines train the immune system to recognise a pathogen without "
          + "causing the disease, by presenting an antigen or its blueprint."),
      new Doc("Sourdough", "Sourdough bread rises thanks to a starter of wild yeast and lactic "
          + "acid bacteria, which also give it its sour taste."));

  static final List<Search> SEARCHES = List.of(
      new Search(TaskPrompt.SEARCH_RESULT, "what do geckos eat?"),
      new Search(TaskPrompt.QUESTION_ANSWERING, "How can a gecko walk up a window?"),
      new Search(TaskPrompt.FACT_CHECKING, "The Great Wall is visible from space."),
      new Search(TaskPrompt.SEARCH_RESULT, "run machine learning models in Java"));

  @Override
  public Integer call() {
    if (top < 1 || top > CORPUS.size()) {
      throw badOption("--top must be between 1 and %d, but is: %d",
          CORPUS.size(), top);
    }
    long t0 = System.nanoTime();
    System.err.println("gecko quickstart: loading " + model.name + " ...");
    try (OnnxEmbedder embedder = model.builder().build()) {
      System.err.println("gecko quickstart: " + embedder);
      List<String> texts = CORPUS.stream().map(d -> d.title() + ". " + d.text()).toList();
      List<Embedding> docs = embedder.embedAll(texts, TaskPrompt.document());
      System.err.printf(Locale.ROOT, "gecko quickstart: embedded %d passages%n", docs.size());
      List<TaskPrompt> prompts =
          SEARCHES.stream().map(s -> TaskPrompt.query(s.task())).toList();
      List<Embedding> queries =
          embedder.embedAll(SEARCHES.stream().map(Search::query).toList(), prompts);

      FlatIndex index = new FlatIndex(embedder.dimension(), Similarity.COSINE);
      for (int d = 0; d < docs.size(); d++) {
        index.add(CORPUS.get(d).title(), docs.get(d));
      }

      List<Map<String, Object>> answers = new ArrayList<>();
      for (int q = 0; q < SEARCHES.size(); q++) {
        Search s = SEARCHES.get(q);
        System.out.printf(Locale.ROOT, "%n[%s] %s%n", s.task(), s.query());
        List<Map<String, Object>> hits = new ArrayList<>();
        for (Hit h : index.search(queries.get(q).toArray(), top)) {
          Doc doc = CORPUS.get(h.ordinal());
          System.out.printf(Locale.ROOT, "  %d. %.3f  %s: %s%n", hits.size() + 1, h.score(),
              doc.title(), shorten(doc.text(), 90));
          Map<String, Object> hit = new LinkedHashMap<>();
          hit.put("title", doc.title());
          hit.put("score", Math.round(h.score() * 10000) / 10000.0);
          hits.add(hit);
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("task", s.task());
        answer.put("query", s.query());
        answer.put("hits", hits);
        answers.add(answer);
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      System.out.println();
      System.err.printf(Locale.ROOT, "gecko quickstart: done in %.1f s%n", seconds);
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("model", embedder.modelName());
      result.put("dimension", embedder.dimension());
      result.put("prompt_convention", embedder.promptConventionName());
      result.put("documents", docs.size());
      result.put("searches", answers);
      result.put("seconds", Math.round(seconds * 100) / 100.0);
      CliSupport.printJson(System.out, result);
    }
    return 0;
  }

  private static String shorten(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max - 3) + "...";
  }
}
