package dev.gecko4j.fret.generate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gecko4j.core.internal.Args;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Collectors;

/**
 * The task kinds of E5-mistral's synthetic data (Wang et al., 2024, "Improving Text Embeddings with
 * Large Language Models", section 3.1 and appendix C): for each kind, the brainstorm prompt (a JSON
 * list of task descriptions), the example prompt with its placeholders drawn from the paper's value
 * lists, and the validation of the reply (required keys, non-blank strings, distinct texts, a length
 * limit) that turns it into a (query, positive, hard negative) triplet.
 *
 * <p>The prompts follow the paper's templates in substance and are versioned by {@link #VERSION}.
 * Two choices are ours, not the paper's: {@link #LONG_SHORT} is a retrieval prompt (a long query, a
 * short document) beside the paper's long-short kind, which is {@link #CLASSIFICATION}; and
 * {@link #STS} / {@link #BITEXT} have no brainstorm step (as in the paper) but a fixed task
 * (E5-mistral's evaluation instructions for them).
 *
 * <p>The reply keys and the triplet they become:
 *
 * <table>
 *   <caption>kinds</caption>
 *   <tr><th>kind</th><th>query</th><th>positive</th><th>negative</th></tr>
 *   <tr><td>short-long, long-short</td><td>{@code user_query}</td><td>{@code positive_document}</td>
 *       <td>{@code hard_negative_document}</td></tr>
 *   <tr><td>short-short, long-long</td><td>{@code input}</td><td>{@code positive_document}</td>
 *       <td>none (the paper asks for none)</td></tr>
 *   <tr><td>sts, bitext</td><td>{@code S1}</td><td>{@code S2}</td><td>{@code S3}</td></tr>
 *   <tr><td>classification</td><td>{@code input_text}</td><td>{@code label}</td>
 *       <td>{@code misleading_label}</td></tr>
 * </table>
 */
public enum E5TaskKind {

  /** Short query, long document: the paper's asymmetric retrieval (web search style). */
  SHORT_LONG("short-long", true, "user_query", "positive_document", "hard_negative_document"),
  /** Long query, short document (our prompt, shaped like the short-long one). */
  LONG_SHORT("long-short", true, "user_query", "positive_document", "hard_negative_document"),
  /** Short query, short document (the paper's short-short matching; no hard negative). */
  SHORT_SHORT("short-short", true, "input", "positive_document", null),
  /** Long query, long document (the paper's long-long matching; no hard negative). */
  LONG_LONG("long-long", true, "input", "positive_document", null),
  /** Semantic textual similarity: S2 close to S1, S3 further (no brainstorm). */
  STS("sts", false, "S1", "S2", "S3"),
  /** Text classification: an input text, its label, a misleading label (the paper's long-short). */
  CLASSIFICATION("classification", true, "input_text", "label", "misleading_label"),
  /** Bitext: S1 in one language, S2 a good and S3 a poor translation (no brainstorm). */
  BITEXT("bitext", false, "S1", "S2", "S3");

  /** The version of these prompts, recorded in every row. */
  public static final String VERSION = "gecko4j-e5-synth-v1";

  static final List<String> QUERY_TYPES = E5TripletGenerator.QUERY_TYPES;
  static final List<String> QUERY_LENGTHS = E5TripletGenerator.QUERY_LENGTHS;
  static final List<String> CLARITY = E5TripletGenerator.CLARITY;
  static final List<Integer> NUM_WORDS = E5TripletGenerator.NUM_WORDS;
  static final List<String> DIFFICULTY = E5TripletGenerator.DIFFICULTY;
  static final List<String> CLASSIFICATION_WORDS =
      List.of("less than 10", "at least 10", "at least 50", "at least 100", "at least 200");
  static final List<String> STS_UNITS = List.of("sentence", "phrase", "passage");
  static final List<String> HIGH_SCORES = List.of("4", "4.5", "5");
  static final List<String> LOW_SCORES = List.of("2.5", "3", "3.5");
  static final List<String> STS_DIFFICULTY = List.of("elementary school", "high school", "college");
  /** The languages a bitext example translates into (besides the run's languages). */
  public static final List<String> BITEXT_LANGUAGES = List.of("English", "French", "German",
      "Spanish", "Chinese", "Japanese", "Russian", "Portuguese", "Arabic", "Hindi");

  private final String id;
  private final boolean brainstormed;
  private final String queryKey;
  private final String positiveKey;
  private final String negativeKey;

