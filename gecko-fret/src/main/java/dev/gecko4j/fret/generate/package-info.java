/**
 * FRet's first stage: the prompts ({@link dev.gecko4j.fret.generate.FretPrompts}, versioned, also
 * those of re-ranking), query generation from a seed passage ({@link
 * dev.gecko4j.fret.generate.QueryGenerator}) with the checks that drop unusable answers, and the
 * sibling E5-mistral-style synthetic triplets ({@link
 * dev.gecko4j.fret.generate.E5TripletGenerator} for short-long retrieval; {@link
 * dev.gecko4j.fret.generate.E5TaskKind} for all seven task kinds, whose rows are {@link
 * dev.gecko4j.fret.generate.SynthRow}s). Reading JSON out of an LLM's answer is internal.
 */
package dev.gecko4j.fret.generate;
