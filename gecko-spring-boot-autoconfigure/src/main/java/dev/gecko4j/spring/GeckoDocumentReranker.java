package dev.gecko4j.spring;

import dev.gecko4j.core.rerank.RelevanceScores;
import dev.gecko4j.core.rerank.ScoreScale;
import dev.gecko4j.core.rerank.TextReranker;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.ai.document.Document;
import org.springframework.ai.document.MetadataMode;
import org.springframework.ai.rag.Query;
import org.springframework.ai.rag.postretrieval.document.DocumentPostProcessor;

/**
 * A Spring AI {@link DocumentPostProcessor} that reranks the documents retrieved for a {@link
 * Query} with a gecko4j {@link TextReranker} (an ONNX cross-encoder, or the LLM re-ranker): each
 * document's text is scored against the query text, the documents are returned best first (the reranker's order), cut to
 * the top {@code n} and, optionally, to those scoring at least a minimum. Spring AI's {@code
 * RetrievalAugmentationAdvisor} takes it with {@code documentPostProcessors(...)}; the starter
 * configures one from the {@code gecko4j.rerank.*} properties ({@link GeckoRerankProperties}).
 *
 * {@snippet lang=java :
 * Advisor rag = RetrievalAugmentationAdvisor.builder()
 *     .documentRetriever(VectorStoreDocumentRetriever.builder().vectorStore(store).topK(50).build())
 *     .documentPostProcessors(geckoDocumentReranker)   // the 50 reranked, the best 5 kept
 *     .build();
 * }
 *
 * <p><b>Scores.</b> A returned document is the input document (same id, text and metadata) with
 * its {@link Document#getScore() score} replaced by the reranker's score on the configured {@link
 * ScoreScale} (probability by default: sigmoid of the logit, or softmax over the labels), and the
 * metadata keys {@value #RERANK_SCORE} (the same value), {@value #RERANK_LOGIT}, {@value
 * #RERANK_PROBABILITY} and, when the retriever gave one, {@value #RETRIEVAL_SCORE} (the score it
 * had before). Ties keep the retriever's order.
 *
 * <p>Thread-safe when the reranker is (gecko4j's are). It does not own the reranker: closing
 * that is its creator's job (Spring closes the auto-configured one with the context).
 */
public final class GeckoDocumentReranker implements DocumentPostProcessor {

  /** Metadata key of the rerank score on the configured scale (also the document's score). */
  public static final String RERANK_SCORE = "rerank_score";
  /** Metadata key of the raw logit of the relevance label. */
  public static final String RERANK_LOGIT = "rerank_logit";
  /** Metadata key of the probability of the relevance label. */
  public static final String RERANK_PROBABILITY = "rerank_probability";
  /** Metadata key of the document's score before reranking (the retriever's), when it had one. */
  public static final String RETRIEVAL_SCORE = "retrieval_score";

  private final TextReranker reranker;
  private final int topN;
  private final ScoreScale scale;
  private final Double minScore;
  private final MetadataMode metadataMode;

  private GeckoDocumentReranker(Builder b) {
    this.reranker = b.reranker;
    this.topN = b.topN;
    this.scale = b.scale;
    this.minScore = b.minScore;
    this.metadataMode = b.metadataMode;
  }

  /** {@return a new builder} */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Reranks {@code documents} against {@code query}'s text.
   *
   * @param query the query; not null
   * @param documents the retrieved documents; not null, no null element, each with text
   * @return new documents, best first, at most top-n of them, each with its rerank score
   * @throws IllegalArgumentException if the query or the list is null, or a document is null or
   *     has no text (a media document), naming its index
   * @throws IllegalStateException if the reranker is closed
   */
  @Override
  public List<Document> process(Query query, List<Document> documents) {
    if (query == null) {
      throw new IllegalArgumentException("query must not be null");
    }
    if (documents == null) {
      throw new IllegalArgumentException("documents must not be null");
    }
    List<String> texts = new ArrayList<>(documents.size());
    for (int i = 0; i < documents.size(); i++) {
      Document d = documents.get(i);
      if (d == null) {
        throw new IllegalArgumentException("documents[" + i + "] must not be null");
      }
      if (!d.isText()) {
        throw new IllegalArgumentException("documents[" + i + "] (id " + d.getId()
            + ") has no text: a media document cannot be reranked by a text reranker");
      }
      // NONE: the text itself (Spring AI's default formatter would prefix a blank metadata block)
      texts.add(metadataMode == MetadataMode.NONE ? d.getText()
          : d.getFormattedContent(metadataMode));
    }
    if (documents.isEmpty()) {
      return List.of();
    }
    RelevanceScores s = reranker.score(query.text(), texts);
    double[] scores = s.scores(scale);
    List<Document> out = new ArrayList<>(Math.min(topN, documents.size()));
    // the reranker's order (its ranking score, ties by the retriever's order)
    for (int i : s.order()) {
      if (out.size() == topN) {
        break;
      }
      if (minScore != null && scores[i] < minScore) {
        continue;
      }
      Document d = documents.get(i);
      Map<String, Object> metadata = new HashMap<>(d.getMetadata());
      metadata.put(RERANK_SCORE, scores[i]);
      metadata.put(RERANK_LOGIT, s.logit(i));
      metadata.put(RERANK_PROBABILITY, s.probability(i));
      if (d.getScore() != null) {
        metadata.put(RETRIEVAL_SCORE, d.getScore());
      }
      out.add(d.mutate().metadata(metadata).score(scores[i]).build());
    }
    return out;
  }

