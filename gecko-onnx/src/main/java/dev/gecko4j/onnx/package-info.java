/**
 * ONNX Runtime implementation of {@link dev.gecko4j.core.Embedder}: {@link
 * dev.gecko4j.onnx.OnnxEmbedder}, the bundled {@link dev.gecko4j.onnx.Models}, and loading of
 * HuggingFace / sentence-transformers model folders.
 */
package dev.gecko4j.onnx;
