/**
 * What gecko4j's framework adapters (gecko-langchain4j, gecko-spring-boot-autoconfigure) share:
 * one builder of their embedding models ({@link dev.gecko4j.onnx.adapter.EmbeddingModelBuilder})
 * and the embedder behind one, with its Matryoshka dimension and query prompt ({@link
 * dev.gecko4j.onnx.adapter.AdaptedEmbedder}). Applications use the adapters' own {@code
 * GeckoEmbeddingModel.builder()}, which extends the builder here.
 */
package dev.gecko4j.onnx.adapter;
