package dev.gecko4j.fret.rerank;

import dev.gecko4j.core.fret.FretOptions;
import dev.gecko4j.core.internal.Args;
import dev.gecko4j.core.lm.LanguageModel;
import dev.gecko4j.core.rerank.RelevanceScores;
import dev.gecko4j.core.rerank.TextReranker;
import dev.gecko4j.fret.generate.FretPrompts;
import dev.gecko4j.fret.retrieve.Passage;
import java.util.ArrayList;
import java.util.List;

/**
 * FRet's LLM re-ranking as a {@link TextReranker} over any {@link LanguageModel} that can score
 * continuations (the in-process ONNX causal LM, or an OpenAI-compatible server returning prompt
 * log-probabilities), so an application reranks its retriever's candidates with its own LLM the
 * way FRet picks positives. It runs FRet's own scorer ({@link Reranker}, the one mining runs; not
 * a copy): per passage the query likelihood {@code QL = log P(q | P_QL(p))} and the relevance
 * classification (each label of {@link FretPrompts#RC_LABELS} scored as the continuation of
 * {@code P_RC(q, p)}), then the two rankings fused as FRet fuses them, {@code R = 1/r_QL +
 * 1/r_RC} (no k constant, ties by input order).
 *
 * <p><b>What the scores are.</b> In the {@link RelevanceScores}: the labels are {@link
 * FretPrompts#RC_LABELS}, the logits of a passage are the label log-likelihoods (the raw values),
 * the probabilities their softmax over the labels, and single scores are read at the first label,
 * {@code "highly relevant"}. The passages are <em>ordered</em> by the fused {@code R} ({@link
 * RelevanceScores#rankingScore(int)}), which depends on the whole candidate list, not on one pair:
 * the same passage can rank differently among other candidates, as in FRet. Call {@link
 * Reranker#score} for the query likelihoods and expected grades themselves.
 *
 * <p><b>Input.</b> The query must not be blank (the prompts need one); passages are stripped of
 * surrounding white space and an empty passage is scored as {@code "(empty)"}, as in mining;
 * passages longer than {@link FretOptions#maxPassageChars()} are cut inside the prompts. An empty
 * passage list gives empty scores without calling the model.
 *
 * <p>Thread-safe when the language model is. {@link #close()} does not close the language model,
 * which the caller owns; it only refuses later calls.
 */
public final class LlmReranker implements TextReranker {

  private final LanguageModel llm;
  private final Reranker scorer;
  private volatile boolean closed;

  /**
   * Creates an LLM re-ranker with FRet's default options.
   *
   * @param llm a language model that can score; not null
   * @throws IllegalArgumentException if {@code llm} is null or cannot score
   */
  public LlmReranker(LanguageModel llm) {
    this(llm, FretOptions.defaults());
  }

  /**
   * Creates an LLM re-ranker.
   *
   * @param llm a language model that can score; not null
   * @param options passage cut-off and retries ({@link FretOptions#maxPassageChars()}, {@link
   *     FretOptions#llmRetries()}); not null
   * @throws IllegalArgumentException if an argument is null or the model cannot score
   */
  public LlmReranker(LanguageModel llm, FretOptions options) {
    this.scorer = new Reranker(llm, options);
    this.llm = llm;
  }

  /** {@return the language model's name, prefixed {@code llm:}} */
  @Override
  public String name() {
    return "llm:" + llm.name();
  }

  /**
   * Scores the passages with the LLM (two batched requests) and fuses QL and RC ranks.
   *
   * @param query the query; not blank
   * @param passages the candidates; not null, no null element
   * @return label log-likelihoods as logits, their softmax as probabilities, ranked by RRF
   * @throws IllegalArgumentException if {@code query} is blank or a passage null (naming its index)
   * @throws Reranker.RerankException if the LLM fails after all retries
   * @throws IllegalStateException if closed
   */
  @Override
  public RelevanceScores score(String query, List<String> passages) {
    Args.notBlank(query, "query");
    Args.noNulls(passages, "passages");
    if (closed) {
      throw new IllegalStateException("this LlmReranker (" + name() + ") is closed");
    }
    if (passages.isEmpty()) {
      return RelevanceScores.ofLogits(FretPrompts.RC_LABELS, 0, new double[0][]);
    }
    List<Passage> candidates = new ArrayList<>(passages.size());
    for (int i = 0; i < passages.size(); i++) {
      candidates.add(new Passage("p" + i, "", passages.get(i)));
    }
    Reranker.Scores s = scorer.score(query, candidates);
    return RelevanceScores.ofLogits(FretPrompts.RC_LABELS, 0, s.rcLabels(), RrfSelection.fuse(
        RrfSelection.ranks(s.ql()), RrfSelection.ranks(s.rc())));
  }

  /** Refuses later calls; the language model stays open (the caller owns it). Idempotent. */
  @Override
  public void close() {
    closed = true;
  }

  @Override
  public String toString() {
    return "LlmReranker[" + llm.name() + ", prompts=" + FretPrompts.VERSION + "]";
  }
}