  E5TaskKind(String id, boolean brainstormed, String queryKey, String positiveKey,
      String negativeKey) {
    this.id = id;
    this.brainstormed = brainstormed;
    this.queryKey = queryKey;
    this.positiveKey = positiveKey;
    this.negativeKey = negativeKey;
  }

  /** {@return the kind's name on the command line and in rows, e.g. {@code short-long}} */
  public String id() {
    return id;
  }

  /** {@return whether the kind's tasks are brainstormed (false: one fixed task, {@link #fixedTask})} */
  public boolean brainstormed() {
    return brainstormed;
  }

  /** {@return whether its replies carry a hard negative} */
  public boolean hasNegative() {
    return negativeKey != null;
  }

  /** {@return the reply keys this kind requires, in order} */
  public List<String> requiredKeys() {
    return negativeKey == null ? List.of(queryKey, positiveKey)
        : List.of(queryKey, positiveKey, negativeKey);
  }

  /**
   * Returns the kind named {@code name} ({@code short-long}, ..., case-insensitive; {@code _}
   * accepted for {@code -}).
   *
   * @param name the name; not null
   * @return the kind
   * @throws IllegalArgumentException if no kind has that name (the message lists the names)
   */
  public static E5TaskKind parse(String name) {
    Args.notNull(name, "name");
    String n = name.strip().toLowerCase(Locale.ROOT).replace('_', '-');
    for (E5TaskKind k : values()) {
      if (k.id.equals(n)) {
        return k;
      }
    }
    throw new IllegalArgumentException("task kind must be one of " + names() + ", but is: '" + name
        + "'");
  }

  /** {@return the names of all kinds} */
  public static List<String> names() {
    return Arrays.stream(values()).map(E5TaskKind::id).toList();
  }

  /**
   * Returns the one task of a kind that is not brainstormed.
   *
   * @return the task
   * @throws IllegalStateException if this kind is brainstormed
   */
  public String fixedTask() {
    return switch (this) {
      case STS -> "Retrieve semantically similar text.";
      case BITEXT -> "Retrieve parallel sentences.";
      default -> throw new IllegalStateException(id + " tasks are brainstormed, not fixed");
    };
  }

  /**
   * Renders the brainstorm prompt: it asks for a JSON list of about 20 task descriptions.
   *
   * @return the prompt
   * @throws IllegalStateException if this kind has no brainstorm step ({@link #brainstormed()})
   */
  public String brainstormPrompt() {
    String list = "Your output must always be a python list of strings only, with about 20"
        + " elements, and each element corresponds to a distinct task in one sentence. Do not"
        + " explain yourself or output anything else. Be creative!\n";
    return switch (this) {
      case SHORT_LONG -> E5TripletGenerator.brainstormPrompt();
      case LONG_SHORT -> "Brainstorm a list of potentially useful text retrieval tasks where the"
          + " queries are long (a paragraph or more) and the desired documents are short (a"
          + " sentence, a title or a phrase).\n"
          + "Here are a few examples for your reference:\n"
          + "- Given a news article, retrieve the headline that best summarises it.\n"
          + "- Provided a detailed bug report, find the title of the known issue it duplicates.\n"
          + "Please adhere to the following guidelines:\n"
          + "- Specify what the query is, and what the desired documents are.\n"
          + "- Each retrieval task should cover a wide range of queries, and should not be too"
          + " specific.\n" + list;
      case SHORT_SHORT -> "Brainstorm a list of text matching tasks where both the queries and the"
          + " groundtruth documents are very short (one or two sentences, even a short phrase).\n"
          + "Here are a few examples:\n"
          + "- Given a scientific paper title, retrieve the title of papers that cite the given"
          + " paper.\n"
          + "- Match a word with its definition.\n"
          + "- Provided a notable person's name, identify their occupation or achievement.\n" + list;
      case LONG_LONG -> "Brainstorm a list of text matching tasks where the queries are long"
          + " documents.\n"
          + "Here are a few examples:\n"
          + "- Given a document that supports a debatable argument, find another document that"
          + " contains opposite arguments.\n"
          + "- Provided a lengthy business proposal, retrieve competitive business strategies in"
          + " the same industry.\n" + list;
      case CLASSIFICATION -> "Brainstorm a list of potentially useful text classification tasks.\n"
          + "Please adhere to the following guidelines:\n"
          + "- Tasks should cover a diverse range of domains and task types.\n"
          + "- Labels should be clear and specific, avoiding overly abstract information.\n" + list;
      case STS, BITEXT -> throw new IllegalStateException(
          id + " has no brainstorm step: its task is fixed (" + fixedTask() + ")");
    };
  }

