/**
 * FRet's second stage: the BEIR corpus on disk ({@link dev.gecko4j.fret.retrieve.CorpusStore},
 * {@link dev.gecko4j.fret.retrieve.Passage}), its embeddings computed once and cached ({@link
 * dev.gecko4j.fret.retrieve.EmbeddingCache}, keyed on {@link
 * dev.gecko4j.core.Embedder#fingerprint()}), searched in place ({@link
 * dev.gecko4j.fret.retrieve.MappedVectors}) or through an approximate index above a corpus size
 * ({@link dev.gecko4j.fret.retrieve.AnnPolicy}, which finds {@code gecko-jvector} on the class
 * path), and the query-side retrieval of a generated query's neighbours ({@link
 * dev.gecko4j.fret.retrieve.NeighbourRetriever}).
 */
package dev.gecko4j.fret.retrieve;
