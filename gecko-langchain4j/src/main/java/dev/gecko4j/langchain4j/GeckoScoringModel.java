package dev.gecko4j.langchain4j;

import dev.gecko4j.core.internal.Args;
import dev.gecko4j.core.rerank.RelevanceScores;
import dev.gecko4j.core.rerank.ScoreScale;
import dev.gecko4j.core.rerank.TextReranker;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.output.Response;
import dev.langchain4j.model.scoring.ScoringModel;
import java.util.ArrayList;
import java.util.List;

/**
 * LangChain4j's {@link ScoringModel} over any gecko4j {@link TextReranker} (an {@code
 * OnnxCrossEncoder}, an {@code LlmReranker}), so {@code ReRankingContentAggregator} reranks a
 * retriever's contents with it.
 *
 * {@snippet lang=java :
 * ScoringModel scoring = GeckoScoringModel.of(
 *     OnnxCrossEncoder.builder().modelFolder(Path.of("my-reranker")).build(), ScoreScale.PROBABILITY);
 * ContentAggregator aggregator = ReRankingContentAggregator.builder()
 *     .scoringModel(scoring).minScore(0.5).build();
 * }
 *
 * <p>The scale is chosen explicitly, never by default: {@code ReRankingContentAggregator}'s
 * {@code minScore} is a threshold on it ({@link ScoreScale#PROBABILITY}: in [0, 1]; {@link
 * ScoreScale#LOGIT}: the model's raw output, what LangChain4j's own ONNX scoring model returns
 * unless told to normalise). Scores come back in the segments' order. A reranker whose order is
 * not per pair (the LLM re-ranker's reciprocal rank fusion) is still scored per pair here: the
 * aggregator sorts by these scores.
 *
 * <p>Thread-safe when the reranker is. {@link #close()} closes the reranker.
 */
public final class GeckoScoringModel implements ScoringModel, AutoCloseable {

  private final TextReranker reranker;
  private final ScoreScale scale;

  private GeckoScoringModel(TextReranker reranker, ScoreScale scale) {
    this.reranker = reranker;
    this.scale = scale;
  }

  /**
   * Wraps a reranker.
   *
   * @param reranker the reranker; not null (closed by {@link #close()})
   * @param scale the scale of the scores returned; not null
   * @return the scoring model
   * @throws IllegalArgumentException if an argument is null
   */
  public static GeckoScoringModel of(TextReranker reranker, ScoreScale scale) {
    Args.notNull(reranker, "reranker");
    Args.notNull(scale, "scale");
    return new GeckoScoringModel(reranker, scale);
  }

  /**
   * Scores each segment's text against the query.
   *
   * @param segments the segments; not null, no null element
   * @param query the query; not null
   * @return one score per segment, in order, on {@link #scale()}
   * @throws IllegalArgumentException naming the bad argument
   * @throws IllegalStateException if the reranker is closed
   */
  @Override
  public Response<List<Double>> scoreAll(List<TextSegment> segments, String query) {
    Args.noNulls(segments, "segments");
    Args.notNull(query, "query");
    List<String> texts = new ArrayList<>(segments.size());
    for (TextSegment s : segments) {
      texts.add(s.text());
    }
    RelevanceScores scores = reranker.score(query, texts);
    List<Double> out = new ArrayList<>(texts.size());
    for (double v : scores.scores(scale)) {
      out.add(v);
    }
    return Response.from(out);
  }

  /** {@return the scale of the scores} */
  public ScoreScale scale() {
    return scale;
  }

  /** {@return the wrapped reranker} */
  public TextReranker reranker() {
    return reranker;
  }

  /** Closes the reranker. */
  @Override
  public void close() {
    reranker.close();
  }

  @Override
  public String toString() {
    return "GeckoScoringModel[" + reranker.name() + ", scale=" + scale + "]";
  }
}