  /**
   * Draws the placeholders of one example from the paper's value lists for this kind.
   *
   * @param random the randomness (seed it for a reproducible run); not null
   * @param languages the languages to draw from; not empty, no blanks
   * @return the placeholder names and values, in prompt order
   * @throws IllegalArgumentException if an argument is null or empty
   */
  public Map<String, String> draw(Random random, List<String> languages) {
    Args.notNull(random, "random");
    if (languages == null || languages.isEmpty()
        || languages.stream().anyMatch(l -> l == null || l.isBlank())) {
      throw new IllegalArgumentException(
          "languages must be a non-empty list of non-blank names, but is: " + languages);
    }
    Map<String, String> p = new LinkedHashMap<>();
    String language = pick(languages, random);
    switch (this) {
      case SHORT_LONG, LONG_SHORT -> {
        p.put("query_type", pick(QUERY_TYPES, random));
        p.put("query_length", this == SHORT_LONG ? pick(QUERY_LENGTHS, random)
            : pick(List.of("at least 50 words", "at least 100 words", "at least 200 words"),
                random));
        p.put("clarity", pick(CLARITY, random));
        p.put("num_words", this == SHORT_LONG ? String.valueOf(pick(NUM_WORDS, random))
            : pick(List.of("less than 10", "10 to 20", "20 to 40"), random));
        p.put("difficulty", pick(DIFFICULTY, random));
        p.put("language", language);
      }
      case SHORT_SHORT, LONG_LONG -> p.put("language", language);
      case CLASSIFICATION -> {
        p.put("num_words", pick(CLASSIFICATION_WORDS, random));
        p.put("clarity", pick(CLARITY, random));
        p.put("difficulty", pick(DIFFICULTY, random));
        p.put("language", language);
      }
      case STS -> {
        p.put("unit", pick(STS_UNITS, random));
        p.put("high_score", pick(HIGH_SCORES, random));
        p.put("low_score", pick(LOW_SCORES, random));
        p.put("difficulty", pick(STS_DIFFICULTY, random));
        p.put("language", language);
      }
      case BITEXT -> {
        p.put("unit", pick(STS_UNITS, random));
        p.put("high_score", pick(HIGH_SCORES, random));
        p.put("low_score", pick(LOW_SCORES, random));
        p.put("difficulty", pick(STS_DIFFICULTY, random));
        List<String> targets = BITEXT_LANGUAGES.stream()
            .filter(l -> !l.equalsIgnoreCase(language)).toList();
        p.put("language", language);
        p.put("target_language", pick(targets, random));
      }
      default -> throw new AssertionError(this);
    }
    return p;
  }

  private static <T> T pick(List<T> list, Random r) {
    return list.get(r.nextInt(list.size()));
  }

