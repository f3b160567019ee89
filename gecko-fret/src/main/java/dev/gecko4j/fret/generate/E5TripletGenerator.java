package dev.gecko4j.fret.generate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gecko4j.core.internal.Args;
import dev.gecko4j.core.lm.Generation;
import dev.gecko4j.core.lm.GenerationOptions;
import dev.gecko4j.core.lm.LanguageModel;
import dev.gecko4j.core.lm.LanguageModelException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * E5-mistral's synthetic data generator (Wang et al., 2024, "Improving Text Embeddings with Large
 * Language Models", section 3.1, asymmetric short-long retrieval): first the LLM brainstorms
 * retrieval tasks, then for each task it writes one JSON example ({@code user_query},
 * {@code positive_document}, {@code hard_negative_document}) under randomly drawn placeholders
 * (query type, query length, clarity, document length, difficulty, language). Output that is not
 * JSON or misses a field is dropped and counted by reason; duplicate queries are removed.
 *
 * <p>The prompts follow the paper's published templates in substance, reworded for brevity; they
 * are versioned by {@link #VERSION}. Thread-safe when the language model is.
 */
public final class E5TripletGenerator {

  /** The version of the two prompts. */
  public static final String VERSION = "gecko4j-e5-v1";

  static final List<String> QUERY_TYPES = List.of("extremely long-tail", "long-tail", "common");
  static final List<String> QUERY_LENGTHS =
      List.of("less than 5 words", "5 to 15 words", "at least 10 words");
  static final List<String> CLARITY =
      List.of("clear", "understandable with some effort", "ambiguous");
  static final List<Integer> NUM_WORDS = List.of(50, 100, 200, 300, 400, 500);
  static final List<String> DIFFICULTY = List.of("high school", "college", "PhD");

  private final LanguageModel llm;
  private final String language;
  private final int maxNewTokens;
  private final Set<String> seen = ConcurrentHashMap.newKeySet();

  /**
   * Creates a generator.
   *
   * @param llm a language model that can generate; not null
   * @param language the language placeholder, e.g. {@code English}; not blank
   * @param maxNewTokens the generation budget per call, in {@code [16, 8192]}
   * @throws IllegalArgumentException if an argument is invalid or the model cannot generate
   */
  public E5TripletGenerator(LanguageModel llm, String language, int maxNewTokens) {
    if (llm == null || !llm.capabilities().canGenerate()) {
      throw new IllegalArgumentException("llm must be a language model that can generate, but is: "
          + (llm == null ? "null" : llm.name()));
    }
    if (language == null || language.isBlank()) {
      throw new IllegalArgumentException("language must be non-blank, but is: " + language);
    }
    if (maxNewTokens < 16 || maxNewTokens > 8192) {
      throw new IllegalArgumentException(
          "maxNewTokens must be between 16 and 8192, but is: " + maxNewTokens);
    }
    this.llm = llm;
    this.language = language;
    this.maxNewTokens = maxNewTokens;
  }

  /**
   * Renders the brainstorm prompt.
   *
   * @return the prompt asking for a JSON list of task descriptions
   */
  public static String brainstormPrompt() {
    return "Brainstorm a list of potentially useful text retrieval tasks.\n"
        + "Here are a few examples for your reference:\n"
        + "- Provided a scientific claim as query, retrieve documents that help verify or refute it.\n"
        + "- Search for documents that answers a FAQ-style query on children's nutrition.\n"
        + "Please adhere to the following guidelines:\n"
        + "- Specify what the query is, and what the desired documents are.\n"
        + "- Each retrieval task should cover a wide range of queries, and should not be too specific.\n"
        + "Your output must always be a python list of strings only, with about 20 elements, and each"
        + " element corresponds to a distinct retrieval task in one sentence. Do not explain yourself"
        + " or output anything else. Be creative!\n";
  }

  /**
   * The placeholders of one example prompt.
   *
   * @param queryType the query type
   * @param queryLength the query length
   * @param clarity the clarity
   * @param numWords the document length in words
   * @param difficulty the difficulty
   * @param language the language
   */
  public record Placeholders(String queryType, String queryLength, String clarity, int numWords,
      String difficulty, String language) {}

  /**
   * Draws placeholders uniformly from the paper's value lists.
   *
   * @param random the randomness; not null
   * @param language the language placeholder; not blank
   * @return the placeholders
   * @throws IllegalArgumentException if an argument is null or blank
   */
  public static Placeholders draw(Random random, String language) {
    if (random == null || language == null || language.isBlank()) {
      throw new IllegalArgumentException("random and language must be given, but are: " + random
          + ", " + language);
    }
    return new Placeholders(pick(QUERY_TYPES, random), pick(QUERY_LENGTHS, random),
        pick(CLARITY, random), pick(NUM_WORDS, random), pick(DIFFICULTY, random), language);
  }

  private static <T> T pick(List<T> list, Random r) {
    return list.get(r.nextInt(list.size()));
  }

  /**
   * Renders the example prompt for a task.
   *
   * @param task the retrieval task; not blank
   * @param p the placeholders; not null
   * @return the prompt
   * @throws IllegalArgumentException if an argument is invalid
   */
  public static String examplePrompt(String task, Placeholders p) {
    if (task == null || task.isBlank() || p == null) {
      throw new IllegalArgumentException("task must be non-blank and placeholders non-null");
    }
    return "You have been assigned a retrieval task: " + task.strip() + "\n"
        + "Your mission is to write one text retrieval example for this task in JSON format. The"
        + " JSON object must contain the following keys:\n"
        + "- \"user_query\": a string, a random user search query specified by the retrieval task.\n"
        + "- \"positive_document\": a string, a relevant document for the user query.\n"
        + "- \"hard_negative_document\": a string, a hard negative document that only appears"
        + " relevant to the query.\n"
        + "Please adhere to the following guidelines:\n"
        + "- The \"user_query\" should be " + p.queryType() + ", " + p.queryLength() + ", "
        + p.clarity() + ", and diverse in topic.\n"
        + "- All documents must be created independent of the query. Avoid copying the query"
        + " verbatim. It's acceptable if some parts of the \"positive_document\" are not"
        + " topically related to the query.\n"
        + "- All documents should be at least " + p.numWords() + " words long.\n"
        + "- The \"hard_negative_document\" contains some useful information, but it should be less"
        + " useful or comprehensive compared to the \"positive_document\".\n"
        + "- Both the query and documents should be in " + p.language() + ".\n"
        + "- Do not provide any explanation in any document on why it is relevant or not relevant to"
        + " the query.\n"
        + "- Both the query and documents require \"" + p.difficulty() + "\" level education to"
        + " understand.\n"
        + "Your output must always be a JSON object only, do not explain yourself or output anything"
        + " else. Be creative!\n";
  }

  /**
   * Parses a brainstorm answer: the first JSON array of strings (blank and repeated tasks removed).
   *
   * @param output the LLM output; not null
   * @return the tasks, empty when the output holds no array of strings
   * @throws IllegalArgumentException if {@code output} is null
   */
  public static List<String> parseTasks(String output) {
    Optional<ArrayNode> arr = JsonExtraction.firstArray(output);
    Set<String> tasks = new LinkedHashSet<>();
    arr.ifPresent(a -> a.forEach(n -> {
      if (n.isTextual() && !n.asText().isBlank()) {
        tasks.add(n.asText().strip());
      }
    }));
    return List.copyOf(tasks);
  }

  /** The outcome of one example generation: a triplet, or a drop reason. */
  public sealed interface Outcome {}

  /**
   * A valid triplet.
   *
   * @param triplet the triplet
   */
  public record Made(E5Triplet triplet) implements Outcome {}

  /**
   * A dropped output.
   *
   * @param reason {@code no_json}, {@code missing_field}, {@code duplicate} or {@code llm_error}
   * @param detail a detail for people
   */
  public record Dropped(String reason, String detail) implements Outcome {}

  /**
   * Validates one example answer (without duplicate detection).
   *
   * @param output the LLM output; not null
   * @param task the task; not blank
   * @param p the placeholders; not null
   * @param model the model name; not blank
   * @return the triplet or the drop
   * @throws IllegalArgumentException if an argument is null
   */
  public static Outcome parseExample(String output, String task, Placeholders p, String model) {
    Args.notNull(output, "output");
    Args.notNull(p, "p (the placeholders)");
    Optional<ObjectNode> obj = JsonExtraction.firstObject(output);
    if (obj.isEmpty()) {
      return new Dropped("no_json", output.length() > 80 ? output.substring(0, 80) : output);
    }
    String q = text(obj.get(), "user_query");
    String pos = text(obj.get(), "positive_document");
    String neg = text(obj.get(), "hard_negative_document");
    if (q == null || pos == null || neg == null) {
      return new Dropped("missing_field", obj.get().toString());
    }
    return new Made(new E5Triplet(task, q, pos, neg, p.queryType(), p.queryLength(), p.clarity(),
        p.numWords(), p.difficulty(), p.language(), model, VERSION));
  }

  private static String text(ObjectNode o, String field) {
    JsonNode n = o.get(field);
    return n == null || !n.isTextual() || n.asText().isBlank() ? null : n.asText().strip();
  }

  /**
   * Brainstorms tasks with one LLM call.
   *
   * @param seed the sampling seed
   * @return the tasks (empty when the answer holds none)
   * @throws LanguageModelException if the model fails
   */
  public List<String> brainstorm(long seed) {
    List<Generation> g = llm.generate(List.of(brainstormPrompt()),
        GenerationOptions.sampled(maxNewTokens, 1.0, 1.0).withSeed(seed));
    return parseTasks(g.get(0).text());
  }

  /**
   * Generates one example per task (one batched LLM call for all tasks), dropping invalid and
   * duplicate ones.
   *
   * @param tasks the tasks; not null
   * @param seed the seed of the placeholders and sampling
   * @param sink receives each valid triplet; not null
   * @return drops per reason
   * @throws IllegalArgumentException if an argument is null
   */
  public Map<String, Long> generate(List<String> tasks, long seed, Consumer<E5Triplet> sink) {
    if (tasks == null) {
      throw new IllegalArgumentException("tasks must not be null");
    }
    if (sink == null) {
      throw new IllegalArgumentException("sink must not be null");
    }
    Map<String, Long> drops = new TreeMap<>();
    if (tasks.isEmpty()) {
      return drops;
    }
    Random random = new Random(seed);
    List<Placeholders> ps = new ArrayList<>();
    List<String> prompts = new ArrayList<>();
    for (String t : tasks) {
      Placeholders p = draw(random, language);
      ps.add(p);
      prompts.add(examplePrompt(t, p));
    }
    List<Generation> out;
    try {
      out = llm.generate(prompts,
          GenerationOptions.sampled(maxNewTokens, 1.0, 1.0).withSeed(seed));
    } catch (LanguageModelException e) {
      drops.put("llm_error", (long) tasks.size());
      return drops;
    }
    for (int i = 0; i < tasks.size(); i++) {
      Outcome o = parseExample(out.get(i).text(), tasks.get(i), ps.get(i), llm.name());
      if (o instanceof Made m && !seen.add(QueryGenerator.normalise(m.triplet().query()))) {
        o = new Dropped("duplicate", m.triplet().query());
      }
      if (o instanceof Made m) {
        sink.accept(m.triplet());
      } else {
        drops.merge(((Dropped) o).reason(), 1L, Long::sum);
      }
    }
    return drops;
  }
}
