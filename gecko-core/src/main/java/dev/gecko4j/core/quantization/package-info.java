/**
 * Embedding quantization as sentence-transformers' {@code quantize_embeddings} defines it: {@link
 * dev.gecko4j.core.quantization.Precision#INT8} and {@link
 * dev.gecko4j.core.quantization.Precision#UINT8} (255 buckets between calibrated per-dimension
 * minimum and maximum, {@link dev.gecko4j.core.quantization.QuantizationRanges}), {@link
 * dev.gecko4j.core.quantization.Precision#BINARY} and {@link
 * dev.gecko4j.core.quantization.Precision#UBINARY} (the sign bit of each dimension, packed eight to
 * a byte, first dimension in the highest bit), through {@link
 * dev.gecko4j.core.quantization.EmbeddingQuantizer}. The quantized exact index that scans such
 * vectors and rescores with the float ones is {@link dev.gecko4j.core.index.QuantizedFlatIndex}.
 */
package dev.gecko4j.core.quantization;