  /**
   * Renders the example prompt for a task under drawn placeholders.
   *
   * @param task the task description; not blank
   * @param p the placeholders from {@link #draw}; not null, with every key this kind needs
   * @return the prompt
   * @throws IllegalArgumentException if the task is blank or a placeholder is missing (named)
   */
  public String examplePrompt(String task, Map<String, String> p) {
    Args.notBlank(task, "task");
    Args.notNull(p, "placeholders");
    String json = "Your output must always be a JSON object only, do not explain yourself or output"
        + " anything else. Be creative!\n";
    return switch (this) {
      case SHORT_LONG, LONG_SHORT -> "You have been assigned a retrieval task: " + task.strip()
          + "\nYour mission is to write one text retrieval example for this task in JSON format."
          + " The JSON object must contain the following keys:\n"
          + "- \"user_query\": a string, a random user search query specified by the retrieval"
          + " task.\n"
          + "- \"positive_document\": a string, a relevant document for the user query.\n"
          + "- \"hard_negative_document\": a string, a hard negative document that only appears"
          + " relevant to the query.\n"
          + "Please adhere to the following guidelines:\n"
          + "- The \"user_query\" should be " + get(p, "query_type") + ", "
          + get(p, "query_length") + ", " + get(p, "clarity") + ", and diverse in topic.\n"
          + "- All documents must be created independent of the query. Avoid copying the query"
          + " verbatim. It's acceptable if some parts of the \"positive_document\" are not"
          + " topically related to the query.\n"
          + "- All documents should be " + (this == SHORT_LONG ? "at least " : "")
          + get(p, "num_words") + " words long.\n"
          + "- The \"hard_negative_document\" contains some useful information, but it should be"
          + " less useful or comprehensive compared to the \"positive_document\".\n"
          + "- Both the query and documents should be in " + get(p, "language") + ".\n"
          + "- Do not provide any explanation in any document on why it is relevant or not"
          + " relevant to the query.\n"
          + "- Both the query and documents require \"" + get(p, "difficulty") + "\" level"
          + " education to understand.\n" + json;
      case SHORT_SHORT, LONG_LONG -> "You have been assigned a text matching task: " + task.strip()
          + "\nYour mission is to write one example for this task in JSON format. The JSON object"
          + " must contain the following keys:\n"
          + "- \"input\": a string, a random input specified by the task.\n"
          + "- \"positive_document\": a string, a relevant document for the \"input\" according to"
          + " the task.\n"
          + "Please adhere to the following guidelines:\n"
          + "- The values of all fields should be in " + get(p, "language") + ".\n"
          + (this == SHORT_SHORT
              ? "- Both the \"input\" and \"positive_document\" should be very short (a sentence or"
                  + " a phrase), avoid substantial word overlaps, otherwise the task would be too"
                  + " easy.\n"
              : "- Both the \"input\" and \"positive_document\" should be long documents (at least"
                  + " 300 words), avoid substantial word overlaps, otherwise the task would be too"
                  + " easy.\n")
          + "- The \"input\" and \"positive_document\" should be independent of each other.\n"
          + json;
      case CLASSIFICATION -> "You have been assigned a text classification task: " + task.strip()
          + "\nYour mission is to write one text classification example for this task in JSON"
          + " format. The JSON object must contain the following keys:\n"
          + "- \"input_text\": a string, the input text specified by the classification task.\n"
          + "- \"label\": a string, the correct label of the input text.\n"
          + "- \"misleading_label\": a string, an incorrect label that is related to the task.\n"
          + "Please adhere to the following guidelines:\n"
          + "- The \"input_text\" should be " + get(p, "num_words")
          + " words and diverse in expression.\n"
          + "- The \"misleading_label\" must be a valid label for the given task, but not as"
          + " appropriate as the \"label\" for the \"input_text\".\n"
          + "- The values for all fields should be in " + get(p, "language") + ".\n"
          + "- Avoid including the values of the \"label\" and \"misleading_label\" fields in the"
          + " \"input_text\", that would make the task too easy.\n"
          + "- The \"input_text\" is " + get(p, "clarity") + " and requires "
          + get(p, "difficulty") + " level education to comprehend.\n" + json;
      case STS -> "Write a " + get(p, "unit") + " triple with varying semantic similarity scores"
          + " in JSON format. The semantic similarity score ranges from 1 to 5, with 1 denotes"
          + " least similar and 5 denotes most similar.\n"
          + "Please adhere to the following guidelines:\n"
          + "- The keys in JSON are \"S1\", \"S2\", and \"S3\", the values are all strings in "
          + get(p, "language") + ", do not add any other keys.\n"
          + "- There should be some word overlaps between all three " + get(p, "unit") + "s.\n"
          + "- The similarity score between S1 and S2 should be " + get(p, "high_score") + ".\n"
          + "- The similarity score between S1 and S3 should be " + get(p, "low_score") + ".\n"
          + "- The " + get(p, "unit") + "s should be diverse in terms of topic and length.\n"
          + "- The " + get(p, "unit") + "s require " + get(p, "difficulty")
          + " level education to understand.\n" + json;
      case BITEXT -> "Write a " + get(p, "unit") + " triple with one " + get(p, "unit") + " in "
          + get(p, "language") + " and two " + get(p, "unit") + "s in "
          + get(p, "target_language") + " with varying translation qualities in JSON format.\n"
          + "The triple is denotes as (\"S1\", \"S2\", \"S3\"). The translation quality score"
          + " ranges from 1 to 5, with higher scores are better.\n"
          + "Please adhere to the following guidelines:\n"
          + "- The values of \"S1\" is a string in " + get(p, "language") + ", the value of \"S2\""
          + " and \"S3\" are strings in " + get(p, "target_language") + ".\n"
          + "- There should be some word overlaps between \"S2\" and \"S3\".\n"
          + "- The translation quality score of \"S2\" with respect to \"S1\" should be "
          + get(p, "high_score") + ".\n"
          + "- The translation quality score of \"S3\" with respect to \"S1\" should be "
          + get(p, "low_score") + ".\n"
          + "- \"S3\" should be grammatical and fluent, but contain some keyword or number"
          + " translation errors, or miss some information, or contain some redundant"
          + " information.\n"
          + "- \"S1\" requires " + get(p, "difficulty") + " level education to understand and"
          + " should be diverse in terms of topic and length.\n" + json;
    };
  }

