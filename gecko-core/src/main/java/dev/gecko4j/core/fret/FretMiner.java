package dev.gecko4j.core.fret;

/**
 * FRet, the two-step LLM distillation of Gecko (Lee et al., 2024): turns one seed passage into one
 * training row (task, query, positive, hard negative).
 *
 * <ol>
 *   <li>Query generation: a few-shot prompt P_QG asks the LLM for a task description {@code t} and a
 *       query {@code q} that the seed passage {@code p_seed} answers (skipped in relabel mode, where
 *       the seed carries an existing query).
 *   <li>Neighbours: the embedder embeds {@code q} as {@code task: t | query: q} and retrieves the N
 *       nearest corpus passages.
 *   <li>Re-ranking: the LLM scores each neighbour by query likelihood (QL, {@code log P(q | p)}) and
 *       by relevance classification (RC, expected grade over graded labels); the two rankings are
 *       fused by reciprocal rank fusion {@code R = 1/r_QL + 1/r_RC} (no k constant).
 *   <li>Selection: the positive is the best by R (which may differ from {@code p_seed}); the hard
 *       negative is the lowest by R ({@code p_N}) or a random other neighbour.
 * </ol>
 *
 * <p><b>Args</b> (of an implementation): an {@code Embedder} for the query and the corpus (corpus
 * vectors computed ahead of time hold only for an embedder of the same {@code
 * Embedder#fingerprint()}), a {@code LanguageModel} that can {@code generate} and {@code score},
 * the corpus, and {@link FretOptions} (N, negative strategy, seed, task types, retries).
 *
 * <p><b>References</b>: Lee et al., "Gecko: Versatile Text Embeddings Distilled from Large Language
 * Models", 2024, section 3 (FRet); the prompts P_QG, P_QL, P_RC are not published, so
 * implementations write and version their own and record the version in every row.
 *
 * <p><b>Inputs</b>:
 * <table>
 *   <caption>what goes in and comes out</caption>
 *   <tr><th>input</th><th>output</th></tr>
 *   <tr><td>{@link FretSeed} without query (passage only)</td>
 *       <td>{@link FretOutcome.Mined} with a generated task and query, or {@link FretOutcome.Dropped}
 *       with a reason ({@code no_json}, {@code missing_field}, {@code empty_query}, {@code too_long},
 *       {@code duplicate}, {@code echo}, {@code llm_error}, {@code prompt_too_long})</td></tr>
 *   <tr><td>{@link FretSeed} with query (relabel: query + labelled passage)</td>
 *       <td>{@link FretOutcome.Mined} with the re-ranked positive and negative, or {@link
 *       FretOutcome.Dropped} ({@code llm_error}, {@code seed_not_in_corpus})</td></tr>
 * </table>
 *
 * <p><b>Relations</b>: rows feed the contrastive {@code Trainer} (query, positive, hard negative; the
 * Gecko loss uses exactly one hard negative per row). E5-mistral-style synthetic triplets are a
 * sibling data source that skips retrieval and re-ranking.
 *
 * <p><b>Example</b>:
 * {@snippet lang=java :
 * try (Embedder embedder = OnnxEmbedder.builder().model(Models.BGE_SMALL_EN_V15).build();
 *     LanguageModel llm = OnnxCausalLanguageModel.builder(Path.of("models/stories260K")).build();
 *     CorpusStore corpus = CorpusStore.open(Path.of("corpus.jsonl"));
 *     // the cache keys on embedder.fingerprint(): a changed model or setting re-embeds the corpus
 *     MappedVectors vectors = MappedVectors.open(EmbeddingCache.ensure(
 *         corpus, embedder, Path.of("cache"), 32, ProgressListener.NONE))) {
 *   FretMiner miner = FretPipeline.builder()
 *       .embedder(embedder).languageModel(llm).corpus(corpus).vectors(vectors)
 *       .options(FretOptions.defaults().withNeighbours(20))
 *       .build();
 *   FretOutcome out = miner.mine(FretSeed.forGeneration("doc-1", null, "Geckos eat insects."));
 * }
 * }
 *
 * <p>Implementations are thread-safe unless they say otherwise.
 */
public interface FretMiner {

  /**
   * Mines one row from {@code seed}.
   *
   * @param seed the seed passage (and, in relabel mode, its query); not null
   * @return the mined row, or the reason it was dropped (an LLM that keeps failing, invalid
   *     generated output, a seed passage missing from the corpus); never null
   * @throws IllegalArgumentException if {@code seed} is null
   */
  FretOutcome mine(FretSeed seed);

  /** {@return the version string of the prompts, recorded in every row} */
  String promptVersion();
}
