package dev.gecko4j.fret.rerank;

import dev.gecko4j.core.fret.FretOptions;
import dev.gecko4j.core.internal.Args;
import dev.gecko4j.core.lm.ContinuationScore;
import dev.gecko4j.core.lm.LanguageModel;
import dev.gecko4j.core.lm.LanguageModelException;
import dev.gecko4j.core.lm.ScoreRequest;
import dev.gecko4j.fret.generate.FretPrompts;
import dev.gecko4j.fret.retrieve.Passage;
import java.util.ArrayList;
import java.util.List;

/**
 * FRet step 3: scores every candidate passage of a query with the LLM, in two batched requests:
 * <ul>
 *   <li>QL: {@code log P(q | P_QL(p))}, one {@link LanguageModel#score} call over all N candidates;
 *   <li>RC: the expected relevance grade: each label of {@link FretPrompts#RC_LABELS} is scored as
 *       the continuation of {@code P_RC(q, p)}, the label log-likelihoods are normalised by softmax
 *       over the labels, and the grades {@link FretPrompts#RC_GRADES} are averaged under it; one
 *       call over all N x labels requests.
 * </ul>
 * Passages are cut to {@link FretOptions#maxPassageChars()} characters inside the prompts. A call
 * the model rejects with {@link IllegalArgumentException} (typically: prompt longer than its
 * context) is repeated with passages cut to half the length, down to 32 characters. Each call
 * starts again from {@link FretOptions#maxPassageChars()}, so a row's scores depend on its seed
 * alone, not on the rows scored before it (set {@link FretOptions#maxPassageChars()} to fit the
 * model to avoid the rejected attempts; they are cheap, rejected before the model runs). A call that
 * throws {@link LanguageModelException} or returns the wrong number of scores is retried up to
 * {@link FretOptions#llmRetries()} times; after that {@link #score} throws {@link RerankException}
 * carrying the requests spent (every attempt counts as a request).
 *
 * <p>The one LLM scorer of gecko4j: FRet mining ({@code FretPipeline}) and the application-facing
 * {@link LlmReranker} (a {@link dev.gecko4j.core.rerank.TextReranker}) both run it.
 *
 * <p>Thread-safe when the language model is.
 */
public final class Reranker {

  private final LanguageModel llm;
  private final FretOptions options;

  /**
   * Creates a re-ranker.
   *
   * @param llm a language model that can score; not null
   * @param options the options (passage cut-off, retries); not null
   * @throws IllegalArgumentException if an argument is null or the model cannot score
   */
  public Reranker(LanguageModel llm, FretOptions options) {
    Args.notNull(llm, "llm");
    Args.notNull(options, "options");
    if (!llm.capabilities().canScore()) {
      throw new IllegalArgumentException("language model '" + llm.name() + "' cannot score"
          + " continuations (" + llm.capabilities().scoreLimitation() + "); FRet re-ranking needs"
          + " log-probabilities: use an in-process model or a server that returns prompt logprobs");
    }
    this.llm = llm;
    this.options = options;
  }

  /**
   * The scores of N candidates.
   *
   * @param ql query likelihood per candidate
   * @param rc expected relevance grade per candidate, in [0, 1]
   * @param requests the LLM requests made (2 without retries)
   * @param rcLabels per candidate, the log-likelihood of each label of {@link
   *     FretPrompts#RC_LABELS} as the continuation of P_RC (the values {@code rc} is computed from)
   */
  public record Scores(double[] ql, double[] rc, int requests, double[][] rcLabels) {}

  /** The LLM failed on every attempt. */
  public static final class RerankException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    /** The LLM requests spent before giving up. */
    private final int requests;

    RerankException(String message, int requests, Throwable cause) {
      super(message, cause);
      this.requests = requests;
    }

