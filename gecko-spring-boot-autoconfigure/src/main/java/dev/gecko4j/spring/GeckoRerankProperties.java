package dev.gecko4j.spring;

import dev.gecko4j.core.rerank.ScoreScale;
import java.nio.file.Path;
import org.springframework.ai.document.MetadataMode;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code gecko4j.rerank.*} properties of {@link GeckoRerankAutoConfiguration}. Reranking is
 * off until {@code model-folder} names a cross-encoder folder (or the application defines a
 * {@code TextReranker} bean of its own).
 *
 * <pre>
 * gecko4j.rerank.model-folder=/models/my-reranker
 * gecko4j.rerank.top-n=5
 * gecko4j.rerank.score-scale=probability
 * </pre>
 */
@ConfigurationProperties(GeckoRerankProperties.PREFIX)
public class GeckoRerankProperties {

  /** The prefix of these properties. */
  public static final String PREFIX = "gecko4j.rerank";

  /**
   * Cross-encoder folder to rerank with: model.onnx (or onnx/model.onnx) with a logits output,
   * tokenizer.json and config.json, as a HuggingFace sequence-classification export, a
   * sentence-transformers CrossEncoder or gecko train writes it. Setting it turns reranking on.
   */
  private Path modelFolder;

  /** Most documents kept after reranking, best first. Default: all of them, reordered. */
  private Integer topN;

  /**
   * Lowest score (on score-scale) a document must reach to be kept. Default: no minimum. A
   * threshold belongs to one scale: change both together.
   */
  private Double minScore;

  /**
   * Scale of the scores written to the documents (their score and rerank_score metadata):
   * probability (sigmoid of the logit, or softmax over the labels) or logit (raw).
   */
  private ScoreScale scoreScale = ScoreScale.PROBABILITY;

  /**
   * Tokens per (query, document) pair, special tokens included; longer pairs are truncated
   * longest-first. Default: the model's maximum length.
   */
  private Integer maxLength;

  /** Token budget of a batch (rows x padded length). Default: gecko4j's (1024 on the CPU). */
  private Integer tokenBudget;

  /** Most pairs in one batch. */
  private int maxBatchSize = 64;

  /** ONNX Runtime intra-op threads; 0 lets ONNX Runtime choose (one per physical core). */
  private int intraOpThreads = 0;

  /** Batches run at once (each on its own ONNX Runtime call). */
  private int concurrentBatches = 1;

  /**
   * Index of the label whose logit and probability rank the documents, for models with several
   * labels. Default: the only label, or the last (label 1 of a binary classifier).
   */
  private Integer relevanceLabel;

  /** How a document's metadata is formatted into the text scored (Spring AI's MetadataMode). */
  private MetadataMode metadataMode = MetadataMode.NONE;

  /** {@return the cross-encoder folder, or null} */
  public Path getModelFolder() {
    return modelFolder;
  }

  /** @param modelFolder the cross-encoder folder */
  public void setModelFolder(Path modelFolder) {
    this.modelFolder = modelFolder;
  }

  /** {@return the most documents kept, or null for all} */
  public Integer getTopN() {
    return topN;
  }

  /** @param topN the most documents kept */
  public void setTopN(Integer topN) {
    this.topN = topN;
  }

  /** {@return the lowest score kept, or null} */
  public Double getMinScore() {
    return minScore;
  }

  /** @param minScore the lowest score kept */
  public void setMinScore(Double minScore) {
    this.minScore = minScore;
  }

  /** {@return the scale of the scores} */
  public ScoreScale getScoreScale() {
    return scoreScale;
  }

  /** @param scoreScale the scale of the scores */
  public void setScoreScale(ScoreScale scoreScale) {
    this.scoreScale = scoreScale;
  }

  /** {@return the tokens per pair, or null for the model's} */
  public Integer getMaxLength() {
    return maxLength;
  }

  /** @param maxLength the tokens per pair */
  public void setMaxLength(Integer maxLength) {
    this.maxLength = maxLength;
  }

  /** {@return the token budget per batch, or null for the default} */
  public Integer getTokenBudget() {
    return tokenBudget;
  }

  /** @param tokenBudget the token budget per batch */
  public void setTokenBudget(Integer tokenBudget) {
    this.tokenBudget = tokenBudget;
  }

  /** {@return the most pairs per batch} */
  public int getMaxBatchSize() {
    return maxBatchSize;
  }

  /** @param maxBatchSize the most pairs per batch */
  public void setMaxBatchSize(int maxBatchSize) {
    this.maxBatchSize = maxBatchSize;
  }

  /** {@return ONNX Runtime's intra-op threads (0: its choice)} */
  public int getIntraOpThreads() {
    return intraOpThreads;
  }

  /** @param intraOpThreads ONNX Runtime's intra-op threads */
  public void setIntraOpThreads(int intraOpThreads) {
    this.intraOpThreads = intraOpThreads;
  }

  /** {@return the batches run at once} */
  public int getConcurrentBatches() {
    return concurrentBatches;
  }

  /** @param concurrentBatches the batches run at once */
  public void setConcurrentBatches(int concurrentBatches) {
    this.concurrentBatches = concurrentBatches;
  }

  /** {@return the relevance label's index, or null for the default} */
  public Integer getRelevanceLabel() {
    return relevanceLabel;
  }

  /** @param relevanceLabel the relevance label's index */
  public void setRelevanceLabel(Integer relevanceLabel) {
    this.relevanceLabel = relevanceLabel;
  }

  /** {@return how metadata is formatted into the text scored} */
  public MetadataMode getMetadataMode() {
    return metadataMode;
  }

  /** @param metadataMode how metadata is formatted into the text scored */
  public void setMetadataMode(MetadataMode metadataMode) {
    this.metadataMode = metadataMode;
  }
}
