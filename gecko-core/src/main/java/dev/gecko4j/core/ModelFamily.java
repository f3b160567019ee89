package dev.gecko4j.core;

import dev.gecko4j.core.internal.Args;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The embedding-model families gecko4j knows by name, each with the prompts its authors published
 * (the {@code prompts} of its {@code config_sentence_transformers.json}), the prompt names that
 * {@link TaskPrompt}'s Gecko task vocabulary maps onto, its pooling and its Matryoshka sizes.
 * Applied to a user's model folder: the folder's own prompts win where they hold a name the
 * family looks up, then the family's published prompts, then the family's format.
 *
 * {@snippet lang=java :
 * PromptConvention c = ModelFamily.EMBEDDING_GEMMA.convention(folderPrompts);
 * c.apply(TaskPrompt.query(TaskPrompt.SEARCH_RESULT), "geckos"); // "task: search result | query: geckos"
 * }
 *
 * <p>Where the facts come from is listed in the README's "Models" table. The instruction texts
 * that {@link #instruction(String)} gives decoder-only families for Gecko's task names are the
 * E5-mistral paper's where it has one for that kind of task, else gecko4j's choice.
 */
public enum ModelFamily {
  /**
   * google/embeddinggemma-300m: Gecko's own prompts ({@code task: {task} | query: } and {@code
   * title: {title | none} | text: }), mean pooling, two Dense layers 768 -> 3072 -> 768,
   * normalised, Matryoshka 768/512/256/128.
   */
  EMBEDDING_GEMMA(Pooling.MEAN, List.of(768, 512, 256, 128), false, prompts(
      "query", "task: search result | query: ",
      "document", "title: none | text: ",
      "BitextMining", "task: search result | query: ",
      "Clustering", "task: clustering | query: ",
      "Classification", "task: classification | query: ",
      "InstructionRetrieval", "task: code retrieval | query: ",
      "MultilabelClassification", "task: classification | query: ",
      "PairClassification", "task: sentence similarity | query: ",
      "Reranking", "task: search result | query: ",
      "Retrieval", "task: search result | query: ",
      "Retrieval-query", "task: search result | query: ",
      "Retrieval-document", "title: none | text: ",
      "STS", "task: sentence similarity | query: ",
      "Summarization", "task: summarization | query: ")),
  /**
   * Qwen/Qwen3-Embedding: {@code Instruct: {instruction}\nQuery:} on queries only (no space after
   * {@code Query:}, as its published prompt has it), documents as they are, last-token pooling
   * with EOS appended, normalised.
   */
  QWEN3_EMBEDDING(Pooling.LAST_TOKEN, List.of(), true, prompts(
      "query", "Instruct: Given a web search query, retrieve relevant passages that answer the "
          + "query\nQuery:",
      "document", "")),
  /**
   * intfloat/e5-mistral-7b-instruct: {@code Instruct: {instruction}\nQuery: } on queries only,
   * documents as they are, last-token pooling with EOS appended, normalised.
   */
  E5_MISTRAL(Pooling.LAST_TOKEN, List.of(), true, Map.of()),
  /**
   * nomic-ai/nomic-embed-text-v1.5: {@code search_query: }, {@code search_document: }, {@code
   * classification: }, {@code clustering: }; mean pooling, normalised, Matryoshka
   * 768/512/256/128/64.
   */
  NOMIC_EMBED(Pooling.MEAN, List.of(768, 512, 256, 128, 64), false, prompts(
      "search_query", "search_query: ",
      "search_document", "search_document: ",
      "classification", "classification: ",
      "clustering", "clustering: ")),
  /**
   * intfloat/multilingual-e5-*: {@code query: } on queries and symmetric texts, {@code passage: }
   * on documents; mean pooling, normalised; XLM-R (no {@code token_type_ids}).
   */
  MULTILINGUAL_E5(Pooling.MEAN, List.of(), false, prompts(
      "query", "query: ",
      "passage", "passage: ")),
  /** thenlper/gte-*: no prompts, mean pooling, normalised. */
  GTE(Pooling.MEAN, List.of(), false, Map.of()),
  /**
   * BAAI/bge-m3, its dense part: no prompts, CLS pooling, normalised, 8192 tokens; XLM-R (no
   * {@code token_type_ids}).
   */
  BGE_M3(Pooling.CLS, List.of(), false, Map.of());

  private final Pooling pooling;
  private final List<Integer> matryoshkaDimensions;
  private final boolean appendsEos;
  private final Map<String, String> publishedPrompts;

  ModelFamily(Pooling pooling, List<Integer> matryoshkaDimensions, boolean appendsEos,
      Map<String, String> publishedPrompts) {
    this.pooling = pooling;
    this.matryoshkaDimensions = matryoshkaDimensions;
    this.appendsEos = appendsEos;
    this.publishedPrompts = publishedPrompts;
  }

  private static Map<String, String> prompts(String... pairs) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put(pairs[i], pairs[i + 1]);
    }
    return Collections.unmodifiableMap(m);
  }

  /** {@return the pooling the family's models use} */
  public Pooling pooling() {
    return pooling;
  }

  /** {@return the Matryoshka dimensions the family publishes, largest first; empty for none} */
  public List<Integer> matryoshkaDimensions() {
    return matryoshkaDimensions;
  }

  /** {@return whether the family's models expect an EOS token appended to every input} */
  public boolean appendsEos() {
    return appendsEos;
  }

  /** {@return the prompts the family's authors published, by name, in their order} */
  public Map<String, String> publishedPrompts() {
    return publishedPrompts;
  }

  /**
   * Returns the prompt names this family looks up for {@code prompt}, in order; empty when the
   * family renders the prompt by its own format (for example a document with a title for
   * EmbeddingGemma, or an instruction for a decoder-only family).
   *
   * @param prompt the prompt; not null
   * @return the names
   * @throws IllegalArgumentException if {@code prompt} is null
   */
  public List<String> promptNames(TaskPrompt prompt) {
    Args.require(prompt != null, "prompt must not be null");
    String task = prompt.task();
    return switch (this) {
      case EMBEDDING_GEMMA -> switch (prompt.kind()) {
        case DOCUMENT -> prompt.title() == null ? List.of("document", "Retrieval-document")
            : List.of();
        case QUERY, SYMMETRIC -> switch (task) {
          case TaskPrompt.SEARCH_RESULT -> List.of("query", "Retrieval-query", "Retrieval");
          case TaskPrompt.CLASSIFICATION -> List.of("Classification");
          case TaskPrompt.CLUSTERING -> List.of("Clustering");
          case TaskPrompt.SENTENCE_SIMILARITY -> List.of("STS", "PairClassification");
          case TaskPrompt.CODE_RETRIEVAL -> List.of("InstructionRetrieval");
          default -> List.of();
        };
        case NONE -> List.of();
      };
      case QWEN3_EMBEDDING -> switch (prompt.kind()) {
        case DOCUMENT -> List.of("document");
        case QUERY -> TaskPrompt.SEARCH_RESULT.equals(task) ? List.of("query") : List.of();
        case SYMMETRIC, NONE -> List.of();
      };
      case E5_MISTRAL, GTE, BGE_M3 -> List.of();
      case NOMIC_EMBED -> switch (prompt.kind()) {
        case DOCUMENT -> List.of("search_document");
        case QUERY -> List.of("search_query");
        case SYMMETRIC -> TaskPrompt.CLASSIFICATION.equals(task) ? List.of("classification")
            : TaskPrompt.CLUSTERING.equals(task) ? List.of("clustering")
            : List.of("search_query");
        case NONE -> List.of();
      };
      case MULTILINGUAL_E5 -> switch (prompt.kind()) {
        case DOCUMENT -> List.of("passage", "document");
        case QUERY, SYMMETRIC -> List.of("query");
        case NONE -> List.of();
      };
    };
  }

  /**
   * Returns the instruction a decoder-only family ({@link #QWEN3_EMBEDDING}, {@link #E5_MISTRAL})
   * puts after {@code Instruct: } for a task: for Gecko's task names the E5-mistral paper's
   * instruction of that kind of task (web search, question answering, fact checking, semantic
   * similarity) or gecko4j's own (classification, clustering, code retrieval); any other task
   * string is taken as the instruction itself.
   *
   * @param task the task; not null
   * @return the instruction
   * @throws IllegalArgumentException if {@code task} is null
   */
  public static String instruction(String task) {
    Args.require(task != null, "task must not be null");
    return switch (task) {
      case TaskPrompt.SEARCH_RESULT ->
          "Given a web search query, retrieve relevant passages that answer the query";
      case TaskPrompt.QUESTION_ANSWERING ->
          "Given a question, retrieve Wikipedia passages that answer the question";
      case TaskPrompt.FACT_CHECKING ->
          "Given a claim, retrieve documents that support or refute the claim";
      case TaskPrompt.SENTENCE_SIMILARITY -> "Retrieve semantically similar text.";
      case TaskPrompt.CLASSIFICATION -> "Classify the given text";
      case TaskPrompt.CLUSTERING -> "Identify the topic or theme of the given text";
      case TaskPrompt.CODE_RETRIEVAL -> "Given a question, retrieve code that answers it";
      default -> task;
    };
  }

  /**
   * Returns the family's convention over a folder's prompts: for each prompt, the first of {@link
   * #promptNames} held by {@code folderPrompts} (the folder wins), else by {@link
   * #publishedPrompts()}, else the family's own format (Gecko's for EmbeddingGemma, {@code
   * Instruct: ...} for decoder-only families, the text as is for the others).
   *
   * @param folderPrompts the folder's prompts by name; not null (empty for none)
   * @return the convention
   * @throws IllegalArgumentException if {@code folderPrompts} is null
   */
  public PromptConvention convention(Map<String, String> folderPrompts) {
    Args.require(folderPrompts != null, "folderPrompts must not be null");
    Map<String, String> merged = new LinkedHashMap<>(publishedPrompts);
    merged.putAll(folderPrompts);
    PromptConvention fallback = switch (this) {
      case EMBEDDING_GEMMA -> PromptConvention.GECKO;
      case QWEN3_EMBEDDING -> decoder("\nQuery:");
      case E5_MISTRAL -> decoder("\nQuery: ");
      default -> PromptConvention.NONE;
    };
    return PromptConvention.named(merged, this::promptNames, fallback);
  }

  private static PromptConvention decoder(String querySuffix) {
    return (p, text) -> switch (p.kind()) {
      case QUERY, SYMMETRIC -> "Instruct: " + instruction(p.task()) + querySuffix + text;
      case DOCUMENT, NONE -> text;
    };
  }
}