    /** {@return the LLM requests spent before giving up} */
    public int requests() {
      return requests;
    }
  }

  /**
   * Scores {@code candidates} for {@code query}.
   *
   * @param query the query; not blank
   * @param candidates the candidate passages; at least one
   * @return QL and RC per candidate, in input order
   * @throws IllegalArgumentException if {@code query} is blank or {@code candidates} empty
   * @throws RerankException if the LLM fails after all retries
   */
  public Scores score(String query, List<Passage> candidates) {
    if (query == null || query.isBlank()) {
      throw new IllegalArgumentException("query must be non-blank, but is: " + query);
    }
    if (candidates == null || candidates.isEmpty()) {
      throw new IllegalArgumentException("candidates must be a non-empty list");
    }
    int n = candidates.size();
    List<String> full = new ArrayList<>(n);
    for (Passage p : candidates) {
      String t = p.fullText();
      full.add(t.isEmpty() ? "(empty)" : t);
    }
    String cont = FretPrompts.queryLikelihoodContinuation(query);
    int labels = FretPrompts.RC_LABELS.size();
    int[] requests = {0};
    List<ContinuationScore> qlScores = call(cut -> {
      List<ScoreRequest> req = new ArrayList<>(n);
      for (String t : full) {
        req.add(new ScoreRequest(FretPrompts.queryLikelihood(FretPrompts.cut(t, cut)), cont));
      }
      return req;
    }, requests, "QL");
    List<ContinuationScore> rcScores = call(cut -> {
      List<ScoreRequest> req = new ArrayList<>(n * labels);
      for (String t : full) {
        String prompt = FretPrompts.relevance(query, FretPrompts.cut(t, cut));
        for (String label : FretPrompts.RC_LABELS) {
          req.add(new ScoreRequest(prompt, FretPrompts.relevanceContinuation(label)));
        }
      }
      return req;
    }, requests, "RC");
    double[] ql = new double[n];
    double[] rc = new double[n];
    double[][] rcLabels = new double[n][labels];
    for (int i = 0; i < n; i++) {
      ql[i] = qlScores.get(i).logProbability();
      double[] ll = rcLabels[i];
      for (int j = 0; j < labels; j++) {
        ll[j] = rcScores.get(i * labels + j).logProbability();
      }
      rc[i] = expectedGrade(ll);
    }
    return new Scores(ql, rc, requests[0], rcLabels);
  }

  /**
   * Returns the expected grade under the softmax of the label log-likelihoods; 0 when every label
   * is impossible ({@code -Infinity}).
   *
   * @param labelLogLikelihoods one log-likelihood per label of {@link FretPrompts#RC_LABELS}
   * @return the expected grade, in [0, 1]
   * @throws IllegalArgumentException if the length is not the number of labels
   */
  public static double expectedGrade(double[] labelLogLikelihoods) {
    List<Double> grades = FretPrompts.RC_GRADES;
    if (labelLogLikelihoods == null || labelLogLikelihoods.length != grades.size()) {
      throw new IllegalArgumentException("labelLogLikelihoods must have " + grades.size()
          + " values, but is: " + (labelLogLikelihoods == null ? "null" : labelLogLikelihoods.length));
    }
    double max = Double.NEGATIVE_INFINITY;
    for (double v : labelLogLikelihoods) {
      max = Math.max(max, v);
    }
    if (max == Double.NEGATIVE_INFINITY) {
      return 0;
    }
    double z = 0;
    double e = 0;
    for (int j = 0; j < labelLogLikelihoods.length; j++) {
      double w = Math.exp(labelLogLikelihoods[j] - max);
      z += w;
      e += w * grades.get(j);
    }
    return Math.min(1, Math.max(0, e / z));
  }

  private List<ContinuationScore> call(java.util.function.IntFunction<List<ScoreRequest>> build,
      int[] requests, String what) {
    RuntimeException last = null;
    // every call starts from the configured cut (no cut is remembered across calls), so a seed's
    // scores depend on the seed alone, not on which seeds this JVM scored before it: a resumed
    // run, a retried Spark task and another executor score it the same way
    int cut = options.maxPassageChars();
    int attempt = 0;
    while (attempt <= options.llmRetries()) {
      List<ScoreRequest> req = build.apply(cut);
      requests[0]++;
      try {
        List<ContinuationScore> out = llm.score(req);
        if (out != null && out.size() == req.size()) {
          return out;
        }
        last = new LanguageModelException(what + " scoring returned "
            + (out == null ? "null" : out.size() + " scores") + " for " + req.size() + " requests");
      } catch (LanguageModelException e) {
        last = e;
      } catch (IllegalArgumentException e) {
        // the model rejected the input, typically a prompt longer than its context: cut the
        // passages shorter and try again (does not count as a retry while the cut can shrink)
        last = e;
        if (cut / 2 >= FretPrompts.MIN_PASSAGE_CHARS) {
          cut /= 2;
          continue;
        }
      }
      attempt++;
    }
    throw new RerankException(what + " scoring failed after " + requests[0] + " requests: "
        + last.getMessage(), requests[0], last);
  }
}
