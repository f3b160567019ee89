/** Writes a trained encoder as a sentence-transformers model folder that OnnxEmbedder serves. */
package dev.gecko4j.train.export;