  /** {@return the reranker} */
  public TextReranker reranker() {
    return reranker;
  }

  /** {@return the most documents returned} */
  public int topN() {
    return topN;
  }

  /** {@return the scale of the documents' scores} */
  public ScoreScale scale() {
    return scale;
  }

  /** {@return the lowest score kept, or null for no minimum} */
  public Double minScore() {
    return minScore;
  }

  /** {@return how a document's metadata is formatted into the text scored} */
  public MetadataMode metadataMode() {
    return metadataMode;
  }

  @Override
  public String toString() {
    return "GeckoDocumentReranker[" + reranker.name() + ", topN=" + topN + ", scale=" + scale
        + ", minScore=" + minScore + ", metadataMode=" + metadataMode + "]";
  }

  /**
   * Builds a {@link GeckoDocumentReranker}: set the reranker; the rest has defaults (every
   * document kept, probabilities, no minimum, the documents' text alone). Setters return this;
   * {@link #build()} validates.
   */
  public static final class Builder {
    private TextReranker reranker;
    private int topN = Integer.MAX_VALUE;
    private ScoreScale scale = ScoreScale.PROBABILITY;
    private Double minScore;
    private MetadataMode metadataMode = MetadataMode.NONE;

    private Builder() { }

    /**
     * @param reranker the reranker scoring (query, document text); not null. Not closed by the
     *     document reranker.
     * @return this builder
     */
    public Builder reranker(TextReranker reranker) {
      this.reranker = reranker;
      return this;
    }

    /**
     * @param topN the most documents returned, at least 1; default: all
     * @return this builder
     */
    public Builder topN(int topN) {
      this.topN = topN;
      return this;
    }

    /**
     * @param scale the scale of the scores written to the documents; not null; default
     *     probability
     * @return this builder
     */
    public Builder scale(ScoreScale scale) {
      this.scale = scale;
      return this;
    }

    /**
     * @param minScore the lowest score (on the {@link #scale(ScoreScale) scale}) a document must
     *     reach to be returned, finite; null (the default) for no minimum
     * @return this builder
     */
    public Builder minScore(Double minScore) {
      this.minScore = minScore;
      return this;
    }

    /**
     * @param metadataMode how the document's metadata is formatted into the text scored (Spring
     *     AI's {@link MetadataMode}); not null; default {@link MetadataMode#NONE}: the text alone
     * @return this builder
     */
    public Builder metadataMode(MetadataMode metadataMode) {
      this.metadataMode = metadataMode;
      return this;
    }

    /**
     * {@return the document reranker}
     *
     * @throws IllegalArgumentException if reranker, scale or metadataMode is null, topN is below 1,
     *     or minScore is not finite
     */
    public GeckoDocumentReranker build() {
      if (reranker == null) {
        throw new IllegalArgumentException("reranker must not be null");
      }
      if (topN < 1) {
        throw new IllegalArgumentException("topN must be >= 1, but is: " + topN);
      }
      if (scale == null) {
        throw new IllegalArgumentException("scale must not be null (LOGIT or PROBABILITY)");
      }
      if (minScore != null && !Double.isFinite(minScore)) {
        throw new IllegalArgumentException("minScore must be finite, but is: " + minScore);
      }
      if (metadataMode == null) {
        throw new IllegalArgumentException("metadataMode must not be null");
      }
      return new GeckoDocumentReranker(this);
    }
  }
}