  private String get(Map<String, String> p, String key) {
    String v = p.get(key);
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException("placeholder '" + key + "' of a " + id
          + " prompt must be non-blank, but is: " + v + " (placeholders: " + p.keySet() + ")");
    }
    return v;
  }

  /**
   * The validated content of one example reply.
   *
   * @param query the query text
   * @param positive the positive text
   * @param negative the hard negative text, or null for kinds without one
   */
  public record Triplet(String query, String positive, String negative) {}

  /**
   * Why a reply was refused.
   *
   * @param reason a snake_case reason: {@code no_json}, {@code missing_field}, {@code wrong_type},
   *     {@code blank_field}, {@code too_long}, {@code query_equals_positive},
   *     {@code positive_equals_negative}
   * @param detail a detail for people (the key at fault, the start of the reply)
   */
  public record Rejection(String reason, String detail) {}

  /**
   * Validates an example reply: the first JSON object in it must carry every {@linkplain
   * #requiredKeys() required key} as a non-blank string of at most {@code maxChars} characters, and
   * the query, positive and negative must differ (compared lower-cased, white space collapsed).
   * Other keys are ignored.
   *
   * @param output the LLM's reply; not null
   * @param maxChars the longest text accepted, {@code >= 1}
   * @return the triplet, or the rejection
   * @throws IllegalArgumentException if {@code output} is null or {@code maxChars < 1}
   */
  public Result parse(String output, int maxChars) {
    Args.notNull(output, "output");
    Args.atLeast(maxChars, 1, "maxChars");
    Optional<ObjectNode> obj = JsonExtraction.firstObject(output);
    if (obj.isEmpty()) {
      return Result.rejected("no_json", "no JSON object in the reply: " + head(output));
    }
    ObjectNode o = obj.get();
    String[] values = new String[3];
    List<String> keys = requiredKeys();
    for (int i = 0; i < keys.size(); i++) {
      String key = keys.get(i);
      JsonNode n = o.get(key);
      if (n == null || n.isNull()) {
        return Result.rejected("missing_field", "no \"" + key + "\" (expected keys " + keys
            + ", got " + fieldNames(o) + ")");
      }
      if (!n.isTextual()) {
        return Result.rejected("wrong_type",
            "\"" + key + "\" must be a string, but is " + n.getNodeType().name().toLowerCase(
                Locale.ROOT) + ": " + head(n.toString()));
      }
      String v = n.asText().strip();
      if (v.isEmpty()) {
        return Result.rejected("blank_field", "\"" + key + "\" is blank");
      }
      if (v.length() > maxChars) {
        return Result.rejected("too_long", "\"" + key + "\" has " + v.length()
            + " characters, more than " + maxChars);
      }
      values[i] = v;
    }
    String q = QueryGenerator.normalise(values[0]);
    String pos = QueryGenerator.normalise(values[1]);
    if (q.equals(pos)) {
      return Result.rejected("query_equals_positive",
          "\"" + keys.get(0) + "\" and \"" + keys.get(1) + "\" are the same text: " + head(q));
    }
    if (values[2] != null && pos.equals(QueryGenerator.normalise(values[2]))) {
      return Result.rejected("positive_equals_negative",
          "\"" + keys.get(1) + "\" and \"" + keys.get(2) + "\" are the same text: " + head(pos));
    }
    return new Result(new Triplet(values[0], values[1], values[2]), null);
  }

  /**
   * A parsed reply: exactly one of the triplet and the rejection is set.
   *
   * @param triplet the triplet, or null
   * @param rejection the rejection, or null
   */
  public record Result(Triplet triplet, Rejection rejection) {
    static Result rejected(String reason, String detail) {
      return new Result(null, new Rejection(reason, detail));
    }

    /** {@return whether the reply was valid} */
    public boolean valid() {
      return triplet != null;
    }
  }

  private static String fieldNames(ObjectNode o) {
    return "[" + String.join(", ", (Iterable<String>) o::fieldNames) + "]";
  }

  static String head(String s) {
    String one = s.replaceAll("\\s+", " ").strip();
    return one.length() > 120 ? one.substring(0, 120) + "..." : one;
  }

  /** {@return the kinds' names joined by commas, e.g. for a usage line} */
  public static String joinedNames() {
    return Arrays.stream(values()).map(E5TaskKind::id).collect(Collectors.joining(","));
  }
}
