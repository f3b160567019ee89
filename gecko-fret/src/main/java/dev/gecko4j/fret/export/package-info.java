/**
 * Mined rows as other tools' training files: FlagEmbedding and sentence-transformers JSONL
 * ({@link dev.gecko4j.fret.export.FretExporters}).
 */
package dev.gecko4j.fret.export;
