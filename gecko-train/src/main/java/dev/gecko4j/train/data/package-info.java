/**
 * Training data: readers that turn FRet JSONL, BEIR qrels (with mined hard negatives), sentence
 * pairs and classification rows into prompted sources, and the seeded
 * {@link dev.gecko4j.train.data.MixtureSampler}.
 */
package dev.gecko4j.train.data;
